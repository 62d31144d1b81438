"""pyannote.audio's speaker-diarization pipeline behind a thin adapter.

The pipeline loads from a local folder (``config.yaml`` with its checkpoints) or, for users who
are online, from the hub with a token (``HF_TOKEN``). Audio is handed over in memory as a
waveform tensor, so pyannote never decodes files itself (its decoder, torchcodec, is not part
of the CPU install; see README "Mono calls").
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa_pipeline.audio import SAMPLE_RATE_HZ
from qa_pipeline.errors import ConfigError
from qa_pipeline.records import Diarisation, SpeakerSegment, Word

__all__ = ["PIPELINE_ENV", "PyannoteDiariser", "PyannoteOptions"]

PIPELINE_ENV = "QA_PIPELINE_PYANNOTE"
"""Environment variable naming the pipeline when ``--pyannote-pipeline`` is not given."""

_HOW = (
    "pass --pyannote-pipeline DIR (a folder with config.yaml and its checkpoints) or set "
    f"{PIPELINE_ENV}; online users can name a hub pipeline such as "
    "pyannote/speaker-diarization-community-1 with HF_TOKEN set"
)


@dataclass(frozen=True)
class PyannoteOptions:
    """Which pyannote pipeline, and how many speakers to ask it for.

    Attributes:
        pipeline: a local folder or config.yaml, or a hub name; None means not configured.
        num_speakers: exact speaker count (a call has two); None to let min/max bound it.
    """

    pipeline: str | None = None
    num_speakers: int | None = 2
    min_speakers: int | None = None
    max_speakers: int | None = None

    @property
    def configured(self) -> bool:
        return bool(self.pipeline)

    def check(self) -> None:
        """Raises ConfigError in one line when this backend cannot run here."""
        if not self.pipeline:
            raise ConfigError(f"the pyannote diarizer has no pipeline configured: {_HOW}.")
        local = Path(self.pipeline)
        if (self.pipeline.startswith((".", "/")) or local.suffix == ".yaml") and not (
            local.is_dir() or local.is_file()
        ):
            raise ConfigError(f"pyannote pipeline {self.pipeline} does not exist: {_HOW}.")
        try:
            _import_pipeline()
        except ImportError as exc:
            raise ConfigError(
                "the pyannote diarizer needs pyannote.audio: run bash setup.sh --with-pyannote "
                f"(README, Mono calls) ({exc})"
            ) from exc

    def call_kwargs(self) -> dict[str, int]:
        if self.num_speakers is not None:
            return {"num_speakers": self.num_speakers}
        bounds = {"min_speakers": self.min_speakers, "max_speakers": self.max_speakers}
        return {k: v for k, v in bounds.items() if v is not None}


def _import_pipeline() -> Any:
    # pyannote warns at import that torchcodec is missing; audio goes over in memory, so
    # that decoder is never needed. No usage metrics leave the machine either.
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"(?s).*torchcodec")
        from pyannote.audio import Pipeline
    return Pipeline


class PyannoteDiariser:
    """Runs a pyannote.audio diarization pipeline on in-memory audio.

    Args:
        options: where the pipeline comes from and the speaker count.
        pipeline: an already loaded pyannote Pipeline (shared, or built in tests); loaded
            from ``options.pipeline`` when None.
    """

    name = "pyannote"

    def __init__(self, options: PyannoteOptions = PyannoteOptions(), pipeline: Any = None):
        self.options = options
        self._pipeline = pipeline

    @property
    def pipeline(self) -> Any:
        if self._pipeline is None:
            self.options.check()
            Pipeline = _import_pipeline()
            loaded = Pipeline.from_pretrained(self.options.pipeline, token=os.environ.get("HF_TOKEN"))
            if loaded is None:
                raise ConfigError(f"pyannote could not load {self.options.pipeline}: {_HOW}.")
            self._pipeline = loaded
        return self._pipeline

    def diarise(self, samples: np.ndarray, words: Sequence[Word] = ()) -> Diarisation:
        """Who spoke when in ``samples`` (16 kHz mono float32); ``words`` are not needed."""
        import torch

        waveform = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32))[None]
        output = self.pipeline(
            {"waveform": waveform, "sample_rate": SAMPLE_RATE_HZ}, **self.options.call_kwargs()
        )
        # pyannote.audio 4 returns a DiarizeOutput; 3.x returned the Annotation itself.
        annotation = getattr(output, "speaker_diarization", output)
        segments = tuple(
            SpeakerSegment(round(float(turn.start), 3), round(float(turn.end), 3), str(label))
            for turn, _track, label in annotation.itertracks(yield_label=True)
        )
        options_json = json.dumps(asdict(self.options), sort_keys=True)
        return Diarisation(segments, self.name, options_json)

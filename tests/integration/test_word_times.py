"""Turn edges from real speech: a stereo call whose lines sit at known times, transcribed by
the real tiny.en model. Whisper's own word times run a few tenths of a second past the speech
(the agent's greeting "ends" after the customer has begun); fitted to the channel's speech
they land on the lines' edges, which is what interruptions, gaps and holds are read from."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import resample_poly

from qa_pipeline.batch.options import PipelineOptions
from qa_pipeline.batch.process import process_audio
from qa_pipeline.ingest import audio
from qa_pipeline.ingest.discover import file_sha256
from qa_pipeline.records import CallMeta, Layout, Speaker
from qa_pipeline.speech.transcribe import TranscribeOptions, Transcriber
from tests.support.audio_files import read_wav

LINES = (
    (Speaker.AGENT, "slt", "Thanks for calling Acme Energy, this is Sam, how can I help?"),
    (Speaker.CUSTOMER, "awb", "Hi Sam, my meter stopped showing a reading and the bill doubled."),
    (Speaker.AGENT, "slt", "Sorry, what is the account number?"),
    (Speaker.CUSTOMER, "awb", "It's four four seven one. I want it fixed before the next bill."),
)
PAUSE_S = 0.4
"""Between one line's last sound and the next line's first: a quick, natural reply."""
TOLERANCE_S = 0.15


def _speech(
    text: str, voice: str, folder: Path, name: str, settings: Sequence[str] = ()
) -> tuple[np.ndarray, int]:
    """flite's speech for ``text`` without its leading and trailing silence."""
    wav = folder / f"{name}.wav"
    command = ["flite", "-voice", voice, "-t", text, "-o", str(wav), *settings]
    subprocess.run(command, check=True)
    data, rate_hz = read_wav(wav)
    loud = np.flatnonzero(np.abs(data[0]) > 0.01)
    return data[0][loud[0] : loud[-1] + 1], rate_hz


@pytest.fixture(scope="module")
def placed_call(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple]]:
    """A stereo call (agent left) and where each line's speech starts and ends."""
    if shutil.which("flite") is None:
        pytest.skip("flite is not installed (setup.sh installs it)")
    folder = tmp_path_factory.mktemp("placed_call")
    spoken = [_speech(text, voice, folder, f"line{n}") for n, (_, voice, text) in enumerate(LINES)]
    rate_hz = spoken[0][1]
    stereo = np.zeros((2, int((sum(len(s) for s, _ in spoken) / rate_hz + 5 * PAUSE_S) * rate_hz)))
    placed, at_s = [], PAUSE_S
    for (speaker, _, _), (speech, _) in zip(LINES, spoken, strict=True):
        first = int(at_s * rate_hz)
        stereo[0 if speaker is Speaker.AGENT else 1, first : first + len(speech)] = speech
        placed.append((speaker, first / rate_hz, (first + len(speech)) / rate_hz))
        at_s = (first + len(speech)) / rate_hz + PAUSE_S
    stereo += np.random.default_rng(3).normal(0, 2e-4, stereo.shape)
    return audio.write_wav(folder / "placed.wav", stereo.astype(np.float32), rate_hz), placed


def _turn_edges(wav: Path, transcriber: Transcriber) -> list[tuple]:
    meta = CallMeta(call_id="placed", agent_id="a1", layout=Layout.AGENT_ON_0)
    outcome = process_audio(wav, meta, file_sha256(wav), transcriber, PipelineOptions())
    assert outcome.transcript is not None, outcome.error
    return [(t.speaker, t.start_s, t.end_s) for t in outcome.transcript.turns]


def test_turn_edges_land_on_the_speech(placed_call, transcriber: Transcriber) -> None:
    wav, placed = placed_call
    assert transcriber.options.fit_words_to_speech  # the default
    turns = _turn_edges(wav, transcriber)
    assert [t[0] for t in turns] == [p[0] for p in placed]
    for (_, start_s, end_s), (_, line_start_s, line_end_s) in zip(turns, placed, strict=True):
        assert start_s == pytest.approx(line_start_s, abs=TOLERANCE_S)
        assert end_s == pytest.approx(line_end_s, abs=TOLERANCE_S)
    # Each reply starts after the line it answers ends: no overlap the call did not have.
    assert all(nxt[1] > prev[2] for prev, nxt in zip(turns, turns[1:], strict=False))


def test_whisper_alone_misplaces_the_edges(placed_call, transcriber: Transcriber) -> None:
    """The fitting is what the test above measures: without it the same call's edges are off
    by more than the tolerance."""
    wav, placed = placed_call
    unfitted = Transcriber(TranscribeOptions(fit_words_to_speech=False), model=transcriber.model)
    turns = _turn_edges(wav, unfitted)
    worst_s = max(
        max(abs(start_s - line[1]), abs(end_s - line[2]))
        for (_, start_s, end_s), line in zip(turns, placed, strict=False)
    )
    assert worst_s > TOLERANCE_S


SOFT_ONSET = ("awb", "Sounds good, I'll book it.", 1.3)
"""(voice, line, flite's duration stretch): an agent's reply that opens on a soft "s"."""


@pytest.fixture(scope="module")
def soft_onset_call(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A customer's question and the agent's reply 0.4 s after it, as an 8 kHz stereo call
    (agent left): its file and where the reply's speech starts."""
    if shutil.which("flite") is None:
        pytest.skip("flite is not installed (setup.sh installs it)")
    folder = tmp_path_factory.mktemp("soft_onset")
    customer, rate_hz = _speech("Could you do Thursday at ten instead?", "slt", folder, "c")
    voice, text, stretch = SOFT_ONSET
    agent, _ = _speech(text, voice, folder, "a", ["--setf", f"duration_stretch={stretch}"])
    first = int(0.5 * rate_hz)
    reply = first + len(customer) + int(PAUSE_S * rate_hz)
    stereo = np.zeros((2, reply + len(agent) + rate_hz))
    stereo[1, first : first + len(customer)] = customer
    stereo[0, reply : reply + len(agent)] = agent
    stereo += np.random.default_rng(5).normal(0, 2e-4, stereo.shape)
    # Telephone audio, at 8 kHz, where the soft sounds are the faintest.
    narrow = resample_poly(stereo, 8000, rate_hz, axis=1).astype(np.float32)
    return audio.write_wav(folder / "soft.wav", narrow, 8000), reply / rate_hz


def _agent_start_s(wav: Path, transcriber: Transcriber) -> float:
    return next(t[1] for t in _turn_edges(wav, transcriber) if t[0] is Speaker.AGENT)


def test_a_soft_onset_is_timed_from_its_first_sound(
    soft_onset_call, transcriber: Transcriber
) -> None:
    """Telephone speech opening on a soft sound reads to Silero as speech only a syllable in
    at its default threshold (0.5), and a reply or a cut-in is timed late; from 0.3
    (``fine_vad_threshold``, the default) it is timed from its first sound."""
    wav, reply_s = soft_onset_call
    assert _agent_start_s(wav, transcriber) == pytest.approx(reply_s, abs=TOLERANCE_S)
    strict = Transcriber(TranscribeOptions(fine_vad_threshold=0.5), model=transcriber.model)
    assert _agent_start_s(wav, strict) > reply_s + TOLERANCE_S


def test_a_word_whisper_writes_in_pieces_is_one_word(
    tmp_path: Path, transcriber: Transcriber
) -> None:
    """Whisper starts each word with a space and writes "o'clock" as "o" + "'clock", "50%" as
    "50" + "%": a piece with no space continues the word before it, so turns read "two
    o'clock" and "50% off" (as whisper's own text has them), not "o 'clock" and "50 %"."""
    if shutil.which("flite") is None:
        pytest.skip("flite is not installed (setup.sh installs it)")
    text = "My check-up is at two o'clock, and it's fifty percent off. Bye-bye."
    speech, rate_hz = _speech(text, "slt", tmp_path, "pieces")
    assert rate_hz == 16_000  # what Transcriber.words reads
    words = [w.text for w in transcriber.words(speech.astype(np.float32), Speaker.AGENT)]
    assert any(w.lower().startswith("o'clock") for w in words), words
    assert any(w.startswith("50%") for w in words), words
    assert not [w for w in words if w[:1] in "-,.'%"], words

"""A recorded call in which the customer reads out a card number: transcribed by the real
model, redacted before turns and scoring, and written out as a redacted copy in which the
card number is silence: the model, listening to the copy, hears no digit of it."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qa_pipeline.batch.options import PipelineOptions
from qa_pipeline.batch.process import process_audio
from qa_pipeline.ingest import audio
from qa_pipeline.records import CallMeta, Speaker, Status
from qa_pipeline.redact.options import RedactOptions
from qa_pipeline.redact.words import redacted_spans
from qa_pipeline.speech.transcribe import Transcriber
from tests.support.audio_files import read_wav

AGENT = "Thank you for calling Acme, my name is Sarah. Can I take the long number on your card?"
CUSTOMER = (
    "Yes. It is four five three nine, one four eight eight, zero three four three, "
    "six four six seven."
)
DIGITS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4"}
DIGITS |= {"five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}


def _speech(text: str, folder: Path, name: str) -> tuple[np.ndarray, int]:
    wav = folder / f"{name}.wav"
    subprocess.run(["flite", "-t", text, "-o", str(wav)], check=True)
    data, rate_hz = read_wav(wav)
    return data[0], rate_hz


@pytest.fixture(scope="module")
def card_call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("flite") is None:
        pytest.skip("flite is not installed (setup.sh installs it)")
    folder = tmp_path_factory.mktemp("card_call")
    agent, rate_hz = _speech(AGENT, folder, "agent")
    customer, _ = _speech(CUSTOMER, folder, "customer")
    gap = int(0.8 * rate_hz)
    length = len(agent) + gap + len(customer) + gap
    stereo = np.zeros((2, length), dtype=np.float32)
    stereo[0, : len(agent)] = agent
    stereo[1, len(agent) + gap : len(agent) + gap + len(customer)] = customer
    return audio.write_wav(folder / "card_call.wav", stereo, rate_hz)


def _card_digits(text: str) -> str:
    """Every digit said, words or numerals, in order."""
    lowered = re.sub(r"[a-z]+", lambda m: DIGITS.get(m.group(0), " "), text.lower())
    return re.sub(r"\D", "", lowered)


def test_a_spoken_card_number_is_redacted_in_words_and_silenced_in_the_copy(
    card_call: Path, transcriber: Transcriber, tmp_path: Path
) -> None:
    options = replace(PipelineOptions(), redact=RedactOptions(audio_dir=str(tmp_path / "redacted")))
    outcome = process_audio(card_call, CallMeta("card-call"), "0" * 64, transcriber, options)
    assert outcome.status is Status.TRANSCRIBED, outcome.error
    transcript = outcome.transcript
    assert transcript is not None
    said = " ".join(w.text for w in transcript.words)
    assert "[CARD]" in said, said
    assert "4539" not in _card_digits(said) and "6467" not in _card_digits(said), said
    assert "Sarah" in said

    copy = Path(outcome.redacted_audio_path or "")
    assert copy.is_file() and copy.parent == tmp_path / "redacted"
    spans = redacted_spans(transcript.words)
    assert spans and all(s.speaker is Speaker.CUSTOMER for s in spans)
    data, rate_hz = read_wav(copy)
    assert data.shape[0] == 2
    for span in spans:
        inside = data[:, int(span.start_s * rate_hz) : int(span.end_s * rate_hz)]
        assert np.max(np.abs(inside)) == 0.0
    assert np.max(np.abs(data[0])) > 0.05  # the agent is still there

    heard = transcriber.words(audio.decode(copy).channels[1], Speaker.CUSTOMER)
    heard_text = " ".join(w.text for w in heard)
    assert len(_card_digits(heard_text)) < 4, heard_text


def test_no_copy_unless_asked(card_call: Path, transcriber: Transcriber) -> None:
    outcome = process_audio(card_call, CallMeta("card-call"), "0" * 64, transcriber)
    assert outcome.redacted_audio_path is None
    assert outcome.transcript is not None
    assert "[CARD]" in " ".join(w.text for w in outcome.transcript.words)

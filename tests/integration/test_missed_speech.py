"""Speech whisper skips is decoded again: a real voiced call, the real tiny.en model.

The call is `U070` of the third development set, voiced as the voiced sets are (flite, each
line where its script puts it). Decoding the agent's channel as one VAD-joined stream, whisper
skips the first three of its lines outright ("G'day, FreshBox. Order number?", "Yep. Name on
the account?", "Sorry, bear with me, system's slow."): the greeting is lost, and with it the
greeting item. Each stretch of speech no word covers is decoded again on its own.
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from qa_pipeline.batch.options import PipelineOptions
from qa_pipeline.ingest import audio
from qa_pipeline.records import Speaker
from qa_pipeline.scoring.labelled import script_segments
from qa_pipeline.speech.transcribe import Transcriber
from tests.support.paths import ROOT


@pytest.fixture(scope="module")
def agent_channel(tmp_path_factory: pytest.TempPathFactory):
    """The agent's channel of U070 as the pipeline decodes it (16 kHz)."""
    if shutil.which("flite") is None:
        pytest.skip("flite is not installed (setup.sh installs it)")
    from tests.eval.voice import render

    calls = script_segments(ROOT / "tests" / "dev3" / "text" / "dev3_b.txt", gap_s=0.0)
    (segments,) = [segments for call_id, _, segments in calls if call_id == "U070"]
    wav = tmp_path_factory.mktemp("missed") / "U070.wav"
    render("U070", segments, wav)
    return audio.decode(wav, PipelineOptions().audio).channels[0]


def _heard_by(words, before_s: float) -> str:
    return " ".join(w.text for w in words if w.start_s < before_s).lower()


def test_speech_whisper_skipped_is_decoded_again(agent_channel, transcriber: Transcriber) -> None:
    once = Transcriber(
        replace(transcriber.options, recover_missed_speech=False), model=transcriber.model
    )
    skipped = once.words(agent_channel, Speaker.AGENT)
    # The skip itself, so that this test fails if the recovery stops being what finds them.
    assert _heard_by(skipped, 21.0) == ""
    words = transcriber.words(agent_channel, Speaker.AGENT)
    opening = _heard_by(words, 21.0)
    for said in ("order", "name on the account", "bear with me"):
        assert said in opening
    assert [w.start_s for w in words] == sorted(w.start_s for w in words)
    # What the first pass heard is kept as it was, nothing of it heard twice.
    assert [w.text for w in words if w.start_s > 22.0] == [
        w.text for w in skipped if w.start_s > 22.0
    ]


def test_decodes_again_are_bounded_longest_first(agent_channel, transcriber: Transcriber) -> None:
    """One decode allowed: the longest stretch missed (the greeting, 1.7 s) is heard; "Yep.
    Name on the account?", two shorter stretches, is not."""
    bounded = Transcriber(
        replace(transcriber.options, recover_max_decodes=1), model=transcriber.model
    )
    opening = _heard_by(bounded.words(agent_channel, Speaker.AGENT), 21.0)
    assert "order" in opening
    assert "account" not in opening

"""The same audio gives the same words, whatever was transcribed before it: a real voiced call,
the real tiny.en model.

Whisper falls back to sampling (temperature above 0) when a window's greedy reading looks
wrong (too repetitive, too unsure). The sampler draws from a random stream that a loaded model
keeps for its life, so before the fix a channel read differently each time it was transcribed
in one process (4 readings of this one gave 3 different texts). The call is `T109` of the
eighth evaluation set, whose agent channel samples; it is only transcribed here, not scored.
"""

from __future__ import annotations

import pytest

from qa_pipeline.records import Speaker
from qa_pipeline.speech.transcribe import Transcriber
from tests.support.voiced import voiced_call


@pytest.fixture(scope="module")
def t109(tmp_path_factory: pytest.TempPathFactory):
    """T109's agent channel as the pipeline decodes it (16 kHz)."""
    return voiced_call("eval8/text/eval8_c.txt", "T109", tmp_path_factory.mktemp("again"))[1]


def test_a_channel_that_samples_reads_the_same_every_time(t109, transcriber: Transcriber) -> None:
    readings = []
    for _ in range(3):
        words = transcriber.words(t109, Speaker.AGENT)
        # The case under test: whisper sampled on this channel (else the test proves nothing).
        assert transcriber.model.sampled
        readings.append([(w.text, w.start_s, w.end_s) for w in words])
    assert readings[0] and readings[1] == readings[0] and readings[2] == readings[0]

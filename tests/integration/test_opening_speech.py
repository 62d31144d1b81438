"""A first word said as the recording starts is kept: a real voiced call, the real tiny.en model.

The call is `W038` of the fourth development set, voiced as the voiced sets are (flite, each
line where its script puts it): the agent says "Hello, Oxford Lane English School, Beatriz
speaking, how can I help you today?" from the first sample. Silero, reading the channel cold,
takes the "Hello," for silence (whisper's VAD and the finer pass alike), so whisper never
hears it and the greeting item loses its greeting.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa_pipeline.records import Speaker
from qa_pipeline.speech.transcribe import Transcriber
from tests.support.voiced import voiced_call


@pytest.fixture(scope="module")
def w038(tmp_path_factory: pytest.TempPathFactory):
    """W038's agent channel as the pipeline decodes it (16 kHz)."""
    return voiced_call("dev4/text/dev4_a.txt", "W038", tmp_path_factory.mktemp("opening"))[1]


def _opening(words) -> str:
    return " ".join(w.text for w in words if w.start_s < 2.0).lower()


def test_a_first_word_at_the_first_sample_is_heard(w038, transcriber: Transcriber) -> None:
    cold = Transcriber(replace(transcriber.options, recover_opening=False), transcriber.model)
    # The loss itself, so that this test fails if the repair stops being what finds the word.
    assert "hello" not in _opening(cold.words(w038, Speaker.AGENT))
    words = transcriber.words(w038, Speaker.AGENT)
    assert _opening(words).startswith("hello, oxford")
    assert words[0].start_s < 0.3
    # Nothing heard twice: the opening decoded again gives only what came before "Oxford".
    assert _opening(words).count("oxford") == 1
    assert [w.start_s for w in words] == sorted(w.start_s for w in words)

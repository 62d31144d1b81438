"""Redaction of a call's words: times kept, entities merged into one tagged word, who is
redacted from (agent and customer), what a deployment keeps, and its options."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qa_pipeline.ingest.audio import masked
from qa_pipeline.records import CallMeta, Speaker, Transcript, Word
from qa_pipeline.redact.options import Entity, RedactOptions
from qa_pipeline.redact.words import redact_transcript, redact_words, redacted_spans
from qa_pipeline.speech.turns import build_turns

A, C = Speaker.AGENT, Speaker.CUSTOMER


def said(speaker: Speaker, start_s: float, text: str, step_s: float = 0.4) -> list[Word]:
    return [
        Word(start_s + n * step_s, start_s + n * step_s + 0.3, token, 0.9, speaker)
        for n, token in enumerate(text.split())
    ]


CALL = (
    said(A, 0.0, "Thank you for calling Acme, my name is Sarah, how can I help?")
    + said(C, 5.0, "I want to pay by card.")
    + said(A, 8.0, "Sure, can I take the long card number?")
    + said(
        C, 11.0, "four five three nine one four eight eight oh three four three six four six seven"
    )
    + said(A, 19.0, "So that's 4539 1488 0343 6467, and the security code?")
    + said(C, 24.0, "seven three seven")
)


def test_an_entity_becomes_one_tagged_word_spanning_the_words_it_replaces() -> None:
    out = redact_words(CALL)
    card_words = [w for w in CALL if w.speaker is C and 11.0 <= w.start_s < 19.0]
    tagged = [w for w in out if w.text == "[CARD]"]
    assert len(tagged) == 1
    assert tagged[0].start_s == card_words[0].start_s
    assert tagged[0].end_s == card_words[-1].end_s
    assert tagged[0].speaker is C
    assert [w.text for w in out if w.speaker is C and w.start_s >= 24.0] == ["[CVV]"]


def test_the_agent_reading_back_a_card_number_is_redacted_and_punctuation_stays() -> None:
    out = redact_words(CALL)
    read_back = " ".join(w.text for w in out if w.speaker is A and 19.0 <= w.start_s < 24.0)
    assert read_back == "So that's [CARD], and the security code?"


def test_the_agents_name_in_the_greeting_is_kept() -> None:
    out = redact_words(CALL)
    greeting = " ".join(w.text for w in out if w.start_s < 5.0)
    assert greeting == "Thank you for calling Acme, my name is Sarah, how can I help?"


def test_no_digit_of_the_card_survives_and_words_stay_in_time_order() -> None:
    out = redact_words(CALL)
    text = " ".join(w.text for w in out)
    assert not any(ch.isdigit() for ch in text)
    for speaker in (A, C):
        starts = [w.start_s for w in out if w.speaker is speaker]
        assert starts == sorted(starts)
    turns = build_turns(out)
    assert all(t.words for t in turns)
    assert sum(len(t.words) for t in turns) == len(out)


def test_the_caller_words_are_not_changed() -> None:
    before = list(CALL)
    redact_words(CALL)
    assert before == CALL


def test_entities_are_configurable_per_speaker() -> None:
    only_cvv = RedactOptions(entities=(Entity.CVV,), agent_entities=(Entity.CVV,))
    text = " ".join(w.text for w in redact_words(CALL, only_cvv))
    assert "4539" in text and "four five three nine" in text and "[CVV]" in text
    customer_only = RedactOptions(agent_entities=())
    text = " ".join(w.text for w in redact_words(CALL, customer_only))
    assert "4539 1488 0343 6467" in text and "[CARD]" in text
    off = RedactOptions.parse("off")
    assert redact_words(CALL, off) == tuple(CALL)


def test_speakers_unknown_use_the_customer_set_for_everyone() -> None:
    heard = [Word(w.start_s, w.end_s, w.text, w.probability, A) for w in CALL]
    labels = ["a" if w.speaker is A else "b" for w in CALL]
    options = RedactOptions(agent_entities=())
    out = redact_words(heard, options, speakers_known=False, labels=labels)
    assert sum("[CARD]" in w.text for w in out) == 2


def test_kept_strings_are_not_redacted() -> None:
    words = said(A, 0.0, "You can call us back on 0800 123 4567 any time.")
    assert "[PHONE]" in " ".join(w.text for w in redact_words(words))
    kept = RedactOptions(keep=("0800 123 4567",))
    assert " ".join(w.text for w in redact_words(words, kept)).count("0800") == 1


def test_redacted_spans_give_the_times_to_silence() -> None:
    spans = redacted_spans(redact_words(CALL))
    assert [(s.entity, s.speaker) for s in spans] == [
        (Entity.CARD, C),
        (Entity.CARD, A),
        (Entity.CVV, C),
    ]
    assert spans[0].start_s == 11.0
    assert spans[0].end_s == pytest.approx(11.0 + 15 * 0.4 + 0.3)


def test_a_finished_transcript_is_redacted_turn_by_turn() -> None:
    turns = build_turns(CALL)
    transcript = Transcript(
        CallMeta("c1"), 30.0, tuple(w for t in turns for w in t.words), turns, "import", "{}"
    )
    out = redact_transcript(transcript)
    assert [t.index for t in out.turns] == [t.index for t in turns]
    assert [(t.start_s, t.end_s) for t in out.turns] == [(t.start_s, t.end_s) for t in turns]
    assert all(t.text == " ".join(w.text for w in t.words) for t in out.turns)
    assert "[CARD]" in out.turns[3].text and "[CVV]" in out.turns[5].text
    assert out.words == tuple(w for t in out.turns for w in t.words)
    assert json.loads(out.options_json)["redaction"]["entities"][0] == "CARD"


@pytest.mark.parametrize(
    ("value", "entities"),
    [
        ("", tuple(Entity)),
        ("all", tuple(Entity)),
        ("off", ()),
        ("card, cvv", (Entity.CARD, Entity.CVV)),
    ],
)
def test_options_from_a_deployment_setting(value: str, entities: tuple[Entity, ...]) -> None:
    assert RedactOptions.parse(value).entities == entities


def test_an_unknown_entity_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown entity 'CARDS'.*CARD, CVV"):
        RedactOptions.parse("CARDS")


def test_masked_audio_silences_or_tones_the_spans_widened_by_the_pad() -> None:
    samples = np.full((2, 16000), 0.5, dtype=np.float32)
    out = masked(samples, [(0.4, 0.5), (0.95, 2.0)], 16000, pad_s=0.1)
    assert np.all(out[:, 4800:9600] == 0.0) and np.all(out[:, 13600:] == 0.0)
    assert np.all(out[:, :4799] == 0.5) and np.all(out[:, 9601:13599] == 0.5)
    assert np.all(samples == 0.5)  # the caller's array is untouched
    toned = masked(samples[0], [(0.4, 0.5)], 16000, tone_hz=1000.0, pad_s=0.0)
    assert 0.09 < np.max(np.abs(toned[6400:8000])) <= 0.1

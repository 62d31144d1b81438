"""Word times fitted to a channel's speech: the pause whisper stretched a word over comes back."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from qa_pipeline.records import Speaker, Word
from qa_pipeline.scoring.detectors.timing import interruptions
from qa_pipeline.speech.turns import build_turns
from qa_pipeline.speech.word_times import (
    fit_to_speech,
    merged_stretches,
    missed_speech,
    with_recovered,
    words_before,
)

A, C = Speaker.AGENT, Speaker.CUSTOMER


def _words(speaker: Speaker, *spans: tuple[float, float]) -> list[Word]:
    return [Word(a, b, f"w{a:g}", 0.9, speaker) for a, b in spans]


def test_a_word_stretched_over_a_pause_goes_back_to_its_own_side() -> None:
    # The customer stopped at 18.4 s and went on at 19.2 s; whisper has "from" to 18.8 s
    # and "twelfth" from 18.8 s.
    words = _words(C, (17.9, 18.2), (18.2, 18.8), (18.8, 20.1), (20.1, 20.2))
    fitted = fit_to_speech(words, [(17.8, 18.4), (19.2, 20.4)])
    # Each stretch's first and last word also reach its edges.
    assert [(w.start_s, w.end_s) for w in fitted] == [
        (17.8, 18.2),
        (18.2, 18.4),
        (19.2, 20.1),
        (20.1, 20.4),
    ]
    assert [w.text for w in fitted] == [w.text for w in words]


def test_a_word_where_the_detector_heard_nothing_keeps_its_times() -> None:
    words = _words(C, (1.0, 1.4), (5.0, 5.3))
    first, second = fit_to_speech(words, [(0.9, 1.5)])
    assert (first.start_s, first.end_s) == (0.9, 1.5)
    assert second == words[1]
    assert fit_to_speech(words, []) == words


def test_a_word_whisper_gave_no_length_stays_inside_its_stretch() -> None:
    """Whisper's "Oxford Lane, English School" with "English" at 1.96-1.96: the zero-length
    word is still the stretch's, so "Lane," is not taken for its last word and stretched to
    its end over the words after it (which would make the agent's words sum to far more than
    the turn, and a backchannel a cut-in)."""
    words = _words(A, (0.72, 1.3), (1.3, 1.62), (1.96, 1.96), (1.96, 2.58), (2.78, 3.1))
    fitted = fit_to_speech(words, [(1.09, 3.2)])
    assert [(w.start_s, w.end_s) for w in fitted] == [
        (1.09, 1.3),
        (1.3, 1.62),
        (1.96, 1.96),
        (1.96, 2.58),
        (2.78, 3.2),
    ]
    # A zero-length word at a stretch's very start is that stretch's too.
    first, second = fit_to_speech(_words(A, (1.0, 1.0), (1.0, 1.5)), [(1.0, 1.6)])
    assert (first.start_s, first.end_s, second.end_s) == (1.0, 1.0, 1.6)


def test_a_question_asked_in_the_customers_pause_is_not_an_interruption() -> None:
    """Whisper's times make one customer turn that the agent's question sat inside: 2.0 s
    both spoke, an interruption. Fitted, the customer had stopped before the question and
    went on after it: three turns, and nobody cut in."""
    customer = _words(C, (10.0, 16.6), (16.6, 18.3), (18.3, 20.1), (20.1, 24.0))
    agent = _words(A, (17.2, 17.8), (17.8, 18.5), (18.5, 19.2))
    raw = build_turns(customer + agent)
    assert [t.speaker for t in raw] == [C, A]
    (cut,) = interruptions(raw, min_overlap_s=1.0)
    assert cut.turn.speaker is A and round(cut.overlap_s, 1) == 2.0
    fitted = fit_to_speech(customer, [(10.0, 17.0), (19.4, 24.0)])
    turns = build_turns(fitted + agent)
    assert [(t.speaker, t.start_s, t.end_s) for t in turns] == [
        (C, 10.0, 17.0),
        (A, 17.2, 19.2),
        (C, 19.4, 24.0),
    ]
    assert interruptions(turns, min_overlap_s=1.0) == []


def test_a_cut_in_is_timed_from_its_first_sound_not_its_first_word() -> None:
    """The agent's "And the first line of the address?" over the customer: whisper lost the
    "and", so the first word recognised starts 0.6 s late and the cut-in looks too short to
    count. The agent's channel has speech from 22.8 s: the turn starts there."""
    customer = _words(C, (18.0, 21.0), (21.0, 24.0))
    agent = _words(A, (23.4, 24.1), (24.1, 25.6))
    late = build_turns(customer + agent)
    assert interruptions(late, min_overlap_s=1.0) == []
    fitted = fit_to_speech(agent, [(22.8, 25.6)])
    turns = build_turns(customer + fitted)
    (cut,) = interruptions(turns, min_overlap_s=1.0)
    assert cut.turn.start_s == 22.8 and round(cut.overlap_s, 1) == 1.2


spans = st.lists(st.floats(0, 600, allow_nan=False), min_size=0, max_size=40)


@given(spans, spans)
def test_fitted_words_stay_in_order_and_inside_speech_they_overlapped(
    word_edges: list[float], speech_edges: list[float]
) -> None:
    edges = sorted(word_edges)
    words = _words(C, *zip(edges[::2], edges[1::2], strict=False))
    cuts = sorted(set(speech_edges))
    speech = list(zip(cuts[::2], cuts[1::2], strict=False))
    fitted = fit_to_speech(words, speech)
    assert len(fitted) == len(words)
    starts = np.array([w.start_s for w in fitted])
    assert np.all(np.diff(starts) >= 0)
    for before, after in zip(words, fitted, strict=True):
        assert after.end_s >= after.start_s
        # A word overlaps a stretch, or (given no length) lies inside one.
        touched = any(
            min(b, before.end_s) > max(a, before.start_s)
            or (before.start_s == before.end_s and a <= before.start_s < b)
            for a, b in speech
        )
        if touched:
            assert any(a <= after.start_s and after.end_s <= b for a, b in speech)
            # Clipped, or stretched to its stretch's edge: never moved off its own time.
            assert max(after.start_s, before.start_s) <= min(after.end_s, before.end_s)
        else:
            assert after == before


def test_speech_no_word_covers_is_found_and_its_second_decode_merged() -> None:
    """Whisper skipped the greeting (0.0-1.7 s) and "Yep." (12.3-12.7 s); a stretch too short
    to decode (0.2 s) and one a long word reaches into are not missed. A second decode of a
    padded clip hears the end of the word after it again ("the" 21.9 s): that one is not
    added twice."""
    words = _words(A, (19.0, 21.0), (21.9, 22.4), (22.4, 26.6))
    speech = [(0.0, 1.7), (5.0, 5.2), (12.3, 12.7), (20.5, 22.0), (21.95, 26.7)]
    assert missed_speech(words, speech, min_speech_ms=300) == [(0.0, 1.7), (12.3, 12.7)]
    assert missed_speech([], speech, min_speech_ms=300) == [
        (0.0, 1.7),
        (12.3, 12.7),
        (20.5, 22.0),
        (21.95, 26.7),
    ]
    heard = _words(A, (0.4, 0.9), (0.9, 1.5), (12.3, 12.6))
    again = _words(A, (21.95, 22.3))
    merged = with_recovered(with_recovered(words, heard), again)
    assert [(w.start_s, w.end_s) for w in merged] == [
        (0.4, 0.9),
        (0.9, 1.5),
        (12.3, 12.6),
        (19.0, 21.0),
        (21.9, 22.4),
        (22.4, 26.6),
    ]


def test_the_opening_decoded_again_gives_only_the_words_before_the_first() -> None:
    """The first decode began at "Oxford" (1.09 s); the opening decoded again hears "Hello,"
    before it, then "Oxford" a little earlier than the first decode put it: only "Hello,"
    is new."""
    first = Word(1.09, 1.5, "Oxford", 0.9, A)
    heard = [
        Word(0.0, 0.7, "Hello,", 0.9, A),
        Word(0.78, 1.15, "Oxford", 0.9, A),
        Word(1.2, 1.6, "Lane", 0.9, A),
    ]
    assert [w.text for w in words_before(first, heard)] == ["Hello,"]
    # A word that runs on past the first word's start is the same speech heard again.
    assert words_before(first, [Word(0.5, 1.4, "Oxon", 0.9, A)]) == []
    assert words_before(first, []) == []


def test_stretches_that_overlap_or_touch_are_joined() -> None:
    # The opening read warm (0.0-1.09 s) joins the first stretch read cold (1.09-5.2 s).
    assert merged_stretches([(0.0, 1.09), (1.09, 5.2), (0.2, 0.5), (6.0, 7.0)]) == [
        (0.0, 5.2),
        (6.0, 7.0),
    ]
    assert merged_stretches([]) == []


def test_two_backchannels_the_customer_talks_through_are_no_cut_in() -> None:
    """ "Mm-hm ... right" 0.5 s apart while the customer talks on: one agent turn (the customer
    took no floor in its pause), 1.1 s from first to last sound, but only 0.6 s of it spoken,
    under the 1 s a cut-in needs."""
    customer = _words(C, *((n / 5, n / 5 + 0.15) for n in range(0, 100, 2)))  # 0 to 19.75 s
    agent = _words(A, (10.0, 10.3), (10.8, 11.1))
    turns = build_turns(customer + agent)
    assert [(t.speaker, t.start_s, t.end_s) for t in turns] == [(C, 0.0, 19.75), (A, 10.0, 11.1)]
    assert interruptions(turns, min_overlap_s=1.0) == []
    assert len(interruptions(turns, min_overlap_s=0.5)) == 1


@given(spans, spans)
def test_recovered_words_keep_every_word_and_repeat_none(
    word_edges: list[float], heard_edges: list[float]
) -> None:
    edges, again = sorted(word_edges), sorted(heard_edges)
    words = _words(A, *zip(edges[::2], edges[1::2], strict=False))
    heard = _words(A, *zip(again[::2], again[1::2], strict=False))
    merged = with_recovered(words, heard)
    assert [w.start_s for w in merged] == sorted(w.start_s for w in merged)
    assert all(w in merged for w in words)
    for word in (w for w in merged if w not in words):
        middle_s = (word.start_s + word.end_s) / 2
        assert not any(w.start_s <= middle_s <= w.end_s for w in words)
    # A heard word is left out only when it lies over one already there.
    for word in heard:
        if word not in merged:
            assert any(w.start_s <= (word.start_s + word.end_s) / 2 <= w.end_s for w in words)

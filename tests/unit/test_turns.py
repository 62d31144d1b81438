"""Turn building and silence measurement on synthetic words."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from qa_pipeline.records import Speaker, Word
from qa_pipeline.speech.turns import TurnOptions, build_turns, nontalk_gaps

A, C = Speaker.AGENT, Speaker.CUSTOMER


def _words(speaker: Speaker, *spans: tuple[float, float]) -> list[Word]:
    return [Word(a, b, f"w{a:g}", 0.9, speaker) for a, b in spans]


def test_pauses_split_and_backchannels_do_not() -> None:
    agent = _words(A, (0, 0.5), (0.6, 1.0), (1.1, 1.5), (4.0, 4.4))
    customer = _words(C, (0.7, 0.9), (2.0, 3.5))  # "mm-hm" inside the agent's sentence
    turns = build_turns(agent + customer)
    assert [(t.speaker, t.start_s, t.end_s) for t in turns] == [
        (A, 0, 1.5),
        (C, 0.7, 0.9),
        (C, 2.0, 3.5),
        (A, 4.0, 4.4),
    ]
    assert [t.index for t in turns] == [0, 1, 2, 3]


def test_random_words_each_land_in_one_turn() -> None:
    rng = np.random.default_rng(7)
    words = []
    for speaker in (A, C):
        starts = np.cumsum(rng.uniform(0.05, 2.5, 200))
        words += [Word(s, s + rng.uniform(0.05, 0.6), "x", 0.5, speaker) for s in starts]
    turns = build_turns(words, TurnOptions(max_pause_s=1.0))
    assert sum(len(t.words) for t in turns) == len(words)
    assert {id(w) for t in turns for w in t.words} == {id(w) for w in words}
    assert [t.start_s for t in turns] == sorted(t.start_s for t in turns)
    for t in turns:
        assert all(w.speaker is t.speaker for w in t.words)
        gaps = [b.start_s - a.end_s for a, b in itertools.pairwise(t.words)]
        assert all(g <= 1.0 for g in gaps)
        assert 0 <= t.mean_probability <= 1


def test_nontalk_gaps_ignore_overlap_and_short_pauses() -> None:
    turns = build_turns(_words(A, (0, 2), (30, 31)) + _words(C, (1.5, 3), (3.4, 5)))
    gaps = nontalk_gaps(turns, min_gap_s=1.0)
    assert [(g.start_s, g.end_s) for g in gaps] == [(5, 30)]
    assert gaps[0].duration_s == pytest.approx(25)
    assert nontalk_gaps([]) == []


def test_a_word_from_the_other_side_in_a_pause_ends_the_turn() -> None:
    """Quick questions and answers under the pause limit are separate turns, so an agent's
    "Phone number?" does not read as cutting into one long customer turn; a backchannel
    spoken over the agent's words still does not split the agent's turn."""
    customer = _words(C, (0.0, 0.4), (0.5, 0.9), (1.6, 2.0), (2.1, 2.5))  # "Jo Brown" "07700 ..."
    agent = _words(A, (0.95, 1.5))  # "Phone number?" in the customer's 0.7 s pause
    turns = build_turns(customer + agent)
    assert [(t.speaker, t.start_s, t.end_s) for t in turns] == [
        (C, 0.0, 0.9),
        (A, 0.95, 1.5),
        (C, 1.6, 2.5),
    ]
    over = build_turns(_words(A, (0, 0.5), (0.6, 1.2)) + _words(C, (0.55, 0.9)))
    assert [(t.speaker, t.start_s, t.end_s) for t in over] == [(A, 0, 1.2), (C, 0.55, 0.9)]


def test_a_pause_the_other_side_talks_on_through_does_not_end_the_turn() -> None:
    """An agent cutting in with "Okay, | okay, so a charge you don't recognise" over a customer
    still speaking is one turn from its first word: the customer's words in its pause carry on
    talk that began before it, so they take no floor, and the cut-in is timed from "Okay"."""
    customer = _words(C, *((n / 5, n / 5 + 0.15) for n in range(0, 50, 2)))  # 0 to 9.75 s
    agent = _words(A, (8.0, 8.2), (8.7, 9.1), (9.2, 12.0))
    turns = build_turns(customer + agent)
    assert [(t.speaker, t.start_s, t.end_s) for t in turns] == [(C, 0.0, 9.75), (A, 8.0, 12.0)]

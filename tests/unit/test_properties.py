"""Properties of turn building and scoring that must hold for any input (hypothesis)."""

from __future__ import annotations

import math
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_pipeline.records import CallMeta, Speaker, Transcript, Verdict, Word
from qa_pipeline.scoring.engine import RubricScorer
from qa_pipeline.scoring.rubric import load_rubric
from qa_pipeline.speech.turns import TurnOptions, build_turns, nontalk_gaps

_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_SCORER = RubricScorer(load_rubric())

# Words the default rubric listens for, and filler, so verdicts go both ways.
_TEXT = (
    "thank you for calling harbor bank my name is sam how can i help you today sorry "
    "apologise understand hold please bear with me anything else have a great day "
    "goodbye yes no okay the card account [x] i'm not sure"
)
VOCABULARY = tuple(_TEXT.split(" "))


@st.composite
def words(draw, max_words: int = 60) -> list[Word]:
    count = draw(st.integers(0, max_words))
    out = []
    for _ in range(count):
        start_s = draw(st.floats(0, 600, allow_nan=False))
        length_s = draw(st.floats(0, 3, allow_nan=False))
        out.append(
            Word(
                start_s,
                start_s + length_s,
                draw(st.sampled_from(VOCABULARY)),
                draw(st.floats(0, 1)),
                draw(st.sampled_from(list(Speaker))),
            )
        )
    return out


@_SETTINGS
@given(words(), st.floats(0.1, 5))
def test_turns_hold_every_word_once_in_order(heard: list[Word], max_pause_s: float) -> None:
    turns = build_turns(heard, TurnOptions(max_pause_s=max_pause_s))
    assert Counter(w for t in turns for w in t.words) == Counter(heard)
    assert [t.index for t in turns] == list(range(len(turns)))
    assert [t.start_s for t in turns] == sorted(t.start_s for t in turns)
    for turn in turns:
        assert {w.speaker for w in turn.words} == {turn.speaker}
        starts = [w.start_s for w in turn.words]
        assert starts == sorted(starts) and turn.start_s == starts[0]
        assert turn.end_s == max(w.end_s for w in turn.words) >= turn.start_s
        assert turn.text == " ".join(w.text for w in turn.words)
        assert 0 <= turn.mean_probability <= 1
        for before, after in zip(turn.words, turn.words[1:], strict=False):
            assert after.start_s - before.end_s <= max_pause_s
    for gap in nontalk_gaps(turns):
        assert gap.end_s > gap.start_s
        assert not any(t.start_s < gap.end_s and t.end_s > gap.start_s for t in turns)


@_SETTINGS
@given(words(max_words=120))
def test_scores_keep_their_rules_on_any_call(heard: list[Word]) -> None:
    turns = build_turns(heard)
    end_s = max((t.end_s for t in turns), default=0.0)
    transcript = Transcript(CallMeta("p"), end_s, tuple(heard), turns, "test", "{}")
    score = _SCORER.score(transcript)
    assert score == _SCORER.score(transcript)  # deterministic
    applicable = [i for i in score.items if i.verdict is not Verdict.NA]
    assert math.isclose(score.points_possible, sum(i.max_points for i in applicable))
    assert 0 <= score.points_earned <= score.points_possible + 1e-9
    if score.score is None:
        assert score.points_possible == 0
    else:
        assert 0 <= score.score <= 100
    if score.critical_failed:
        assert score.score == 0
    by_index = {t.index: t for t in turns}
    for item in score.items:
        assert 0 <= item.confidence <= 1
        assert (item.points == item.max_points) == (item.verdict is Verdict.PASS)
        for e in item.evidence:
            assert e.start_s <= e.end_s
            if e.turn_index is not None:
                turn = by_index[e.turn_index]
                assert turn.start_s - 1e-9 <= e.start_s and e.end_s <= turn.end_s + 1e-9

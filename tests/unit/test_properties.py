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
from tests.support.paths import ROOT

_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The phrase rubric: the rules under test are the engine's, and it needs no embedding model.
_SCORER = RubricScorer(load_rubric(ROOT / "rubrics" / "phrases.yaml"))

# Words the phrase rubric listens for, and filler, so verdicts go both ways.
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


def _talk_began(heard: list[Word], max_pause_s: float) -> dict[int, float]:
    """For each word (by id), when its speaker's stretch of talk began: in start order, a word
    starting more than ``max_pause_s`` after every earlier word of its speaker ended begins
    one."""
    began: dict[int, float] = {}
    for speaker in {w.speaker for w in heard}:
        own = sorted((w for w in heard if w.speaker is speaker), key=lambda w: w.start_s)
        for n, word in enumerate(own):
            opens = n == 0 or word.start_s - max(w.end_s for w in own[:n]) > max_pause_s
            began[id(word)] = word.start_s if opens else began[id(own[n - 1])]
    return began


@_SETTINGS
@given(words(), st.floats(0.1, 5))
def test_turns_hold_every_word_once_in_order(heard: list[Word], max_pause_s: float) -> None:
    turns = build_turns(heard, TurnOptions(max_pause_s=max_pause_s))
    talk_began = _talk_began(heard, max_pause_s)
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
            # Nobody else took the floor in a pause inside the turn: said a whole word there
            # in talk that began no earlier than the word before the pause.
            assert not any(
                w.speaker is not turn.speaker
                and before.end_s <= w.start_s
                and w.end_s <= after.start_s
                and talk_began[id(w)] >= before.start_s
                for w in heard
            )
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


def _interruptions_by_definition(turns, min_overlap_s):
    """The definition, checked pair by pair: the first customer turn each agent turn starts in
    with enough overlap, counted to the customer's end when the customer stops within
    ``min_overlap_s`` of the agent finishing, else only while both speak: the agent's words'
    time (times compared to the microsecond: float sums of times are not exact)."""
    customer = [t for t in turns if t.speaker is Speaker.CUSTOMER]
    found = []
    for turn in (t for t in turns if t.speaker is Speaker.AGENT):
        for other in customer:
            if other.start_s < turn.start_s < other.end_s:
                talks_on = round(other.end_s - turn.end_s, 6) > min_overlap_s
                if talks_on:
                    overlap_s = sum(w.end_s - w.start_s for w in turn.words)
                else:
                    overlap_s = other.end_s - turn.start_s
                if round(overlap_s, 6) >= min_overlap_s:
                    found.append((turn.index, other.index))
                    break
    return found


@_SETTINGS
@given(words(max_words=80), st.sampled_from([0.0, 0.5, 1.0, 2.0]))
def test_interruptions_match_their_definition(heard: list[Word], min_overlap_s: float) -> None:
    from qa_pipeline.scoring.detectors.timing import interruptions

    turns = build_turns(heard, TurnOptions(max_pause_s=0.5))
    fast = [(i.turn.index, i.interrupted.index) for i in interruptions(turns, min_overlap_s)]
    assert fast == _interruptions_by_definition(turns, min_overlap_s)


@_SETTINGS
@given(words(max_words=80))
def test_holds_match_their_definition(heard: list[Word]) -> None:
    """find_holds (bisection) against the pair-by-pair definition it replaced."""
    import re

    from qa_pipeline.scoring.detectors.timing import Hold, find_holds

    turns = build_turns(heard, TurnOptions(max_pause_s=0.5))
    announce = ["hold", "bear with me"]
    patterns = [re.compile(rf"\b{re.escape(p)}\b") for p in announce]
    expected: list[Hold] = []
    for gap in nontalk_gaps(turns, min_gap_s=2.0):
        before = [
            t
            for t in turns
            if t.speaker is Speaker.AGENT
            and t.end_s <= gap.start_s + 0.01
            and gap.start_s - t.end_s <= 15.0
        ]
        announcer = next(
            (t for t in reversed(before[-2:]) if any(p.search(t.text.lower()) for p in patterns)),
            None,
        )
        if gap.duration_s < 8.0 and announcer is None:
            continue
        between = [t for t in turns if expected and expected[-1].end_s <= t.start_s < gap.start_s]
        # A check-in: the agent speaks first and briefly, the customer at most answers.
        if (
            expected
            and between
            and between[0].speaker is Speaker.AGENT
            and all(
                (t.duration_s <= 10.0)
                if t.speaker is Speaker.AGENT
                else (t.duration_s <= 3.0 and "?" not in t.text)
                for t in between
            )
        ):
            last = expected.pop()
            expected.append(Hold(last.start_s, gap.end_s, last.announced_by, checked_in=True))
            continue
        expected.append(Hold(gap.start_s, gap.end_s, announcer, checked_in=False))
    assert find_holds(turns, announce, 8.0, 2.0) == expected


_PATTERNS = [
    r"\b(thank you|thanks) for (waiting|holding)\b",
    r"(?i)\bcaf[eé]\b",
    r"[^a-z ]+",
    r"\w+",
]


@_SETTINGS
@given(
    text=st.lists(st.sampled_from([*"abcdeéfhik ,.?'", "thank you for waiting"])).map("".join),
    pattern=st.sampled_from(_PATTERNS),
)
def test_rubric_patterns_give_character_spans_on_any_text(text: str, pattern: str) -> None:
    """ASCII text takes RE2's faster bytes path; spans are character offsets either way."""
    import re2

    from qa_pipeline.scoring.patterns import compile_pattern

    compiled = compile_pattern(pattern)
    reference = re2.compile(pattern)
    assert [m.span() for m in compiled.finditer(text)] == [
        m.span() for m in reference.finditer(text)
    ]
    assert bool(compiled.search(text)) == bool(reference.search(text))


@_SETTINGS
@given(
    heard=st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=30),
    patterns=st.lists(st.sampled_from(_PATTERNS), min_size=2, max_size=4, unique=True),
)
def test_a_list_of_patterns_finds_what_each_finds(heard: list[str], patterns: list[str]) -> None:
    """The regex detector first tries its patterns as one (to pass over turns none matches);
    what it finds is still every match of every pattern."""
    from qa_pipeline.records import Turn
    from qa_pipeline.scoring.detectors.text import TextDetector

    said = [Word(n * 0.4, n * 0.4 + 0.3, w, 0.9, Speaker.AGENT) for n, w in enumerate(heard)]
    turn = Turn(0, Speaker.AGENT, 0.0, said[-1].end_s, " ".join(heard), 0.9, tuple(said))
    each = {m for p in patterns for m in TextDetector("regex", [p]).find(turn)}
    assert TextDetector("regex", patterns).combined is not None
    assert set(TextDetector("regex", patterns).find(turn)) == each


# Anchored, greedy and empty-matching patterns: the ones that could find something different
# in turns joined by newlines than in each turn on its own.
_LINE_PATTERNS = [
    r"^\W*(morning|thanks)\b",
    r"\b(a|the|to|i)\W*$",
    r"thank.*you",
    r"\W*$",
    r"[^a-z]+",
    r"^.*?[a-z]{2,}",
    r"\Athanks",
]


@_SETTINGS
@given(
    turns=st.lists(
        st.lists(
            st.sampled_from([*VOCABULARY, "Thanks", "morning,", "I", "the", "?", "'"]), max_size=8
        ),
        min_size=1,
        max_size=5,
    ),
    patterns=st.lists(st.sampled_from(_LINE_PATTERNS), min_size=1, max_size=3, unique=True),
    phrases=st.lists(
        st.sampled_from(["thank you", "thanks", "good morning", "i", "the"]), min_size=1, max_size=3
    ),
)
def test_a_scope_scanned_at_once_finds_what_each_turn_finds(
    turns: list[list[str]], patterns: list[str], phrases: list[str]
) -> None:
    """Text leaves scan a scope's turns joined by newlines, once per pattern; what they find
    is still exactly what each turn on its own gives."""
    from qa_pipeline.records import Turn
    from qa_pipeline.scoring.detectors.text import TextDetector, normalised

    built = []
    for n, heard in enumerate(turns):
        said = [
            Word(n * 10 + k * 0.4, n * 10 + k * 0.4 + 0.3, w, 0.9, Speaker.AGENT)
            for k, w in enumerate(heard)
        ]
        end_s = said[-1].end_s if said else n * 10.0
        built.append(Turn(n, Speaker.AGENT, n * 10.0, end_s, " ".join(heard), 0.9, tuple(said)))
    text = "\n".join(normalised(t.text) for t in built)
    for detector in (TextDetector("regex", patterns), TextDetector("phrases", phrases)):
        each = [(t, m) for t in built for m in detector.find(t)]
        assert detector.find_in(built, text) == each
        assert detector.find_in(built, text, {}) == each

"""Rubrics as data: validation names file, item and field; a bad rubric never scores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qa_pipeline.errors import InputError
from qa_pipeline.scoring.rubric import default_rubric_path, load_rubric
from tests.support.paths import LABELLED

GOOD = """
id: tiny
version: "2"
title: Tiny
bands: [{name: pass, min_score: 80}, {name: flag, min_score: 0}]
items:
  - id: greeting
    weight: 10
    scope: {speaker: agent, first_s: 20}
    pass_when: {phrases: [hello]}
"""

BROKEN = {
    "unknown detector": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {sounds_like: [hello]}",
        "item greeting.pass_when",
        "sounds_like",
    ),
    "bad weight": ("weight: 10", "weight: -3", "item greeting.weight", "positive"),
    "weighed term without a weight": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {bias: -1, weighed: [{act: greet}]}",
        "item greeting.pass_when.weighed[0].weight",
        "must be a number",
    ),
    "weighed node without a bias": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {weighed: [{act: greet, weight: 2}]}",
        "item greeting.pass_when",
        "missing field 'bias'",
    ),
    "weighed term that is not an act": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {bias: -1, weighed: [{phrases: [hi], weight: 2}]}",
        "item greeting.pass_when.weighed[0]",
        "must be an act term",
    ),
    "weighed term with a threshold": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {bias: -1, weighed: [{act: greet, weight: 2, min_confidence: 0.5}]}",
        "item greeting.pass_when.weighed[0]",
        "no min_confidence",
    ),
    "weighed evidence naming no term": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {bias: -1, evidence: [hi], weighed: [{id: g, act: greet, weight: 2}]}",
        "item greeting.pass_when.evidence",
        "no term 'hi'",
    ),
    "weighed read neither sentence nor turn": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {bias: -1, weighed: [{act: greet, weight: 2, read: call}]}",
        "item greeting.pass_when.weighed[0].read",
        "sentence or turn",
    ),
    "act threshold out of range": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {act: greet, min_confidence: 1.5}",
        "item greeting.pass_when.min_confidence",
        "between 0 and 1",
    ),
    "turn threshold not a number": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {act: greet, min_turn_confidence: high}",
        "item greeting.pass_when.min_turn_confidence",
        "between 0 and 1",
    ),
    "bad regex": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {regex: ['(unclosed']}",
        "item greeting.pass_when.regex",
        "bad regular expression",
    ),
    "bad scope": ("first_s: 20}", "first_s: soon}", "item greeting.scope.first_s", "seconds"),
    "bad reply length": (
        "first_s: 20}",
        "first_s: 20, replying_to_words: 2.5}",
        "item greeting.scope.replying_to_words",
        "whole number",
    ),
    "reply length of none": (
        "first_s: 20}",
        "first_s: 20, replying_to_words: 0}",
        "item greeting.scope.replying_to_words",
        "whole number",
    ),
    "reply length not a number": (
        "first_s: 20}",
        "first_s: 20, replying_to_words: true}",
        "item greeting.scope.replying_to_words",
        "whole number",
    ),
    "turn count not a number": (
        "first_s: 20}",
        "first_s: 20, last_turns: yes}",
        "item greeting.scope.last_turns",
        "whole number",
    ),
    "repeated words of none": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {phrases: [hello], repeats_words: 0}",
        "item greeting.pass_when.repeats_words",
        "whole number",
    ),
    "repeated words not a count": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {regex: [hello], repeats_words: true}",
        "item greeting.pass_when.repeats_words",
        "whole number",
    ),
    "repeated words on an act": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {act: greet, repeats_words: 3}",
        "item greeting.pass_when",
        "repeats_words",
    ),
    "unknown field": ("weight: 10", "weight: 10\n    wieght: 5", "item greeting", "wieght"),
    "bad band": ("min_score: 80}", "min_score: 180}", "rubric.bands[0].min_score", "0 to 100"),
    "NaN weight": ("weight: 10", "weight: .nan", "item greeting.weight", "positive number"),
    "infinite weight": ("weight: 10", "weight: .inf", "item greeting.weight", "positive number"),
    "infinite band": ("min_score: 80}", "min_score: -.inf}", "rubric.bands[0]", "0 to 100"),
    "lookbehind regex": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {regex: ['(?<!oh )hello']}",
        "item greeting.pass_when.regex",
        "RE2",
    ),
    "backreference exclude": (
        "pass_when: {phrases: [hello]}",
        "pass_when: {phrases: [hello], exclude: ['(\\w+) \\1']}",
        "item greeting.pass_when.exclude",
        "backreferences",
    ),
}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rubric.yaml"
    path.write_text(text)
    return path


def test_a_good_rubric_loads_with_its_hash(tmp_path: Path) -> None:
    rubric = load_rubric(_write(tmp_path, GOOD))
    assert rubric.id == "tiny" and rubric.version == "2" and len(rubric.sha256) == 64
    assert [i.id for i in rubric.items] == ["greeting"]
    assert rubric.band_for(85) == "pass" and rubric.band_for(10) == "flag"
    assert rubric.band_for(None) is None
    other = load_rubric(_write(tmp_path, GOOD.replace("hello", "hi")))
    assert other.sha256 != rubric.sha256


def test_the_default_rubric_has_the_five_items() -> None:
    rubric = load_rubric(default_rubric_path())
    weights = {i.id: i.weight for i in rubric.items}
    assert weights == {
        "greeting": 15,
        "active_listening": 25,
        "hold_etiquette": 20,
        "apology": 20,
        "closing": 20,
    }


def test_named_lists_compose_through_yaml_aliases(tmp_path: Path) -> None:
    text = GOOD.replace(
        "pass_when: {phrases: [hello]}",
        "pass_when:\n      phrases: [hello]\n"
        "      exclude: [&rude [hello you], &curt [hello what]]\n"
        "    applies_when: {phrases: [hi], exclude: [*curt, hi there]}",
    )
    greeting = load_rubric(_write(tmp_path, text)).items[0]
    assert greeting.pass_when.exclude == ("hello you", "hello what")
    assert greeting.applies_when is not None
    assert greeting.applies_when.exclude == ("hello what", "hi there")


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_problem_names_the_item_and_field(tmp_path: Path, case: str) -> None:
    old, new, where, what = BROKEN[case]
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(InputError) as caught:
        load_rubric(path)
    message = str(caught.value)
    assert str(path) in message and where in message and what in message, message


def test_duplicate_item_ids(tmp_path: Path) -> None:
    text = GOOD + "  - id: greeting\n    weight: 5\n    pass_when: {phrases: [hi]}\n"
    with pytest.raises(InputError, match="item greeting: duplicate item id"):
        load_rubric(_write(tmp_path, text))


@pytest.mark.slow
def test_rubric_check_command_and_bad_rubric_never_scores(tmp_path: Path) -> None:
    good = subprocess.run(
        [sys.executable, "-m", "qa_pipeline", "rubric", "check", str(default_rubric_path())],
        capture_output=True,
        text=True,
    )
    assert good.returncode == 0 and "is valid: 5 items, total weight 100" in good.stdout
    bad = _write(tmp_path, GOOD.replace("weight: 10", "weight: zero"))
    checked = subprocess.run(
        [sys.executable, "-m", "qa_pipeline", "rubric", "check", str(bad)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 1 and "item greeting.weight" in checked.stderr
    db = tmp_path / "qa.duckdb"
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "qa_pipeline",
            "import",
            str(LABELLED / "json"),
            "--rubric",
            str(bad),
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 2 and "item greeting.weight" in ran.stderr
    assert not db.exists()  # refused before anything was stored


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)
SHAPES = {
    "alias bomb (900 bytes, 10^9 values)": (ALIAS_BOMB + "id: *i\n", "aliases"),
    "flow nesting 3,000 deep": ("id: " + "[" * 3000 + "]" * 3000 + "\n", "levels deep"),
    "block nesting 1,000 deep": ("".join(" " * i + "a:\n" for i in range(1000)), "deep"),
}


@pytest.mark.parametrize("case", sorted(SHAPES))
def test_rubrics_that_would_not_load_in_bounded_time_are_refused(tmp_path: Path, case) -> None:
    text, what = SHAPES[case]
    with pytest.raises(InputError, match=what):
        load_rubric(_write(tmp_path, text))


def test_a_rubric_that_is_not_utf8_or_not_a_file_is_named_as_such(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(GOOD.replace("Tiny", "Caf\xe9").encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8 text"):
        load_rubric(latin)
    with pytest.raises(InputError, match="is a folder"):
        load_rubric(tmp_path)


def test_a_backtracking_pattern_scores_in_linear_time(tmp_path: Path) -> None:
    """(\\w+\\s?)*$ on a turn that almost matches backtracks for ever under Python's re; the
    rubric runs on RE2, so scoring returns (and finds the match where there is one)."""
    from qa_pipeline.records import CallMeta, Speaker, Transcript, Turn
    from qa_pipeline.scoring.engine import RubricScorer

    path = _write(tmp_path, GOOD.replace("{phrases: [hello]}", "{regex: ['(\\\\w+\\\\s?)*!$']}"))
    scorer = RubricScorer(load_rubric(path))
    text = "word " * 5000 + "?"
    turn = Turn(0, Speaker.AGENT, 0.0, 5.0, text, 0.9)
    transcript = Transcript(CallMeta("c"), 5.0, (), (turn,), "test", "{}")
    assert scorer.score(transcript).items[0].verdict.value == "fail"
    done = Turn(0, Speaker.AGENT, 0.0, 5.0, "word " * 5000 + "!", 0.9)
    transcript = Transcript(CallMeta("c"), 5.0, (), (done,), "test", "{}")
    assert scorer.score(transcript).items[0].verdict.value == "pass"

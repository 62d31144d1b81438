"""How well a rubric agrees with human reviewers, on the sets it was tuned on and on the
held-out evaluation set.

    python -m bench.rubric_accuracy [--rubric rubrics/default.yaml] [--set NAME ...] [--misses]
        [--as-raw]

Sets (README, "How well it agrees with reviewers"):
  tuning     tests/labelled, 64 hand-written calls the rubric was tuned on
  eval-text  tests/eval/text, 200 held-out calls written from briefs (a third ASR-like text)
  eval-asr   tests/eval/asr, 67 of those calls voiced with flite and transcribed by the pipeline
  dev        tests/dev/text, 150 calls written from their own briefs for tuning (a third ASR-like)
  dev-asr    tests/dev/asr, 49 of those calls voiced with flite and transcribed, for tuning
  dev2       tests/dev2/text, 100 calls written for tuning in the eighth round: hold etiquette
             and active listening near misses
  dev3       tests/dev3/text, 100 calls written for tuning in the ninth round: whether the
             apology item applies, and what counts as an apology
  dev4       tests/dev4/text, 150 calls written for tuning in the eleventh round: whether the
             apology item applies, active listening near misses, and a general mix
  dev5       tests/dev5/text, 150 calls written for tuning in the thirteenth round: raw speech
             recognition text, active listening near misses in the agent's own talk, and
             the apology item (half of the last two parts raw text)
  dev6       tests/dev6/text, 150 calls written for tuning in the twentieth round: a general
             mix, the apology item, and hold etiquette and active listening in other words
  dev2-asr,  tests/dev2/asr and tests/dev3/asr: every call of dev2 and dev3 written normally
  dev3-asr   (not as ASR-like text), voiced and transcribed, for tuning (tenth round)
  dev4-asr,  tests/dev4/asr and tests/dev5/asr: the same for dev4 and dev5 (sixteenth round)
  dev5-asr
  dev6-asr   tests/dev6/asr: the same for dev6 (twentieth round)
  evalN-text tests/evalN/text (N = 2 to 13), 150 held-out calls each, written before a round of
             tuning by writers who saw only the item definitions
  evalN-asr  tests/evalN/asr, 49 of those calls voiced with flite and transcribed by the pipeline

Per item: accuracy, Cohen's kappa, precision and recall of pass, fail and N/A; then the
confusion table (rows: the reviewer's verdict; columns: the rubric's). ``--as-raw`` scores
each set's written calls (those with punctuation or capitals) twice: as written, and made
like raw speech recognition (lower case, no punctuation, every second call without
apostrophes), to show what raw text costs on the very same calls and labels.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from qa_pipeline.scoring.calibration import agreement, confusion, disagreements
from qa_pipeline.scoring.engine import RubricScorer
from qa_pipeline.scoring.labelled import (
    LabelledCall,
    labelled_verdicts,
    read_labelled_folder,
    read_scripts,
)
from qa_pipeline.scoring.rubric import load_rubric

TESTS = Path(__file__).resolve().parents[1] / "tests"
EVALUATION = (
    "eval",
    "eval2",
    "eval3",
    "eval4",
    "eval5",
    "eval6",
    "eval7",
    "eval8",
    "eval9",
    "eval10",
    "eval11",
    "eval12",
    "eval13",
)
"""The held-out sets: each a folder of tests/ with scripts text/<name>_*.txt and asr/."""
DEVELOPMENT = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6")
"""The development sets, tuned on, laid out as the held-out sets are."""


def _scripts(folder: str) -> Callable[[], list[LabelledCall]]:
    # The scripts were written with each line starting as the previous one ends.
    return lambda: read_scripts(sorted((TESTS / folder / "text").glob(f"{folder}_*.txt")), 0.0)


def _voiced(folder: str) -> Callable[[], list[LabelledCall]]:
    return lambda: read_labelled_folder(TESTS / folder / "asr")


SETS: dict[str, Callable[[], list[LabelledCall]]] = {
    "tuning": lambda: read_scripts(sorted((TESTS / "labelled").glob("calls_*.txt")), gap_s=0.5),
    **{
        f"{name}{kind}": read(name)
        for name in DEVELOPMENT
        for kind, read in (("", _scripts), ("-asr", _voiced))
    },
    **{
        f"{name}-{kind}": read(name)
        for name in EVALUATION
        for kind, read in (("text", _scripts), ("asr", _voiced))
    },
}


_MARKS = re.compile(r"[.,?!;:\"()]")


def _raw(text: str, apostrophes: bool) -> str:
    bare = _MARKS.sub("", text.lower()).replace("-", " ")
    return " ".join((bare if apostrophes else bare.replace("'", "")).split())


def _as_raw(calls: list[LabelledCall]) -> tuple[list[LabelledCall], list[LabelledCall]]:
    """The calls written with punctuation or capitals, as written and made raw."""
    written = [c for c in calls if any(re.search(r"[.,?!A-Z]", t.text) for t in c.transcript.turns)]
    raw = []
    for n, call in enumerate(written):
        keep = n % 2 == 0
        turns = tuple(
            dataclasses.replace(
                turn,
                text=_raw(turn.text, keep),
                # A word that was only punctuation goes: raw text has no token for it.
                words=tuple(
                    dataclasses.replace(w, text=bare)
                    for w in turn.words
                    if (bare := _raw(w.text, keep))
                ),
            )
            for turn in call.transcript.turns
        )
        transcript = dataclasses.replace(call.transcript, turns=turns)
        raw.append(dataclasses.replace(call, transcript=transcript))
    return written, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rubric", type=Path, default=None)
    parser.add_argument("--set", dest="sets", action="append", choices=sorted(SETS))
    parser.add_argument("--misses", action="store_true", help="list every disagreement")
    parser.add_argument(
        "--as-raw", action="store_true", help="the written calls as written and as raw ASR text"
    )
    args = parser.parse_args()
    pl.Config.set_tbl_rows(200)
    pl.Config.set_tbl_hide_dataframe_shape(True)
    pl.Config.set_tbl_hide_column_data_types(True)
    pl.Config.set_float_precision(3)
    pl.Config.set_tbl_width_chars(160)
    scorer = RubricScorer(load_rubric(args.rubric))
    for name in args.sets or list(SETS):
        if args.as_raw:
            written, raw = _as_raw(SETS[name]())
            _report(f"{name}, written calls", written, scorer, args.misses)
            _report(f"{name}, the same calls as raw ASR text", raw, scorer, args.misses)
        else:
            _report(name, SETS[name](), scorer, args.misses)


def _report(name: str, calls: list[LabelledCall], scorer: RubricScorer, misses_too: bool) -> None:
    """One set's agreement, confusion table and (when asked) disagreements."""
    start = time.perf_counter()
    expected, predicted = labelled_verdicts(calls, scorer)
    took_s = time.perf_counter() - start
    print(
        f"\n== {name}: {len(calls)} calls, rubric {scorer.rubric.ref.rubric_id} "
        f"{scorer.rubric.ref.version} ({took_s:.1f} s)"
    )
    print(agreement(expected, predicted))
    table = confusion(expected, predicted).pivot(
        on="predicted", index=["item_id", "expected"], values="calls"
    )
    print("confusion (rows: reviewer, columns: rubric)")
    print(table)
    misses = disagreements(expected, predicted)
    print(f"disagreements: {misses.height}")
    if misses_too and misses.height:
        print(misses)


if __name__ == "__main__":
    main()

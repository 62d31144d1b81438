"""How well a rubric agrees with human reviewers, on the sets it was tuned on and on the
held-out evaluation set.

    python -m bench.rubric_accuracy [--rubric rubrics/default.yaml] [--set NAME ...] [--misses]

Sets (README, "How well it agrees with reviewers"):
  tuning     tests/labelled, 64 hand-written calls the rubric was tuned on
  eval-text  tests/eval/text, 200 held-out calls written from briefs (a third ASR-like text)
  eval-asr   tests/eval/asr, 67 of those calls voiced with flite and transcribed by the pipeline
  dev        tests/dev/text, 150 calls written from their own briefs for tuning (a third ASR-like)
  dev-asr    tests/dev/asr, 49 of those calls voiced with flite and transcribed, for tuning
  eval2-text tests/eval2/text, 150 held-out calls written later, before the third round of tuning
  eval2-asr  tests/eval2/asr, 49 of those calls voiced with flite and transcribed by the pipeline
  eval3-text tests/eval3/text, 150 held-out calls written before the fourth round of tuning
  eval3-asr  tests/eval3/asr, 50 of those calls voiced with flite and transcribed by the pipeline

Per item: accuracy, Cohen's kappa, precision and recall of pass, fail and N/A; then the
confusion table (rows: the reviewer's verdict; columns: the rubric's).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polars as pl

from qa_pipeline.scoring.calibration import agreement, confusion, disagreements
from qa_pipeline.scoring.engine import RubricScorer
from qa_pipeline.scoring.labelled import labelled_verdicts, read_labelled_folder, read_scripts
from qa_pipeline.scoring.rubric import load_rubric

TESTS = Path(__file__).resolve().parents[1] / "tests"
SETS = {
    "tuning": lambda: read_scripts(sorted((TESTS / "labelled").glob("calls_*.txt")), gap_s=0.5),
    # The evaluation scripts were written with each line starting as the previous one ends.
    "eval-text": lambda: read_scripts(sorted((TESTS / "eval" / "text").glob("eval_*.txt")), 0.0),
    "eval-asr": lambda: read_labelled_folder(TESTS / "eval" / "asr"),
    "dev": lambda: read_scripts(sorted((TESTS / "dev" / "text").glob("dev_*.txt")), 0.0),
    "dev-asr": lambda: read_labelled_folder(TESTS / "dev" / "asr"),
    "eval2-text": lambda: read_scripts(sorted((TESTS / "eval2" / "text").glob("eval2_*.txt")), 0.0),
    "eval2-asr": lambda: read_labelled_folder(TESTS / "eval2" / "asr"),
    "eval3-text": lambda: read_scripts(sorted((TESTS / "eval3" / "text").glob("eval3_*.txt")), 0.0),
    "eval3-asr": lambda: read_labelled_folder(TESTS / "eval3" / "asr"),
    "eval4-text": lambda: read_scripts(sorted((TESTS / "eval4" / "text").glob("eval4_*.txt")), 0.0),
    "eval4-asr": lambda: read_labelled_folder(TESTS / "eval4" / "asr"),
    "eval5-text": lambda: read_scripts(sorted((TESTS / "eval5" / "text").glob("eval5_*.txt")), 0.0),
    "eval5-asr": lambda: read_labelled_folder(TESTS / "eval5" / "asr"),
    "eval6-text": lambda: read_scripts(sorted((TESTS / "eval6" / "text").glob("eval6_*.txt")), 0.0),
    "eval6-asr": lambda: read_labelled_folder(TESTS / "eval6" / "asr"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rubric", type=Path, default=None)
    parser.add_argument("--set", dest="sets", action="append", choices=sorted(SETS))
    parser.add_argument("--misses", action="store_true", help="list every disagreement")
    args = parser.parse_args()
    pl.Config.set_tbl_rows(200)
    pl.Config.set_tbl_hide_dataframe_shape(True)
    pl.Config.set_tbl_hide_column_data_types(True)
    pl.Config.set_float_precision(3)
    pl.Config.set_tbl_width_chars(160)
    scorer = RubricScorer(load_rubric(args.rubric))
    for name in args.sets or list(SETS):
        calls = SETS[name]()
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
        if args.misses and misses.height:
            print(misses)


if __name__ == "__main__":
    main()

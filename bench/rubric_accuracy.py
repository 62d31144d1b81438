"""Rubric accuracy on the hand-labelled set in tests/labelled/.

    python bench/rubric_accuracy.py [--rubric rubrics/default.yaml]

Scores every labelled transcript and prints, per item, accuracy and the precision and recall
of pass and fail, then the confusion table and each disagreement.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import polars as pl

from qa_pipeline.calibration import agreement, confusion, disagreements
from qa_pipeline.importer import read_transcript
from qa_pipeline.rubric import load_rubric
from qa_pipeline.scoring import RubricScorer

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "labelled"


def labelled_verdicts(rubric_path: Path | None = None) -> tuple[dict, dict]:
    """(expected, predicted): call id -> item id -> verdict, for the labelled set."""
    with (LABELLED / "expected.csv").open() as handle:
        expected = {row.pop("call_id"): row for row in csv.DictReader(handle)}
    scorer = RubricScorer(load_rubric(rubric_path))
    predicted = {}
    for call_id in expected:
        _, transcript = read_transcript(LABELLED / "json" / f"{call_id}.json")
        score = scorer.score(transcript)
        predicted[call_id] = {i.item_id: i.verdict.value for i in score.items}
    return expected, predicted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rubric", type=Path, default=None)
    args = parser.parse_args()
    expected, predicted = labelled_verdicts(args.rubric)
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_hide_dataframe_shape(True)
    pl.Config.set_float_precision(3)
    print(f"labelled calls: {len(expected)}")
    print(agreement(expected, predicted))
    table = confusion(expected, predicted).pivot(
        on="predicted", index=["item_id", "expected"], values="calls"
    )
    print("confusion (rows: expected, columns: predicted)")
    print(table)
    misses = disagreements(expected, predicted)
    print(f"disagreements: {misses.height}")
    if misses.height:
        print(misses)


if __name__ == "__main__":
    main()

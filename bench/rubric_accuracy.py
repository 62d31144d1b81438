"""Rubric accuracy on the hand-labelled set in tests/labelled/.

    python -m bench.rubric_accuracy [--rubric rubrics/default.yaml]

Scores every labelled transcript and prints, per item, accuracy and the precision and recall
of pass and fail, then the confusion table and each disagreement.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from qa_pipeline.scoring.calibration import agreement, confusion, disagreements
from qa_pipeline.scoring.labelled import labelled_verdicts

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "labelled"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rubric", type=Path, default=None)
    args = parser.parse_args()
    expected, predicted = labelled_verdicts(LABELLED, args.rubric)
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

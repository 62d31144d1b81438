"""How well a rubric agrees with human QA labels: accuracy, precision, recall, confusion.

QA teams calibrate a rubric the way they calibrate reviewers: score calls whose verdicts they
already agree on, and look at where the machine differs. Pure: verdict tables in, metrics out.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

__all__ = ["agreement", "confusion", "disagreements"]

VERDICTS = ("pass", "fail", "na")


def _pairs(
    expected: Mapping[str, Mapping[str, str]], predicted: Mapping[str, Mapping[str, str]]
) -> pl.DataFrame:
    rows = [
        {
            "call_id": call_id,
            "item_id": item_id,
            "expected": verdict,
            "predicted": predicted[call_id][item_id],
        }
        for call_id, items in expected.items()
        for item_id, verdict in items.items()
    ]
    return pl.DataFrame(rows)


def agreement(
    expected: Mapping[str, Mapping[str, str]], predicted: Mapping[str, Mapping[str, str]]
) -> pl.DataFrame:
    """Per item: calls, accuracy, and precision and recall of ``pass`` and of ``fail``.

    Args:
        expected: call id -> item id -> verdict a human gave.
        predicted: call id -> item id -> verdict the rubric gave (every expected pair present).
    """
    pairs = _pairs(expected, predicted)
    metrics = []
    for item_id, group in pairs.group_by("item_id", maintain_order=True):
        row: dict[str, object] = {"item_id": item_id[0], "calls": group.height}
        row["accuracy"] = (group["expected"] == group["predicted"]).mean()
        for verdict in ("pass", "fail"):
            hit = ((group["expected"] == verdict) & (group["predicted"] == verdict)).sum()
            said = (group["predicted"] == verdict).sum()
            real = (group["expected"] == verdict).sum()
            row[f"{verdict}_precision"] = hit / said if said else None
            row[f"{verdict}_recall"] = hit / real if real else None
        metrics.append(row)
    return pl.DataFrame(metrics)


def confusion(
    expected: Mapping[str, Mapping[str, str]], predicted: Mapping[str, Mapping[str, str]]
) -> pl.DataFrame:
    """Counts of (item, expected verdict, predicted verdict), every combination listed."""
    pairs = _pairs(expected, predicted)
    counts = pairs.group_by("item_id", "expected", "predicted").len()
    grid = pl.DataFrame(
        [
            {"item_id": i, "expected": e, "predicted": p}
            for i in pairs["item_id"].unique(maintain_order=True)
            for e in VERDICTS
            for p in VERDICTS
        ]
    )
    table = grid.join(counts, on=["item_id", "expected", "predicted"], how="left")
    return table.with_columns(pl.col("len").fill_null(0).alias("calls")).drop("len")


def disagreements(
    expected: Mapping[str, Mapping[str, str]], predicted: Mapping[str, Mapping[str, str]]
) -> pl.DataFrame:
    """The (call, item) pairs where the rubric and the humans differ."""
    pairs = _pairs(expected, predicted)
    return pairs.filter(pl.col("expected") != pl.col("predicted"))

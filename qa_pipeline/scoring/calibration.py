"""How well a rubric agrees with human QA labels: accuracy, precision, recall, confusion.

QA teams calibrate a rubric the way they calibrate reviewers: score calls whose verdicts they
already agree on, and look at where the machine differs. Pure: verdict tables in, metrics out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

__all__ = ["agreement", "cohen_kappa", "confusion", "disagreements"]

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
    """Per item: calls, accuracy, Cohen's kappa, and precision and recall of each verdict.

    Args:
        expected: call id -> item id -> verdict a human gave.
        predicted: call id -> item id -> verdict the rubric gave (every expected pair present).
    """
    pairs = _pairs(expected, predicted)
    metrics = []
    for item_id, group in pairs.group_by("item_id", maintain_order=True):
        row: dict[str, object] = {"item_id": item_id[0], "calls": group.height}
        row["accuracy"] = (group["expected"] == group["predicted"]).mean()
        row["kappa"] = cohen_kappa(group["expected"].to_list(), group["predicted"].to_list())
        for verdict in VERDICTS:
            hit = ((group["expected"] == verdict) & (group["predicted"] == verdict)).sum()
            said = (group["predicted"] == verdict).sum()
            real = (group["expected"] == verdict).sum()
            row[f"{verdict}_precision"] = hit / said if said else None
            row[f"{verdict}_recall"] = hit / real if real else None
        metrics.append(row)
    return pl.DataFrame(metrics)


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Agreement between two raters beyond what chance gives: (p_o - p_e) / (1 - p_e).

    1 is full agreement, 0 what two raters guessing at their own rates would reach. None when
    chance alone already agrees fully (both gave one and the same verdict throughout).
    """
    if len(first) != len(second) or not first:
        raise ValueError("kappa needs two equally long, non-empty lists of verdicts")
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    chance = sum((first.count(v) / n) * (second.count(v) / n) for v in set(first) | set(second))
    if chance >= 1.0:
        return None
    return (observed - chance) / (1.0 - chance)


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

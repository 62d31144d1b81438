"""Analysts' tables: the store's export frames, with each call's band given again when a
reviewer's override changed its score. Pure: frames in, frames out."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

__all__ = ["bands_of", "with_bands"]


def bands_of(rubric_yaml: str) -> tuple[tuple[str, float], ...]:
    """A stored rubric's bands as (name, minimum score), highest minimum first.

    The rubric was validated before it was stored; like the rubric loader, no ``bands`` means
    one band, ``pass`` from 0.
    """
    import yaml

    doc = yaml.safe_load(rubric_yaml)
    raw = doc.get("bands") if isinstance(doc, dict) else None
    bands = [
        (str(b["name"]), float(b["min_score"])) for b in raw or [{"name": "pass", "min_score": 0}]
    ]
    return tuple(sorted(bands, key=lambda b: -b[1]))


def with_bands(calls: pl.DataFrame, rubric_sources: Mapping[str, str]) -> pl.DataFrame:
    """``calls`` with a ``band`` column: the machine's band, or, where overrides changed the
    score, the rubric's band for the score that stands."""
    bands = {sha: bands_of(text) for sha, text in rubric_sources.items()}

    def band(row: dict) -> str | None:
        if not row["overridden"]:
            return row["machine_band"]
        score = row["score"]
        if score is None:
            return None
        for name, minimum in bands.get(row["rubric_sha256"], ()):
            if score >= minimum:
                return name
        return None

    rows = calls.select("overridden", "machine_band", "score", "rubric_sha256").iter_rows(
        named=True
    )
    column = pl.Series("band", [band(r) for r in rows], dtype=pl.String)
    position = calls.columns.index("score") + 1
    return calls.insert_column(position, column)

"""Analysts' tables: the store's export frames, with each call's band given again when a
reviewer's override changed its score. Pure: frames in, frames out."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from qa_pipeline.scoring.rubric import stored_bands

__all__ = ["with_bands"]


def with_bands(calls: pl.DataFrame, rubric_sources: Mapping[str, str]) -> pl.DataFrame:
    """``calls`` with a ``band`` column: the machine's band, or, where overrides changed the
    score, the rubric's band for the score that stands."""
    bands = {sha: stored_bands(text) for sha, text in rubric_sources.items()}

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

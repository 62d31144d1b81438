"""Analysts' exports: the tidy tables read from the store (sql/export.sql) and written to disk
as CSV, JSON or Parquet partitioned by month.

Parquet goes to ``OUT/<table>/month=YYYY-MM/*.parquet`` (hive style), so a month is one folder
and a year is twelve: ``pl.scan_parquet("OUT/calls/**/*.parquet", hive_partitioning=True)``.
CSV and JSON (an array of row objects) go to ``OUT/<table>.csv`` / ``.json``.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import date
from enum import StrEnum
from pathlib import Path

import polars as pl

from qa_pipeline.store.db import Store

__all__ = ["EXPORT_TABLES", "ExportFormat", "export_frames", "rubric_sources", "write_tables"]

EXPORT_TABLES = ("calls", "item_results", "evidence")
PARTITION_COLUMN = "month"


class ExportFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    JSON = "json"


def export_frames(
    store: Store, since: date | None = None, until: date | None = None
) -> dict[str, pl.DataFrame]:
    """The three tables for calls dated from ``since`` to ``until`` (inclusive, either open),
    read on one connection so no call written meanwhile appears in one table and not another."""
    with store.connected():
        return {
            name: store.query(f"export_{name}", since=since, until=until) for name in EXPORT_TABLES
        }


def rubric_sources(store: Store) -> dict[str, str]:
    """Each stored rubric's YAML by its content hash."""
    frame = store.query("export_rubric_bands")
    return dict(zip(frame["rubric_sha256"], frame["source_text"], strict=True))


def write_tables(
    tables: dict[str, pl.DataFrame], fmt: ExportFormat, out_dir: Path
) -> dict[str, list[Path]]:
    """Writes each table; an earlier export of the same table in ``out_dir`` is replaced whole.

    Returns:
        The files written, by table (a Parquet table with no rows writes none).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {}
    for name, frame in tables.items():
        if fmt is ExportFormat.CSV:
            path = out_dir / f"{name}.csv"
            frame.write_csv(path)
            written[name] = [path]
        elif fmt is ExportFormat.JSON:
            path = out_dir / f"{name}.json"
            frame.write_json(path)
            written[name] = [path]
        else:
            written[name] = _write_partitioned(frame, out_dir / name)
    return written


def _write_partitioned(frame: pl.DataFrame, folder: Path) -> list[Path]:
    # Written beside the old folder, then swapped in: a month dropped from this export (or a
    # failed write) never leaves stale or half-written partitions behind.
    staging = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}")
    try:
        staging.mkdir(parents=True)
        if frame.height:
            frame.write_parquet(staging, partition_by=PARTITION_COLUMN, mkdir=True)
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return sorted(folder.rglob("*.parquet"))

"""``qa-pipeline export``: calls, item results and evidence as tidy tables for analysts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qa_pipeline.cli.common import DbOption, db_path, fail, option_date, out, store_busy_fails

__all__ = ["export"]


def export(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the tables to.")],
    format_: Annotated[
        str, typer.Option("--format", help="csv, parquet (partitioned by month) or json.")
    ] = "parquet",
    since: Annotated[
        str | None, typer.Option(help="First call date to export (YYYY-MM-DD), inclusive.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Last call date to export (YYYY-MM-DD), inclusive.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Write calls, item results and evidence (human overrides applied and marked) as tables
    an analyst loads into a notebook or BI tool: one row per call, per call and item, per
    evidence span."""
    from qa_pipeline.reports.export import with_bands
    from qa_pipeline.store import Store
    from qa_pipeline.store.export import ExportFormat, export_frames, rubric_sources, write_tables

    try:
        fmt = ExportFormat(format_)
    except ValueError:
        raise fail(
            f"--format {format_!r} is not an export format. Fix: csv, parquet or json."
        ) from None
    first, last = option_date("--since", since), option_date("--until", until)
    if first and last and first > last:
        raise fail(f"--since {first} is after --until {last}. Fix: swap them.")
    path = db_path(db)
    if not path.exists():
        raise fail(f"{path}: no such database. Fix: run `qa-pipeline run` first, or pass --db.")
    # Waits briefly while a run writes a call; the tables are read in one go, so they agree.
    with store_busy_fails(), Store(path, read_only=True) as store:
        tables = export_frames(store, first, last)
        sources = rubric_sources(store)
    tables["calls"] = with_bands(tables["calls"], sources)
    try:
        written = write_tables(tables, fmt, out_dir)
    except OSError as exc:
        raise fail(
            f"{out_dir}: cannot write the export ({exc}). Fix: pass a writable --out."
        ) from exc
    for name, files in written.items():
        where = out_dir / name if fmt is ExportFormat.PARQUET else files[0]
        out.print(f"{name}: {tables[name].height} rows -> {where} ({len(files)} file(s))")

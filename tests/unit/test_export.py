"""Exports round-trip: calls scored into a real DuckDB store, reviewers' overrides added, the
tables exported, loaded back with polars and compared with SQL over the store."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from qa_pipeline.batch.run import import_transcripts
from qa_pipeline.reports.export import with_bands
from qa_pipeline.scoring.engine import scorer_for
from qa_pipeline.scoring.rubric import stored_bands
from qa_pipeline.store import Override, Store
from qa_pipeline.store.export import (
    ExportFormat,
    export_frames,
    rubric_sources,
    write_tables,
)
from tests.support.paths import SAMPLES

CALLS = {  # call id -> (sample transcript, started_at)
    "c-oct": ("call_01_good_billing", "2026-10-05T09:00:00"),
    "c-nov": ("call_01_good_billing", "2026-11-20T09:15:00"),
    "c-nov-hold": ("call_04_bad_hold", "2026-11-21T10:00:00"),
    "c-dec": ("call_06_apology_done_well", "2026-12-01T16:30:00"),
}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    inbox = folder / "inbox"
    inbox.mkdir()
    for call_id, (sample, started_at) in CALLS.items():
        doc = json.loads((SAMPLES / "truth" / f"{sample}.json").read_text())
        doc.update(call_id=call_id, started_at=started_at)
        (inbox / f"{call_id}.json").write_text(json.dumps(doc))
    db = folder / "qa.duckdb"
    with Store(db) as store:
        report = import_transcripts([inbox], store, scorer=scorer_for(None))
    assert len(report.stored) == len(CALLS)
    with duckdb.connect(str(db)) as con:
        sha = con.execute("select rubric_sha256 from call_scores limit 1").fetchall()[0][0]
    overrides = [  # the newest override of an item wins
        ("c-nov", "greeting", "na", datetime(2026, 11, 22, 9)),
        ("c-nov", "greeting", "fail", datetime(2026, 11, 22, 10)),
        ("c-dec", "closing", "pass", datetime(2026, 12, 2, 9)),
    ]
    with Store(db) as store:
        for call_id, item_id, verdict, at in overrides:
            store.save_override(Override(call_id, sha, item_id, verdict, "rev", "checked", at))
    return db


def _export(db: Path, fmt: ExportFormat, out: Path, **dates: date) -> dict[str, list[Path]]:
    with Store(db, read_only=True) as store:
        tables = export_frames(store, dates.get("since"), dates.get("until"))
        sources = rubric_sources(store)
    tables["calls"] = with_bands(tables["calls"], sources)
    return write_tables(tables, fmt, out)


def _sql(db: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).pl()


def test_parquet_partitions_by_month_and_matches_the_store(
    store_path: Path, tmp_path: Path
) -> None:
    _export(store_path, ExportFormat.PARQUET, tmp_path)
    for table in ("calls", "item_results", "evidence"):
        months = sorted(p.name for p in (tmp_path / table).iterdir())
        assert months == ["month=2026-10", "month=2026-11", "month=2026-12"], table
    november = pl.read_parquet(tmp_path / "calls" / "month=2026-11")
    assert sorted(november["call_id"]) == ["c-nov", "c-nov-hold"]
    calls = pl.scan_parquet(tmp_path / "calls" / "**" / "*.parquet", hive_partitioning=True)
    assert calls.select(pl.len()).collect().item() == len(CALLS)

    items = pl.read_parquet(tmp_path / "item_results" / "**" / "*.parquet").sort(
        "call_id", "position"
    )
    expected = _sql(
        store_path,
        """
        with latest as (
            select call_id, item_id, arg_max(verdict, created_at) as override
            from overrides group by all
        )
        select i.call_id, i.item_id, i.verdict as machine_verdict,
               coalesce(l.override, i.verdict) as verdict, l.override is not null as overridden
        from item_results as i left join latest as l using (call_id, item_id)
        order by i.call_id, i.position
        """,
    )
    assert items.select(expected.columns).equals(expected)
    greeting = items.filter(pl.col("call_id") == "c-nov", pl.col("item_id") == "greeting").row(
        0, named=True
    )
    assert (greeting["machine_verdict"], greeting["verdict"], greeting["overridden"]) == (
        "pass",
        "fail",
        True,
    )
    assert greeting["points"] == 0 and greeting["machine_points"] == greeting["max_points"]

    evidence = pl.read_parquet(tmp_path / "evidence" / "**" / "*.parquet")
    stored = _sql(store_path, "select count(*) as n from evidence")["n"][0]
    assert evidence.height == stored and evidence["text"].str.len_chars().min() > 0


def test_call_scores_follow_the_overrides_that_stand(store_path: Path, tmp_path: Path) -> None:
    _export(store_path, ExportFormat.PARQUET, tmp_path)
    calls = pl.read_parquet(tmp_path / "calls" / "**" / "*.parquet")
    items = pl.read_parquet(tmp_path / "item_results" / "**" / "*.parquet")
    bands = stored_bands(_sql(store_path, "select source_text from rubrics")["source_text"][0])
    for call in calls.iter_rows(named=True):
        mine = items.filter(pl.col("call_id") == call["call_id"])
        applicable = mine.filter(pl.col("verdict") != "na")
        critical_fail = mine.filter(pl.col("critical") & (pl.col("verdict") == "fail")).height
        score = (
            0.0 if critical_fail else 100 * mine["points"].sum() / applicable["max_points"].sum()
        )
        assert call["score"] == pytest.approx(score), call["call_id"]
        assert call["band"] == next(name for name, low in bands if score >= low)
        assert call["overridden"] == (call["call_id"] in ("c-nov", "c-dec"))
        if not call["overridden"]:
            assert call["score"] == pytest.approx(call["machine_score"])
            assert call["band"] == call["machine_band"]
    nov = calls.filter(pl.col("call_id") == "c-nov").row(0, named=True)
    assert nov["machine_score"] > nov["score"] and nov["items_overridden"] == 1


def test_since_and_until_bound_the_call_date(store_path: Path, tmp_path: Path) -> None:
    _export(
        store_path,
        ExportFormat.PARQUET,
        tmp_path,
        since=date(2026, 11, 1),
        until=date(2026, 11, 30),
    )
    assert [p.name for p in (tmp_path / "calls").iterdir()] == ["month=2026-11"]
    items = pl.read_parquet(tmp_path / "item_results" / "**" / "*.parquet")
    assert set(items["call_id"]) == {"c-nov", "c-nov-hold"}
    # A second export into the same folder replaces the table whole: no stale month left.
    _export(store_path, ExportFormat.PARQUET, tmp_path, since=date(2026, 12, 1))
    assert [p.name for p in (tmp_path / "calls").iterdir()] == ["month=2026-12"]


def test_csv_and_json_hold_the_same_rows(store_path: Path, tmp_path: Path) -> None:
    _export(store_path, ExportFormat.PARQUET, tmp_path / "pq")
    written = _export(store_path, ExportFormat.CSV, tmp_path / "csv")
    _export(store_path, ExportFormat.JSON, tmp_path / "json")
    assert written["calls"] == [tmp_path / "csv" / "calls.csv"]
    for table, key in (("calls", ["call_id"]), ("item_results", ["call_id", "item_id"])):
        parquet = pl.read_parquet(tmp_path / "pq" / table / "**" / "*.parquet").sort(key)
        csv = pl.read_csv(tmp_path / "csv" / f"{table}.csv").sort(key)
        js = pl.read_json(tmp_path / "json" / f"{table}.json").sort(key)
        for other in (csv, js):
            assert other["call_id"].to_list() == parquet["call_id"].to_list()
        if table == "item_results":
            assert (
                csv["verdict"].to_list() == js["verdict"].to_list() == parquet["verdict"].to_list()
            )
            assert csv["overridden"].to_list() == parquet["overridden"].to_list()

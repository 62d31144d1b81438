"""call_standing and item_standing, the score and verdicts that stand for each call, against
what they are derived from: real DuckDB, real scoring of the sample transcripts (the phrase
rubric: no model needed)."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from qa_pipeline.batch.run import import_transcripts, rescore
from qa_pipeline.scoring.engine import scorer_for
from qa_pipeline.store import Override, Store
from qa_pipeline.store.synthetic import SyntheticCalls, write_synthetic_calls
from tests.support.paths import ROOT

RUBRIC = ROOT / "rubrics" / "phrases.yaml"


def _sql(db: Path, query: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(query).pl()


def _standing(db: Path) -> pl.DataFrame:
    return _sql(db, "select * from call_standing order by call_id")


def _item_standing(db: Path) -> pl.DataFrame:
    return _sql(db, "select * from item_standing order by call_id, item_id")


def _verdicts(db: Path) -> pl.DataFrame:
    """The latest score's item results with the newest override per item beside them."""
    items = _sql(
        db,
        """
        select i.*, s.call_id is not null as latest
        from item_results as i
        left join (
            select call_id, rubric_sha256 from call_scores
            qualify row_number() over (partition by call_id order by scored_at desc,
                                       rubric_id) = 1
        ) as s using (call_id, rubric_sha256)
        """,
    ).filter(pl.col("latest"))
    overrides = _sql(db, "select * from overrides")
    newest = (
        overrides.sort("created_at")
        .group_by("call_id", "rubric_sha256", "item_id")
        .agg(pl.col("verdict").last().alias("human"))
    )
    merged = items.join(newest, on=["call_id", "rubric_sha256", "item_id"], how="left")
    return merged.with_columns(pl.coalesce("human", "verdict").alias("stands"))


def _expected(db: Path) -> pl.DataFrame:
    """Each call's standing score computed again, independently, in polars."""
    merged = _verdicts(db)
    judged = pl.col("human").is_not_null()
    return (
        merged.group_by("call_id")
        .agg(
            (pl.when(pl.col("stands") == "pass").then(pl.col("max_points")).otherwise(0))
            .sum()
            .alias("earned"),
            (pl.when(pl.col("stands") != "na").then(pl.col("max_points")).otherwise(0))
            .sum()
            .alias("possible"),
            pl.col("item_id").filter(pl.col("stands") == "fail").sort().alias("failed"),
            (judged & (pl.col("human") != pl.col("verdict"))).sum().alias("disagreed"),
            pl.col("confidence")
            .filter(~judged & (pl.col("verdict") != "na"))
            .min()
            .alias("least_confidence"),
        )
        .with_columns(
            pl.when(pl.col("possible") > 0)
            .then(100.0 * pl.col("earned") / pl.col("possible"))
            .alias("score")
        )
        .sort("call_id")
    )


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "qa.duckdb"
    with Store(path) as store:
        report = import_transcripts([ROOT / "samples" / "truth"], store, scorer=scorer_for(RUBRIC))
    assert len(report.stored) == 6
    return path


def _sha(db: Path) -> str:
    return _sql(db, "select rubric_sha256 from call_scores limit 1")["rubric_sha256"][0]


def test_every_scored_call_stands_as_its_rows_say(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        write_synthetic_calls(store, SyntheticCalls(calls=3_000, agents=20, teams=4))
    standing, expected = _standing(path), _expected(path)
    assert standing.height == 3_000 == expected.height
    assert _sql(path, "select count(*) as n from overrides")["n"][0] > 0
    joined = standing.join(expected, on="call_id")
    assert (joined["score"] - joined["score_right"]).abs().max() < 1e-9
    failed = joined.select(pl.col("failed_items").list.sort(), "failed")
    assert failed["failed_items"].to_list() == failed["failed"].to_list()
    assert (joined["items_disagreed"] == joined["disagreed"]).all()
    assert joined["disagreed"].sum() > 0
    assert joined["min_confidence"].to_list() == joined["least_confidence"].to_list()
    # the least sure item is one whose confidence is that minimum
    verdicts = _verdicts(path)
    least = joined.filter(pl.col("least_sure_item").is_not_null()).join(
        verdicts.select("call_id", pl.col("item_id").alias("least_sure_item"), "confidence"),
        on=["call_id", "least_sure_item"],
    )
    assert least.height == joined["least_sure_item"].is_not_null().sum() > 0
    assert (least["confidence"] == least["min_confidence"]).all()
    # item_standing: every verdict of the latest score, the reviewer's where there is one,
    # with the call's date, agent and team
    items = _item_standing(path).join(
        verdicts.select("call_id", "item_id", "stands", "human", pl.col("verdict").alias("m")),
        on=["call_id", "item_id"],
        how="full",
    )
    assert items.height == verdicts.height == 30_000
    assert (items["verdict"] == items["stands"]).all()
    assert (items["machine_verdict"] == items["m"]).all()
    assert (items["overridden"] == items["human"].is_not_null()).all()
    calls = items.join(standing, on="call_id").select(
        (pl.col("call_date") == pl.col("call_date_right"))
        & (pl.col("agent_id") == pl.col("agent_id_right"))
        & (pl.col("team") == pl.col("team_right"))
    )
    assert calls.to_series().all()
    # where no reviewer touched a call, its band is the machine's; elsewhere the rubric's
    untouched = standing.filter(pl.col("items_overridden") == 0)
    assert (untouched["band"] == untouched["machine_band"]).all()
    touched = standing.filter(pl.col("items_overridden") > 0)
    rebanded = touched.with_columns(
        pl.when(pl.col("score") >= 85)
        .then(pl.lit("pass"))
        .when(pl.col("score") >= 70)
        .then(pl.lit("coach"))
        .otherwise(pl.lit("flag"))
        .alias("want")
    )
    assert (rebanded["band"] == rebanded["want"]).all()


def test_an_override_moves_the_score_and_the_newest_one_wins(db: Path) -> None:
    sha = _sha(db)
    before = _standing(db).filter(pl.col("call_id") == "call_01_good_billing").row(0, named=True)
    assert before["score"] == 100.0 and before["items_overridden"] == 0
    at = datetime(2026, 11, 24, 9)
    with Store(db) as store:
        store.save_override(Override("call_01_good_billing", sha, "closing", "fail", "ana", "", at))
    after = _standing(db).filter(pl.col("call_id") == "call_01_good_billing").row(0, named=True)
    assert after["score"] < 100.0 and after["band"] != "pass"
    assert after["machine_score"] == 100.0 and after["machine_band"] == "pass"
    assert after["failed_items"] == ["closing"] and after["items_overridden"] == 1
    with Store(db) as store:
        later = at + timedelta(minutes=5)
        store.save_override(
            Override("call_01_good_billing", sha, "closing", "pass", "ana", "", later)
        )
    again = _standing(db).filter(pl.col("call_id") == "call_01_good_billing").row(0, named=True)
    assert again["score"] == 100.0 and again["band"] == "pass"
    history = _sql(
        db, "select verdict, machine_verdict, rubric_version from overrides order by created_at"
    )
    assert history["verdict"].to_list() == ["fail", "pass"]  # every change kept
    assert history["machine_verdict"].to_list() == ["pass", "pass"]
    assert history["rubric_version"].to_list() == ["1.0", "1.0"]


def test_an_override_for_an_item_the_call_lacks_is_not_stored(db: Path) -> None:
    sha = _sha(db)
    with Store(db) as store:
        store.save_override(
            Override("call_01_good_billing", sha, "no_such_item", "fail", "ana", "", datetime.now())
        )
    assert _sql(db, "select count(*) as n from overrides")["n"][0] == 0


def test_overrides_survive_a_rescore_and_ask_for_review_when_the_rubric_changes(
    db: Path, tmp_path: Path
) -> None:
    sha = _sha(db)
    with Store(db) as store:
        store.save_override(
            Override("call_01_good_billing", sha, "closing", "fail", "ana", "", datetime.now())
        )
        rescore(store, scorer_for(RUBRIC))  # same rubric: the reviewer's verdict still counts
    same = _standing(db).filter(pl.col("call_id") == "call_01_good_billing").row(0, named=True)
    assert same["items_overridden"] == 1 and same["failed_items"] == ["closing"]
    assert same["rereview_items"] == 0

    changed = tmp_path / "phrases_v2.yaml"
    changed.write_text(RUBRIC.read_text().replace('version: "1.0"', 'version: "1.1"'))
    with Store(db) as store:
        rescore(store, scorer_for(changed))
    new = _standing(db).filter(pl.col("call_id") == "call_01_good_billing").row(0, named=True)
    assert new["rubric_version"] == "1.1"
    assert (
        new["items_overridden"] == 0 and new["score"] == 100.0
    )  # the old verdict no longer counts
    assert new["rereview_items"] == 1  # and the call asks to be looked at again
    # the machine's older results and the reviewer's verdict are both kept
    assert _sql(db, "select count(*) as n from overrides")["n"][0] == 1
    assert _sql(db, "select count(distinct rubric_sha256) as n from call_scores")["n"][0] == 2


def test_a_store_from_before_the_table_gains_it_when_opened(db: Path, tmp_path: Path) -> None:
    sha = _sha(db)
    with Store(db) as store:
        store.save_override(
            Override("call_02_rude_greeting", sha, "greeting", "pass", "ana", "", datetime.now())
        )
    want = _standing(db)
    old = tmp_path / "old.duckdb"
    shutil.copy(db, old)
    with duckdb.connect(str(old)) as con:  # as the previous version left it
        con.execute("drop table call_standing; drop table rubric_bands; drop table item_standing")
    with Store(old):
        pass
    assert _standing(old).equals(want)
    assert _item_standing(old).equals(_item_standing(db))
    # a store with call_standing from before item_standing and its two later columns
    older = tmp_path / "older.duckdb"
    shutil.copy(db, older)
    with duckdb.connect(str(older)) as con:
        con.execute(
            "drop table item_standing; alter table call_standing drop column least_sure_item; "
            "alter table call_standing drop column items_disagreed"
        )
    with Store(older):
        pass
    assert _standing(older).select(want.columns).equals(want)
    assert _item_standing(older).equals(_item_standing(db))
    assert date.today() >= want["call_date"].min()

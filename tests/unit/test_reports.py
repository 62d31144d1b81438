"""Coaching reports on a real DuckDB store of synthetic scored calls: each figure checked
against SQL written independently of the report queries (the export's tables, which apply
reviewers' overrides their own way), overrides changing what a report says, periods, and the
nightly folder of reports."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from qa_pipeline.batch.reports import (
    agent_report,
    items_report,
    review_queue,
    team_report,
    write_period_reports,
)
from qa_pipeline.reports.html import render
from qa_pipeline.store import Store
from qa_pipeline.store.db import Override
from qa_pipeline.store.export import export_frames
from qa_pipeline.store.reports import Period
from qa_pipeline.store.synthetic import SyntheticCalls, write_synthetic_calls

SPEC = SyntheticCalls(calls=3_000, agents=12, teams=3, days=70, first_day=date(2026, 3, 2))
AGENT = "A0004"  # team T001 (4 % 3)


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "r.duckdb")
    write_synthetic_calls(store, SPEC)
    return store


def truth(store: Store, since: date | None = None, until: date | None = None) -> dict:
    """Calls and item results as the export reads them (overrides applied), as frames."""
    tables = export_frames(store, since, until)
    return {"calls": tables["calls"], "items": tables["item_results"]}


def test_agent_report_matches_sql_over_the_stored_scores(store: Store) -> None:
    report = agent_report(store, AGENT, Period())
    assert report is not None
    doc = report.to_json()
    calls = truth(store)["calls"]
    mine = calls.filter(pl.col("agent_id") == AGENT)
    team = calls.filter(pl.col("team") == "T001")

    assert doc["agent_id"] == AGENT and doc["team"] == "T001"
    assert doc["calls"] == mine.height > 100
    assert doc["mean_score"] == pytest.approx(mine["score"].mean())
    assert doc["team_mean_score"] == pytest.approx(team["score"].mean())
    assert sum(doc["bands"].values()) == mine.height
    assert list(doc["bands"]) == [b for b in ("pass", "coach", "flag") if b in doc["bands"]]
    assert doc["since"] == str(calls["date"].min()) and doc["until"] == str(calls["date"].max())
    # every week's calls add up to the agent's calls
    assert sum(week["calls"] for week in doc["trend"]) == mine.height

    items = truth(store)["items"]
    for row in doc["items"]:
        mine_item = items.filter(
            (pl.col("item_id") == row["item_id"])
            & pl.col("call_id").is_in(mine["call_id"].implode())
        )
        applied = mine_item.filter(pl.col("verdict") != "na")
        assert row["pass_rate"] == pytest.approx((applied["verdict"] == "pass").mean())
        assert row["na_rate"] == pytest.approx((mine_item["verdict"] == "na").mean())
        team_item = items.filter(
            (pl.col("item_id") == row["item_id"])
            & pl.col("call_id").is_in(team["call_id"].implode())
            & (pl.col("verdict") != "na")
        )
        assert row["team_pass_rate"] == pytest.approx((team_item["verdict"] == "pass").mean())


def test_weakest_items_and_their_moments(store: Store) -> None:
    doc = agent_report(store, AGENT, Period()).to_json()
    rates = {r["item_id"]: r["pass_rate"] for r in doc["items"]}
    assert len(doc["weakest"]) == 3
    assert all(
        rates[w] <= min(rates[o] for o in rates if o not in doc["weakest"]) for w in doc["weakest"]
    )
    items = truth(store)["items"]
    calls = truth(store)["calls"]
    agent_calls = set(calls.filter(pl.col("agent_id") == AGENT)["call_id"])
    for item in doc["weakest"]:
        moments = [m for m in doc["moments"] if m["item_id"] == item]
        assert {m["verdict"] for m in moments} == {"fail", "pass"}
        for m in moments:
            assert m["call_id"] in agent_calls
            stood = items.filter((pl.col("call_id") == m["call_id"]) & (pl.col("item_id") == item))
            assert stood["verdict"].item() == m["verdict"]  # the verdict that stands
    assert any(line.startswith("To work on") for line in doc["summary"])


def test_a_reviewers_override_is_what_the_report_counts(store: Store) -> None:
    before = agent_report(store, AGENT, Period()).to_json()
    calls = truth(store)["calls"].filter(pl.col("agent_id") == AGENT)
    items = truth(store)["items"]
    target = items.filter(
        pl.col("call_id").is_in(calls["call_id"].implode())
        & (pl.col("verdict") == "pass")
        & ~pl.col("overridden")
    ).row(0, named=True)
    store.save_override(
        Override(
            target["call_id"],
            target["rubric_sha256"],
            target["item_id"],
            "fail",
            "qa-lead",
            "did not do it",
            datetime(2030, 1, 1),
        )
    )
    after = agent_report(store, AGENT, Period()).to_json()
    assert after["overridden_verdicts"] == before["overridden_verdicts"] + 1
    assert after["mean_score"] < before["mean_score"]
    assert after["mean_score"] == pytest.approx(
        truth(store)["calls"].filter(pl.col("agent_id") == AGENT)["score"].mean()
    )
    passed = {r["item_id"]: r["passed"] for r in after["items"]}
    assert (
        passed[target["item_id"]]
        == {r["item_id"]: r["passed"] for r in before["items"]}[target["item_id"]] - 1
    )


def test_periods_bound_every_report(store: Store) -> None:
    since, until = date(2026, 3, 16), date(2026, 3, 29)
    doc = agent_report(store, AGENT, Period(since, until)).to_json()
    calls = truth(store, since, until)["calls"]
    assert doc["calls"] == calls.filter(pl.col("agent_id") == AGENT).height
    assert doc["since"] == "2026-03-16" and doc["until"] == "2026-03-29"
    assert {w["week"] for w in doc["trend"]} == {"2026-03-16", "2026-03-23"}
    assert agent_report(store, AGENT, Period(date(2030, 1, 1), None)) is None
    assert agent_report(store, "nobody", Period()) is None


def test_team_ranking_and_items_report(store: Store) -> None:
    doc = team_report(store, "T001", Period()).to_json()
    calls = truth(store)["calls"].filter(pl.col("team") == "T001")
    assert doc["calls"] == calls.height and doc["agents"] == calls["agent_id"].n_unique() == 4
    means = calls.group_by("agent_id").agg(pl.col("score").mean())
    expected = dict(means.iter_rows())
    table = team_report(store, "T001", Period()).tables["agents"]
    assert table["rank"].to_list() == [1, 2, 3, 4]
    assert table["mean_score"].to_list() == sorted(table["mean_score"].to_list(), reverse=True)
    for row in table.iter_rows(named=True):
        assert row["mean_score"] == pytest.approx(expected[row["agent_id"]])
    assert team_report(store, "no such team", Period()) is None

    items = items_report(store, Period())
    table = items.tables["items"]
    assert table.height == 10
    every = truth(store)["items"]
    greeting = every.filter((pl.col("item_id") == "greeting") & (pl.col("verdict") != "na"))
    row = table.filter(pl.col("item_id") == "greeting").row(0, named=True)
    assert row["pass_rate"] == pytest.approx((greeting["verdict"] == "pass").mean())
    assert row["worst_pass_rate"] <= row["pass_rate"] <= row["best_pass_rate"]
    assert row["agents_compared"] == 12
    assert items.tables["trend"]["calls"].sum() == every.height


def test_review_queue_most_urgent_first_with_reasons(store: Store) -> None:
    queue = review_queue(store, Period()).tables["queue"]
    assert 0 < queue.height <= 50
    assert queue["urgency"].to_list() == sorted(queue["urgency"].to_list(), reverse=True)
    disagreed = set(
        truth(store)["items"].filter(
            pl.col("overridden") & (pl.col("verdict") != pl.col("machine_verdict"))
        )["call_id"]
    )
    top = queue.row(0, named=True)
    assert "a reviewer disagreed" in top["why"] and top["call_id"] in disagreed
    assert all(row["why"] for row in queue.iter_rows(named=True))
    # each row's reasons against the export's tables: the score that stands, critical items,
    # disagreements counted per call, and the machine's least sure verdict no reviewer judged
    items = truth(store)["items"]
    calls = truth(store)["calls"].select("call_id", "score", "critical_failed")
    counted = items.group_by("call_id").agg(
        (pl.col("overridden") & (pl.col("verdict") != pl.col("machine_verdict")))
        .sum()
        .alias("disagreed"),
        pl.col("confidence")
        .filter(~pl.col("overridden") & (pl.col("machine_verdict") != "na"))
        .min()
        .alias("least"),
    )
    rows = queue.join(calls, on="call_id").join(counted, on="call_id")
    assert rows.height == queue.height
    for row in rows.iter_rows(named=True):
        assert row["score"] == pytest.approx(row["score_right"])
        assert ("critical item failed" in row["why"]) == row["critical_failed"], row
        assert row["items_disagreed"] == row["disagreed"]
        if row["min_confidence"] is not None:
            assert row["min_confidence"] == pytest.approx(row["least"])


def test_nightly_folder_has_every_team_and_agent(store: Store, tmp_path: Path) -> None:
    written = write_period_reports(store, tmp_path / "reports", date(2026, 5, 10), days=7)
    folder = tmp_path / "reports" / "2026-05-10"
    names = {p.name for p in written}
    assert {f"team-T00{t}.html" for t in range(3)} <= names
    assert {f"agent-A{a:04d}.json" for a in range(12)} <= names
    assert "review-queue.html" in names
    doc = json.loads((folder / "agent-A0004.json").read_text())
    assert doc["since"] >= "2026-05-04" and doc["until"] <= "2026-05-10"
    html = (folder / "team-T001.html").read_text()
    assert "<svg" in html and "http" not in html.replace("http-equiv", "")


def test_html_is_self_contained_and_escapes_user_data(store: Store) -> None:
    report = agent_report(store, AGENT, Period())
    doc = dict(report.document, agent_name="<script>alert(1)</script>")
    html = render(type(report)(report.kind, doc, report.tables))
    assert "<script>" not in html and "&lt;script&gt;" in html
    for external in ("src=", "href=", "@import", "url("):
        assert external not in html

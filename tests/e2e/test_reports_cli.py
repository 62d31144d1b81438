"""``qa-pipeline report``, as a coach runs it: every report in every format from a real store,
the HTML coaching report looked at in a real headless Chromium, and bad requests refused in
one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from qa_pipeline.store import Store
from qa_pipeline.store.synthetic import SyntheticCalls, write_synthetic_calls
from tests.support.browser import chromium, screenshot

SPEC = SyntheticCalls(calls=4_000, agents=16, teams=4, days=120, first_day=date(2026, 1, 5))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports") / "q.duckdb"
    store = Store(path)
    write_synthetic_calls(store, SPEC)
    store.close()
    return path


def qa(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa_pipeline", *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "140"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    "report", [["agent", "A0005"], ["team", "T001"], ["items"], ["review-queue"]]
)
def test_every_report_in_every_format(report: list[str], db: Path, tmp_path: Path) -> None:
    base = ["report", *report, "--db", str(db)]
    shown = qa(*base, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "since: 2026-01-05" in shown.stdout and "Traceback" not in shown.stderr

    as_json = qa(*base, "--format", "json", cwd=tmp_path)
    doc = json.loads(as_json.stdout)
    assert doc["since"] == "2026-01-05"

    qa(*base, "--format", "csv", "--out", str(tmp_path / "r.csv"), cwd=tmp_path)
    qa(*base, "--format", "parquet", "--out", str(tmp_path / "r.parquet"), cwd=tmp_path)
    main_csv = pl.read_csv(tmp_path / "r.csv")
    main_parquet = pl.read_parquet(tmp_path / "r.parquet")
    assert main_csv.height == main_parquet.height > 0
    assert main_csv.columns == main_parquet.columns
    # the other tables beside the main one, named after it
    others = sorted(p.name for p in tmp_path.glob("r.*.csv"))
    assert others == sorted(f"r.{name}.csv" for name in list(_tables(doc, report[0]))[1:])

    page = qa(*base, "--format", "html", "--out", str(tmp_path / "r.html"), cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html


def _tables(doc: dict, kind: str) -> list[str]:
    return {
        "agent": ["items", "trend", "moments"],
        "team": ["agents", "trend", "items"],
        "items": ["items", "trend"],
        "review-queue": ["queue"],
    }[kind]


def test_agent_json_is_what_sql_over_the_stored_scores_gives(db: Path, tmp_path: Path) -> None:
    result = qa(
        "report",
        "agent",
        "A0005",
        "--db",
        str(db),
        "--format",
        "json",
        "--since",
        "2026-02-01",
        "--until",
        "2026-02-28",
        cwd=tmp_path,
    )
    doc = json.loads(result.stdout)
    for key in (
        "agent_id",
        "since",
        "until",
        "calls",
        "mean_score",
        "team_mean_score",
        "bands",
        "items",
        "trend",
        "moments",
    ):
        assert key in doc
    assert {"item_id", "pass_rate", "team_pass_rate", "na_rate"} <= set(doc["items"][0])
    assert {"week", "calls", "mean_score"} <= set(doc["trend"][0])
    assert {"item_id", "verdict", "call_id", "turn", "start", "end", "text"} <= set(
        doc["moments"][0]
    )
    # The score that stands, computed here from the stored rows: the latest score of each
    # call, its items with the newest override of each applied.
    with Store(db, read_only=True).connected() as con:
        calls, mean, overridden = con.execute(
            """
            with latest as (
                select call_id, rubric_sha256 from call_scores
                qualify row_number() over (partition by call_id order by scored_at desc) = 1
            ),
            newest as (
                select call_id, rubric_sha256, item_id, verdict from overrides
                qualify row_number() over (
                    partition by call_id, rubric_sha256, item_id order by created_at desc) = 1
            ),
            verdicts as (
                select i.call_id, i.max_points, coalesce(o.verdict, i.verdict) as verdict,
                       o.verdict is not null as overridden
                from item_results as i
                join latest using (call_id, rubric_sha256)
                left join newest as o using (call_id, rubric_sha256, item_id)
            ),
            scores as (
                select call_id,
                       100 * sum(case when verdict = 'pass' then max_points else 0 end)
                       / nullif(sum(case when verdict <> 'na' then max_points else 0 end), 0)
                       as score,
                       count(*) filter (where overridden) as overridden
                from verdicts group by call_id
            )
            select count(*), avg(score), sum(overridden) from calls join scores using (call_id)
            where agent_id = 'A0005'
              and cast(started_at as date) between '2026-02-01' and '2026-02-28'
            """
        ).fetchone()
    assert doc["calls"] == calls
    assert doc["mean_score"] == pytest.approx(mean)
    assert doc["overridden_verdicts"] == overridden


def test_the_coaching_page_in_chromium(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "coaching.html"
    result = qa(
        "report",
        "agent",
        "A0005",
        "--db",
        str(db),
        "--format",
        "html",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    with chromium(1200, 900) as driver:
        driver.get(out.resolve().as_uri())
        shot = screenshot(driver, "coaching_report_agent")
        title = driver.find_element("tag name", "h1").text
        bars = driver.find_elements("css selector", "svg rect")
        dots = driver.find_elements("css selector", "svg circle")
        moments = driver.find_elements("css selector", ".moment")
        fits = driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        )
        words = driver.find_element("css selector", "ul.words").text
        failed_resources = driver.execute_script(
            "return performance.getEntriesByType('resource').length"
        )
    assert title.startswith("Coaching report")
    assert len(bars) == 20  # ten items, the agent's bar and the team's
    assert len(dots) >= 2 * 16  # a point a week for the agent and for the team
    assert 2 <= len(moments) <= 6
    assert fits, "the page scrolls sideways"
    assert "To work on" in words or "Strength" in words
    assert failed_resources == 0  # nothing fetched: the page stands alone
    assert shot.stat().st_size > 20_000

    team_page = tmp_path / "team.html"
    qa(
        "report",
        "team",
        "T002",
        "--db",
        str(db),
        "--format",
        "html",
        "--out",
        str(team_page),
        cwd=tmp_path,
    )
    with chromium(1200, 900) as driver:
        driver.get(team_page.resolve().as_uri())
        screenshot(driver, "coaching_report_team")
        rows = driver.find_elements("css selector", "table tr")
    assert len(rows) == 1 + 4  # a header and the team's four agents


def test_bad_requests_get_one_line(db: Path, tmp_path: Path) -> None:
    cases = [
        (["report", "agent", "nobody", "--db", str(db)], 1, "has no scored calls"),
        (["report", "items", "--db", str(db), "--since", "2026-13-01"], 2, "is not a date"),
        (
            ["report", "items", "--db", str(db), "--since", "2026-03-01", "--until", "2026-02-01"],
            2,
            "is after",
        ),
        (["report", "items", "--db", str(db), "--format", "parquet"], 2, "needs --out"),
        (["report", "items", "--db", str(tmp_path / "missing.duckdb")], 2, "no such database"),
        (["report", "items", "--db", str(db), "--format", "pdf"], 2, "pdf"),
    ]
    for args, code, words in cases:
        result = qa(*args, cwd=tmp_path)
        assert result.returncode == code, (args, result.stderr)
        assert words in result.stderr and "Traceback" not in result.stderr

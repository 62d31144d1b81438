"""Coaching reports: an agent against their team, a team's ranking, every item, and the queue
of calls to review. Pure: the store's frames in (qa_pipeline/store/reports.py), reports out.

Rates are fractions of the calls where the item applied (pass / (pass + fail)); N/A is its own
rate. Scores are the ones that stand: a reviewer's verdict replaces the machine's (the SQL
applies overrides), and every report counts the verdicts that were reviewers'.

A report is a ``Report``: a headline document (JSON-ready) and named tables, the first the
main one, for the terminal, CSV, Parquet and HTML writers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from qa_pipeline.reports.export import with_bands
from qa_pipeline.scoring.rubric import stored_bands

__all__ = [
    "Report",
    "agent_report",
    "items_report",
    "lowest_bands",
    "review_queue_report",
    "team_report",
]

WEAKEST_ITEMS = 3
"""Items a coaching report names as the weakest (those the agent failed at least once)."""
MIN_AGENT_CALLS = 5
"""Calls an agent needs in the period for the items report to compare them with others."""
_REASONS = {
    "critical_failed": "critical item failed",
    "items_disagreed": "a reviewer disagreed",
    "low_band": "lowest band",
    "needs_review": "flagged for review",
    "unsure_roles": "unsure who is the agent",
    "unsure_verdict": "unsure verdict",
}


@dataclass(frozen=True)
class Report:
    """A report: ``kind`` (agent, team, items, review-queue), its headline document, and its
    tables by name (the first is the main one)."""

    kind: str
    document: dict[str, Any]
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The document with every table as a list of rows (dates as ISO strings)."""
        doc = dict(self.document)
        for name, table in self.tables.items():
            doc.setdefault(name, _rows(table))
        return _jsonable(doc)


def agent_report(
    agent_id: str,
    agent_name: str | None,
    team: str | None,
    period: tuple[date | None, date | None],
    calls: pl.DataFrame,
    items: pl.DataFrame,
    moments: pl.DataFrame,
    rubrics: Mapping[str, str],
) -> Report:
    """One agent against their team over a period.

    Args:
        calls: the team's calls (sql report_calls), the agent's among them.
        items: the team's verdict counts per agent and item (sql report_item_counts).
        moments: the agent's candidate moments (sql report_moments).
        rubrics: stored rubric YAML by hash, for the bands of overridden scores.
    """
    calls = with_bands(calls, rubrics)
    mine = calls.filter(pl.col("agent_id") == agent_id)
    item_rates = _agent_items(agent_id, items)
    weakest = _weakest(item_rates)
    strengths = _strengths(item_rates, weakest)
    chosen = _moments(moments, weakest)
    # every week the team worked, the agent's figures empty where they took no call
    trend = (
        _trend(calls)
        .rename({"calls": "team_calls", "mean_score": "team_mean_score"})
        .join(_trend(mine), on="week", how="left")
        .with_columns(pl.col("calls").fill_null(0))
        .select("week", "calls", "mean_score", "team_calls", "team_mean_score")
    )
    bands = _band_counts(mine, rubrics)
    document = {
        "agent_id": agent_id,
        "agent_name": agent_name,
        "team": team,
        "since": period[0],
        "until": period[1],
        "calls": mine.height,
        "mean_score": _mean(mine["score"]),
        "team_calls": calls.height,
        "team_mean_score": _mean(calls["score"]),
        "bands": bands,
        "overridden_calls": int(mine["overridden"].sum()),
        "overridden_verdicts": int(mine["items_overridden"].sum()),
        "weakest": weakest,
        "strengths": strengths,
        "summary": _agent_summary(agent_name or agent_id, item_rates, weakest, strengths),
    }
    return Report(
        "agent",
        document,
        {"items": item_rates, "trend": trend, "moments": chosen},
    )


def team_report(
    team: str,
    period: tuple[date | None, date | None],
    calls: pl.DataFrame,
    items: pl.DataFrame,
    rubrics: Mapping[str, str],
) -> Report:
    """A team's agents ranked by mean score, their pass rate per item, and the team's trend
    and the items the whole team misses."""
    calls = with_bands(calls, rubrics)
    per_agent = (
        calls.group_by("agent_id")
        .agg(
            pl.col("agent_name").drop_nulls().first(),
            pl.len().alias("calls"),
            pl.col("score").mean().alias("mean_score"),
            pl.col("items_overridden").sum().alias("overridden_verdicts"),
        )
        .sort(["mean_score", "calls", "agent_id"], descending=[True, True, False], nulls_last=True)
        .with_row_index("rank", offset=1)
    )
    rates = (
        items.with_columns(_pass_rate().alias("pass_rate"))
        .pivot(on="item_id", index="agent_id", values="pass_rate", sort_columns=False)
        .rename(lambda c: c if c == "agent_id" else f"pass_rate_{c}")
    )
    agents = per_agent.join(rates, on="agent_id", how="left") if rates.height else per_agent
    team_items = _item_totals(items)
    document = {
        "team": team,
        "since": period[0],
        "until": period[1],
        "calls": calls.height,
        "agents": per_agent.height,
        "mean_score": _mean(calls["score"]),
        "overridden_verdicts": int(calls["items_overridden"].sum()),
        "most_missed": team_items.filter(pl.col("failed") > 0)
        .sort("pass_rate")
        .head(WEAKEST_ITEMS)["item_id"]
        .to_list(),
    }
    return Report(
        "team",
        document,
        {
            "agents": agents.cast({"rank": pl.Int64}),
            "trend": _trend(calls),
            "items": team_items.drop("position"),
        },
    )


def items_report(
    period: tuple[date | None, date | None], items: pl.DataFrame, weekly: pl.DataFrame
) -> Report:
    """Every item: pass and N/A rates, weekly trend, and where agents differ most (the best
    and worst agent with at least MIN_AGENT_CALLS calls where the item applied)."""
    totals = _item_totals(items)
    per_agent = (
        items.filter(pl.col("passed") + pl.col("failed") >= MIN_AGENT_CALLS)
        .with_columns(_pass_rate().alias("rate"))
        .sort(["item_id", "rate", "agent_id"])
        .group_by("item_id", maintain_order=True)
        .agg(
            pl.len().alias("agents_compared"),
            pl.col("agent_id").last().alias("best_agent"),
            pl.col("rate").last().alias("best_pass_rate"),
            pl.col("agent_id").first().alias("worst_agent"),
            pl.col("rate").first().alias("worst_pass_rate"),
            pl.col("rate").std().alias("pass_rate_sd"),
        )
        .with_columns((pl.col("best_pass_rate") - pl.col("worst_pass_rate")).alias("spread"))
    )
    table = totals.join(per_agent, on="item_id", how="left").sort("position").drop("position")
    trend = (
        weekly.group_by("week", "item_id")
        .agg(pl.col("calls", "passed", "failed", "not_applicable").sum())
        .with_columns(_pass_rate().alias("pass_rate"))
        .select("week", "item_id", "calls", "pass_rate")
        .sort("week", "item_id")
    )
    document = {
        "since": period[0],
        "until": period[1],
        "calls": int(table["calls"].max() or 0) if table.height else 0,
        "overridden_verdicts": int(items["overridden"].sum()) if items.height else 0,
        "most_spread": table.filter(pl.col("spread").is_not_null())
        .sort("spread", descending=True)
        .head(WEAKEST_ITEMS)["item_id"]
        .to_list(),
    }
    return Report("items", document, {"items": table, "trend": trend})


def review_queue_report(period: tuple[date | None, date | None], queue: pl.DataFrame) -> Report:
    """The calls to look at, most urgent first, each with every reason that applies."""
    reasons = [
        pl.when(pl.col(column) if column != "items_disagreed" else pl.col(column) > 0)
        .then(pl.lit(text))
        .otherwise(None)
        for column, text in _REASONS.items()
    ]
    table = queue.with_columns(
        pl.concat_list(reasons).list.drop_nulls().list.join(", ").alias("why")
    ).select(
        "call_id",
        "date",
        "agent_id",
        "team",
        "score",
        "band",
        "urgency",
        "why",
        "least_sure_item",
        "min_confidence",
        "role_confidence",
        "items_disagreed",
    )
    document = {"since": period[0], "until": period[1], "calls": table.height}
    return Report("review-queue", document, {"queue": table})


def lowest_bands(rubrics: Mapping[str, str]) -> list[str]:
    """'rubric_sha256:band' of each stored rubric's lowest band (none for one-band rubrics)."""
    lowest = []
    for sha, text in rubrics.items():
        bands = stored_bands(text)
        if len(bands) > 1:
            lowest.append(f"{sha}:{bands[-1][0]}")
    return lowest


def _band_counts(calls: pl.DataFrame, rubrics: Mapping[str, str]) -> dict[str, int]:
    """Calls per band, highest band first (as the rubrics order them)."""
    floor: dict[str, float] = {}
    for text in rubrics.values():
        for name, minimum in stored_bands(text):
            floor[name] = max(minimum, floor.get(name, minimum))
    counts = {str(k): int(v) for k, v in calls.group_by("band").len().iter_rows() if k}
    return dict(sorted(counts.items(), key=lambda kv: (-floor.get(kv[0], -1.0), kv[0])))


def _pass_rate() -> pl.Expr:
    applied = pl.col("passed") + pl.col("failed")
    return pl.when(applied > 0).then(pl.col("passed") / applied).otherwise(None)


def _item_totals(items: pl.DataFrame) -> pl.DataFrame:
    """Verdict counts summed over agents: one row per item, in rubric order."""
    if items.is_empty():
        return pl.DataFrame(
            schema={
                "item_id": pl.String,
                "position": pl.Int32,
                "calls": pl.Int64,
                "passed": pl.Int64,
                "failed": pl.Int64,
                "not_applicable": pl.Int64,
                "pass_rate": pl.Float64,
                "na_rate": pl.Float64,
            }
        )
    return (
        items.group_by("item_id")
        .agg(
            pl.col("position").min(),
            pl.col("calls", "passed", "failed", "not_applicable").sum(),
        )
        .with_columns(
            _pass_rate().alias("pass_rate"),
            (pl.col("not_applicable") / pl.col("calls")).alias("na_rate"),
        )
        .sort("position")
    )


def _agent_items(agent_id: str, items: pl.DataFrame) -> pl.DataFrame:
    """Per item: the agent's pass and N/A rates next to the team's."""
    team = _item_totals(items).select(
        "item_id", "position", pl.col("pass_rate").alias("team_pass_rate")
    )
    mine = _item_totals(items.filter(pl.col("agent_id") == agent_id)).drop("position")
    return (
        team.join(mine, on="item_id", how="left")
        .sort("position")
        .select(
            "item_id",
            "calls",
            "passed",
            "failed",
            "not_applicable",
            "pass_rate",
            "team_pass_rate",
            "na_rate",
        )
        .with_columns((pl.col("pass_rate") - pl.col("team_pass_rate")).alias("against_team"))
    )


def _weakest(item_rates: pl.DataFrame) -> list[str]:
    return (
        item_rates.filter(pl.col("failed") > 0)
        .sort(["pass_rate", "against_team"], nulls_last=True)
        .head(WEAKEST_ITEMS)["item_id"]
        .to_list()
    )


def _strengths(item_rates: pl.DataFrame, weakest: list[str]) -> list[str]:
    return (
        item_rates.filter(
            ~pl.col("item_id").is_in(weakest)
            & (pl.col("pass_rate") >= 0.8)
            & (pl.col("against_team") >= 0)
        )
        .sort(["pass_rate", "against_team"], descending=True)
        .head(WEAKEST_ITEMS)["item_id"]
        .to_list()
    )


def _moments(moments: pl.DataFrame, weakest: list[str]) -> pl.DataFrame:
    """For each weak item, the clearest failing and the best passing moment."""
    columns = [
        "item_id",
        "verdict",
        "call_id",
        "turn",
        "start",
        "end",
        "text",
        "reason",
        "overridden",
    ]
    if moments.is_empty() or not weakest:
        return moments.select(columns).clear()
    order = {item: n for n, item in enumerate(weakest)}
    return (
        moments.filter(pl.col("item_id").is_in(weakest))
        .group_by("item_id", "verdict", maintain_order=True)
        .first()
        .with_columns(
            pl.col("item_id").replace_strict(order, return_dtype=pl.Int64).alias("_item"),
            (pl.col("verdict") == "pass").alias("_pass"),
        )
        .sort("_item", "_pass")
        .select(columns)
    )


def _trend(calls: pl.DataFrame) -> pl.DataFrame:
    return (
        calls.group_by("week")
        .agg(pl.len().alias("calls"), pl.col("score").mean().alias("mean_score"))
        .sort("week")
    )


def _agent_summary(
    name: str, item_rates: pl.DataFrame, weakest: list[str], strengths: list[str]
) -> list[str]:
    """Strengths and weaknesses in words, one sentence each."""
    rates = {r["item_id"]: r for r in item_rates.iter_rows(named=True)}
    lines = []
    for item in strengths:
        r = rates[item]
        lines.append(
            f"Strength: {_label(item)}, passed in {_pct(r['pass_rate'])} of calls "
            f"(team {_pct(r['team_pass_rate'])})."
        )
    for item in weakest:
        r = rates[item]
        lines.append(
            f"To work on: {_label(item)}, passed in {_pct(r['pass_rate'])} of calls "
            f"(team {_pct(r['team_pass_rate'])}); {r['failed']} failed."
        )
    if not lines:
        lines.append(f"{name} has no failed item in this period.")
    return lines


def _label(item_id: str) -> str:
    return item_id.replace("_", " ")


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{100 * rate:.0f}%"


def _mean(scores: pl.Series) -> float | None:
    value = scores.mean()
    return None if value is None else float(value)  # type: ignore[arg-type]


def _rows(table: pl.DataFrame) -> list[dict[str, Any]]:
    return table.to_dicts()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN: no value
        return None
    return value

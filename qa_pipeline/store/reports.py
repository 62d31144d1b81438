"""What the coaching reports read (sql/reports.sql), each report's frames in one snapshot.

The frames are aggregates computed by DuckDB (verdict counts per agent and item, one row per
call of a team); the report code in qa_pipeline/reports/coaching.py shapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from qa_pipeline.store.db import Store
from qa_pipeline.store.export import rubric_sources

__all__ = [
    "AgentFrames",
    "GroupFrames",
    "Period",
    "agent_frames",
    "agent_ids",
    "items_frames",
    "period_of",
    "review_queue_frame",
    "team_frames",
    "teams",
]

MOMENTS_PER_VERDICT = 3
"""Candidate moments read per item and verdict; the report shows the clearest."""


@dataclass(frozen=True)
class Period:
    """Call dates from ``since`` to ``until``, both inclusive (None: open on that side)."""

    since: date | None = None
    until: date | None = None

    def params(self) -> dict[str, date | None]:
        return {"since": self.since, "until": self.until}


@dataclass(frozen=True)
class GroupFrames:
    """A team's (or every team's) calls and verdict counts over a period.

    Attributes:
        period: the first and last call dates found (within the period asked for).
        calls: one row per scored call (sql report_calls).
        items: verdict counts per agent and item (sql report_item_counts).
        weekly_items: the same per week and item.
        rubrics: each stored rubric's YAML by content hash (for bands).
    """

    period: Period
    calls: pl.DataFrame
    items: pl.DataFrame
    weekly_items: pl.DataFrame
    rubrics: dict[str, str]


@dataclass(frozen=True)
class AgentFrames:
    """One agent's report material: who they are, their team's frames, their moments."""

    agent_id: str
    agent_name: str | None
    team: str | None
    group: GroupFrames
    moments: pl.DataFrame


def period_of(store: Store, asked: Period) -> Period:
    """The first and last call dates stored within ``asked`` (asked's own bounds if none)."""
    row = store.query("report_period", **asked.params()).row(0, named=True)
    return Period(asked.since or row["since"], asked.until or row["until"])


def agent_frames(store: Store, agent_id: str, asked: Period) -> AgentFrames | None:
    """An agent's frames, or None when they took no scored call in the period."""
    with store.snapshot():
        who = store.query("report_agent_team", agent_id=agent_id, **asked.params())
        if who.is_empty():
            return None
        row = who.row(0, named=True)
        group = _group(store, row["team"], asked)
        moments = store.query(
            "report_moments",
            agent_id=agent_id,
            per_verdict=MOMENTS_PER_VERDICT,
            **asked.params(),
        )
    return AgentFrames(agent_id, row["agent_name"], row["team"], group, moments)


def team_frames(store: Store, team: str, asked: Period) -> GroupFrames:
    """A team's frames (empty frames when it took no scored call in the period)."""
    with store.snapshot():
        return _group(store, team, asked)


def items_frames(store: Store, asked: Period) -> GroupFrames:
    """Every team's verdict counts per agent and item, overall and per week."""
    with store.snapshot():
        return _group(store, None, asked, with_calls=False)


def review_queue_frame(
    store: Store,
    asked: Period,
    limit: int,
    min_confidence: float,
    min_role_confidence: float,
    lowest_bands: list[str],
) -> pl.DataFrame:
    """The calls to look at, most urgent first (sql report_review_queue); ``lowest_bands``
    holds 'rubric_sha256:band' of each rubric's lowest band."""
    with store.snapshot():
        return store.query(
            "report_review_queue",
            limit=limit,
            min_confidence=min_confidence,
            min_role_confidence=min_role_confidence,
            lowest_bands=lowest_bands,
            **asked.params(),
        )


def teams(store: Store, asked: Period) -> list[str]:
    """The teams with scored calls in the period."""
    return store.query("report_teams", **asked.params())["team"].to_list()


def agent_ids(store: Store, asked: Period) -> list[str]:
    """The agents with scored calls in the period."""
    return store.query("report_agents", **asked.params())["agent_id"].to_list()


def _group(store: Store, team: str | None, asked: Period, with_calls: bool = True) -> GroupFrames:
    params = asked.params()
    period = period_of(store, asked)
    calls = store.query("report_calls", team=team, **params) if with_calls else pl.DataFrame()
    counts = store.query("report_item_counts", team=team, **params)
    by_agent = counts.filter(pl.col("by_agent")).drop("by_agent", "week")
    by_week = counts.filter(~pl.col("by_agent")).drop("by_agent", "agent_id", "team")
    return GroupFrames(period, calls, by_agent, by_week, rubric_sources(store))

"""Coaching reports built from the store, and the nightly step that writes every team's and
agent's report for a period to a folder (coaches find them in the morning)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from qa_pipeline.reports import coaching
from qa_pipeline.reports.html import render
from qa_pipeline.store import Store
from qa_pipeline.store import reports as frames
from qa_pipeline.store.reports import Period

__all__ = [
    "QueueOptions",
    "agent_report",
    "items_report",
    "review_queue",
    "team_report",
    "write_period_reports",
]


@dataclass(frozen=True)
class QueueOptions:
    """What puts a call on the review queue besides a critical failure, the lowest band, a
    reviewer's disagreement and a needs_review flag.

    Attributes:
        limit: calls listed at most.
        min_confidence: a verdict less sure than this puts its call on the queue.
        min_role_confidence: so does a speaker-role decision less sure than this.
    """

    limit: int = 50
    min_confidence: float = 0.6
    min_role_confidence: float = 0.7


def agent_report(store: Store, agent_id: str, period: Period) -> coaching.Report | None:
    """One agent against their team, or None when they have no scored call in the period."""
    found = frames.agent_frames(store, agent_id, period)
    if found is None:
        return None
    group = found.group
    return coaching.agent_report(
        found.agent_id,
        found.agent_name,
        found.team,
        (group.period.since, group.period.until),
        group.calls,
        group.items,
        found.moments,
        group.rubrics,
    )


def team_report(store: Store, team: str, period: Period) -> coaching.Report | None:
    """A team's ranking and trend, or None when it has no scored call in the period."""
    group = frames.team_frames(store, team, period)
    if group.calls.is_empty():
        return None
    return coaching.team_report(
        team, (group.period.since, group.period.until), group.calls, group.items, group.rubrics
    )


def items_report(store: Store, period: Period) -> coaching.Report:
    """Every item across all teams."""
    group = frames.items_frames(store, period)
    return coaching.items_report(
        (group.period.since, group.period.until), group.items, group.weekly_items
    )


def review_queue(
    store: Store, period: Period, options: QueueOptions = QueueOptions()
) -> coaching.Report:
    """The calls a person should look at, most urgent first."""
    from qa_pipeline.store.export import rubric_sources

    lowest = coaching.lowest_bands(rubric_sources(store))
    queue = frames.review_queue_frame(
        store, period, options.limit, options.min_confidence, options.min_role_confidence, lowest
    )
    bounds = frames.period_of(store, period)
    return coaching.review_queue_report((bounds.since, bounds.until), queue)


def write_period_reports(store: Store, out_dir: Path, until: date, days: int) -> list[Path]:
    """Writes each team's and each agent's report for the ``days`` days ending ``until`` to
    ``out_dir/<until>/`` as HTML and JSON (``team-<team>.html``, ``agent-<id>.html``), plus
    the review queue. An earlier night's folder is left alone.

    Returns:
        The files written.
    """
    period = Period(until - timedelta(days=days - 1), until)
    folder = out_dir / until.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    reports: list[tuple[str, coaching.Report | None]] = [
        (f"team-{_slug(team)}", team_report(store, team, period))
        for team in frames.teams(store, period)
    ]
    reports += [
        (f"agent-{_slug(agent)}", agent_report(store, agent, period))
        for agent in frames.agent_ids(store, period)
    ]
    reports.append(("review-queue", review_queue(store, period)))
    for stem, report in reports:
        if report is None:
            continue
        html = folder / f"{stem}.html"
        html.write_text(render(report), encoding="utf-8")
        data = folder / f"{stem}.json"
        data.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
        written += [html, data]
    return written


def _slug(name: str) -> str:
    """A team or agent id as a safe file name (letters, digits, dot, dash, underscore); a
    name that had to change gets a short hash of itself, so two names never share a file."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "_"
    if safe == name:
        return safe
    return f"{safe}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"

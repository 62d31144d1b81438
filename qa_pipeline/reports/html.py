"""Reports as one self-contained HTML file a coach can mail or open offline: inline CSS and
SVG charts, system fonts, no scripts, no external files. Pure: a Report in, a string out."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

import polars as pl

from qa_pipeline.reports.coaching import Report

__all__ = ["render"]

_AGENT = "#2563eb"
_TEAM = "#9ca3af"
_GOOD = "#15803d"
_BAD = "#b45309"

_CSS = """
* { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1f2937; margin: 0; background: #f3f4f6; }
main { max-width: 1060px; margin: 0 auto; padding: 28px 32px 40px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid #e5e7eb;
     padding-bottom: 6px; }
.sub { color: #6b7280; margin: 0 0 18px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { flex: 1 1 150px; border: 1px solid #e5e7eb; border-radius: 8px; padding: 12px 14px; }
.card .n { font-size: 26px; font-weight: 600; }
.card .n.small { font-size: 17px; line-height: 31px; }
.card .l { color: #6b7280; font-size: 13px; }
.words li { margin: 4px 0; }
.good { color: #15803d; } .bad { color: #b45309; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
.wide { overflow-x: auto; }
td.who { white-space: nowrap; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #f0f0f0; }
th { color: #6b7280; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.moment { border-left: 4px solid #e5e7eb; padding: 8px 12px; margin: 8px 0; background: #fafafa; }
.moment.fail { border-color: #b45309; } .moment.pass { border-color: #15803d; }
.moment .where { color: #6b7280; font-size: 13px; }
.moment q { font-size: 15px; }
.legend { font-size: 13px; color: #6b7280; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
          vertical-align: -1px; margin: 0 4px 0 10px; }
.note { color: #6b7280; font-size: 13px; margin-top: 24px; }
"""


def render(report: Report) -> str:
    """The report as a complete HTML document."""
    body = {
        "agent": _agent,
        "team": _team,
        "items": _items,
        "review-queue": _queue,
    }[report.kind](report)
    title = escape(_title(report))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _title(report: Report) -> str:
    doc = report.document
    if report.kind == "agent":
        who = doc["agent_name"] or doc["agent_id"]
        return f"Coaching report: {who}"
    if report.kind == "team":
        return f"Team report: {doc['team']}"
    if report.kind == "items":
        return "Rubric items report"
    return "Review queue"


def _period(doc: dict[str, Any]) -> str:
    since, until = doc.get("since"), doc.get("until")
    if since is None and until is None:
        return "no calls in this period"
    return f"{_day(since)} to {_day(until)}"


def _day(value: date | None) -> str:
    return value.strftime("%-d %b %Y") if value else "…"


def _header(report: Report, sub: str) -> str:
    return f"<h1>{escape(_title(report))}</h1><p class='sub'>{escape(sub)}</p>"


def _cards(cards: list[tuple[str, str]]) -> str:
    inner = "".join(
        f"<div class='card'><div class='n{' small' if len(n) > 12 else ''}'>{escape(n)}</div>"
        f"<div class='l'>{escape(label)}</div></div>"
        for n, label in cards
    )
    return f"<div class='cards'>{inner}</div>"


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _agent(report: Report) -> str:
    doc = report.document
    team = doc["team"] or "no team"
    sub = f"Agent {doc['agent_id']} · team {team} · {_period(doc)}"
    bands = " · ".join(f"{c} {n}" for n, c in doc["bands"].items()) or "–"
    mean, team_mean = doc["mean_score"], doc["team_mean_score"]
    against = f", {mean - team_mean:+.1f}" if mean is not None and team_mean is not None else ""
    cards = _cards(
        [
            (str(doc["calls"]), "calls scored"),
            (_score(mean), f"mean score (team {_score(team_mean)}{against})"),
            (bands, "calls per band"),
            (str(doc["overridden_verdicts"]), "verdicts set by reviewers"),
        ]
    )
    words = "".join(
        f"<li class='{'good' if line.startswith('Strength') else 'bad'}'>{escape(line)}</li>"
        if line.startswith(("Strength", "To work on"))
        else f"<li>{escape(line)}</li>"
        for line in doc["summary"]
    )
    trend = report.tables["trend"]
    chart = _trend_chart(
        trend["week"].to_list(),
        {
            "this agent": (trend["mean_score"].to_list(), _AGENT),
            "team": (trend["team_mean_score"].to_list(), _TEAM),
        },
    )
    items = report.tables["items"]
    bars = _item_bars(
        items["item_id"].to_list(), items["pass_rate"].to_list(), items["team_pass_rate"].to_list()
    )
    moments = _moments(report.tables["moments"])
    return (
        _header(report, sub)
        + cards
        + f"<h2>In short</h2><ul class='words'>{words}</ul>"
        + "<h2>Items passed, against the team</h2>"
        + _legend([("this agent", _AGENT), ("team", _TEAM)])
        + bars
        + "<h2>Score by week, against the team</h2>"
        + _legend([("this agent", _AGENT), ("team", _TEAM)])
        + chart
        + "<h2>Moments to discuss</h2>"
        + moments
        + _note(doc)
    )


def _team(report: Report) -> str:
    doc = report.document
    sub = f"{doc['agents']} agents · {doc['calls']} calls · {_period(doc)}"
    missed = ", ".join(i.replace("_", " ") for i in doc["most_missed"]) or "none"
    cards = _cards(
        [
            (str(doc["calls"]), "calls scored"),
            (_score(doc["mean_score"]), "mean score"),
            (str(doc["agents"]), "agents"),
            (str(doc["overridden_verdicts"]), "verdicts set by reviewers"),
        ]
    )
    agents = report.tables["agents"]
    rate_columns = [c for c in agents.columns if c.startswith("pass_rate_")]
    head = "".join(
        f"<th class='num'>{escape(c.removeprefix('pass_rate_').replace('_', ' '))}</th>"
        for c in rate_columns
    )
    rows = []
    for row in agents.iter_rows(named=True):
        cells = "".join(
            f"<td class='num' style='{_heat(row[c])}'>{_pct(row[c])}</td>" for c in rate_columns
        )
        rows.append(
            f"<tr><td class='num'>{row['rank']}</td>"
            f"<td class='who'>{escape(str(row['agent_name'] or ''))} <span class='legend'>"
            f"{escape(str(row['agent_id']))}</span></td>"
            f"<td class='num'>{row['calls']}</td><td class='num'>{_score(row['mean_score'])}</td>"
            f"{cells}</tr>"
        )
    table = (
        "<div class='wide'><table><tr><th class='num'>#</th><th>agent</th>"
        f"<th class='num'>calls</th><th class='num'>mean score</th>{head}</tr>"
        f"{''.join(rows)}</table></div>"
    )
    items = report.tables["items"]
    trend = report.tables["trend"]
    return (
        _header(report, sub)
        + cards
        + f"<h2>In short</h2><ul class='words'><li class='bad'>Items the team misses most: "
        f"{escape(missed)}.</li></ul>"
        + "<h2>Agents ranked by mean score (pass rate per item)</h2>"
        + table
        + "<h2>Items passed, whole team</h2>"
        + _item_bars(items["item_id"].to_list(), items["pass_rate"].to_list(), None)
        + "<h2>Team score by week</h2>"
        + _trend_chart(trend["week"].to_list(), {"team": (trend["mean_score"].to_list(), _AGENT)})
        + _note(doc)
    )


def _items(report: Report) -> str:
    doc = report.document
    table = report.tables["items"]
    bars = _item_bars(table["item_id"].to_list(), table["pass_rate"].to_list(), None)
    return (
        _header(report, _period(doc))
        + "<h2>Pass rate per item</h2>"
        + bars
        + "<h2>Where agents differ most</h2>"
        + _table(
            table,
            [
                "item_id",
                "pass_rate",
                "na_rate",
                "best_agent",
                "best_pass_rate",
                "worst_agent",
                "worst_pass_rate",
                "spread",
            ],
        )
        + _note(doc)
    )


def _queue(report: Report) -> str:
    doc = report.document
    table = report.tables["queue"]
    return _header(report, f"{doc['calls']} calls to look at · {_period(doc)}") + _table(
        table, ["call_id", "date", "agent_id", "team", "score", "band", "why"]
    )


def _table(frame: pl.DataFrame, columns: list[str]) -> str:
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in columns)
    rows = []
    for row in frame.select(columns).iter_rows(named=True):
        cells = []
        for c in columns:
            value = row[c]
            if isinstance(value, float):
                text = _pct(value) if "rate" in c or c == "spread" else _score(value)
                cells.append(f"<td class='num'>{text}</td>")
            else:
                cells.append(f"<td>{escape('' if value is None else str(value))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _heat(rate: float | None) -> str:
    if rate is None:
        return ""
    if rate >= 0.85:
        return "background:#dcfce7"
    if rate >= 0.6:
        return "background:#fef9c3"
    return "background:#fee2e2"


def _legend(entries: list[tuple[str, str]]) -> str:
    inner = "".join(
        f"<span class='swatch' style='background:{color}'></span>{escape(name)}"
        for name, color in entries
    )
    return f"<div class='legend'>{inner}</div>"


def _item_bars(items: list[str], rates: list[float | None], team: list[float | None] | None) -> str:
    """Horizontal bars: the pass rate per item, the team's as a grey bar beneath."""
    label_w, bar_w, row_h = 170, 560, 44 if team is not None else 30
    height = row_h * len(items) + 24
    parts = [
        f"<svg role='img' aria-label='pass rate per item' width='{label_w + bar_w + 70}' "
        f"height='{height}' viewBox='0 0 {label_w + bar_w + 70} {height}'>"
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_w + tick * bar_w
        parts.append(
            f"<line x1='{x:.1f}' y1='0' x2='{x:.1f}' y2='{height - 18}' stroke='#eee'/>"
            f"<text x='{x:.1f}' y='{height - 4}' font-size='11' fill='#9ca3af' "
            f"text-anchor='middle'>{int(tick * 100)}%</text>"
        )
    for n, item in enumerate(items):
        y = n * row_h + 4
        parts.append(
            f"<text x='{label_w - 10}' y='{y + 15}' font-size='14' text-anchor='end'>"
            f"{escape(item.replace('_', ' '))}</text>"
        )
        rate = rates[n]
        width = (rate or 0) * bar_w
        parts.append(
            f"<rect x='{label_w}' y='{y + 3}' width='{width:.1f}' height='16' rx='3' "
            f"fill='{_AGENT}'/>"
            f"<text x='{label_w + width + 6:.1f}' y='{y + 16}' font-size='13'>{_pct(rate)}</text>"
        )
        if team is not None:
            t = team[n]
            tw = (t or 0) * bar_w
            parts.append(
                f"<rect x='{label_w}' y='{y + 23}' width='{tw:.1f}' height='9' rx='2' "
                f"fill='{_TEAM}'/>"
                f"<text x='{label_w + tw + 6:.1f}' y='{y + 32}' font-size='11' fill='#6b7280'>"
                f"team {_pct(t)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _trend_chart(weeks: list[date], series: dict[str, tuple[list[Any], str]]) -> str:
    """Mean score per week (0-100), one line per series; weeks as dates on the x axis."""
    if not weeks:
        return "<p class='legend'>No scored calls in this period.</p>"
    width, height, left, bottom = 760, 220, 40, 30
    plot_w, plot_h = width - left - 20, height - bottom - 10
    step = plot_w / max(1, len(weeks) - 1)

    def x(i: int) -> float:
        return left + (i * step if len(weeks) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return 10 + plot_h * (1 - v / 100)

    parts = [
        f"<svg role='img' aria-label='score by week' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}'>"
    ]
    for v in (0, 25, 50, 75, 100):
        parts.append(
            f"<line x1='{left}' y1='{y(v):.1f}' x2='{width - 20}' y2='{y(v):.1f}' stroke='#eee'/>"
            f"<text x='{left - 6}' y='{y(v) + 4:.1f}' font-size='11' fill='#9ca3af' "
            f"text-anchor='end'>{v}</text>"
        )
    every = max(1, len(weeks) // 8)
    for i, week in enumerate(weeks):
        if i % every == 0 or i == len(weeks) - 1:
            parts.append(
                f"<text x='{x(i):.1f}' y='{height - 8}' font-size='11' fill='#6b7280' "
                f"text-anchor='middle'>{week.strftime('%-d %b')}</text>"
            )
    for values, color in series.values():
        points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f"<polyline points='{path}' fill='none' stroke='{color}' stroke-width='2.5'/>"
            )
        for px, py in points:
            parts.append(f"<circle cx='{px:.1f}' cy='{py:.1f}' r='4' fill='{color}'/>")
    parts.append("</svg>")
    return "".join(parts)


def _moments(moments: pl.DataFrame) -> str:
    if moments.is_empty():
        return "<p class='legend'>No failed item in this period.</p>"
    parts = []
    for row in moments.iter_rows(named=True):
        verdict = row["verdict"]
        label = "Missed" if verdict == "fail" else "Done well"
        if row.get("overridden"):
            label += " (a reviewer's verdict)"
        where = escape(str(row["call_id"]))
        if row["start"] is not None:
            where += f" at {_clock(row['start'])}–{_clock(row['end'])}"
        if row["turn"] is not None:
            where += f", turn {row['turn']}"
        words = f"<q>{escape(row['text'])}</q>" if row["text"] else ""
        reason = (
            f"<div class='where'>{escape(_reason(row['reason']))}</div>"
            if verdict == "fail"
            else ""
        )
        parts.append(
            f"<div class='moment {verdict}'><div class='where'><b>{label}: "
            f"{escape(row['item_id'].replace('_', ' '))}</b> · {where}</div>{words}{reason}</div>"
        )
    return "".join(parts)


def _reason(reason: str | None) -> str:
    return (reason or "").replace("_", " ")


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _note(doc: dict[str, Any]) -> str:
    return (
        "<p class='note'>Pass rates count the calls where an item applied (N/A calls left out). "
        "Where a QA reviewer overrode the machine, the reviewer's verdict is used "
        f"({doc.get('overridden_verdicts', 0)} verdicts in this report). "
        "Made by qa-pipeline.</p>"
    )

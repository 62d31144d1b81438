"""``qa-pipeline report agent|team|items|review-queue``: coaching reports in the terminal or
as files (CSV, JSON, Parquet, one self-contained HTML page)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qa_pipeline.cli.common import DbOption, fail, option_date, out, store_busy_fails, stored_db

if TYPE_CHECKING:
    from rich.console import Console

    from qa_pipeline.reports.coaching import Report
    from qa_pipeline.store import Store

__all__ = ["report_app"]

report_app = typer.Typer(
    help="Coaching reports: an agent against their team, a team's ranking, every item, and "
    "the calls to review. Reviewers' overrides replace the machine's verdicts.",
    no_args_is_help=True,
)


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"
    HTML = "html"


SinceOption = Annotated[
    str | None,
    typer.Option(help="First call date (YYYY-MM-DD), inclusive. Default: the first stored."),
]
UntilOption = Annotated[
    str | None,
    typer.Option(help="Last call date (YYYY-MM-DD), inclusive. Default: the last stored."),
]
FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        help="table (the terminal), csv, json, parquet or html (one self-contained page).",
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="File to write. csv and parquet write the main table there and the others "
        "beside it (FILE.trend.csv ...). Without it, table, csv and json print.",
    ),
]


@report_app.command("agent")
def agent(
    agent_id: Annotated[str, typer.Argument(help="The agent's id (the manifest's agent_id).")],
    since: SinceOption = None,
    until: UntilOption = None,
    db: DbOption = None,
    format_: FormatOption = Format.TABLE,
    out_file: OutOption = None,
) -> None:
    """One agent against their team: scores, bands, pass rate per item, weekly trend, the
    weakest items and moments from real calls to discuss."""
    from qa_pipeline.batch.reports import agent_report

    def build(store: Store, period: Any) -> Report | None:
        return agent_report(store, agent_id, period)

    _report(build, since, until, db, format_, out_file, f"agent {agent_id!r}")


@report_app.command("team")
def team(
    team_name: Annotated[str, typer.Argument(metavar="TEAM", help="The team (the manifest's).")],
    since: SinceOption = None,
    until: UntilOption = None,
    db: DbOption = None,
    format_: FormatOption = Format.TABLE,
    out_file: OutOption = None,
) -> None:
    """A team: its agents ranked with their pass rate per item, the team's weekly trend and
    the items the whole team misses."""
    from qa_pipeline.batch.reports import team_report

    def build(store: Store, period: Any) -> Report | None:
        return team_report(store, team_name, period)

    _report(build, since, until, db, format_, out_file, f"team {team_name!r}")


@report_app.command("items")
def items(
    since: SinceOption = None,
    until: UntilOption = None,
    db: DbOption = None,
    format_: FormatOption = Format.TABLE,
    out_file: OutOption = None,
) -> None:
    """Every rubric item: pass and N/A rates, weekly trend, and where agents differ most."""
    from qa_pipeline.batch.reports import items_report

    _report(items_report, since, until, db, format_, out_file, "items")


@report_app.command("review-queue")
def review_queue(
    since: SinceOption = None,
    until: UntilOption = None,
    db: DbOption = None,
    format_: FormatOption = Format.TABLE,
    out_file: OutOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Calls listed at most.")] = 50,
    min_confidence: Annotated[
        float, typer.Option(min=0, max=1, help="A verdict less sure than this is a reason.")
    ] = 0.6,
    min_role_confidence: Annotated[
        float,
        typer.Option(min=0, max=1, help="Speaker roles less sure than this are a reason."),
    ] = 0.7,
) -> None:
    """Calls a person should look at and why: a critical item failed, the lowest band, an
    unsure verdict or unsure speaker roles, flagged for review, a reviewer disagreed."""
    from qa_pipeline.batch.reports import QueueOptions
    from qa_pipeline.batch.reports import review_queue as queue

    options = QueueOptions(limit, min_confidence, min_role_confidence)

    def build(store: Store, period: Any) -> Report | None:
        return queue(store, period, options)

    _report(build, since, until, db, format_, out_file, "review queue")


def _report(
    build: Any,
    since: str | None,
    until: str | None,
    db: Path | None,
    fmt: Format,
    out_file: Path | None,
    what: str,
) -> None:
    from qa_pipeline.store import Store
    from qa_pipeline.store.reports import Period

    first, last = option_date("--since", since), option_date("--until", until)
    if first and last and first > last:
        raise fail(f"--since {first} is after --until {last}. Fix: swap them.")
    if fmt is Format.PARQUET and out_file is None:
        raise fail("--format parquet needs --out FILE. Fix: add --out report.parquet.")
    path = stored_db(db)
    with store_busy_fails(), Store(path, read_only=True) as store:
        report = build(store, Period(first, last))
    if report is None:
        raise fail(
            f"{path}: {what} has no scored calls from {first or 'the first'} to "
            f"{last or 'the last'} call. Fix: check the name, or widen --since/--until.",
            code=1,
        )
    try:
        _write(report, fmt, out_file)
    except OSError as exc:
        from qa_pipeline.errors import os_reason

        raise fail(
            f"{out_file}: cannot write the report ({os_reason(exc)}). Fix: pass a writable --out."
        ) from None


def _write(report: Report, fmt: Format, out_file: Path | None) -> None:
    from qa_pipeline.reports.html import render

    if fmt is Format.TABLE:
        if out_file is None:
            _terminal(report, out)
            return
        from rich.console import Console

        out_file.parent.mkdir(parents=True, exist_ok=True)
        with out_file.open("w", encoding="utf-8") as handle:
            _terminal(report, Console(file=handle, width=140, highlight=False))
        out.print(f"wrote {out_file}", markup=False)
        return
    if fmt is Format.JSON:
        text = json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    elif fmt is Format.HTML:
        text = render(report)
    else:
        written = _tables(report, fmt, out_file)
        for file in written:
            out.print(f"wrote {file}", markup=False)
        return
    if out_file is None:
        sys.stdout.write(text)
    else:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(text, encoding="utf-8")
        out.print(f"wrote {out_file}", markup=False)


def _tables(report: Report, fmt: Format, out_file: Path | None) -> list[Path]:
    """CSV or Parquet: the main table to ``out_file`` (stdout for CSV without one), the
    others beside it as ``<stem>.<table><suffix>``."""
    tables = list(report.tables.items())
    if out_file is None:  # CSV to the terminal: the main table only
        sys.stdout.write(_flat(tables[0][1]).write_csv())
        return []
    out_file.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for n, (name, table) in enumerate(tables):
        target = (
            out_file if n == 0 else out_file.with_name(f"{out_file.stem}.{name}{out_file.suffix}")
        )
        if fmt is Format.CSV:
            _flat(table).write_csv(target)
        else:
            table.write_parquet(target)
        written.append(target)
    return written


def _flat(table: Any) -> Any:
    """CSV takes no nested values."""
    import polars as pl

    return table.with_columns(
        pl.col(c).cast(pl.String) for c, t in table.schema.items() if t.is_nested()
    )


def _terminal(report: Report, console: Console) -> None:
    """The headline, the summary in words, then each table (user data printed literally)."""
    from rich.table import Table

    from qa_pipeline.reports.text import plain

    doc = report.to_json()
    headline = [
        f"{key.replace('_', ' ')}: {_cell(key, value)}"
        for key, value in doc.items()
        if key not in report.tables and key != "summary"
    ]
    console.print(plain(" · ".join(headline)), markup=False)
    for line in doc.get("summary", []):
        console.print(f"  {plain(line)}", markup=False)
    for name, frame in report.tables.items():
        frame = _for_terminal(report.kind, name, frame)
        table = Table(title=name, title_justify="left", show_edge=False)
        for column in frame.columns:
            table.add_column(column.replace("_", " "), overflow="fold")
        for row in frame.iter_rows(named=True):
            table.add_row(*(plain(_cell(c, v)) for c, v in row.items()))
        console.print(table)


_TERMINAL_COLUMNS = {
    ("agent", "items"): ["item_id", "pass_rate", "team_pass_rate", "failed", "na_rate"],
    ("agent", "moments"): ["item_id", "verdict", "call_id", "start", "text", "reason"],
    ("team", "items"): ["item_id", "pass_rate", "failed", "na_rate"],
    ("items", "items"): [
        "item_id",
        "pass_rate",
        "na_rate",
        "best_agent",
        "best_pass_rate",
        "worst_agent",
        "worst_pass_rate",
    ],
    ("review-queue", "queue"): ["call_id", "date", "agent_id", "team", "score", "band", "why"],
}
_TERMINAL_WEEKS = 12


def _for_terminal(kind: str, name: str, frame: Any) -> Any:
    """The columns that fit a terminal; the files keep them all."""
    import polars as pl

    if (kind, name) == ("items", "trend") and frame.height:
        # one row per week, one column per item: the last weeks only
        wide = frame.pivot(on="item_id", index="week", values="pass_rate").sort("week")
        return wide.tail(_TERMINAL_WEEKS).rename(lambda c: c if c == "week" else f"{c}_rate")
    if (kind, name) == ("team", "agents"):
        return frame.drop("overridden_verdicts").rename(
            lambda c: c.removeprefix("pass_rate_") + "_rate" if c.startswith("pass_rate_") else c
        )
    columns = _TERMINAL_COLUMNS.get((kind, name))
    return frame.select(columns) if columns else frame.select(pl.all())


def _cell(column: str, value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if "rate" in column or column in ("spread", "against_team"):
            return f"{100 * value:.0f}%"
        if column in ("start", "end"):
            return f"{int(value) // 60}:{int(value) % 60:02d}"
        return f"{value:.1f}" if "score" in column else f"{value:.2f}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "–"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "–"
    return str(value)

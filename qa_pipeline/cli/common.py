"""What every command shares: consoles, the common options, and failing with one clear line.

Light on purpose: ``qa-pipeline --help`` imports this and typer alone; each command imports
the stages it needs when it runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from qa_pipeline.scoring.engine import RubricScorer

__all__ = [
    "EXIT_BUSY",
    "EXIT_CALLS_FAILED",
    "DbOption",
    "ForceOption",
    "ManifestOption",
    "NoWaitOption",
    "RubricOption",
    "db_path",
    "err",
    "fail",
    "one_run_at_a_time",
    "option_date",
    "out",
    "scorer",
    "store_busy_fails",
    "stored_db",
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_CALLS_FAILED = 3
"""Exit status when the batch finished but some calls failed (each is stored with its reason)."""

EXIT_BUSY = 75
"""Exit status when the database was busy and nothing was done: another run holds it and
``--no-wait`` was given, or another process kept it past the wait. Try again later (75 is
EX_TEMPFAIL, which schedulers read as "retry")."""

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="DuckDB file. Default: $QA_PIPELINE_DB, else qa.duckdb in the working folder.",
    ),
]
ManifestOption = Annotated[
    Path | None, typer.Option("--manifest", help="CSV or JSON-lines call metadata.")
]
RubricOption = Annotated[
    Path | None,
    typer.Option("--rubric", help="Rubric YAML. Default: rubrics/default.yaml."),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Reprocess calls even when their content is unchanged.")
]
NoWaitOption = Annotated[
    bool,
    typer.Option(
        "--no-wait",
        help="If another run is writing to the database, exit at once (status 75) instead of "
        "waiting for it to finish.",
    ),
]


def db_path(db: Path | None) -> Path:
    """The database file: ``--db``, else ``$QA_PIPELINE_DB``, else ./qa.duckdb."""
    return db or Path(os.environ.get("QA_PIPELINE_DB", "qa.duckdb"))


def stored_db(db: Path | None) -> Path:
    """The database a read command opens: it must exist and be a DuckDB file we can read,
    else one line with the fix (exit 2)."""
    from qa_pipeline.errors import InputError
    from qa_pipeline.store.preflight import check_database

    path = db_path(db)
    if not path.exists():
        raise fail(f"{path}: no such database. Fix: run `qa-pipeline run` first, or pass --db.")
    try:
        check_database(path, write=False)
    except InputError as exc:
        raise fail(str(exc)) from exc
    return path


def scorer(rubric: Path | None) -> RubricScorer:
    """The rubric, validated before any call is touched: a bad rubric never scores. Built
    through scorer_for, so a flow in this process reuses it."""
    from qa_pipeline.errors import InputError
    from qa_pipeline.scoring.engine import scorer_for

    try:
        return scorer_for(rubric)
    except InputError as exc:
        raise fail(str(exc)) from exc


@contextmanager
def one_run_at_a_time(db: Path, no_wait: bool) -> Iterator[None]:
    """Holds the database's run lock for a batch command: waits for another run (saying so in
    one line), or with ``--no-wait`` fails with EXIT_BUSY. Any StoreBusy inside fails the same
    way."""
    from qa_pipeline.store import RunHolder, RunInProgress, run_lock

    def notice(holder: RunHolder) -> None:
        err.print(f"{holder.describe()} is writing to {db.name}; waiting…", markup=False)

    with ExitStack() as stack:
        try:
            stack.enter_context(run_lock(db, wait=not no_wait, on_wait=notice))
        except RunInProgress as exc:
            raise fail(str(exc), EXIT_BUSY) from None
        except OSError as exc:
            from qa_pipeline.errors import os_reason

            raise fail(
                f"{db}: cannot take the run lock beside it ({os_reason(exc)}). Fix: pass a "
                "--db in a folder you can write to."
            ) from None
        with store_busy_fails():
            yield


@contextmanager
def store_busy_fails() -> Iterator[None]:
    """Turns StoreBusy (the database stayed locked past the wait) into its one line and
    EXIT_BUSY: no user ever sees DuckDB's lock error."""
    from qa_pipeline.store import StoreBusy

    try:
        yield
    except StoreBusy as exc:
        raise fail(str(exc), EXIT_BUSY) from None


def option_date(option: str, value: str | None) -> date | None:
    """A date option (YYYY-MM-DD), or None when not given; a bad one fails with its fix."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} {value!r} is not a date. Fix: write it as YYYY-MM-DD.") from None


def fail(message: str, code: int = 2) -> typer.Exit:
    """Prints ``error: message`` on stderr; raise what it returns to exit with ``code``.

    The message is printed literally: it often quotes user data (a call id, a team, a path),
    whose square brackets rich would read as markup."""
    from qa_pipeline.reports.text import for_markup

    err.print(f"[red]error:[/red] {for_markup(message, lines=True)}", markup=True)
    return typer.Exit(code)

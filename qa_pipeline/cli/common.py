"""What every command shares: consoles, the common options, and failing with one clear line.

Light on purpose: ``qa-pipeline --help`` imports this and typer alone; each command imports
the stages it needs when it runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from qa_pipeline.scoring.engine import RubricScorer

__all__ = [
    "EXIT_CALLS_FAILED",
    "DbOption",
    "ForceOption",
    "ManifestOption",
    "RubricOption",
    "db_path",
    "err",
    "fail",
    "out",
    "scorer",
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_CALLS_FAILED = 3
"""Exit status when the batch finished but some calls failed (each is stored with its reason)."""

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


def db_path(db: Path | None) -> Path:
    """The database file: ``--db``, else ``$QA_PIPELINE_DB``, else ./qa.duckdb."""
    return db or Path(os.environ.get("QA_PIPELINE_DB", "qa.duckdb"))


def scorer(rubric: Path | None) -> RubricScorer:
    """The rubric, validated before any call is touched: a bad rubric never scores. Built
    through scorer_for, so a flow in this process reuses it."""
    from qa_pipeline.errors import InputError
    from qa_pipeline.scoring.engine import scorer_for

    try:
        return scorer_for(rubric)
    except InputError as exc:
        raise fail(str(exc)) from exc


def fail(message: str, code: int = 2) -> typer.Exit:
    """Prints ``error: message`` on stderr; raise what it returns to exit with ``code``.

    The message is printed literally: it often quotes user data (a call id, a team, a path),
    whose square brackets rich would read as markup."""
    from qa_pipeline.reports.text import for_markup

    err.print(f"[red]error:[/red] {for_markup(message, lines=True)}", markup=True)
    return typer.Exit(code)

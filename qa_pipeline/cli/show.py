"""``qa-pipeline show``: one stored call, as text or JSON."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from qa_pipeline.cli.common import DbOption, fail, out, store_busy_fails, stored_db

__all__ = ["show"]


def show(
    call_id: Annotated[str, typer.Argument(help="The call to show.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the call as JSON.")] = False,
) -> None:
    """Show a stored call: its turns by speaker, and its rubric verdicts with evidence."""
    from qa_pipeline.reports.call import call_document, render_text
    from qa_pipeline.store import Store

    path = stored_db(db)
    # Waits briefly while a run writes a call (a run never keeps the file from a reader).
    with store_busy_fails(), Store(path, read_only=True) as store:
        detail = store.detail(call_id)
    if detail is None:
        raise fail(
            f"{path}: no call {call_id!r}. Fix: check the id with `qa-pipeline run`'s summary."
        )
    doc = call_document(detail)
    if as_json:
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        out.print(render_text(doc))

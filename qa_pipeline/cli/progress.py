"""The progress bar of ``run``, ``import`` and ``rescore``: calls done of total, audio hours,
failures so far and the time left, on standard error (standard output keeps the summary)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from qa_pipeline.cli.common import err

__all__ = ["progress_bar"]


@contextmanager
def progress_bar(verb: str, audio: bool = True) -> Iterator[None]:
    """Shows every batch this process runs inside the block as one bar labelled ``verb``."""
    from qa_pipeline.batch import progress as batch_progress

    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("calls"),
        TextColumn("{task.fields[audio]}"),
        TextColumn("{task.fields[failed]} ·"),
        TimeElapsedColumn(),
        TextColumn("· ETA"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=err, transient=not err.is_terminal) as bar:
        task = bar.add_task(verb, total=None, audio="", failed="")

        def show(now: batch_progress.Progress) -> None:
            bar.update(
                task,
                total=now.total,
                completed=now.done,
                audio=f"· {now.audio_s / 3600:.2f} h audio" if audio else "",
                failed=f"· [red]{now.failed} failed[/red]" if now.failed else "· 0 failed",
            )

        with batch_progress.watching(show):
            yield

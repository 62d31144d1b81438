"""Progress of a batch for whoever watches it (the command line's progress bar).

The batch loops (``run_batch``, ``import_transcripts``, ``rescore`` and the score-calls flow)
report each call here; a watcher registered with ``watching`` sees a ``Progress`` after each.
Flows cannot take a callback as a parameter (parameters are data), so watchers register in
the process the loop runs in; with nobody watching, reporting costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from qa_pipeline.records import CallOutcome, Status

__all__ = ["Progress", "Tracker", "Watcher", "watching"]


@dataclass(frozen=True)
class Progress:
    """Where a batch stands.

    Attributes:
        total: calls the batch will process (skipped calls are not counted).
        done: calls processed so far, failed ones included.
        failed: calls that failed so far.
        audio_s: seconds of audio of the calls processed so far.
        last: the last call's id and what happened to it.
    """

    total: int
    done: int = 0
    failed: int = 0
    audio_s: float = 0.0
    last: str = ""


Watcher = Callable[[Progress], None]

_watchers: list[Watcher] = []


@contextmanager
def watching(watcher: Watcher) -> Iterator[None]:
    """Shows ``watcher`` every batch's progress in this process while the block runs."""
    _watchers.append(watcher)
    try:
        yield
    finally:
        _watchers.remove(watcher)


class Tracker:
    """Counts one batch's calls and tells the watchers."""

    def __init__(self, total: int) -> None:
        self.progress = Progress(total=total)
        self._tell()

    def call_done(self, outcome: CallOutcome) -> None:
        """Notes a processed call (stored or failed)."""
        failed = outcome.status is Status.FAILED
        self.progress = replace(
            self.progress,
            done=self.progress.done + 1,
            failed=self.progress.failed + failed,
            audio_s=self.progress.audio_s + (outcome.duration_s or 0.0),
            last=f"{outcome.meta.call_id}: {outcome.status}",
        )
        self._tell()

    def advance(self, calls: int, last: str = "") -> None:
        """Notes ``calls`` more calls done that have no outcome of their own (rescoring)."""
        self.progress = replace(self.progress, done=self.progress.done + calls, last=last)
        self._tell()

    def _tell(self) -> None:
        for watcher in list(_watchers):
            watcher(self.progress)

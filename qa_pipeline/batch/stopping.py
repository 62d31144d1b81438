"""Stopping a batch on Ctrl-C or SIGTERM within seconds, and leaving no process behind.

A run has helpers: worker processes (one per ``--workers``) and, without ``PREFECT_API_URL``,
Prefect's temporary API server. What happens:

- Ctrl-C sends SIGINT to the whole process group. Workers ignore it and the temporary server
  runs in a session of its own, so only the main process decides what to do: it unwinds (a
  call being written is committed whole or rolled back by DuckDB, never half-stored), says
  how many calls were stored, and exits 130 (SIGINT) or 143 (SIGTERM, e.g. ``kill`` or a
  service manager). What was not stored is done by the next run.
- If unwinding takes longer than ``GRACE_S`` (a worker in the middle of a long
  transcription), or a second signal comes, every child process is killed and the process
  exits at once with the same code.
- Children watch their parent: when it dies, even by ``kill -9``, a worker or the temporary
  server notices within a second (its parent id changes) and exits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "GRACE_S",
    "Interrupted",
    "StopRequest",
    "guard_prefect_server",
    "stop_on_signals",
    "stopped_line",
    "worker_setup",
]

EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM
GRACE_S = 15.0
"""How long the main process may take to unwind after a signal before children are killed."""
_PARENT_POLL_S = 0.5


class Interrupted(KeyboardInterrupt):
    """A run stopped by a signal; ``exit_code`` is 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.exit_code = 128 + signum


class StopRequest:
    """Which signal asked the process to stop, if any (libraries on the way out, Prefect's
    flow engine among them, may turn the exception into another or swallow it)."""

    signum: int | None = None

    @property
    def exit_code(self) -> int | None:
        return None if self.signum is None else 128 + self.signum


@contextmanager
def stop_on_signals(grace_s: float = GRACE_S) -> Iterator[StopRequest]:
    """SIGINT and SIGTERM raise ``Interrupted`` in the main thread; past ``grace_s`` (or at
    a second signal) every child process is killed and the process exits with 128 + signal."""
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return

    def stop(signum: int) -> None:
        if request.signum is not None:
            return
        request.signum = signum
        threading.Thread(
            target=_deadline, args=(signum, grace_s), name="stop-deadline", daemon=True
        ).start()

    handled: list[int] = []

    def handle(signum: int, _frame: object) -> None:
        if handled:  # a second Ctrl-C: the user will not wait
            _kill_children_and_exit(handled[0])
        handled.append(signum)
        stop(signum)
        raise Interrupted(signum)

    # Libraries may put their own handlers in for a while (Prefect's flow engine does for
    # SIGTERM, and a signal can get lost on its way out): the wake-up fd hears every signal
    # whoever handles it, so the deadline starts in any case.
    reader, writer = os.pipe()
    os.set_blocking(writer, False)
    threading.Thread(target=_listen, args=(reader, stop), name="stop-listener", daemon=True).start()
    before = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    old_fd = signal.set_wakeup_fd(writer, warn_on_full_buffer=False)
    try:
        yield request
    finally:
        signal.set_wakeup_fd(old_fd)
        for s, old in before.items():
            signal.signal(s, old)
        os.close(writer)


def _listen(reader: int, stop: Callable[[int], None]) -> None:
    while chunk := os.read(reader, 64):
        for signum in chunk:
            if signum in (signal.SIGINT, signal.SIGTERM):
                stop(signum)
    os.close(reader)


def _deadline(signum: int, grace_s: float) -> None:
    time.sleep(grace_s)
    _kill_children_and_exit(signum)


def _kill_children_and_exit(signum: int) -> None:
    for pid in _descendants(os.getpid()):
        with contextlib.suppress(OSError):  # already gone
            os.kill(pid, signal.SIGKILL)
    sys.stderr.write(stopped_line(signum))
    sys.stderr.flush()
    os._exit(128 + signum)


def stopped_line(signum: int) -> str:
    """The last line a stopped run prints, the same whether it unwound or was cut short."""
    name = signal.Signals(signum).name
    return f"stopped ({name}): calls already stored are kept; the next run does the rest\n"


def _descendants(root: int) -> list[int]:
    """Every living process below ``root`` (children first found, then theirs), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields start after the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, frontier = [], [root]
    while frontier:
        children = parents.get(frontier.pop(), [])
        found += children
        frontier += children
    return found


def watch_parent() -> None:
    """Exits this process when its parent dies (its parent id changes): started once in each
    worker and in the temporary server, so a killed run leaves nothing running."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


_worker_ready = False


def worker_setup() -> None:
    """Called at the start of each task in a worker process (once per process does the work):
    Ctrl-C is the main process's to handle, and the worker dies with its parent."""
    global _worker_ready
    import multiprocessing

    if _worker_ready or multiprocessing.current_process().name == "MainProcess":
        return  # one worker: the calls run in the main process itself
    if threading.current_thread() is threading.main_thread():
        # (a Dask worker runs tasks in threads, where signals cannot be set: its nanny, not
        # the terminal, stops it)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent()
    from qa_pipeline.batch.logs import follow_run_log

    follow_run_log()
    _worker_ready = True


def guard_prefect_server() -> None:
    """Makes Prefect's temporary API server, when it starts, run in a session of its own
    (Ctrl-C to the run's group must not kill it mid-run, which hung the run) and exit when
    the run's process dies. Prefect starts it with ``python -m uvicorn ...``: that command
    becomes ``python -m qa_pipeline.batch.guarded_server ...``."""
    import subprocess

    from prefect.server.api import server

    if getattr(server.subprocess, "guarded", False):
        return

    class _Guarded:
        guarded = True

        def __getattr__(self, name: str) -> object:
            return getattr(subprocess, name)

        @staticmethod
        def Popen(args: list[str], **kwargs: object) -> subprocess.Popen:  # noqa: N802
            if list(args[1:3]) == ["-m", "uvicorn"]:
                args = [args[0], "-m", "qa_pipeline.batch.guarded_server", *args[3:]]
                kwargs["start_new_session"] = True
            return subprocess.Popen(args, **kwargs)  # type: ignore[call-overload]

    server.subprocess = _Guarded()  # type: ignore[assignment]

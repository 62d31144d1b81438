"""Sharing the database file between processes: short opens, brief waits, one run at a time.

DuckDB lets one process open a file for writing, or any number open it read-only, never both:
an open that conflicts fails at once with "Could not set lock on file". So nobody keeps the
file from anyone who wants it:

- Every open goes through ``open_connection``. When the file is taken it raises a flag (a
  shared flock on ``<db>.wait.lock``) and retries with a short backoff for a bounded time,
  then gives up with ``StoreBusy``, a one-line error of our own.
- A Store works through a ``SharedConnection``: a connection opened for a unit of work (one
  call's transaction, one override, one read) and kept after it only while nobody else wants
  the file. A watcher thread looks at the flag every 20 ms and closes the idle connection as
  soon as it is up, or after ``linger_s`` (5 s) of idleness in any case. A unit of work in progress
  finishes first: a reader waits at most about one call's write. Opening costs about 12 ms and
  closing after a write (DuckDB's checkpoint) about as much again, which is why a busy writer
  keeps its connection while nobody waits instead of reopening for every call.
- Before opening, a process lets the ones already waiting go first (up to a second), so a
  writer storing calls back to back cannot starve a reader.

Whole runs (``run``, ``import``, ``rescore``) are serialised by ``run_lock``, an ``flock`` on
``<db>.run.lock`` beside the database that records who holds it. The kernel drops an flock
when its process dies, so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from qa_pipeline.errors import QAPipelineError

__all__ = [
    "DEFAULT_WAIT_S",
    "LINGER_S",
    "WAIT_ENV",
    "RunHolder",
    "RunInProgress",
    "SharedConnection",
    "StoreBusy",
    "open_connection",
    "others_waiting",
    "run_lock",
    "run_lock_path",
    "wait_flag_path",
    "wait_s_from_env",
]

DEFAULT_WAIT_S = 10.0
"""How long an open waits for another process to let go of the file before giving up."""

WAIT_ENV = "QA_PIPELINE_DB_WAIT_S"
"""Environment variable that changes DEFAULT_WAIT_S (seconds)."""

_FIRST_BACKOFF_S = 0.02
_MAX_BACKOFF_S = 0.2
_LOCK_ERROR = "Could not set lock on file"
# One process may not mix read-only and read-write connections to one file; DuckDB says so
# with this message, and the answer is the same: wait for the other connection to close.
_MODE_ERROR = "different configuration than existing connections"
_RUN_POLL_S = 0.25
_POLITE_S = 1.0
_POLITE_POLL_S = 0.01
_WATCH_S = 0.02
_EXIT_WAIT_S = 10.0  # at exit, for a unit of work or a close still under way in another thread
LINGER_S = 5.0
"""How long a Store keeps an idle connection while nobody else wants the file."""


class StoreBusy(QAPipelineError):
    """The database stayed locked by another process for longer than we were willing to wait."""

    def __init__(self, path: Path, waited_s: float, holder_pid: int | None) -> None:
        self.path = path
        self.waited_s = waited_s
        self.holder_pid = holder_pid
        who = f" (pid {holder_pid})" if holder_pid else ""
        super().__init__(
            f"{path.name} is busy: another qa-pipeline process{who} is writing to it; try "
            f"again in a moment (waited {waited_s:g} s; set {WAIT_ENV} to wait longer)"
        )

    def __reduce__(self) -> tuple[type, tuple[Path, float, int | None]]:
        # A flow's error may travel by pickle (Prefect's states, worker processes).
        return (StoreBusy, (self.path, self.waited_s, self.holder_pid))


@dataclass(frozen=True)
class RunHolder:
    """Who holds a database's run lock, as it wrote itself into the lock file."""

    pid: int | None
    started_at: str
    command: str

    def describe(self) -> str:
        pid = f"pid {self.pid}" if self.pid else "pid unknown"
        started = f", started {self.started_at}" if self.started_at else ""
        return f"another run ({pid}{started})"


class RunInProgress(QAPipelineError):
    """Another run is writing to the database and this one was told not to wait."""

    def __init__(self, path: Path, holder: RunHolder) -> None:
        self.path = path
        self.holder = holder
        super().__init__(
            f"{holder.describe()} is writing to {path.name}. Fix: wait for it to finish, or "
            f"leave out --no-wait to queue behind it."
        )

    def __reduce__(self) -> tuple[type, tuple[Path, RunHolder]]:
        return (RunInProgress, (self.path, self.holder))


def wait_s_from_env() -> float:
    """DEFAULT_WAIT_S, or $QA_PIPELINE_DB_WAIT_S when it holds a non-negative number."""
    raw = os.environ.get(WAIT_ENV, "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_WAIT_S
    return value if value >= 0 and value != float("inf") else DEFAULT_WAIT_S


def open_connection(path: Path, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    """Opens the DuckDB file, waiting up to ``wait_s`` while another process has it.

    Lets processes already waiting go first; while the file is taken, flags that it waits (so
    a Store holding the file idle lets go) and retries, backing off from 20 ms, doubling to
    200 ms.

    Raises:
        StoreBusy: still taken after ``wait_s``.
    """
    deadline = time.monotonic() + wait_s
    _let_waiters_go_first(path, min(wait_s, _POLITE_S))
    backoff_s = _FIRST_BACKOFF_S
    flag: int | None = None
    try:
        while True:
            try:
                con = duckdb.connect(str(path), read_only=read_only)
                # no DuckDB progress bar on a user's terminal: our commands say what they do
                con.execute("set enable_progress_bar = false")
                return con
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                message = str(exc)
                if _LOCK_ERROR not in message and _MODE_ERROR not in message:
                    raise
                left_s = deadline - time.monotonic()
                if left_s <= 0:
                    raise StoreBusy(path, wait_s, _holder_pid(message)) from None
                if flag is None:
                    flag = _raise_flag(path)
                time.sleep(min(backoff_s, left_s))
                backoff_s = min(backoff_s * 2, _MAX_BACKOFF_S)
    finally:
        if flag is not None:
            os.close(flag)  # lowers the flag


def wait_flag_path(db: Path) -> Path:
    """The flag file of a database: ``<db>.wait.lock``, share-locked by whoever waits."""
    return db.with_name(db.name + ".wait.lock")


def _raise_flag(db: Path) -> int | None:
    try:
        fd = os.open(wait_flag_path(db), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        return None  # e.g. a read-only folder: wait without the flag
    # Blocks only for the microseconds a probe (others_waiting) holds the flag exclusively.
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


_probes: dict[Path, int] = {}
_probes_guard = threading.Lock()


def others_waiting(db: Path) -> bool:
    """True while another process (or another Store of this one) waits to open ``db``."""
    key = Path(os.path.abspath(db))
    with _probes_guard:
        fd = _probes.get(key)
        if fd is None:
            try:
                fd = os.open(wait_flag_path(key), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError:
                return False
            _probes[key] = fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False


def _let_waiters_go_first(db: Path, bound_s: float) -> None:
    deadline = time.monotonic() + bound_s
    while others_waiting(db) and time.monotonic() < deadline:
        time.sleep(_POLITE_POLL_S)


class SharedConnection:
    """A Store's connection to its file: opened for a unit of work, kept while the file is
    wanted by nobody else, closed within about 20 ms once someone waits (see the module).

    Args:
        path: the database file.
        read_only: open read-only.
        wait_s: how long an open waits for others (``open_connection``).
        linger_s: how long an idle connection is kept when nobody waits; 0 closes it after
            every unit of work; None keeps it until close() whoever waits (the design before
            concurrent use, for benchmarks).
    """

    def __init__(
        self, path: Path, read_only: bool, wait_s: float, linger_s: float | None = LINGER_S
    ) -> None:
        self.path = path
        self.read_only = read_only
        self.wait_s = wait_s
        self.linger_s = linger_s
        self._mutex = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._last_used = 0.0
        self._watching = False  # changed only under _mutex, so no connection goes unwatched

    @contextmanager
    def use(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection, for one unit of work; other threads wait their turn."""
        with self._mutex:
            if self._con is None:
                self._con = open_connection(self.path, self.read_only, self.wait_s)
                _open_connections.add(self)
            try:
                yield self._con
            except BaseException:
                # After an error DuckDB may have invalidated the database: start afresh.
                self._close()
                raise
            finally:
                self._last_used = time.monotonic()
                if self.linger_s is not None and (self.linger_s <= 0 or others_waiting(self.path)):
                    self._close()
                elif self.linger_s is not None:
                    self._watch()

    def close(self) -> None:
        """Closes the connection now (it is reopened by the next unit of work)."""
        with self._mutex:
            self._close()

    def _close(self) -> None:
        # Known as open until DuckDB has finished closing (a checkpoint can take a while), so
        # that _close_all at exit waits for a close the watcher has begun.
        try:
            if self._con is not None:
                self._con.close()
        finally:
            self._con = None
            _open_connections.discard(self)

    def _watch(self) -> None:
        if not self._watching:
            self._watching = True
            threading.Thread(
                target=self._let_go_when_wanted, name=f"qa-store-{self.path.name}", daemon=True
            ).start()

    def _let_go_when_wanted(self) -> None:
        assert self.linger_s is not None
        while True:
            time.sleep(_WATCH_S)
            if not self._mutex.acquire(blocking=False):
                continue  # a unit of work is running: it decides when it ends
            try:
                if self._con is not None:
                    idle_s = time.monotonic() - self._last_used
                    if idle_s < self.linger_s and not others_waiting(self.path):
                        continue
                    self._close()
                self._watching = False
                return
            finally:
                self._mutex.release()


_open_connections: weakref.WeakSet[SharedConnection] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    # Closing checkpoints DuckDB's journal into the file, so the next open need not replay it.
    # It also waits for a close the watcher thread is part way through: a daemon thread that
    # comes back out of DuckDB after the interpreter has begun to finalise is torn down inside
    # DuckDB's C++ frames, and the process aborts ("FATAL: exception not rethrown", exit 134).
    for shared in list(_open_connections):
        if shared._mutex.acquire(timeout=_EXIT_WAIT_S):
            try:
                shared._close()
            finally:
                shared._mutex.release()


def _holder_pid(message: str) -> int | None:
    # DuckDB names the holder: '... Conflicting lock is held in /usr/bin/python3 (PID 123)'.
    marker = "(PID "
    at = message.find(marker)
    if at < 0:
        return None
    digits = message[at + len(marker) :].split(")", 1)[0]
    return int(digits) if digits.isdigit() else None


def run_lock_path(db: Path) -> Path:
    """The run lock of a database: ``<db>.run.lock`` beside it."""
    return db.with_name(db.name + ".run.lock")


@dataclass
class _Held:
    fd: int
    depth: int


_held: dict[Path, _Held] = {}
_held_guard = threading.Lock()


@contextmanager
def run_lock(
    db: Path,
    wait: bool = True,
    on_wait: Callable[[RunHolder], None] | None = None,
) -> Iterator[None]:
    """Holds the database's run lock for a whole run; reentrant within a process.

    Args:
        db: the database file.
        wait: wait for another run to finish; with False, raise at once.
        on_wait: told once who holds the lock, when this run has to wait.

    Raises:
        RunInProgress: another run holds the lock and ``wait`` is False.
        OSError: the lock file cannot be created beside the database.
    """
    key = Path(os.path.abspath(db))
    with _held_guard:
        held = _held.get(key)
        if held is not None:
            held.depth += 1
    if held is None:
        held = _Held(_acquire(key, wait, on_wait), 1)
        with _held_guard:
            _held[key] = held
    try:
        yield
    finally:
        with _held_guard:
            held.depth -= 1
            done = held.depth == 0
            if done:
                del _held[key]
        if done:
            os.close(held.fd)  # closing the file drops the flock


def _acquire(db: Path, wait: bool, on_wait: Callable[[RunHolder], None] | None) -> int:
    path = run_lock_path(db)
    # Not truncated on open: the file names its holder until we own it.
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _read_holder(path)
                if not wait:
                    raise RunInProgress(db, holder) from None
                if not told and on_wait is not None:
                    on_wait(holder)
                told = True
                time.sleep(_RUN_POLL_S)
        _write_holder(fd)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _write_holder(fd: int) -> None:
    holder = {
        "pid": os.getpid(),
        "started_at": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"),
        "command": " ".join(sys.argv)[:500],
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(holder).encode(), 0)


def _read_holder(path: Path) -> RunHolder:
    try:
        data = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    pid = data.get("pid")
    return RunHolder(
        pid if isinstance(pid, int) else None,
        str(data.get("started_at", "")),
        str(data.get("command", "")),
    )

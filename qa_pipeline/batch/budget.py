"""A per-call time budget: past it, the call fails with code ``timeout`` and the batch goes on.

A watchdog thread raises ``CallTimeout`` in the thread processing the call (CPython's
PyThreadState_SetAsyncExc), which works in a worker process's main thread and in a thread
pool alike, where signals (SIGALRM) cannot reach. The exception lands at the next Python
bytecode: a native call (decoding a packet, one CTranslate2 step) finishes first, and faster-
whisper, the diarisers and the scorer all return to Python often. Everything between is plain
Python that unwinds normally, so the worker is left fit for its next call.

A call stuck inside one native call never reaches the next bytecode. So in a worker process
the watcher gives it ``stuck_grace_s`` more, then ends the process (SIGKILL): the flow starts
a fresh worker in its place and records the call as failed (``worker_died``), and the batch
goes on. In the run's own process (``--workers 1``) there is nobody to take over, so it waits.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["CallBudget", "CallTimeout", "Deadline", "within_budget"]

T = TypeVar("T")


@dataclass(frozen=True)
class CallBudget:
    """How long one call may take, scaled to its length unless fixed.

    Attributes:
        fixed_s: one budget for every call, whatever its length (``--call-timeout-s``).
        base_s: the budget before the recording's length is known, and the part every call
            gets; decoding, loading models and scoring fit in it.
        per_audio_s: seconds of budget per second of audio, added once it is decoded: tiny.en
            with the embedding diariser runs well under 1 on two cores.
        stuck_grace_s: past the budget, how long a call may stay inside one native call
            before its worker process is ended (worker processes only); one CTranslate2
            step takes seconds at most.
    """

    fixed_s: float | None = None
    base_s: float = 300.0
    per_audio_s: float = 3.0
    stuck_grace_s: float = 60.0

    def budget_s(self, duration_s: float | None) -> float:
        if self.fixed_s is not None:
            return self.fixed_s
        return self.base_s + self.per_audio_s * (duration_s or 0.0)


class CallTimeout(BaseException):
    """Raised in the processing thread when its call's budget is spent. A BaseException, like
    KeyboardInterrupt, so no library's `except Exception` swallows it on the way out."""


class Deadline:
    """Watches one call; ``extend_for`` rescales the budget once the audio's length is known."""

    def __init__(self, budget: CallBudget) -> None:
        self.budget = budget
        self.budget_s = budget.budget_s(None)
        self.started = time.monotonic()
        self.fired = False
        self._target = threading.get_ident()
        self._armed = False
        self._done = False
        # Reentrant: a timeout landing inside one of the `with` blocks below leaves the lock
        # held by this thread, and close() must still get in.
        self._changed = threading.Condition(threading.RLock())
        self._watcher = threading.Thread(target=self._watch, name="call-budget", daemon=True)
        self._watcher.start()

    def arm(self) -> None:
        """Starts the clock. Before it the watcher never fires, so a timeout cannot land in
        the middle of starting its thread."""
        with self._changed:
            self.started = time.monotonic()
            self._armed = True
            self._changed.notify()

    def extend_for(self, duration_s: float) -> None:
        with self._changed:
            self.budget_s = self.budget.budget_s(duration_s)
            self._changed.notify()

    def close(self) -> None:
        """Stops watching; after it returns the watcher can no longer fire."""
        with self._changed:
            self._done = True
            self._changed.notify()
        self._watcher.join()

    def _watch(self) -> None:
        with self._changed:
            # Ends: each wait lasts until the budget runs out or arm(), extend_for() or close()
            # wakes it, and the loop leaves on close or after firing once.
            while not self._done:
                if not self._armed:
                    self._changed.wait()
                    continue
                remaining_s = self.started + self.budget_s - time.monotonic()
                if remaining_s <= 0:
                    self.fired = True
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(
                        ctypes.c_ulong(self._target), ctypes.py_object(CallTimeout)
                    )
                    self._end_process_if_stuck()
                    return
                self._changed.wait(remaining_s)

    def _end_process_if_stuck(self) -> None:
        """Called with the lock held, once the timeout is raised: the call unwinds (close()
        sets _done) unless it is stuck in native code, where only ending the process helps."""
        if multiprocessing.parent_process() is None:
            return  # the run's own process: ending it would end the batch
        until = time.monotonic() + self.budget.stuck_grace_s
        while not self._done and time.monotonic() < until:
            self._changed.wait(until - time.monotonic())
        if not self._done:
            os.kill(os.getpid(), signal.SIGKILL)


def within_budget(
    work: Callable[[Deadline], T], budget: CallBudget, on_timeout: Callable[[float], T]
) -> T:
    """``work(deadline)``, or ``on_timeout(budget_s)`` when it runs past its budget."""
    deadline = Deadline(budget)
    try:
        try:
            deadline.arm()
            return work(deadline)
        finally:
            deadline.close()
    except CallTimeout:
        # The timeout may land a moment late (inside close): it still means the budget ran
        # out, and close() runs again so the watcher knows the call has let go.
        deadline.close()
        return on_timeout(deadline.budget_s)

"""The per-call time budget: work past it stops with a timeout, in any thread, and work within
it is untouched; a worker process whose call is stuck in native code past it is ended."""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

from qa_pipeline.batch.budget import CallBudget, Deadline, within_budget

STUCK_S = 120


def _spin(_deadline: Deadline) -> str:
    while True:  # a hang, as smooth_labels or a backtracking regex used to be
        pass


def _timed_out(budget_s: float) -> str:
    return f"timeout after {budget_s:g} s"


def test_a_hung_call_times_out_and_the_thread_goes_on() -> None:
    budget = CallBudget(fixed_s=0.2)
    assert within_budget(_spin, budget, _timed_out) == "timeout after 0.2 s"
    # The same thread runs the next call normally, and no late timeout reaches it.
    assert within_budget(lambda d: "done", budget, _timed_out) == "done"
    total = sum(range(10**6))  # plenty of bytecode after: nothing pending
    assert total > 0


def test_it_works_in_a_pool_thread_too() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        hung = pool.submit(within_budget, _spin, CallBudget(fixed_s=0.2), _timed_out)
        assert hung.result(timeout=30) == "timeout after 0.2 s"
        fine = pool.submit(within_budget, lambda d: threading.get_ident(), CallBudget(), _timed_out)
        assert isinstance(fine.result(timeout=30), int)


def test_the_budget_scales_with_the_recording() -> None:
    budget = CallBudget(base_s=0.2, per_audio_s=0.1)
    assert budget.budget_s(None) == 0.2 and budget.budget_s(10.0) == 1.2
    assert CallBudget(fixed_s=5).budget_s(3600) == 5

    def long_call(deadline: Deadline) -> str:
        deadline.extend_for(10.0)  # the decoded length: 1.2 s in all
        return _spin(deadline)

    assert within_budget(long_call, budget, _timed_out) == "timeout after 1.2 s"


def _stuck_in_native_code(_deadline: Deadline) -> str:
    time.sleep(STUCK_S)  # one C call: the timeout cannot land until it returns
    return "finished"


def _stuck_call() -> str:
    return within_budget(
        _stuck_in_native_code, CallBudget(fixed_s=0.2, stuck_grace_s=0.3), _timed_out
    )


def test_a_call_stuck_in_native_code_ends_its_worker_process() -> None:
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        began = time.monotonic()
        with pytest.raises(BrokenProcessPool):
            pool.submit(_stuck_call).result(timeout=60)
        # ended past budget and grace, long before the native call would have returned
        assert time.monotonic() - began < STUCK_S


def test_in_the_runs_own_process_a_stuck_call_is_waited_for() -> None:
    budget = CallBudget(fixed_s=0.1, stuck_grace_s=0.1)
    assert within_budget(lambda d: time.sleep(0.6), budget, _timed_out) == "timeout after 0.1 s"

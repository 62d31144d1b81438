"""The scoring flow: discover -> decode -> transcribe -> diarise -> score -> store, concurrently.

Tasks are thin wrappers over qa_pipeline.batch: ``plan_inputs`` decides which recordings need
work, ``process_in_worker`` turns one recording into a CallOutcome in a worker, and ``record``
writes it.
Workers never touch the database: they return outcomes, and the flow's own process stores each
call in one transaction (DuckDB has one writer). So a run killed at any moment leaves every
call either fully stored or not at all, and the next run does exactly the rest.

``score_calls`` picks the task runner from its parameters and runs ``score_batch`` under it:
a pool of worker processes on this machine (each loads its models once), or a Dask cluster.

A worker that dies mid-call (the kernel's out-of-memory killer, a crash in native decoding or
inference, a call stuck in native code past its budget) takes down the process pool with every
call in it. The pool is started afresh, and the calls that were in it go again one at a time,
so the one that kills its worker alone is found, recorded as failed (``worker_died``) and
counts towards its attempts, and the batch goes on.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture, as_completed
from prefect.states import Completed, Failed, State
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from qa_pipeline.batch.options import PipelineOptions
from qa_pipeline.batch.params import ScoreParams, scorer_of
from qa_pipeline.batch.plan import CallJob, Plan, plan_inputs
from qa_pipeline.batch.process import failed_outcome, process_in_worker
from qa_pipeline.batch.progress import Tracker
from qa_pipeline.batch.reports import write_period_reports
from qa_pipeline.batch.run import BatchReport, hold_run_lock, open_store, record
from qa_pipeline.batch.summary import RunSummary, summarise
from qa_pipeline.records import CallOutcome, Status

if TYPE_CHECKING:
    from qa_pipeline.store import Store

__all__ = ["CallFailed", "ScoreParams", "score_batch", "score_calls", "task_runner_for"]

SUMMARY_ARTIFACT = "score-calls-summary"
_TRACKER_QUIET = "ignore:resource_tracker:UserWarning"


class CallFailed(Exception):
    """A call that failed in a worker. Carries its outcome so the store step records why."""

    def __init__(self, outcome: CallOutcome) -> None:
        super().__init__(outcome.error)
        self.outcome = outcome

    def __reduce__(self) -> tuple[type, tuple[CallOutcome]]:
        # Exceptions travel back from worker processes by pickle.
        return (CallFailed, (self.outcome,))


def _transient(_task: object, _task_run: object, state: State) -> bool:
    """Retry only trouble that can pass (file system, network, loading a model): a bad
    recording fails the same way every time."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, (OSError, MemoryError))


@task(
    retries=2,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    cache_policy=NO_CACHE,
)
def plan_calls(inputs: list[Path], store: Store, params: ScoreParams) -> Plan:
    """Finds the recordings and skips those already stored from the same bytes."""
    return plan_inputs(
        inputs, store, params.manifest, params.force, params.retry_failed, params.max_attempts
    )


@task(
    retries=2,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    retry_condition_fn=_transient,
    cache_policy=NO_CACHE,
    task_run_name="process-{job.meta.call_id}",
)
def process_call(job: CallJob, options: PipelineOptions, rubric: str | None) -> CallOutcome:
    """One recording to a scored outcome, in a worker; models and rubric load once per worker.

    Raises:
        CallFailed: the call failed (unreadable, silent, no speech ...); the task fails.
    """
    outcome = process_in_worker(job, options, rubric)
    if outcome.status is Status.FAILED:
        raise CallFailed(outcome)
    return outcome


@task(retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=1), cache_policy=NO_CACHE)
def store_call(store: Store, outcome: CallOutcome, report: BatchReport) -> None:
    """Writes one call in one transaction (in the flow's process: the only writer)."""
    record(store, outcome, report)


@task(cache_policy=NO_CACHE)
def write_reports(store: Store, params: ScoreParams) -> int:
    """Every team's and agent's coaching report for the period, for coaches in the morning."""
    written = write_period_reports(
        store, Path(params.reports_dir or "."), date.today(), params.report_days
    )
    return len(written)


def task_runner_for(workers: int, dask_address: str | None = None) -> TaskRunner:
    """Processes on this machine (``workers`` of them), or Dask: ``dask_address`` is a
    scheduler address (``tcp://host:8786``), or ``local`` for a LocalCluster of processes."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        if dask_address == "local":
            return DaskTaskRunner(
                cluster_kwargs={"n_workers": workers, "processes": True, "threads_per_worker": 1}
            )
        return DaskTaskRunner(address=dask_address)
    if workers <= 1:
        # One worker: run calls in the flow's own process, no pool to start.
        return ThreadPoolTaskRunner(max_workers=1)
    return RenewingProcessPoolTaskRunner(max_workers=workers)


class RenewingProcessPoolTaskRunner(ProcessPoolTaskRunner):
    """Prefect's process pool, started afresh when a worker died: a ProcessPoolExecutor that
    lost a worker abruptly is broken for good (every call in it fails, nothing more can be
    submitted)."""

    def __enter__(self) -> RenewingProcessPoolTaskRunner:
        # A worker killed mid-call leaves its semaphores to multiprocessing's resource tracker,
        # which unlinks them when the run ends and says so in a warning meant for developers.
        # The tracker is a child interpreter started with this process's -W options.
        if _TRACKER_QUIET not in sys.warnoptions:
            sys.warnoptions.append(_TRACKER_QUIET)
        return super().__enter__()

    def renew_if_broken(self) -> bool:
        """Starts a fresh pool in place of a broken one; True when it did."""
        executor = self._executor
        # The executor's own flag: set once a worker has died, never cleared.
        if executor is None or not getattr(executor, "_broken", False):
            return False
        self.__exit__(None, None, None)
        self.__enter__()
        return True


@flow(name="score-batch")
def score_batch(params: ScoreParams) -> State:
    """Processes a batch under the task runner it was given (see score_calls).

    Returns:
        Completed, or Failed named "Partial" when some calls failed; the RunSummary is the
        state's result either way.
    """
    logger = get_run_logger()
    began = time.perf_counter()
    # Each worker gets its share of the cores, so N workers do not fight over them.
    workers, rubric = params.workers, params.rubric
    cpu_threads = max(1, (os.cpu_count() or 1) // workers) if workers > 1 else 0
    options = params.pipeline_options(cpu_threads)
    scorer_of(params)  # a bad rubric stops the run before any call
    # One run at a time per database (a second run, or tonight's while yesterday's runs, waits).
    db = Path(params.db)
    with hold_run_lock(db, on_wait=logger.warning), open_store(db) as store:
        plan = plan_calls(params.expanded_inputs(), store, params)
        logger.info(
            "%d recordings found, %d to process, %d skipped as already done",
            plan.found,
            len(plan.jobs),
            len(plan.skipped),
        )
        report = BatchReport(found=plan.found, skipped=dict(plan.skipped), notes=list(plan.notes))
        tracker = Tracker(len(plan.jobs))
        # A bounded window of calls in flight keeps memory flat on long batches.
        window = max(2, 2 * workers)
        pending = list(reversed(plan.jobs))
        suspects: list[CallJob] = []  # in the pool when a worker died: each goes again alone
        alone: CallJob | None = None  # the suspect in flight on its own
        in_flight: dict[PrefectFuture, CallJob] = {}
        while pending or suspects or in_flight:
            if not in_flight:
                _renew_pool_if_broken()
            if suspects:
                if not in_flight:
                    alone = suspects.pop()
                    in_flight[process_call.submit(alone, options, rubric)] = alone
            else:
                alone = None
                while pending and len(in_flight) < window:
                    job = pending.pop()
                    in_flight[process_call.submit(job, options, rubric)] = job
            future = next(as_completed(list(in_flight)))
            job = in_flight.pop(future)
            outcome = _outcome_of(future, job)
            if outcome is None:  # its worker died
                if job is not alone:
                    logger.warning("a worker died; %s goes again on its own", job.meta.call_id)
                    suspects.append(job)
                    continue
                outcome = _worker_died(job)
            store_call(store, outcome, report)
            tracker.call_done(outcome)
            logger.info("stored %s: %s", job.meta.call_id, outcome.status)
        if params.reports_dir:
            files = write_reports(store, params)
            logger.info("%d report files written to %s", files, params.reports_dir)
    summary = summarise(report, time.perf_counter() - began)
    create_markdown_artifact(
        key=SUMMARY_ARTIFACT, markdown=summary.to_markdown(), description=summary.headline()
    )
    if summary.failed:
        stored = summary.scored + summary.transcribed + summary.needs_diarisation
        return Failed(
            name="Partial",
            message=f"{len(summary.failed)} call(s) failed, {stored} stored: {summary.headline()}",
            data=summary,
        )
    return Completed(message=summary.headline(), data=summary)


def _renew_pool_if_broken() -> None:
    runner = FlowRunContext.get().task_runner
    if isinstance(runner, RenewingProcessPoolTaskRunner) and runner.renew_if_broken():
        get_run_logger().warning("started a fresh pool of workers in place of the broken one")


def _worker_died(job: CallJob) -> CallOutcome:
    return failed_outcome(
        job,
        "worker_died",
        "the worker process processing this call died (ended by the system, e.g. out of "
        "memory, crashed in native code, or stuck in native code past the call's time budget).",
        "check that the recording plays and is not far longer than usual; it is tried again "
        "on later runs until --max-attempts.",
    )


def _outcome_of(future: PrefectFuture, job: CallJob) -> CallOutcome | None:
    """The call's outcome, also when its task failed: a failure is recorded with its reason.
    None when its worker process died, which broke the pool under it."""
    try:
        value = future.result(raise_on_failure=False)
    except BrokenProcessPool:
        return None
    if isinstance(value, CallOutcome):
        return value
    if isinstance(value, CallFailed):
        return value.outcome
    return failed_outcome(job, "crashed", f"processing crashed: {value!r}", "report this call.")


@flow(name="score-calls")
def score_calls(params: ScoreParams) -> State:
    """Scores the recordings in ``params.inputs`` into the DuckDB file ``params.db``.

    Picks the task runner from ``params.workers`` and ``params.dask_address`` and runs
    score_batch under it.

    Returns:
        Completed when every call worked, Failed named "Partial" when some calls failed (each
        is stored with its reason; the rest are kept); the RunSummary is the result either
        way. Call with ``return_state=True`` and read ``state.result(raise_on_failure=False)``.
    """
    runner = task_runner_for(params.workers, params.dask_address)
    with _api_shared_with_workers():
        state = score_batch.with_options(task_runner=runner)(params, return_state=True)
    summary = state.result(raise_on_failure=False)
    if not isinstance(summary, RunSummary):
        return state  # the batch itself broke (bad rubric, unreadable store): its error stands
    if state.is_failed():
        return Failed(name=state.name, message=state.message, data=summary)
    return Completed(message=state.message, data=summary)


@contextmanager
def _api_shared_with_workers() -> Iterator[None]:
    """Points worker processes at this run's Prefect API while the batch runs.

    Without a configured server, Prefect starts a temporary local one for this process; worker
    processes would each start their own and contend for its SQLite file.
    """
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value() or os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        os.environ["PREFECT_API_URL"] = str(client.api_url)
    try:
        yield
    finally:
        del os.environ["PREFECT_API_URL"]

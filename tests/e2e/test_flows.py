"""The Prefect flows, run for real under prefect_test_harness: end to end, rerun, a corrupt
file, Dask, the nightly schedule, and a flow process killed mid-run then run again."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.nightly import nightly_deployment
from flows.score_calls import SUMMARY_ARTIFACT, ScoreParams, score_calls
from qa_pipeline.batch.summary import RunSummary
from tests.support.paths import ROOT, SAMPLES

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("calls", "turns", "words", "call_scores", "item_results", "evidence")
        }


def _run(**kwargs):
    state = score_calls(ScoreParams(**kwargs), return_state=True)
    return state, state.result(raise_on_failure=False)


def test_flow_scores_the_samples_and_a_rerun_is_a_no_op(tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    state, summary = _run(
        inputs=[str(SAMPLES)], db=str(db), manifest=str(SAMPLES / "manifest.csv"), workers=2
    )
    assert state.is_completed(), state.message
    assert isinstance(summary, RunSummary)
    assert (summary.found, summary.scored, summary.skipped, summary.failed) == (6, 6, 0, ())
    assert {t.team for t in summary.teams} == {"billing", "deliveries"}
    assert summary.audio_s > 250 and summary.audio_hours_per_hour > 0
    with duckdb.connect(str(db), read_only=True) as con:
        scores = dict(con.execute("select call_id, score from call_scores").fetchall())
    # the good call full marks; the call with a hold done badly in the lowest band
    assert scores["call_01_good_billing"] == 100 and scores["call_04_bad_hold"] < 70

    from prefect.artifacts import Artifact

    artifact = Artifact.get(SUMMARY_ARTIFACT)
    assert artifact is not None and "| scored | 6 |" in artifact.data
    assert "| billing | 4 |" in artifact.data

    before = _counts(db)
    state, again = _run(inputs=[str(SAMPLES)], db=str(db), workers=2)
    assert state.is_completed()
    assert (again.found, again.skipped, again.scored) == (6, 6, 0)
    assert _counts(db) == before


def test_a_corrupt_file_fails_alone_and_the_run_says_partial(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    shutil.copy(SAMPLES / "call_02_rude_greeting.wav", calls)
    good = (SAMPLES / "call_04_bad_hold.wav").read_bytes()
    (calls / "truncated.wav").write_bytes(good[:44])  # a header and no samples
    (calls / "garbage.wav").write_bytes(b"\x00not audio" * 100)
    db = tmp_path / "qa.duckdb"
    state, summary = _run(inputs=[str(calls / "*.wav")], db=str(db), workers=2)
    assert state.is_failed() and state.name == "Partial"
    assert "2 call(s) failed, 1 stored" in state.message
    assert summary.scored == 1 and dict(summary.failed).keys() == {"truncated", "garbage"}
    with duckdb.connect(str(db), read_only=True) as con:
        rows = dict(con.execute("select call_id, status from calls").fetchall())
        errors = dict(con.execute("select call_id, error from calls").fetchall())
    assert rows == {"call_02_rude_greeting": "scored", "truncated": "failed", "garbage": "failed"}
    assert "garbage.wav" in errors["garbage"] and "Fix:" in errors["garbage"]


def test_the_flow_runs_on_a_dask_cluster_of_processes(tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    inputs = [str(SAMPLES / f"{c}.wav") for c in ("call_02_rude_greeting", "call_04_bad_hold")]
    state, summary = _run(inputs=inputs, db=str(db), workers=2, dask_address="local")
    assert state.is_completed(), state.message
    assert summary.scored == 2 and _counts(db)["calls"] == 2


def test_the_nightly_deployment_runs_at_two_in_the_morning_local_time() -> None:
    params = ScoreParams(inputs=["/data/inbox"], db="/data/qa.duckdb")
    deployment = nightly_deployment(params, timezone="Europe/London")
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "0 2 * * *"
    assert schedule.schedule.timezone == "Europe/London"
    assert deployment.parameters["params"]["inputs"] == ["/data/inbox"]
    assert deployment.parameters["params"]["db"] == "/data/qa.duckdb"


def test_a_run_killed_mid_batch_then_run_again_stores_every_call_exactly_once(
    tmp_path: Path,
) -> None:
    calls = tmp_path / "calls"
    shutil.copytree(SAMPLES, calls, ignore=shutil.ignore_patterns("scripts", "truth", "*.py"))
    db = tmp_path / "qa.duckdb"
    command = [
        sys.executable,
        "-m",
        "qa_pipeline",
        "run",
        str(calls),
        "--db",
        str(db),
        "--manifest",
        str(calls / "manifest.csv"),
        "--workers",
        "2",
        "--verbose",  # Prefect's lines on stdout, where this test watches for stored calls
    ]
    # The user's own environment: no test harness, Prefect's temporary local server.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    stored = 0
    deadline = time.monotonic() + 300
    assert process.stdout is not None
    for line in process.stdout:
        if " - stored " in line:
            stored += 1
            if stored == 2:
                break
        assert time.monotonic() < deadline, "the flow stored nothing in 5 minutes"
    # SIGKILL the whole session: the flow process, its workers and its temporary server.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    with duckdb.connect(str(db), read_only=True) as con:
        first = con.execute("select count(*) from calls").fetchone()[0]
    assert 2 <= first < 6

    rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"6 found, {first} skipped, {6 - first} scored" in rerun.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        calls_rows = con.execute("select call_id, status from calls").fetchall()
        incomplete = con.execute(
            """
            select c.call_id
            from calls c
            where (select count(*) from turns t where t.call_id = c.call_id) = 0
               or (select count(*) from words w where w.call_id = c.call_id) = 0
               or (select count(*) from call_scores s where s.call_id = c.call_id) <> 1
               or (select count(*) from item_results i where i.call_id = c.call_id) = 0
            """
        ).fetchall()
    assert sorted(c for c, _ in calls_rows) == sorted(p.stem for p in SAMPLES.glob("*.wav"))
    assert {s for _, s in calls_rows} == {"scored"}
    assert incomplete == []


def test_only_trouble_that_can_pass_is_retried() -> None:
    from prefect import flow, task

    from flows.score_calls import CallFailed, _transient
    from qa_pipeline.batch.plan import CallJob
    from qa_pipeline.batch.process import failed_outcome
    from qa_pipeline.records import CallMeta

    attempts = {"disk": 0, "bad": 0}
    bad = failed_outcome(
        CallJob(Path("bad.wav"), CallMeta("bad"), "0" * 64),
        "unreadable",
        "not audio.",
        "re-export it.",
    )

    @task(retries=2, retry_delay_seconds=0, retry_condition_fn=_transient)
    def step(kind: str) -> str:
        attempts[kind] += 1
        if kind == "disk" and attempts[kind] < 2:
            raise OSError("the share went away for a moment")
        if kind == "bad":
            raise CallFailed(bad)
        return "done"

    @flow
    def steps() -> tuple[str, object]:
        return step("disk"), step.submit("bad").result(raise_on_failure=False)

    done, failure = steps()
    assert done == "done" and attempts["disk"] == 2
    assert isinstance(failure, CallFailed) and attempts["bad"] == 1

"""Stopping a run: Ctrl-C (SIGINT to the process group) and SIGTERM to the main process stop
``qa-pipeline run`` within 30 s with the documented exit code, nothing half-stored and no
process left behind; ``kill -9`` of the main process takes its workers and the temporary
Prefect server with it; a worker killed mid-call is replaced and the batch goes on. Real
processes, the real command, real DuckDB files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from qa_pipeline.ingest.audio import write_wav
from qa_pipeline.store import Store
from tests.support.paths import ROOT, SAMPLES

pytestmark = pytest.mark.slow
STOP_WITHIN_S = 30


def _recordings(folder: Path, copies: int) -> int:
    """``copies`` distinct copies of each sample call (one sample changed, so each is its
    own recording rather than a duplicate the run would skip)."""
    folder.mkdir()
    made = 0
    for n in range(copies):
        for source in sorted(SAMPLES.glob("*.wav")):
            with wave.open(str(source)) as reader:
                params = reader.getparams()
                frames = bytearray(reader.readframes(reader.getnframes()))
            frames[200] ^= n + 1
            with wave.open(str(folder / f"{source.stem}_{n}.wav"), "wb") as writer:
                writer.setparams(params)
                writer.writeframes(bytes(frames))
            made += 1
    return made


def _start(inbox: Path, db: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "qa_pipeline", "run", str(inbox), "--db", str(db), "--workers", "2"],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: what a terminal's Ctrl-C reaches
    )


def _children(pid: int) -> set[int]:
    rows = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True)
    return {int(a) for a, b in (line.split() for line in rows.stdout.splitlines()) if int(b) == pid}


def _wait_until_working(process: subprocess.Popen, log: Path) -> set[int]:
    """Until a call has been stored and the workers are busy; returns the run's children."""
    deadline = time.monotonic() + 240
    run_log = Path(process.args[process.args.index("--db") + 1]).with_suffix(".log")
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        # Prefect's lines go to the run's log file beside the database
        if run_log.exists() and "stored " in run_log.read_text():
            return _children(process.pid)
        time.sleep(0.2)
    raise AssertionError(f"no call stored in 240 s:\n{log.read_text()}")


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":  # a zombie has exited; only its parent's reaping is pending
            alive.add(pid)
    return alive


def _stored_calls_are_whole(db: Path) -> int:
    with Store(db) as store, store.connected() as con:
        rows = con.execute(
            "select c.call_id, (select count(*) from turns t where t.call_id = c.call_id), "
            "(select count(*) from item_results i where i.call_id = c.call_id) "
            "from calls c where c.status = 'scored'"
        ).fetchall()
    for call_id, turns, items in rows:
        assert turns > 0 and items == 5, (call_id, turns, items)
    return len(rows)


def _stop(process: subprocess.Popen, signum: int, to_group: bool, log: Path) -> float:
    began = time.monotonic()
    if to_group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    try:
        process.wait(timeout=STOP_WITHIN_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError(  # noqa: B904 (the timeout is the failure itself)
            f"still running {STOP_WITHIN_S} s after the signal:\n{log.read_text()}"
        )
    return time.monotonic() - began


def test_ctrl_c_stops_the_run_and_the_next_run_does_the_rest(tmp_path: Path) -> None:
    total = _recordings(tmp_path / "inbox", copies=3)
    db, log = tmp_path / "qa.duckdb", tmp_path / "run.log"
    process = _start(tmp_path / "inbox", db, log)
    children = _wait_until_working(process, log)
    assert children, "the run should have worker processes"
    took_s = _stop(process, signal.SIGINT, to_group=True, log=log)
    out = log.read_text()
    assert process.returncode == 130, out
    assert "stopped (SIGINT): calls already stored are kept" in out
    assert "Traceback" not in out
    time.sleep(1)
    assert not _alive(children), f"left running after {took_s:.1f} s: {_alive(children)}"
    stored = _stored_calls_are_whole(db)
    assert 1 <= stored < total
    again = subprocess.run(
        [sys.executable, "-m", "qa_pipeline", "run", str(tmp_path / "inbox"), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert _stored_calls_are_whole(db) == total


def test_sigterm_to_the_main_process_alone_stops_the_run(tmp_path: Path) -> None:
    _recordings(tmp_path / "inbox", copies=3)
    db, log = tmp_path / "qa.duckdb", tmp_path / "run.log"
    process = _start(tmp_path / "inbox", db, log)
    children = _wait_until_working(process, log)
    _stop(process, signal.SIGTERM, to_group=False, log=log)
    out = log.read_text()
    assert process.returncode == 143, out
    assert "stopped (SIGTERM)" in out and "Traceback" not in out
    time.sleep(1)
    assert not _alive(children)
    _stored_calls_are_whole(db)


def test_kill_9_of_the_main_process_takes_its_children_with_it(tmp_path: Path) -> None:
    _recordings(tmp_path / "inbox", copies=3)
    db, log = tmp_path / "qa.duckdb", tmp_path / "run.log"
    process = _start(tmp_path / "inbox", db, log)
    children = _wait_until_working(process, log)
    assert len(children) >= 2  # the workers and the temporary server
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while _alive(children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(children)
    _stored_calls_are_whole(db)


def _workers_reading(pid: int, name: str) -> set[int]:
    """The run's worker processes that have the file ``name`` open (decoding it)."""
    readers = set()
    for child in _children(pid):
        try:
            if b"spawn_main" not in Path(f"/proc/{child}/cmdline").read_bytes():
                continue
            fds = Path(f"/proc/{child}/fd")
            if any(os.readlink(fd).endswith(name) for fd in fds.iterdir()):
                readers.add(child)
        except OSError:
            continue  # it ended meanwhile
    return readers


def test_a_dead_worker_is_replaced_and_only_the_call_that_kills_it_fails(tmp_path: Path) -> None:
    """What the kernel's out-of-memory killer, or a crash in native decoding, does to a worker:
    here every worker that opens one recording is killed, whenever it does."""
    calls = _recordings(tmp_path / "inbox", copies=1)
    rate, seconds = 8000, 1800  # long enough to catch a worker decoding it
    noise = np.random.default_rng(0).uniform(-0.09, 0.09, (2, rate * seconds))
    write_wav(tmp_path / "inbox" / "zz_poison.wav", noise, rate)
    db, log = tmp_path / "qa.duckdb", tmp_path / "run.log"
    process = _start(tmp_path / "inbox", db, log)
    kills, deadline = 0, time.monotonic() + 600
    while process.poll() is None and time.monotonic() < deadline:
        for worker in _workers_reading(process.pid, "zz_poison.wav"):
            os.kill(worker, signal.SIGKILL)
            kills += 1
        time.sleep(0.005)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError(f"still running after 600 s:\n{log.read_text()}")
    output = log.read_text()
    assert process.returncode == 3, output
    # killed in the pool with other calls, then again on its own: only then is it to blame
    assert kills >= 2, output
    assert "failed zz_poison" in output and "worker process processing this call died" in output
    assert "Traceback" not in output and "leaked" not in output, output
    assert _stored_calls_are_whole(db) == calls  # every other call, those beside it included
    with Store(db) as store, store.connected() as con:
        failures = con.execute("select call_id, error_code from call_failures").fetchall()
    assert failures == [("zz_poison", "worker_died")]

"""Sharing the store file: short waits instead of DuckDB's lock error, Stores that let go of the
file when someone waits, consistent reads, one run at a time. Real DuckDB files, in-process
(one process may not hold a file read-only and read-write at once, which DuckDB refuses the
same way it refuses two processes); tests/e2e/test_concurrent_use.py does it with processes."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from qa_pipeline.batch.run import import_transcripts
from qa_pipeline.scoring.engine import scorer_for
from qa_pipeline.store import Override, RunInProgress, Store, StoreBusy, lock, run_lock
from qa_pipeline.store.lock import SharedConnection, open_connection, run_lock_path
from tests.support.paths import SAMPLES

CALL = "call_05_upset_customer"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "qa.duckdb"
    with Store(path) as store:
        report = import_transcripts([SAMPLES / "truth"], store, scorer=scorer_for(None))
    assert len(report.stored) == 6
    return path


def test_a_store_holds_no_file_after_close(db: Path) -> None:
    with Store(db) as store:
        assert store.detail(CALL) is not None
    # Nothing of ours is open: a plain read-only DuckDB open in this process works at once.
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from calls").fetchone() == (6,)


def test_a_busy_file_gives_our_error_not_duckdbs(db: Path) -> None:
    # A holder that never lets go (not a Store).
    with duckdb.connect(str(db)), pytest.raises(StoreBusy) as caught:
        Store(db, read_only=True, wait_s=0.3).detail(CALL)
    message = str(caught.value)
    assert message.startswith("qa.duckdb is busy: another qa-pipeline process")
    assert "try again" in message and "Could not set lock" not in message
    assert "\n" not in message


def test_a_writer_lets_go_of_the_file_when_a_reader_waits(db: Path) -> None:
    writer = Store(db)
    writer.save_override(_override("greeting", "fail"))  # its connection now lingers
    reader = Store(db, read_only=True, wait_s=5.0)
    detail = reader.detail(CALL)  # waits for the writer's watcher to close, then reads
    assert detail is not None and detail.items is not None
    greeting = detail.items.filter(detail.items["item_id"] == "greeting").row(0, named=True)
    assert greeting["override_verdict"] == "fail" and greeting["reviewer"] == "dana"
    writer.save_override(_override("closing", "na"))  # and the writer gets the file back
    writer.close()


def test_an_idle_connection_is_let_go_after_its_linger_time(db: Path) -> None:
    shared = SharedConnection(db, read_only=False, wait_s=1.0, linger_s=0.1)
    for _ in range(2):  # the second use opens again after the watcher closed the first
        with shared.use() as con:
            assert con.execute("select count(*) from calls").fetchone() == (6,)
        time.sleep(0.5)
        # Nobody flagged a wait: the watcher closed it when it had been idle 0.1 s.
        with duckdb.connect(str(db), read_only=True) as plain:
            assert plain.execute("select count(*) from calls").fetchone() == (6,)


def test_exit_waits_for_a_close_the_watcher_has_begun(db: Path) -> None:
    """Leaving the process while the watcher thread is inside DuckDB's close aborted it (exit
    134) when the close came back during finalisation: the exit handler now waits for it."""
    shared = SharedConnection(db, read_only=False, wait_s=1.0, linger_s=0.05)
    with shared.use() as con:
        con.execute("select count(*) from calls").fetchone()
        slow = _SlowToClose(con)
        shared._con = slow  # type: ignore[assignment]  # the watcher closes it in 0.05 s
    assert slow.begun.wait(timeout=5.0)
    lock._close_all()
    assert slow.ended.is_set()


class _SlowToClose:
    """A real connection whose close takes 0.3 s longer, like a large checkpoint."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.begun, self.ended = threading.Event(), threading.Event()

    def close(self) -> None:
        self.begun.set()
        time.sleep(0.3)
        self.con.close()
        self.ended.set()


def test_the_old_hold_design_locks_readers_out(db: Path) -> None:
    writer = Store(db, hold=True)
    writer.save_override(_override("greeting", "pass"))
    with pytest.raises(StoreBusy):
        Store(db, read_only=True, wait_s=0.3).detail(CALL)
    writer.close()
    assert Store(db, read_only=True).detail(CALL) is not None


def test_an_override_with_a_bad_verdict_is_refused_and_nothing_is_stored(db: Path) -> None:
    store = Store(db)
    with pytest.raises(duckdb.ConstraintException):
        store.save_override(_override("greeting", "maybe"))
    with store.connected() as con:
        assert con.execute("select count(*) from overrides").fetchone() == (0,)
    store.close()


def test_a_read_sees_one_committed_state(db: Path) -> None:
    """Every detail() read while another thread rewrites the call sees a whole version: the
    call's turns, items and evidence from one write, never a mix or a half."""
    writer, reader = Store(db), Store(db)
    original = reader.detail(CALL)
    assert original is not None and original.items is not None
    scorer = scorer_for(None)
    stop = threading.Event()
    errors: list[BaseException] = []

    def rewrite() -> None:
        try:
            while not stop.is_set():
                import_transcripts(
                    [SAMPLES / "truth" / f"{CALL}.json"], writer, scorer=scorer, force=True
                )
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    thread = threading.Thread(target=rewrite)
    thread.start()
    try:
        for _ in range(30):
            detail = reader.detail(CALL)
            assert detail is not None and detail.score is not None and detail.items is not None
            assert detail.turns.height == original.turns.height
            assert detail.items.height == original.items.height
            assert detail.evidence is not None
            assert set(detail.evidence["item_id"]) <= set(detail.items["item_id"])
    finally:
        stop.set()
        thread.join()
    assert not errors
    writer.close()
    reader.close()


def test_a_snapshot_reads_one_state_while_another_store_writes(db: Path) -> None:
    reader, writer = Store(db), Store(db)
    with reader.snapshot():
        before = reader.query("status_counts")
        writer.save_override(_override("greeting", "fail"))  # same process: MVCC, no wait
        assert (
            reader.query("call_item_results", call_id=CALL, rubric_sha256=_sha())[
                "override_verdict"
            ].to_list()
            == [None] * 5
        )
        assert reader.query("status_counts").equals(before)
    after = reader.query("call_item_results", call_id=CALL, rubric_sha256=_sha())
    assert "fail" in after["override_verdict"].to_list()
    reader.close()
    writer.close()


def test_open_connection_passes_other_errors_through(tmp_path: Path) -> None:
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database\n" * 100)
    with pytest.raises(duckdb.Error) as caught:
        open_connection(text, read_only=True, wait_s=0.2)
    assert not isinstance(caught.value, StoreBusy)


def test_the_run_lock_is_reentrant_in_a_process_and_names_its_holder(tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    with run_lock(db), run_lock(db, wait=False):
        holder = run_lock_path(db).read_text()
        assert '"pid"' in holder and '"started_at"' in holder
    with run_lock(db, wait=False):  # released: free again
        pass


def test_run_in_progress_says_who_and_what_to_do(tmp_path: Path) -> None:
    from qa_pipeline.store.lock import RunHolder

    error = RunInProgress(tmp_path / "qa.duckdb", RunHolder(4242, "2026-11-24 02:00:00 UTC", ""))
    assert str(error) == (
        "another run (pid 4242, started 2026-11-24 02:00:00 UTC) is writing to qa.duckdb. "
        "Fix: wait for it to finish, or leave out --no-wait to queue behind it."
    )


def _sha() -> str:
    return scorer_for(None).rubric.sha256


def _override(item_id: str, verdict: str) -> Override:
    return Override(CALL, _sha(), item_id, verdict, "dana", "heard it", datetime.now())


WATCH = """
import os, sys
folder, stop = sys.argv[1], os.path.join(sys.argv[1], "stop")
seen = set()
print("watching", flush=True)
while not os.path.exists(stop):
    for name in os.listdir(folder):
        if name.endswith(".duckdb"):
            try:
                with open(os.path.join(folder, name), "rb") as handle:
                    if handle.read(12)[8:12] != b"DUCK":
                        seen.add(name)
            except OSError:
                pass
print(sorted(seen))
"""


def test_another_process_never_sees_a_database_half_made(tmp_path: Path) -> None:
    """DuckDB creates a file empty and writes its header a moment later; a run killed then
    left an empty file nothing would open. Another process looking while stores are created
    sees each path hold nothing or a whole database (before, 6 of 20 were seen empty)."""
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCH, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert watcher.stdout is not None and watcher.stdout.readline() == "watching\n"
    for i in range(20):
        Store(tmp_path / f"q{i}.duckdb").close()
    (tmp_path / "stop").touch()
    assert watcher.communicate(timeout=60)[0] == "[]\n"
    made = {p.name for p in tmp_path.iterdir() if p.suffix == ".duckdb" or ".new-" in p.name}
    assert made == {f"q{i}.duckdb" for i in range(20)}


CREATE = """
import sys
from qa_pipeline.store import Store
print("ready", flush=True)
sys.stdin.readline()
Store(sys.argv[1]).close()
"""


def test_a_process_killed_while_creating_a_store_leaves_nothing_half_made(
    tmp_path: Path,
) -> None:
    """Killed at moments spread over the creation: the path holds nothing or a whole store,
    and the next Store opens it and clears the killed process's hidden copy."""
    for i, delay_s in enumerate((0.0, 0.01, 0.02, 0.03, 0.045, 0.06)):
        db = tmp_path / f"q{i}.duckdb"
        child = subprocess.Popen(
            [sys.executable, "-c", CREATE, str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None and child.stdout is not None
        assert child.stdout.readline() == "ready\n"
        child.stdin.write("\n")
        child.stdin.flush()
        time.sleep(delay_s)
        child.send_signal(signal.SIGKILL)
        child.wait()
        with Store(db) as store:
            assert store.query("status_counts").is_empty()
    assert not [p.name for p in tmp_path.iterdir() if ".new-" in p.name]

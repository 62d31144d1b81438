"""Readers never locked out: ``show`` and another process's writes while a real ``run`` or
``import`` writes, a second run queued or refused, a killed run leaving no lock behind. Real
processes, the real command, real DuckDB files."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from qa_pipeline.ingest import audio
from qa_pipeline.store import Store
from qa_pipeline.store.lock import run_lock_path
from tests.support.paths import LABELLED, ROOT, SAMPLES

LOCK_ERROR_TEXT = ("Could not set lock", "IOException", "Conflicting lock", "Traceback")
ITEMS = 5  # items in the default rubric


def qa(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa_pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "qa_pipeline", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so a kill reaches its children
    )


def wait_for_lock(db: Path, pid: int, timeout_s: float = 120) -> None:
    """Until the process ``pid`` holds the database's run lock."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if json.loads(run_lock_path(db).read_text() or "{}").get("pid") == pid:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"process {pid} never took the run lock of {db}")


def transcripts(folder: Path, copies: int) -> list[str]:
    """Copies of the labelled transcripts, each under its own call id; returns the ids."""
    folder.mkdir()
    ids = []
    for path in sorted((LABELLED / "json").glob("*.json")):
        doc = json.loads(path.read_text())
        for k in range(copies):
            call_id = f"{doc['call_id']}_{k:02d}"
            (folder / f"{call_id}.json").write_text(json.dumps({**doc, "call_id": call_id}))
            ids.append(call_id)
    return ids


def recordings(folder: Path, copies: int) -> list[str]:
    """Copies of the sample calls with a one-sample change each (so no copy is a duplicate);
    returns their call ids."""
    folder.mkdir()
    ids = []
    for path in sorted(SAMPLES.glob("*.wav")):
        decoded = audio.decode(path)
        for k in range(copies):
            data = np.stack(decoded.channels)
            data[0, k] += 1e-4
            audio.write_wav(folder / f"{path.stem}_{k}.wav", data, 16_000)
            ids.append(f"{path.stem}_{k}")
    return ids


def counts(summary: str) -> tuple[int, int, int]:
    """(found, skipped, scored) from a run's summary line."""
    found = re.search(r"(\d+) found, (\d+) skipped[^,]*, (\d+) scored", summary)
    assert found, summary
    return int(found[1]), int(found[2]), int(found[3])


def assert_complete(doc: dict, call_id: str) -> None:
    """A call as a finished write leaves it: scored, every item, turns, evidence in them."""
    assert doc["call_id"] == call_id and doc["status"] == "scored", doc["status"]
    assert doc["score"] is not None and doc["rubric"] is not None
    assert len(doc["items"]) == ITEMS
    assert doc["turns"] and all(t["start"] <= t["end"] for t in doc["turns"])
    turns = {t["turn"] for t in doc["turns"]}
    # Evidence points at a turn of this version of the call (None: a gap between turns).
    assert all(e["turn"] in turns | {None} for i in doc["items"] for e in i["evidence"])


def show(call_id: str, db: Path, cwd: Path) -> dict | None:
    """``qa-pipeline show --json``: the document, or None when the call (or the database) is
    not stored yet.
    Anything else (a lock error, a traceback, another exit status) fails the test."""
    done = qa("show", call_id, "--db", str(db), "--json", cwd=cwd)
    for text in LOCK_ERROR_TEXT:
        assert text not in done.stderr, done.stderr
    not_yet = (f"no call {call_id!r}", "no such database")  # the run has not stored it yet
    if done.returncode == 2 and any(text in done.stderr for text in not_yet):
        return None
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert_complete(doc, call_id)
    return doc


def test_show_never_sees_a_lock_error_or_half_a_call_while_import_rewrites_them(
    tmp_path: Path,
) -> None:
    """Every call exists before and after, and ``import --force`` deletes and rewrites each
    one: a reader that could see a write half done would find a call missing or partial."""
    ids = transcripts(tmp_path / "json", copies=4)
    db = tmp_path / "qa.duckdb"
    assert qa("import", str(tmp_path / "json"), "--db", str(db), cwd=tmp_path).returncode == 0
    writer = start("import", str(tmp_path / "json"), "--db", str(db), "--force", cwd=tmp_path)
    wait_for_lock(db, writer.pid)
    shown_during = 0
    k = 0
    while writer.poll() is None:
        assert show(ids[k * 37 % len(ids)], db, tmp_path) is not None
        shown_during += writer.poll() is None
        k += 1
    out, err = writer.communicate()
    assert writer.returncode == 0, err
    assert f"{len(ids)} found, {len(ids)} imported" in out
    assert shown_during >= 3  # the reads really overlapped the writes


def test_show_an_override_and_a_second_run_while_a_real_run_writes(tmp_path: Path) -> None:
    ids = recordings(tmp_path / "calls", copies=1)
    db = tmp_path / "qa.duckdb"
    calls = str(tmp_path / "calls")
    first = start("run", calls, "--db", str(db), "--workers", "1", cwd=tmp_path)
    wait_for_lock(db, first.pid)

    refused = qa("run", calls, "--db", str(db), "--no-wait", cwd=tmp_path)
    assert refused.returncode == 75, refused.stderr
    assert refused.stderr.strip().splitlines() == [
        f"error: another run (pid {first.pid}, started "
        + refused.stderr.split("started ", 1)[1].split(")", 1)[0]
        + ") is writing to qa.duckdb. Fix: wait for it to finish, or leave out --no-wait to "
        "queue behind it."
    ]
    second = start("run", calls, "--db", str(db), "--workers", "1", cwd=tmp_path)

    seen_during: dict[str, dict] = {}
    override_done = None
    k = 0
    while first.poll() is None:
        call_id = ids[k % len(ids)]
        k += 1
        doc = show(call_id, db, tmp_path)
        if doc is None or first.poll() is not None:
            continue
        seen_during[call_id] = doc
        if override_done is None:
            # The review app's write, from another process, while the run goes on.
            override_done = _write_override(db, doc)
            assert override_done.returncode == 0, override_done.stderr
    out, err = first.communicate()
    assert first.returncode == 0, err
    assert counts(out) == (len(ids), 0, len(ids))
    assert seen_during and override_done is not None, "no call was shown while the run wrote"

    out2, err2 = second.communicate(timeout=600)
    assert second.returncode == 0, err2
    assert f"another run (pid {first.pid}" in err2 and "waiting" in err2
    assert counts(out2) == (len(ids), len(ids), 0)

    overridden = next(iter(seen_during))
    doc = show(overridden, db, tmp_path)
    assert doc is not None
    greeting = next(i for i in doc["items"] if i["item_id"] == "greeting")
    assert greeting["override"] == {"verdict": "na", "reviewer": "qa-lead", "reason": "test call"}


def _write_override(db: Path, doc: dict) -> subprocess.CompletedProcess:
    code = (
        "import sys\n"
        "from datetime import datetime\n"
        "from qa_pipeline.store import Override, Store\n"
        "Store(sys.argv[1]).save_override(Override(sys.argv[2], sys.argv[3], 'greeting', "
        "'na', 'qa-lead', 'test call', datetime.now()))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(db), doc["call_id"], doc["rubric"]["sha256"]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_killed_run_leaves_no_lock_behind(tmp_path: Path) -> None:
    transcripts(tmp_path / "json", copies=4)
    db = tmp_path / "qa.duckdb"
    writer = start("import", str(tmp_path / "json"), "--db", str(db), cwd=tmp_path)
    wait_for_lock(db, writer.pid)
    os.killpg(writer.pid, signal.SIGKILL)
    writer.wait()
    again = qa("import", str(SAMPLES / "truth"), "--db", str(db), "--no-wait", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "6 found, 6 imported" in again.stdout


HOLD_IT = (
    "import duckdb, sys\nc = duckdb.connect(sys.argv[1])\nprint('holding', flush=True)\ninput()"
)


def test_a_database_kept_busy_by_another_program_is_one_line_and_exit_75(tmp_path: Path) -> None:
    """A holder that is not qa-pipeline (here DuckDB itself) never lets go: ``show`` waits
    the configured time, then says so in one line; DuckDB's error never shows."""
    db = tmp_path / "qa.duckdb"
    assert qa("import", str(SAMPLES / "truth"), "--db", str(db), cwd=tmp_path).returncode == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_IT, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        shown = subprocess.run(
            [sys.executable, "-m", "qa_pipeline", "show", "call_01_good_billing", "--db", str(db)],
            cwd=tmp_path,
            env={**os.environ, "QA_PIPELINE_DB_WAIT_S": "1"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        holder.communicate("\n")
    assert shown.returncode == 75
    assert shown.stderr.strip().splitlines() == [
        f"error: qa.duckdb is busy: another qa-pipeline process (pid {holder.pid}) is writing "
        "to it; try again in a moment (waited 1 s; set QA_PIPELINE_DB_WAIT_S to wait longer)"
    ]


HOLD_RUN_LOCK = """
import sys, time
from pathlib import Path
from qa_pipeline.store import run_lock
with run_lock(Path(sys.argv[1])):
    print("holding", flush=True)
    time.sleep(8)  # longer than the flow takes to store the call when it need not wait
    print(f"released {time.time()}", flush=True)
"""


@pytest.mark.usefixtures("prefect_harness")
def test_the_flow_waits_for_a_run_already_writing(tmp_path: Path) -> None:
    """The score-calls flow (what a nightly deployment runs) queues behind another run."""
    from flows.score_calls import ScoreParams, score_calls

    db = tmp_path / "qa.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_RUN_LOCK, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    params = ScoreParams(inputs=[str(SAMPLES / "call_02_rude_greeting.wav")], db=str(db), workers=1)
    state = score_calls(params, return_state=True)
    released = float(holder.stdout.readline().split()[1])
    holder.wait()
    assert state.is_completed(), state.message
    with Store(db, read_only=True) as store:
        (processed_at,) = store.query("call_row", call_id="call_02_rude_greeting")[
            "processed_at"
        ].to_list()
    assert processed_at >= datetime.fromtimestamp(released)  # stored only after the release

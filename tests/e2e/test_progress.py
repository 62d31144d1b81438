"""What a person at a terminal sees during a batch: one progress bar and the summary, with
Prefect's log lines in the run's log file (or on the terminal with --verbose)."""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from tests.support.paths import SAMPLES

CALLS = ["call_03_good_hold", "call_05_upset_customer"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PREFECT_LINES = ("Beginning flow run", "Finished in state", "Starting temporary server")


def at_terminal(*args: str, cwd: Path) -> tuple[int, str]:
    """Runs qa-pipeline with a pseudo-terminal as its stdout and stderr, as a person would."""
    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process ended
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = {**os.environ, "COLUMNS": "160", "TERM": "xterm"}
    env.pop("CI", None)  # rich treats CI as a terminal that cannot redraw
    process = subprocess.run(
        [sys.executable, "-m", "qa_pipeline", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=env,
        timeout=600,
    )
    os.close(follower)
    reader.join(timeout=10)
    os.close(leader)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r", "\n")
    return process.returncode, text


def test_one_bar_and_the_summary_and_prefect_in_the_log_file(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    for call_id in CALLS:
        shutil.copy(SAMPLES / f"{call_id}.wav", calls)
    (calls / "broken.wav").write_bytes(b"not audio" * 10)

    code, seen = at_terminal(
        "run",
        "calls",
        "--manifest",
        str(SAMPLES / "manifest.csv"),
        # the nightly step: every team's and agent's report for (at most) ten years to today
        "--reports-dir",
        "reports",
        "--report-days",
        "3650",
        cwd=tmp_path,
    )

    assert code == 3, seen  # one call failed
    bars = [line for line in seen.splitlines() if line.startswith("scoring")]
    assert bars, seen
    final = bars[-1]
    assert "3/3 calls" in final and "1 failed" in final and "ETA" in final
    assert re.search(r"\d+\.\d\d h audio", final)
    assert "3 found, 0 skipped, 2 scored" in seen
    assert not any(line in seen for line in PREFECT_LINES), seen
    assert "Traceback" not in seen
    log = (tmp_path / "qa.log").read_text(encoding="utf-8")
    assert "Beginning flow run" in log and "stored call_03_good_hold" in log
    assert "log: qa.log" in seen
    (folder,) = (tmp_path / "reports").iterdir()
    written = {p.name for p in folder.iterdir()}
    assert {"team-billing.html", "team-deliveries.html", "review-queue.json"} <= written
    assert {"agent-A100.html", "agent-A300.json"} <= written

    code, seen = at_terminal("rescore", cwd=tmp_path)
    assert code == 0, seen
    bars = [line for line in seen.splitlines() if line.startswith("rescoring")]
    assert bars and re.search(r"(\d+)/\1 calls", bars[-1]), seen
    assert "2 calls rescored" in seen

    code, seen = at_terminal("run", "calls", "--verbose", cwd=tmp_path)
    assert code == 3, seen  # two calls skipped as stored; the broken one tried again, failing
    assert "Beginning flow run" in seen
    assert not any(line.startswith("scoring") for line in seen.splitlines())

"""The public commands, run as a user runs them: a real process, the real model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT, SAMPLES

CALLS = ["call_03_good_hold", "call_05_upset_customer"]


def qa(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa_pipeline", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_run_show_and_rerun(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    for call_id in CALLS:
        shutil.copy(SAMPLES / f"{call_id}.wav", calls)
    (calls / "broken.wav").write_bytes(b"not audio" * 10)
    manifest = str(SAMPLES / "manifest.csv")

    first = qa("run", str(calls), "--manifest", manifest, cwd=tmp_path)
    # Exit 3: the batch finished, and one call failed; it is named with its fix.
    assert first.returncode == 3, first.stderr
    assert "3 found, 0 skipped, 2 scored" in first.stdout
    assert "broken" in first.stdout and "Fix:" in first.stdout
    assert (tmp_path / "qa.duckdb").exists()  # the default database, in the working folder

    shown = qa("show", CALLS[1], "--json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    doc = json.loads(shown.stdout)
    assert (
        doc["call_id"] == CALLS[1] and doc["agent_name"] == "Lisa" and doc["team"] == "deliveries"
    )
    speakers = [t["speaker"] for t in doc["turns"]]
    assert speakers[0] == "agent" and "customer" in speakers
    assert all(t["start"] <= t["end"] for t in doc["turns"])

    text = qa("show", CALLS[0], cwd=tmp_path)
    assert text.returncode == 0
    assert "AGENT" in text.stdout and "CUSTOMER" in text.stdout and "Harbor" in text.stdout

    again = qa("run", str(calls / f"{CALLS[0]}.wav"), cwd=tmp_path)
    assert again.returncode == 0
    assert "1 found, 1 skipped, 0 scored" in again.stdout


def test_database_from_the_environment_and_import(tmp_path: Path) -> None:
    db = tmp_path / "elsewhere.duckdb"
    done = qa("import", str(SAMPLES / "truth"), cwd=tmp_path, env={"QA_PIPELINE_DB": str(db)})
    assert done.returncode == 0, done.stderr
    assert "6 found, 6 imported" in done.stdout
    assert db.exists() and not (tmp_path / "qa.duckdb").exists()
    shown = qa("show", "call_04_bad_hold", "--json", "--db", str(db), cwd=tmp_path)
    assert json.loads(shown.stdout)["turns"][0]["text"] == "Harbor Bank, Kevin speaking."


def test_errors_name_the_fix(tmp_path: Path) -> None:
    missing = qa("show", "nope", "--db", str(tmp_path / "none.duckdb"), cwd=tmp_path)
    assert missing.returncode == 2 and "Fix:" in missing.stderr
    bad_manifest = tmp_path / "m.csv"
    bad_manifest.write_text("call_id,agent_channel\nc1,left\n")
    run = qa("run", str(SAMPLES), "--manifest", str(bad_manifest), cwd=tmp_path)
    assert run.returncode == 2
    assert "line 2: agent_channel 'left'" in run.stderr and str(bad_manifest) in run.stderr
    nothing = qa("run", str(tmp_path / "no-such-folder"), cwd=tmp_path)
    assert nothing.returncode == 2 and "no-such-folder" in nothing.stderr


def test_help_lists_the_public_commands() -> None:
    helped = qa("--help", cwd=ROOT)
    for command in ("run", "import", "show"):
        assert command in helped.stdout

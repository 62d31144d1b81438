"""Readers during a long batch: ``show`` every second while ``qa-pipeline run`` writes.

    python -m bench.readers [--audio-minutes 60] [--workers 2] [--every-s 1]

Copies the sample calls until there are --audio-minutes of audio (each copy with a one-sample
change, as bench/batch.py does), seeds a database with the six sample transcripts, then runs
the same batch (``qa-pipeline run`` in its own process, on a fresh copy of the seeded
database) four ways, in the same run:

- quiet: no readers (the baseline);
- show: ``qa-pipeline show CALL --json`` started every --every-s seconds, a new process each
  time, as a user at a terminal does;
- reader: one long-lived process reading a call through the Store every --every-s seconds, as
  the review app and the coaching reports will;
- held: the design before concurrent use (QA_PIPELINE_DB_HOLD=1: the run keeps its
  connection for the whole batch), no readers: today's cost;
- held + reader: the same with the long-lived reader (giving up after 0.5 s), to show what
  readers met before.

For each: the batch's wall time (the run's own figure, Prefect's start-up aside) against the
quiet one, and each reader's latency (p50, p99, max) and failures (a non-zero exit, DuckDB's
lock error, or a call read back incomplete). Targets: no failures with the store as it is, and
the batch at most 5 % slower than the held design. On a 2-core machine each ``show`` process
itself costs about 0.5 s of CPU, which the batch pays for; the long-lived reader shows what
the sharing itself costs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa_pipeline.ingest import audio

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEEDED = [p.stem for p in sorted((SAMPLES / "truth").glob("*.json"))]
LOCK_TEXT = ("Could not set lock", "IOException", "Conflicting lock", "Traceback")

READER = """
import json, sys, time
from pathlib import Path
from qa_pipeline.store import Store, StoreBusy
db, every_s, wait_s, ids = Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
k = 0
for line in sys.stdin:  # one line per read, from the bench; EOF ends
    began = time.perf_counter()
    try:
        detail = Store(db, read_only=True, wait_s=wait_s).detail(ids[k % len(ids)])
        ok = (detail is not None and detail.score is not None and detail.items is not None
              and detail.items.height == 5 and detail.turns.height > 0)
        error = "" if ok else "incomplete"
    except StoreBusy as exc:
        error = str(exc)
    except Exception as exc:  # report anything else as a failure too
        error = repr(exc)
    k += 1
    print(json.dumps({"s": time.perf_counter() - began, "error": error}), flush=True)
"""


@dataclass
class Reads:
    """Latencies (seconds) and failures of one reader over a batch."""

    latencies_s: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        if not self.latencies_s:
            return "no reads"
        lat = sorted(self.latencies_s)
        p50 = lat[len(lat) // 2]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        return (
            f"{len(lat)} reads, p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
            f"max {lat[-1] * 1000:.0f} ms, {len(self.failures)} failed"
        )


def make_batch(folder: Path, minutes: float) -> tuple[int, float]:
    """Copies of the sample calls, ``minutes`` of audio in all: (calls, seconds of audio)."""
    originals = [audio.decode(p) for p in sorted(SAMPLES.glob("*.wav"))]
    total_s, copy, n = 0.0, 0, 0
    while total_s < minutes * 60:
        for decoded in originals:
            data = np.stack(decoded.channels)
            data[0, copy] += 1e-4  # a different file, the same call
            audio.write_wav(folder / f"{decoded.path.stem}_{copy:03d}.wav", data, 16_000)
            total_s += decoded.duration_s
            n += 1
        copy += 1
    return n, total_s


def qa(*args: str) -> list[str]:
    return [sys.executable, "-m", "qa_pipeline", *args]


def show_once(db: Path, call_id: str, reads: Reads) -> None:
    began = time.perf_counter()
    done = subprocess.run(
        qa("show", call_id, "--db", str(db), "--json"), capture_output=True, text=True
    )
    reads.latencies_s.append(time.perf_counter() - began)
    if done.returncode != 0 or any(t in done.stderr for t in LOCK_TEXT):
        reads.failures.append(done.stderr.strip().splitlines()[-1:][0] if done.stderr else "?")
        return
    doc = json.loads(done.stdout)
    if doc["score"] is None or len(doc["items"]) != 5 or not doc["turns"]:
        reads.failures.append(f"{call_id}: incomplete")


def run_batch(
    calls: Path, db: Path, workers: int, readers: str, every_s: float, hold: bool
) -> tuple[float, float, Reads]:
    """One batch with its readers: (the run's wall time, the process's wall time, reads)."""
    env = {**os.environ, "QA_PIPELINE_DB_HOLD": "1" if hold else "0"}
    reads = Reads()
    reader = None
    if readers == "reader":
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(db), str(every_s), "0.5" if hold else "10"] + SEEDED,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
    began = time.perf_counter()
    batch = subprocess.Popen(
        qa("run", str(calls), "--db", str(db), "--workers", str(workers)),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    output: dict[str, str] = {}

    def collect() -> None:
        output["out"], output["err"] = batch.communicate()

    collector = threading.Thread(target=collect)
    collector.start()
    k = 0
    while batch.poll() is None:
        tick = time.perf_counter()
        if readers == "show":
            show_once(db, SEEDED[k % len(SEEDED)], reads)
        elif reader is not None:
            assert reader.stdin is not None and reader.stdout is not None
            reader.stdin.write("read\n")
            reader.stdin.flush()
            result = json.loads(reader.stdout.readline())
            reads.latencies_s.append(result["s"])
            if result["error"]:
                reads.failures.append(result["error"])
        k += 1
        time.sleep(max(0.0, every_s - (time.perf_counter() - tick)))
    collector.join()
    process_s = time.perf_counter() - began
    if reader is not None:
        assert reader.stdin is not None
        reader.stdin.close()
        reader.wait()
    if batch.returncode != 0:
        raise SystemExit(f"the batch failed ({batch.returncode}): {output.get('err', '')[-2000:]}")
    found = re.search(r"wall time ([\d.]+) s", output["out"])
    run_s = float(found.group(1)) if found else process_s
    return run_s, process_s, reads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio-minutes", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--every-s", type=float, default=1.0)
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with tempfile.TemporaryDirectory() as tmp:
        calls = Path(tmp) / "calls"
        calls.mkdir()
        n_calls, audio_s = make_batch(calls, args.audio_minutes)
        seeded = Path(tmp) / "seeded.duckdb"
        subprocess.run(
            qa("import", str(SAMPLES / "truth"), "--db", str(seeded)),
            check=True,
            capture_output=True,
        )
        print(
            f"{n_calls} calls, {audio_s / 60:.1f} min of audio, {args.workers} workers, "
            f"{os.cpu_count()} cores; a read every {args.every_s:g} s"
        )
        idle = Reads()
        for k in range(5):
            show_once(seeded, SEEDED[k % len(SEEDED)], idle)
        print(f"show on an idle database: {idle.line()}")

        results: dict[str, tuple[float, float, Reads]] = {}
        for name, readers, hold in (
            ("quiet", "none", False),
            ("show", "show", False),
            ("reader", "reader", False),
            ("held", "none", True),
            ("held+reader", "reader", True),
        ):
            db = Path(tmp) / f"{name.replace('+', '_')}.duckdb"
            shutil.copy(seeded, db)
            results[name] = run_batch(calls, db, args.workers, readers, args.every_s, hold)
            run_s, process_s, reads = results[name]
            print(f"{name:11} run {run_s:7.1f} s (process {process_s:7.1f} s); {reads.line()}")
            for failure in sorted(set(reads.failures))[:3]:
                print(f"          failure: {failure[:160]}")

    quiet = results["quiet"][0]
    held = results["held"][0]
    print()
    print(f"{'batch':34} {'wall s':>8} {'vs quiet':>9} {'vs held':>9}")
    for name, label in (
        ("quiet", "no readers"),
        ("show", "qa-pipeline show every second"),
        ("reader", "long-lived reader every second"),
        ("held", "held connection (before)"),
        ("held+reader", "held connection, reader"),
    ):
        run_s = results[name][0]
        print(f"{label:34} {run_s:8.1f} {run_s / quiet - 1:+9.1%} {run_s / held - 1:+9.1%}")


if __name__ == "__main__":
    main()

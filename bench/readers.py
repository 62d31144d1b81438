"""Readers during a long batch: ``show`` every second while ``qa-pipeline run`` writes.

    python -m bench.readers [--audio-minutes 20] [--repeats 3] [--workers 2] [--every-s 1]

Copies the sample calls until there are --audio-minutes of audio (each copy with a one-sample
change, as bench/batch.py does), seeds a database with the six sample transcripts, then runs
the same batch (``qa-pipeline run`` in its own process, on a fresh copy of the seeded
database) five ways, in the same run:

- quiet: no readers (the baseline);
- show: ``qa-pipeline show CALL --json`` started every --every-s seconds, a new process each
  time, as a user at a terminal does;
- reader: one long-lived process reading a call through the Store every --every-s seconds, as
  the review app and the coaching reports will;
- held: the design before concurrent use (QA_PIPELINE_DB_HOLD=1: the run keeps its
  connection for the whole batch), no readers: today's cost;
- held + reader: the same with the long-lived reader (giving up after 0.5 s), to show what
  readers met before.

The five take turns, --repeats rounds, each round in a different order, because other work on
a shared machine moves wall times by more than the effect measured. For each: the batch's
median wall time over the rounds (the run's own figure, Prefect's start-up aside) against the
quiet one and the held one; its median CPU seconds (the run, its workers and Prefect's server:
far steadier than wall time on a shared machine) against the held one; and the readers'
latency (p50, p99, max, over all rounds) and failures (a non-zero exit, DuckDB's lock error,
or a call read back incomplete). Targets: no failures with the store as it is, and the batch
at most 5 % slower than the held design. On a 2-core machine each ``show`` process itself
costs about 0.5 s of CPU, which the batch pays for in wall time; the long-lived reader shows
what the sharing itself costs.
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
from statistics import median

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


@dataclass
class Batch:
    """One batch's figures: the run's own wall time, the process's, and the CPU seconds of the
    run and everything it started (workers, Prefect's server), which other work on a shared
    machine moves far less than wall time."""

    run_s: float
    process_s: float
    cpu_s: float


def run_batch(
    calls: Path, db: Path, workers: int, readers: str, every_s: float, hold: bool
) -> tuple[Batch, Reads]:
    """One batch with its readers."""
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
    log = db.with_suffix(".log")
    began = time.perf_counter()
    with log.open("w") as sink:
        batch = subprocess.Popen(
            qa("run", str(calls), "--db", str(db), "--workers", str(workers)),
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    ended: dict[str, object] = {}
    done = threading.Event()

    def reap() -> None:
        # wait4 gives the CPU time of the run and of every process it started and reaped.
        _, status, usage = os.wait4(batch.pid, 0)
        ended["status"], ended["cpu_s"] = status, usage.ru_utime + usage.ru_stime
        done.set()

    reaper = threading.Thread(target=reap)
    reaper.start()
    k = 0
    while not done.is_set():
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
        done.wait(max(0.0, every_s - (time.perf_counter() - tick)))
    reaper.join()
    batch.returncode = 0  # reaped above; keeps Popen from waiting again
    process_s = time.perf_counter() - began
    if reader is not None:
        assert reader.stdin is not None
        reader.stdin.close()
        reader.wait()
    output = log.read_text()
    if ended["status"] != 0:
        raise SystemExit(f"the batch failed ({ended['status']}): {output[-2000:]}")
    found = re.search(r"wall time ([\d.]+) s", output)
    run_s = float(found.group(1)) if found else process_s
    cpu_s = ended["cpu_s"]
    assert isinstance(cpu_s, float)
    return Batch(run_s, process_s, cpu_s), reads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio-minutes", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=3)
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

        variants = [
            ("quiet", "none", False),
            ("show", "show", False),
            ("reader", "reader", False),
            ("held", "none", True),
            ("held+reader", "reader", True),
        ]
        batches: dict[str, list[Batch]] = {name: [] for name, _, _ in variants}
        reads: dict[str, Reads] = {name: Reads() for name, _, _ in variants}
        for round_ in range(args.repeats):
            shift = round_ * 2 % len(variants)
            for name, readers, hold in variants[shift:] + variants[:shift]:
                db = Path(tmp) / f"{name.replace('+', '_')}_{round_}.duckdb"
                shutil.copy(seeded, db)
                batch, got = run_batch(calls, db, args.workers, readers, args.every_s, hold)
                batches[name].append(batch)
                reads[name].latencies_s += got.latencies_s
                reads[name].failures += got.failures
                print(
                    f"round {round_ + 1} {name:11} run {batch.run_s:6.1f} s wall "
                    f"(process {batch.process_s:6.1f} s), {batch.cpu_s:6.1f} s CPU; {got.line()}"
                )
                db.unlink()

    def wall(name: str) -> float:
        return median(b.run_s for b in batches[name])

    def cpu(name: str) -> float:
        return median(b.cpu_s for b in batches[name])

    print()
    print(
        f"{'batch (median of rounds)':32} {'wall s':>7} {'vs quiet':>9} {'vs held':>8} "
        f"{'CPU s':>7} {'vs held':>8}  reads"
    )
    for name, label in (
        ("quiet", "no readers"),
        ("show", "qa-pipeline show every second"),
        ("reader", "long-lived reader every second"),
        ("held", "held connection (before)"),
        ("held+reader", "held connection, reader"),
    ):
        print(
            f"{label:32} {wall(name):7.1f} {wall(name) / wall('quiet') - 1:+9.1%} "
            f"{wall(name) / wall('held') - 1:+8.1%} {cpu(name):7.1f} "
            f"{cpu(name) / cpu('held') - 1:+8.1%}  "
            f"{reads[name].line() if reads[name].latencies_s else '-'}"
        )
        for failure in sorted(set(reads[name].failures))[:2]:
            print(f"{'':34}failure: {failure[:120]}")


if __name__ == "__main__":
    main()

"""Coaching reports at scale: each report against a plain full scan of the results.

    python -m bench.reports [--calls 100000,1000000] [--repeats 5] [--folder DIR]

For each size, writes that many scored calls (ten items each, 500 agents in 50 teams, a year
of dates, about one reviewer's override per 400 verdicts: qa_pipeline.store.synthetic) into a
fresh DuckDB file, then times, on the store as the CLI opens it (read-only):

- the baseline: a plain full scan of the results, the mean score of every call and the pass
  count of every item (``call_scores`` and ``item_results`` read whole once);
- each report as ``qa-pipeline report`` builds it (SQL, then polars), over the whole year:
  ``agent`` (one agent against their team), ``team``, ``items``, ``review-queue``.

Prints the median of --repeats runs of each, in seconds and as a ratio to the baseline of the
same size and run. Target: under 0.5 s each at 1,000,000 calls. The store for 10,000,000 calls
takes about 5 GB and several minutes to write; pass it in --calls where the disk allows.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from statistics import median

from qa_pipeline.batch.reports import agent_report, items_report, review_queue, team_report
from qa_pipeline.store import Store
from qa_pipeline.store.reports import Period
from qa_pipeline.store.synthetic import SyntheticCalls, write_synthetic_calls

AGENTS = 500
TEAMS = 50
CHUNK = 1_000_000
"""Calls written per transaction (memory stays flat at any size)."""


def build(path: Path, calls: int) -> float:
    """Writes ``calls`` synthetic scored calls; returns the seconds it took."""
    began = time.perf_counter()
    store = Store(path)
    for first in range(0, calls, CHUNK):
        spec = SyntheticCalls(
            calls=min(CHUNK, calls - first),
            agents=AGENTS,
            teams=TEAMS,
            days=365,
            first_day=date(2025, 1, 1),
            first_call=first,
        )
        write_synthetic_calls(store, spec)
    store.close()
    return time.perf_counter() - began


def timed(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return median(times)


def measure(path: Path, repeats: int) -> None:
    """Prints the baseline and each report's median time on the store at ``path``."""
    store = Store(path, read_only=True)
    whole = Period()

    def scan() -> None:
        with store.connected() as con:
            con.execute("select avg(score), count(*) from call_scores").fetchall()
            con.execute(
                "select item_id, count(*) filter (where verdict = 'pass') "
                "from item_results group by item_id"
            ).fetchall()

    reports: dict[str, Callable[[], object]] = {
        "agent A0007": lambda: agent_report(store, "A0007", whole),
        "team T007": lambda: team_report(store, "T007", whole),
        "items": lambda: items_report(store, whole),
        "review-queue": lambda: review_queue(store, whole),
    }
    with store.connected():  # one connection, as a report command holds
        scan()  # warm the file cache for everyone alike
        base = timed(scan, repeats)
        print(f"  plain full scan of the results   {base:7.3f} s   1.00x")
        for name, work in reports.items():
            seconds = timed(work, repeats)
            flag = "" if seconds < 0.5 else "   (over the 0.5 s target)"
            print(f"  report {name:<26}{seconds:7.3f} s  {seconds / base:5.2f}x{flag}")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", default="100000,1000000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    sizes = [int(n) for n in args.calls.split(",")]
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        for calls in sizes:
            path = Path(tmp) / f"reports_{calls}.duckdb"
            written = build(path, calls)
            size_mb = path.stat().st_size / 1e6
            print(
                f"== {calls:,} calls ({AGENTS} agents, {TEAMS} teams, 10 items, a year): "
                f"written in {written:.1f} s, {size_mb:.0f} MB"
            )
            measure(path, args.repeats)
            path.unlink()


if __name__ == "__main__":
    main()

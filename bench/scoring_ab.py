"""Scoring speed of this tree against a git ref's, measured side by side in the same run.

    taskset -c 0 python -m bench.scoring_ab --ref HEAD~1 [--calls 500] [--rounds 20]

This machine's speed drifts by a third within an hour, so two separate runs cannot tell a
change of a few per cent. Here the ref's tree (``git archive``) and this one each score the
same labelled transcripts (``tests/labelled``, repeated) in a worker process of its own, with
the sentences embedded once up front; the two workers take turns, a round each, so a slow
phase of the machine slows both alike. Prints each side's best and median calls per second
and the ratio (this tree over the ref). Both score with each tree's own default rubric unless
``--rubric`` names one file for both.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "labelled" / "json"
_CHUNK = 100  # calls per score_many, as rescoring scores a write chunk


def _worker(calls: int, rubric: Path | None) -> None:
    """Scores ``calls`` labelled transcripts each time a line comes in; prints the seconds."""
    from qa_pipeline.ingest.transcripts.native import read_transcript
    from qa_pipeline.scoring.engine import RubricScorer
    from qa_pipeline.scoring.rubric import load_rubric

    scorer = RubricScorer(load_rubric(rubric))
    embedded = []
    for path in sorted(LABELLED.glob("*.json")):
        transcript = read_transcript(path)[1]
        embedded.append((transcript, scorer.embed(transcript)))
    batch = (embedded * (calls // len(embedded) + 1))[:calls]
    scorer.score_many(batch[:_CHUNK])  # once-a-process costs (the act head, patterns)
    print("ready", flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        for n in range(0, calls, _CHUNK):
            scorer.score_many(batch[n : n + _CHUNK])
        print(f"{time.perf_counter() - start:.6f}", flush=True)


def _start(tree: Path, calls: int, rubric: Path | None) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "bench.scoring_ab", "--worker", "--calls", str(calls)]
    if rubric is not None:
        command += ["--rubric", str(rubric.resolve())]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    worker = subprocess.Popen(
        command,
        cwd=tree,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert worker.stdout is not None
    if worker.stdout.readline().strip() != "ready":
        sys.exit(f"bench.scoring_ab: the worker in {tree} did not start (is the ref too old?)")
    return worker


def _round(worker: subprocess.Popen[str]) -> float:
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write("go\n")
    worker.stdin.flush()
    return float(worker.stdout.readline())


def _extract(ref: str, into: Path) -> Path:
    """The ref's tree (package, rubrics, SQL and this bench) in ``into``."""
    archive = into / "ref.tar"
    with archive.open("wb") as out:
        made = subprocess.run(
            ["git", "archive", "--format=tar", ref, "qa_pipeline", "rubrics", "sql", "bench"],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
    if made.returncode != 0:
        sys.exit(f"bench.scoring_ab: git has no {ref!r} here (a shallow clone? git fetch it)")
    tree = into / "tree"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    # The ref's worker runs this file's worker (an older ref may not have it) on this tree's
    # labelled transcripts: the same calls on both sides.
    (tree / "bench" / "scoring_ab.py").write_text(Path(__file__).read_text())
    (tree / "tests").mkdir()
    (tree / "tests" / "labelled").symlink_to(LABELLED.parent)
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="HEAD~1", help="the git ref to compare with")
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--rubric", type=Path, help="one rubric file for both sides")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.calls, args.rubric)
        return
    with tempfile.TemporaryDirectory() as tmp:
        ref_tree = _extract(args.ref, Path(tmp))
        sides = {"ref": _start(ref_tree, args.calls, args.rubric)}
        sides["this"] = _start(ROOT, args.calls, args.rubric)
        times: dict[str, list[float]] = {name: [] for name in sides}
        try:
            for _ in range(args.rounds):
                for name, worker in sides.items():
                    times[name].append(_round(worker))
        finally:
            for worker in sides.values():
                worker.kill()
    print(f"scoring {args.calls} calls a round, {args.rounds} rounds each, taking turns")
    rate = {name: args.calls / min(t) for name, t in times.items()}
    median = {name: args.calls / statistics.median(t) for name, t in times.items()}
    print(f"ref {args.ref}:  best {rate['ref']:6.0f} calls/s, median {median['ref']:6.0f}")
    print(f"this tree: best {rate['this']:6.0f} calls/s, median {median['this']:6.0f}")
    print(
        f"this tree / ref: {rate['this'] / rate['ref']:.3f} best, "
        f"{median['this'] / median['ref']:.3f} median"
    )


if __name__ == "__main__":
    main()

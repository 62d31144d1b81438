"""Scoring throughput from stored transcripts, against merely loading them, in the same run.

    python -m bench.scoring [--calls 2000]

Imports the labelled transcripts into a fresh store (repeated to --calls calls), then times on
one core: loading every stored transcript (the baseline), scoring with the default rubric
(phrase, regex and timing detectors), and scoring with rubrics/semantic_example.yaml (the same
plus a similar_to detector; needs the semantic extra). Prints calls per second and ratios.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from qa_pipeline.batch.process import outcome_of_transcript
from qa_pipeline.ingest.transcripts.native import read_transcript
from qa_pipeline.scoring.engine import RubricScorer
from qa_pipeline.scoring.rubric import load_rubric
from qa_pipeline.store import Store

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "labelled" / "json"
RUBRICS = Path(__file__).resolve().parents[1] / "rubrics"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    sources = [read_transcript(p) for p in sorted(LABELLED.glob("*.json"))]
    scorer = RubricScorer(load_rubric())
    semantic = RubricScorer(load_rubric(RUBRICS / "semantic_example.yaml"))
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.duckdb") as store:
        for n in range(args.calls):
            source, transcript = sources[n % len(sources)]
            meta = replace(transcript.meta, call_id=f"bench-{n:06d}")
            store.save(outcome_of_transcript(source, replace(transcript, meta=meta), None, None))
        ids = store.stored_call_ids()
        start = time.perf_counter()
        transcripts = [store.transcript(call_id) for call_id in ids]
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        for transcript in transcripts:
            scorer.score(transcript)
        score_s = time.perf_counter() - start
        start = time.perf_counter()
        for transcript in transcripts:
            semantic.score(transcript)
        semantic_s = time.perf_counter() - start
    n = len(ids)
    print(f"calls: {n} (labelled transcripts, repeated), one core")
    print(f"load from DuckDB:          {n / load_s:8.0f} calls/s")
    print(f"score (phrase/regex/timing): {n / score_s:8.0f} calls/s")
    print(f"load + score:              {n / (load_s + score_s):8.0f} calls/s")
    print(f"scoring time / load time:  {score_s / load_s:.3f}")
    print(
        f"score with similar_to:     {n / semantic_s:8.0f} calls/s "
        f"({semantic_s / score_s:.1f}x the phrase/timing time)"
    )


if __name__ == "__main__":
    main()

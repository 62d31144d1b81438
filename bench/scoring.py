"""Scoring's costs, each against a baseline measured in the same run.

    taskset -c 0 python -m bench.scoring [--calls 5000]      (figures "per core")
    python -m bench.scoring --embed-threads 2                  (embedding on 2 cores)

Builds a store of --calls calls (the labelled transcripts, repeated under new ids) with their
sentence embeddings, as a nightly run leaves it, then times:

1. loading the stored transcripts one query per call (how rescoring read them before: the
   baseline) against loading them in bulk (``Store.transcripts``, 500 calls a query);
2. rescoring from stored embeddings with the default rubric (speech acts): bulk load, stored
   sentences read in bulk, scored 100 calls at a time (``score_stored``, as ``rescore``
   does); no sentence embedded (the model is never asked); three passes, the first and the
   best printed: with each call's act probabilities stored (as import leaves them: the
   classifier does not run) and with none stored (it reads every sentence, as under a rubric
   with new examples);
3. the whole ``rescore`` command path (the same plus writing every score), with none stored
   (so it writes what it read) and then with them stored;
4. embedding new sentences (what a changed transcript or a new call costs), sentences/s;
5. scoring's share of a call's processing next to transcription: the six sample calls
   transcribed (faster-whisper tiny.en) against embedding and scoring the same transcripts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from qa_pipeline.batch.options import PipelineOptions
from qa_pipeline.batch.process import outcome_of_transcript, process_audio
from qa_pipeline.batch.run import rescore, score_stored
from qa_pipeline.bulk import paused_gc
from qa_pipeline.ingest.discover import file_sha256
from qa_pipeline.ingest.manifest import load_manifest
from qa_pipeline.ingest.transcripts.native import read_transcript
from qa_pipeline.scoring.engine import RubricScorer
from qa_pipeline.scoring.rubric import load_rubric
from qa_pipeline.speech.transcribe import Transcriber
from qa_pipeline.store import Store

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "labelled" / "json"
SAMPLES = ROOT / "samples"
CHUNK = 500


def _timed(work):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def build_store(store: Store, scorer: RubricScorer, calls: int) -> None:
    """``calls`` stored calls with their sentence embeddings and scores, from the labelled
    transcripts (each embedded once, then stored under many ids)."""
    outcomes = [
        outcome_of_transcript(*read_transcript(p), None, scorer)
        for p in sorted(LABELLED.glob("*.json"))
    ]
    for n in range(calls):
        outcome = outcomes[n % len(outcomes)]
        assert outcome.transcript is not None
        meta = replace(outcome.meta, call_id=f"bench-{n:06d}")
        store.save(replace(outcome, meta=meta, transcript=replace(outcome.transcript, meta=meta)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--embed-threads", type=int, default=None)
    parser.add_argument("--stored", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    scorer = RubricScorer(load_rubric())
    if args.stored:
        _time_stored(Store(args.stored), scorer, cores)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        with Store(db) as store:
            build_store(store, scorer, args.calls)
        # Timed in a process of its own, as `qa-pipeline rescore` finds the store.
        subprocess.run([sys.executable, "-m", "bench.scoring", "--stored", str(db)], check=True)
    embed_new_sentences(scorer, args.embed_threads)
    scoring_share(scorer)


def _time_stored(store: Store, scorer: RubricScorer, cores: int) -> None:
    """Loading and rescoring the stored calls, as a separate ``rescore`` process finds them."""
    with store:
        ids = store.stored_call_ids()
        n = len(ids)
        _, one_by_one_s = _timed(lambda: [store.transcript(c) for c in ids])
        chunks = [ids[i : i + CHUNK] for i in range(0, n, CHUNK)]
        _, bulk_s = _timed(lambda: [store.transcripts(c) for c in chunks])

        def rescore_in_memory() -> None:
            for chunk in chunks:
                with paused_gc():  # as rescore does, which then writes each part
                    for _ in score_stored(store, scorer, chunk, {}):
                        pass

        before = scorer.acts.embed_calls if scorer.acts else 0
        # The first pass also pays once-a-process costs (loading the act model, filling
        # DuckDB's buffers); two more show the rate a long rescore settles at (best of n).
        # The store holds each call's act probabilities as import left them, so these
        # passes take them as read; then the same with none stored (the classifier reads
        # every sentence, as under a rubric with new examples).
        passes_s = [_timed(rescore_in_memory)[1] for _ in range(3)]
        with store.connected() as con:
            con.execute("delete from sentence_acts")
        unread_s = [_timed(rescore_in_memory)[1] for _ in range(3)]
        embedded_while_rescoring = (scorer.acts.embed_calls if scorer.acts else 0) - before
        _, command_unread_s = _timed(lambda: rescore(store, scorer))  # writes what it read
        _, command_s = _timed(lambda: rescore(store, scorer))

    print(f"calls: {n} (labelled transcripts, repeated), cores: {cores}")
    print(f"load, one query per call (baseline): {n / one_by_one_s:8.0f} calls/s")
    print(
        f"load in bulk:                        {n / bulk_s:8.0f} calls/s "
        f"({one_by_one_s / bulk_s:.1f}x the baseline)"
    )
    for label, took_s in (
        ("rescore, act probabilities stored:  ", passes_s),
        ("rescore, classifier reads them:     ", unread_s),
    ):
        first_s, best_s = took_s[0], min(took_s)
        print(
            f"{label}  {n / first_s:8.0f} calls/s first pass, {n / best_s:.0f} best of 3 "
            f"({n / best_s / cores:.0f} per core)"
        )
    print(f"sentences embedded while rescoring:  {embedded_while_rescoring:8d}")
    print(
        f"rescore command (with writes):       {n / command_s:8.0f} calls/s "
        f"({n / command_unread_s:.0f} when the classifier reads and its reading is stored)"
    )


def embed_new_sentences(scorer: RubricScorer, threads: int | None) -> None:
    """Sentences per second through the act embedder (what a new call's text costs)."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    assert scorer.acts is not None
    sentences = [
        t.text for p in sorted(LABELLED.glob("*.json")) for t in read_transcript(p)[1].turns
    ] * 4
    scorer.acts.embed(sentences[:64])  # load the model outside the timing
    _, took_s = _timed(lambda: scorer.acts.embed(sentences))  # type: ignore[union-attr]
    print(
        f"embed new sentences:                 {len(sentences) / took_s:8.0f} sentences/s "
        f"(torch threads: {torch.get_num_threads()})"
    )


def scoring_share(scorer: RubricScorer) -> None:
    """Embedding plus scoring against transcription, on the sample calls."""
    manifest = load_manifest(SAMPLES / "manifest.csv")
    transcriber = Transcriber()
    files = sorted(SAMPLES.glob("*.wav"))
    process_audio(files[0], manifest.meta_for(files[0]), "", transcriber)  # load the model
    transcribe_s = score_s = audio_s = 0.0
    for path in files:
        outcome, took_s = _timed(
            lambda p=path: process_audio(
                p, manifest.meta_for(p), file_sha256(p), transcriber, PipelineOptions()
            )
        )
        transcribe_s += took_s
        audio_s += outcome.duration_s or 0.0
        assert outcome.transcript is not None
        _, took_s = _timed(lambda o=outcome: scorer.score(o.transcript, scorer.embed(o.transcript)))
        score_s += took_s
    share = score_s / (transcribe_s + score_s)
    print(
        f"sample calls: {len(files)}, {audio_s:.0f} s of audio; "
        f"transcription {transcribe_s:.1f} s, embedding + scoring {score_s:.2f} s: "
        f"scoring's share {share:.1%}"
    )


if __name__ == "__main__":
    main()

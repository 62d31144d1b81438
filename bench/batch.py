"""Batch throughput: the Prefect flow against a plain loop over the same functions.

    python -m bench.batch [--minutes 20]

Copies the sample calls until there are at least --minutes of audio (each copy carries a
one-sample change so its content hash differs and no call is skipped as a duplicate), then
scores them into a fresh DuckDB file three ways, in the same run:

- plain loop: qa_pipeline.batch.run.run_batch, one process (the baseline);
- flow, 1 worker: flows.score_calls with the calls processed in the flow's own process;
- flow, 2 workers: the same flow with a pool of two worker processes.

The models are loaded and Prefect's temporary API started before the clocks start; worker
processes load their own models inside the timing. Prints audio hours scored per wall hour
and the ratios: the flow's cost over the loop (target: at most 10 %) and 2 workers over 1.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from flows.score_calls import ScoreParams, score_calls
from qa_pipeline.batch.run import run_batch
from qa_pipeline.ingest import audio
from qa_pipeline.ingest.manifest import load_manifest
from qa_pipeline.scoring.engine import scorer_for
from qa_pipeline.speech.transcribe import Transcriber
from qa_pipeline.store import Store

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def make_batch(folder: Path, minutes: float) -> float:
    """Writes copies of the sample calls into ``folder``; returns the seconds of audio."""
    originals = [audio.decode(p) for p in sorted(SAMPLES.glob("*.wav"))]
    total_s, copy = 0.0, 0
    while total_s < minutes * 60:
        for decoded in originals:
            data = np.stack(decoded.channels)
            data[0, copy] += 1e-4  # a different file, the same call
            audio.write_wav(folder / f"{decoded.path.stem}_{copy:03d}.wav", data, 16_000)
            total_s += decoded.duration_s
        copy += 1
    return total_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with tempfile.TemporaryDirectory() as tmp:
        calls = Path(tmp) / "calls"
        calls.mkdir()
        audio_s = make_batch(calls, args.minutes)
        n_calls = len(list(calls.glob("*.wav")))
        print(f"{n_calls} calls, {audio_s / 60:.1f} min of audio, {os.cpu_count()} cores")

        transcriber = Transcriber()
        _ = transcriber.model  # load before timing
        scorer = scorer_for(None)
        began = time.perf_counter()
        with Store(Path(tmp) / "loop.duckdb") as store:
            report = run_batch(
                [calls], store, load_manifest(None), scorer=scorer, transcriber=transcriber
            )
        loop_s = time.perf_counter() - began
        assert len(report.stored) == n_calls and not report.failed

        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:  # start the temporary API now
            os.environ["PREFECT_API_URL"] = str(client.api_url)
        flow_s = {}
        for workers in (1, 2):
            params = ScoreParams(
                inputs=[str(calls)], db=str(Path(tmp) / f"flow{workers}.duckdb"), workers=workers
            )
            began = time.perf_counter()
            summary = score_calls(params, return_state=True).result()
            flow_s[workers] = time.perf_counter() - began
            assert summary.scored == n_calls, summary.headline()

    def rate(seconds: float) -> float:
        return audio_s / seconds

    print(f"{'run':22} {'wall s':>8} {'audio h / wall h':>17}")
    print(f"{'plain loop':22} {loop_s:8.1f} {rate(loop_s):17.1f}")
    for workers, seconds in flow_s.items():
        print(f"{f'flow, {workers} worker(s)':22} {seconds:8.1f} {rate(seconds):17.1f}")
    print(
        f"flow (1 worker) cost over the plain loop: {flow_s[1] / loop_s - 1:+.1%} (target <= 10%)"
    )
    print(f"2 workers over 1: {flow_s[1] / flow_s[2]:.2f}x the throughput")


if __name__ == "__main__":
    main()

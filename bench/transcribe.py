"""Transcription cost: the pipeline against faster-whisper called directly, in the same run.

    python bench/transcribe.py [--repeat 3]

For each sample call, the baseline decodes the file with faster-whisper's decoder and calls
WhisperModel.transcribe on each channel with the same options, consuming every word. The
pipeline runs qa_pipeline.batch.process.process_audio (validation, decoding, both channels, turns).
Both share one loaded model. Prints the real-time factor (processing time / audio time) of
each and the pipeline's overhead ratio; the best of --repeat runs counts for each.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from faster_whisper.audio import decode_audio

from qa_pipeline.batch.options import PipelineOptions
from qa_pipeline.batch.process import process_audio
from qa_pipeline.ingest.discover import file_sha256
from qa_pipeline.ingest.manifest import load_manifest
from qa_pipeline.speech.transcribe import Transcriber

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def direct(transcriber: Transcriber, path: Path) -> int:
    """faster-whisper alone: decode, transcribe each channel, count the words."""
    kwargs = transcriber.options.transcribe_kwargs()
    words = 0
    for channel in decode_audio(str(path), 16000, split_stereo=True):
        segments, _ = transcriber.model.transcribe(channel, **kwargs)
        words += sum(len(s.words or ()) for s in segments)
    return words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    manifest = load_manifest(SAMPLES / "manifest.csv")
    transcriber = Transcriber()
    files = sorted(SAMPLES.glob("*.wav"))
    direct(transcriber, files[0])  # load the model and warm the caches outside the timings
    audio_s = 0.0
    best_direct = best_pipeline = float("inf")
    for _ in range(args.repeat):
        t_direct = t_pipeline = 0.0
        audio_s = 0.0
        for path in files:
            start = time.perf_counter()
            direct(transcriber, path)
            t_direct += time.perf_counter() - start
            start = time.perf_counter()
            outcome = process_audio(
                path, manifest.meta_for(path), file_sha256(path), transcriber, PipelineOptions()
            )
            t_pipeline += time.perf_counter() - start
            audio_s += outcome.duration_s or 0.0
        best_direct = min(best_direct, t_direct)
        best_pipeline = min(best_pipeline, t_pipeline)
    print(f"calls: {len(files)}, audio: {audio_s:.1f} s, repeats: {args.repeat} (best counts)")
    print(
        f"faster-whisper direct: {best_direct:.2f} s, real-time factor {best_direct / audio_s:.4f}"
    )
    print(
        f"qa-pipeline:           {best_pipeline:.2f} s, "
        f"real-time factor {best_pipeline / audio_s:.4f}"
    )
    print(f"overhead ratio (pipeline / direct): {best_pipeline / best_direct:.3f}")


if __name__ == "__main__":
    main()

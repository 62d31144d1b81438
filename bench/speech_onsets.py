"""How late the speech pass hears a line start, against Silero's default threshold.

    python -m bench.speech_onsets [--set dev3 ...] [--threshold 0.5]

Each voiced set's calls are spoken again (tests/eval/voice.py: flite, each line where its
script puts it, 8 kHz stereo; needs flite) and each channel is read by the finer VAD pass
that word times are fitted to (speech/word_times.py), once with ``--threshold`` (the
baseline, Silero's own 0.5) and once with ``TranscribeOptions.fine_vad_threshold``. For
every line said after half a second or more of its speaker's silence it prints how far
after the line's first sound the nearest stretch of speech starts: the median, and how many
start 0.2 s or 0.4 s late (an agent's cut-in heard late is an interruption counted short).
It also prints how many stretches, over both sides, lie away from every line of their side
(speech heard where none was said). No model decodes: the figures are the VAD's alone. The
tuning sets are the default; the evaluation sets' calls are for measuring once, not for
choosing a threshold.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "eval"))

import voice  # noqa: E402

from bench.rubric_accuracy import DEVELOPMENT  # noqa: E402
from qa_pipeline.ingest.audio import decode  # noqa: E402
from qa_pipeline.speech.transcribe import TranscribeOptions, Transcriber  # noqa: E402

QUIET_S = 0.5
"""A line counts when its speaker has been silent this long before it."""
NEAR_S = (0.8, 1.5)
"""A stretch starting this far before or after a line's start is that line's onset."""


def onset_errors(
    stretches: list[tuple[float, float]], lines: list[dict]
) -> tuple[list[float], int]:
    """(each counted line's onset error in seconds, stretches lying away from every line)."""
    errors, last_end_s = [], float("-inf")
    for line in lines:
        if line["start"] - last_end_s >= QUIET_S:
            near = [
                start_s
                for start_s, _ in stretches
                if line["start"] - NEAR_S[0] <= start_s <= line["start"] + NEAR_S[1]
            ]
            if near:
                errors.append(min(near, key=lambda s: abs(s - line["start"])) - line["start"])
        last_end_s = line["end"]
    stray = sum(
        not any(s < line["end"] + 0.3 and e > line["start"] - 0.3 for line in lines)
        for s, e in stretches
    )
    return errors, stray


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="sets", action="append", choices=sorted(voice.SETS))
    parser.add_argument("--threshold", type=float, default=0.5, help="the baseline's")
    args = parser.parse_args()
    chosen = TranscribeOptions()
    baseline = replace(chosen, fine_vad_threshold=args.threshold)
    readers = {
        f"baseline {args.threshold}": Transcriber(baseline),
        f"default  {chosen.fine_vad_threshold}": Transcriber(chosen),
    }
    errors: dict[str, list[float]] = {name: [] for name in readers}
    stray = dict.fromkeys(readers, 0)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets or DEVELOPMENT:
            calls, chosen_ids = voice.set_calls(name)
            for call_id, _, segments in calls:
                if call_id not in chosen_ids:
                    continue
                wav = Path(tmp) / f"{call_id}.wav"
                voice.render(call_id, segments, wav)
                channels = decode(wav).channels
                for side, samples in zip(("agent", "customer"), channels, strict=True):
                    lines = [s for s in segments if s["speaker"] == side]
                    for reader_name, reader in readers.items():
                        found, away = onset_errors(reader.speech(samples), lines)
                        errors[reader_name].extend(found)
                        stray[reader_name] += away
            print(f"{name}: {len(chosen_ids)} calls", flush=True)
    for reader_name, found in errors.items():
        late = sum(e > 0.2 for e in found)
        very = sum(e > 0.4 for e in found)
        print(
            f"threshold {reader_name}: {len(found)} line starts, median "
            f"{statistics.median(found):+.3f} s, {late} ({100 * late / len(found):.1f} %) "
            f"0.2 s or more late, {very} 0.4 s or more; {stray[reader_name]} stretches "
            "away from every line"
        )


if __name__ == "__main__":
    main()

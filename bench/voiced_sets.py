"""What speech recognition kept of the voiced sets' scripts: lines lost, interruptions counted.

    python -m bench.voiced_sets [--set dev ...]

Each voiced set (``tests/<name>/asr``) holds calls whose scripts are in ``tests/<name>/text``
and whose lines were spoken exactly where the script puts them (tests/eval/voice.py). Per set
this prints:
  lines lost    script lines with no word of their speaker heard within 0.3 s of their span
                (whisper skipped them, or the VAD did)
  interruptions calls whose interruptions, counted as the rubric counts them (up to two:
                the active-listening item fails on two), agree with the script's
and lists the calls that disagree with the counts either way. No labels are read: it
measures the transcripts against the scripts they were spoken from.
"""

from __future__ import annotations

import argparse

from bench.rubric_accuracy import EVALUATION, SETS
from qa_pipeline.records import Transcript
from qa_pipeline.scoring.detectors.timing import interruptions

VOICED = ("dev", "dev2", "dev3", "dev4", "dev5", *EVALUATION)
SLACK_S = 0.3
"""How far outside a line's span a heard word may lie and still count for it."""


def lost_lines(script: Transcript, heard: Transcript) -> list[float]:
    """Start times of the script's lines with no word of their speaker heard near them."""
    words = [w for t in heard.turns for w in t.words]
    return [
        line.start_s
        for line in script.turns
        if not any(
            w.speaker is line.speaker
            and w.end_s > line.start_s - SLACK_S
            and w.start_s < line.end_s + SLACK_S
            for w in words
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="sets", action="append", choices=VOICED)
    args = parser.parse_args()
    total_lines = total_lost = total_calls = total_agree = 0
    for name in args.sets or VOICED:
        scripts = {
            c.call_id: c.transcript for c in SETS[f"{name}-text" if name in EVALUATION else name]()
        }
        lines = lost = agree = 0
        wrong = []
        calls = SETS[f"{name}-asr"]()
        for call in calls:
            script, heard = scripts[call.call_id], call.transcript
            lines += len(script.turns)
            lost += len(lost_lines(script, heard))
            said = min(len(interruptions(script.turns)), 2)
            seen = min(len(interruptions(heard.turns)), 2)
            agree += said == seen
            if said != seen:
                wrong.append(f"{call.call_id} {said}->{seen}")
        print(
            f"{name:7s} calls {len(calls):3d}  lines lost {lost:3d} of {lines:4d} "
            f"({100 * lost / lines:.1f} %)  interruptions agree {agree:3d} "
            f"({100 * agree / len(calls):.0f} %)  {' '.join(wrong)}",
            flush=True,
        )
        total_lines += lines
        total_lost += lost
        total_calls += len(calls)
        total_agree += agree
    print(
        f"all     calls {total_calls:3d}  lines lost {total_lost:3d} of {total_lines:4d} "
        f"({100 * total_lost / total_lines:.1f} %)  interruptions agree {total_agree:3d} "
        f"({100 * total_agree / total_calls:.0f} %)"
    )


if __name__ == "__main__":
    main()

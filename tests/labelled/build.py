"""Builds the labelled set from its hand-written source: `python tests/labelled/build.py`.

Reads calls_*.txt (format in their header), writes one transcript per call in the import JSON
format to json/ and the expected verdicts to expected.csv. Timing: each line lasts 0.4 s per
word and starts 0.5 s after the previous line ends, unless it says otherwise.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from qa_pipeline.errors import InputError
from qa_pipeline.scoring.labelled import script_segments

HERE = Path(__file__).resolve().parent
ITEMS = ("greeting", "active_listening", "hold_etiquette", "apology", "closing")


def parse(path: Path) -> list[tuple[str, dict[str, str], list[dict]]]:
    """(call id, expected verdicts, segments) per block; exits naming the line it cannot read."""
    try:
        calls = script_segments(path, gap_s=0.5)
    except InputError as exc:
        sys.exit(str(exc))
    for call_id, expected, _ in calls:
        if set(expected) != set(ITEMS):
            sys.exit(f"{path}: {call_id}: expected a verdict for each of {ITEMS}")
    return calls


def main() -> None:
    out = HERE / "json"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.json"):
        old.unlink()
    rows = []
    for source in sorted(HERE.glob("calls_*.txt")):
        for call_id, expected, segments in parse(source):
            doc = {"call_id": call_id, "agent_id": "labelled", "segments": segments}
            (out / f"{call_id}.json").write_text(json.dumps(doc, indent=1) + "\n")
            rows.append({"call_id": call_id, **expected})
    with (HERE / "expected.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=("call_id", *ITEMS))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} labelled calls")


if __name__ == "__main__":
    main()

"""Builds the labelled set from its hand-written source: `python tests/labelled/build.py`.

Reads calls_*.txt (format in their header), writes one transcript per call in the import JSON
format to json/ and the expected verdicts to expected.csv. Timing: each line lasts 0.4 s per
word and starts 0.5 s after the previous line ends, unless it says otherwise.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ITEMS = ("greeting", "active_listening", "hold_etiquette", "apology", "closing")
SECONDS_PER_WORD = 0.4
GAP_S = 0.5
_LINE = re.compile(r"^([AC])\s*([+-]\d+(?:\.\d+)?)?\s*:\s*(.+)$")


def parse(path: Path) -> list[tuple[str, dict[str, str], list[dict]]]:
    calls: list[tuple[str, dict[str, str], list[dict]]] = []
    cursor_s = 0.0
    for n, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("==="):
            call_id, *labels = line[3:].split()
            expected = dict(label.split("=") for label in labels)
            if set(expected) != set(ITEMS):
                sys.exit(f"{path}:{n}: expected a verdict for each of {ITEMS}")
            calls.append((call_id, expected, []))
            cursor_s = 0.5
        elif m := re.fullmatch(r"hold (\d+(?:\.\d+)?)", line):
            cursor_s += float(m.group(1))
        elif m := _LINE.match(line):
            speaker = "agent" if m.group(1) == "A" else "customer"
            offset = float(m.group(2)) if m.group(2) else GAP_S
            start_s = max(0.0, cursor_s + offset)
            end_s = start_s + SECONDS_PER_WORD * len(m.group(3).split())
            calls[-1][2].append(
                {
                    "speaker": speaker,
                    "start": round(start_s, 2),
                    "end": round(end_s, 2),
                    "text": m.group(3),
                }
            )
            cursor_s = max(cursor_s, end_s)
        else:
            sys.exit(f"{path}:{n}: cannot parse {line!r}")
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

"""Labelled calls (what a human reviewer decided for each item) and a rubric's verdicts on them.

Two forms on disk:

- Call scripts, ``*.txt``: blocks headed ``=== ID item=verdict ...``, then lines ``A: text``
  (agent) or ``C: text`` (customer), ``A -1.5: text`` (starts 1.5 s before the previous line
  ends: an overlap), or ``hold N`` (N seconds of silence); ``#`` starts a comment. A line lasts
  0.4 s per word and starts ``gap_s`` after the previous one ends.
- A folder with ``expected.csv`` (``call_id`` and one column per item) beside ``json/``, each
  call in the native import format: how transcripts that went through speech recognition
  are kept with their labels.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa_pipeline.errors import InputError
from qa_pipeline.ingest.transcripts.native import read_transcript, transcript_from_document
from qa_pipeline.records import Transcript
from qa_pipeline.scoring.engine import RubricScorer

__all__ = [
    "SECONDS_PER_WORD",
    "LabelledCall",
    "labelled_verdicts",
    "read_labelled_folder",
    "read_scripts",
    "script_segments",
]

SECONDS_PER_WORD = 0.4
_LINE = re.compile(r"^([AC])\s*([+-]\d+(?:\.\d+)?)?\s*:\s*(.+)$")
_HOLD = re.compile(r"hold (\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class LabelledCall:
    """One call with the verdict a human gave each item."""

    call_id: str
    expected: dict[str, str]
    transcript: Transcript


def script_segments(path: Path, gap_s: float) -> list[tuple[str, dict[str, str], list[dict]]]:
    """(call id, expected verdicts, segments in the import format) for each block of a script.

    Raises:
        InputError: naming the file and line that cannot be read.
    """
    calls: list[tuple[str, dict[str, str], list[dict]]] = []
    cursor_s = 0.0
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("==="):
            call_id, *labels = line[3:].split()
            if not all(label.count("=") == 1 for label in labels):
                raise InputError(f"{path}:{n}: labels must read item=verdict; got {line!r}.")
            calls.append((call_id, dict(label.split("=") for label in labels), []))
            cursor_s = gap_s
        elif not calls:
            raise InputError(f"{path}:{n}: a line before the first '=== ID' header.")
        elif m := _HOLD.fullmatch(line):
            cursor_s += float(m.group(1))
        elif m := _LINE.match(line):
            offset = float(m.group(2)) if m.group(2) else gap_s
            start_s = max(0.0, cursor_s + offset)
            end_s = start_s + SECONDS_PER_WORD * len(m.group(3).split())
            calls[-1][2].append(
                {
                    "speaker": "agent" if m.group(1) == "A" else "customer",
                    "start": round(start_s, 2),
                    "end": round(end_s, 2),
                    "text": m.group(3),
                }
            )
            cursor_s = max(cursor_s, end_s)
        else:
            raise InputError(f"{path}:{n}: cannot read {line!r} (see the format above).")
    return calls


def read_scripts(paths: Iterable[Path], gap_s: float = 0.5) -> list[LabelledCall]:
    """Every labelled call in the given call scripts, in order."""
    calls = []
    for path in paths:
        for call_id, expected, segments in script_segments(path, gap_s):
            doc = {"call_id": call_id, "agent_id": "labelled", "segments": segments}
            calls.append(LabelledCall(call_id, expected, transcript_from_document(doc, path)))
    return calls


def read_labelled_folder(folder: Path) -> list[LabelledCall]:
    """The calls of a folder holding ``expected.csv`` and ``json/<call_id>.json``."""
    with (folder / "expected.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    calls = []
    for row in rows:
        call_id = row.pop("call_id")
        _, transcript = read_transcript(folder / "json" / f"{call_id}.json")
        calls.append(LabelledCall(call_id, row, transcript))
    return calls


def labelled_verdicts(
    calls: Sequence[LabelledCall], scorer: RubricScorer
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """(expected, predicted): call id -> item id -> verdict, for the items both name."""
    expected, predicted = {}, {}
    for call in calls:
        items = {i.item_id: i.verdict.value for i in scorer.score(call.transcript).items}
        expected[call.call_id] = {k: v for k, v in call.expected.items() if k in items}
        predicted[call.call_id] = {k: items[k] for k in expected[call.call_id]}
    return expected, predicted

"""The act corpus keeps the rules its guide (corpus/GUIDELINES.md) promises for every line."""

from __future__ import annotations

import json
import re

from qa_pipeline.scoring.acts import AGENT_ACTS, CUSTOMER_ACTS
from qa_pipeline.scoring.acts.train import CORPUS

REGISTERS = {"us", "uk", "in", "au", "ie", "sco", "za", "ng", "non_native", "other", "mixed"}
FIELDS = {"text", "acts", "speaker", "register", "style"}
_FILLERS = {"um", "uh", "erm", "like"}


def _rows() -> list[tuple[str, int, dict]]:
    return [
        (path.name, n, json.loads(line))
        for path in sorted(CORPUS.glob("*.jsonl"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip()
    ]


def _wording(text: str) -> str:
    """A line's words without case, punctuation, fillers or repeats (the guide's sameness)."""
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _FILLERS]
    return " ".join(w for n, w in enumerate(words) if n == 0 or words[n - 1] != w)


def test_every_line_has_the_fields_and_values_the_guide_lists() -> None:
    rows = _rows()
    assert len(rows) > 8000
    acts_of = {"agent": set(AGENT_ACTS), "customer": set(CUSTOMER_ACTS)}
    wrong = [
        f"{name}:{n}"
        for name, n, r in rows
        if not FIELDS <= set(r) <= FIELDS | {"source"}
        or r["speaker"] not in acts_of
        or not set(r["acts"]) <= acts_of[r["speaker"]]
        or r["register"] not in REGISTERS
        or r["style"] not in ("clean", "asr")
        or (r["style"] == "asr" and re.search(r"[A-Z.,?!]", r["text"]))
        or not 1 <= len(r["text"].split()) <= 40
    ]
    assert not wrong, wrong[:10]


def test_the_same_wording_never_carries_two_labels() -> None:
    first: dict[tuple[str, str], tuple[list[str], str]] = {}
    clashes = []
    for name, n, r in _rows():
        key = (r["speaker"], _wording(r["text"]))
        acts = sorted(r["acts"])
        if key in first and first[key][0] != acts:
            clashes.append(f"{name}:{n} {r['text']!r} {acts} against {first[key]}")
        first.setdefault(key, (acts, f"{name}:{n}"))
    assert not clashes, clashes[:10]

"""Floors on the independent redaction evaluation set (tests/data/redaction/eval.jsonl,
written by someone else and never tuned on; see EVAL_SUMMARY.md). The figures themselves come
from ``python -m bench.redaction``; the floors sit just under what was measured, so a change
that loses ground fails here.

Recall: every letter and digit of a labelled entity is redacted (by any type: gone is gone).
Precision: a redacted span overlaps some labelled entity.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache

import pytest

from qa_pipeline.redact.engine import find_entities
from tests.support.paths import ROOT

EVAL = ROOT / "tests" / "data" / "redaction" / "eval.jsonl"

# entity: (recall floor, precision floor); measured 2026-11-24 in the README's Figures.
FLOORS = {
    "CARD": (0.98, 0.95),
    "CVV": (1.0, 0.95),
    "EXPIRY": (0.95, 0.95),
    "NATIONAL_ID": (0.75, 0.95),
    "PHONE": (0.85, 0.95),
    "EMAIL": (0.75, 0.95),
    "DOB": (0.55, 0.95),
    "ADDRESS": (0.35, 0.95),
    "PERSON_SPELLED": (0.85, 0.95),
}


@cache
def _counts() -> dict[str, Counter]:
    counts: dict[str, Counter] = {kind: Counter() for kind in FLOORS}
    for line in EVAL.read_text().splitlines():
        rec = json.loads(line)
        text = rec["text"]
        found = find_entities(text, context=rec["context"])
        covered = {i for f in found for i in range(f.start, f.end)}
        for ent in rec["entities"]:
            counts[ent["type"]]["expected"] += 1
            chars = [i for i in range(ent["start"], ent["end"]) if text[i].isalnum()]
            counts[ent["type"]]["recalled"] += all(i in covered for i in chars)
        for f in found:
            counts[f.entity.value]["predicted"] += 1
            hit = any(f.start < e["end"] and e["start"] < f.end for e in rec["entities"])
            counts[f.entity.value]["correct"] += hit
    return counts


def test_the_eval_set_is_the_one_described() -> None:
    lines = EVAL.read_text().splitlines()
    assert len(lines) == 437
    assert sum(not json.loads(line)["entities"] for line in lines) == 147


@pytest.mark.parametrize("entity", sorted(FLOORS))
def test_recall_and_precision_floors(entity: str) -> None:
    c = _counts()[entity]
    recall_floor, precision_floor = FLOORS[entity]
    assert c["recalled"] / c["expected"] >= recall_floor, c
    assert c["predicted"] > 0 and c["correct"] / c["predicted"] >= precision_floor, c

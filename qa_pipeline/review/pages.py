"""What each page of the review app shows, built from what the store read. Pure: frames in,
plain records out; the templates only lay them out (and Jinja2 escapes every value, since
transcript text is untrusted input)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import polars as pl

from qa_pipeline.scoring.calibration import VERDICTS, agreement, confusion
from qa_pipeline.store.review import CallReview, CallsFilter, ListSort

__all__ = [
    "Calibration",
    "CallPage",
    "ItemView",
    "Piece",
    "TurnView",
    "calibration",
    "call_page",
    "clock",
    "filter_from_query",
    "label",
    "list_query",
]


def clock(seconds: float | None) -> str:
    """0:07, 12:30, 1:02:03."""
    if seconds is None:
        return ""
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def label(item_id: str) -> str:
    """greeting_and_name -> Greeting and name."""
    text = item_id.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


# The calls list's filters, read from the query string -------------------------------------


def filter_from_query(query: dict[str, str], page_size: int) -> CallsFilter:
    """The list's filter from a request's query string; values that do not parse are left
    out (the form only offers valid ones)."""

    def text(name: str) -> str | None:
        value = query.get(name, "").strip()
        return value[:200] or None

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(query.get(name, ""))
        except ValueError:
            return None

    try:
        sort = ListSort(query.get("sort", ListSort.NEWEST))
    except ValueError:
        sort = ListSort.NEWEST
    try:
        page = max(int(query.get("page", "1")), 1)
    except ValueError:
        page = 1
    return CallsFilter(
        agent_id=text("agent"),
        team=text("team"),
        since=day("since"),
        until=day("until"),
        band=text("band"),
        item_id=text("item"),
        needs_review=query.get("review") == "1",
        sort=sort,
        offset=min(page - 1, 10_000_000) * page_size,
        limit=page_size,
    )


def list_query(wanted: CallsFilter, **changes: Any) -> str:
    """The query string of the list with ``wanted``'s filters (and ``changes``, e.g. page)."""
    values: dict[str, Any] = {
        "agent": wanted.agent_id,
        "team": wanted.team,
        "since": wanted.since.isoformat() if wanted.since else None,
        "until": wanted.until.isoformat() if wanted.until else None,
        "band": wanted.band,
        "item": wanted.item_id,
        "review": "1" if wanted.needs_review else None,
        "sort": None if wanted.sort is ListSort.NEWEST else str(wanted.sort),
    }
    values.update(changes)
    return urlencode({k: v for k, v in values.items() if v is not None})


# The call page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A stretch of a turn's text; ``items`` are the items whose evidence it is."""

    text: str
    items: tuple[str, ...] = ()
    verdict: str = ""


@dataclass(frozen=True)
class TurnView:
    index: int
    speaker: str
    start_s: float
    end_s: float
    clock: str
    pieces: tuple[Piece, ...]
    items: tuple[str, ...]  # items with evidence in this turn
    low_confidence: bool


@dataclass(frozen=True)
class ItemView:
    item_id: str
    label: str
    machine: str
    verdict: str  # the one that stands
    points: float
    max_points: float
    confidence: float
    critical: bool
    reason: str
    evidence: list[dict[str, Any]]
    reviewer: str | None
    review_reason: str | None
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class CallPage:
    call: dict[str, Any]
    standing: dict[str, Any] | None
    score: dict[str, Any] | None
    turns: list[TurnView]
    items: list[ItemView]
    older_reviews: list[dict[str, Any]]
    speakers: dict[str, Any] | None


def call_page(review: CallReview) -> CallPage:
    """The call page's content: turns with every item's evidence marked, items with the
    machine's and the reviewers' verdicts, and reviews made under an older rubric."""
    detail = review.detail
    score = detail.score
    sha = score["rubric_sha256"] if score else None
    history = review.history
    current = history.filter(pl.col("rubric_sha256") == sha) if sha else history.clear()
    older = history.filter(pl.col("rubric_sha256") != sha) if sha else history
    evidence = detail.evidence if detail.evidence is not None else pl.DataFrame()
    items = _items(detail.items, evidence, current)
    verdict_of = {i.item_id: i.verdict for i in items}
    return CallPage(
        call=detail.call,
        standing=review.standing,
        score=score,
        turns=_turns(detail.turns, evidence, verdict_of),
        items=items,
        older_reviews=_rows(older),
        speakers=_speakers(detail.call),
    )


def _items(
    frame: pl.DataFrame | None, evidence: pl.DataFrame, history: pl.DataFrame
) -> list[ItemView]:
    if frame is None:
        return []
    views = []
    for row in frame.iter_rows(named=True):
        mine = evidence.filter(pl.col("item_id") == row["item_id"]) if evidence.height else None
        views.append(
            ItemView(
                item_id=row["item_id"],
                label=label(row["item_id"]),
                machine=row["verdict"],
                verdict=row["override_verdict"] or row["verdict"],
                points=row["points"],
                max_points=row["max_points"],
                confidence=row["confidence"],
                critical=row["critical"],
                reason=row["reason"],
                evidence=_distinct_evidence(_rows(mine) if mine is not None else []),
                reviewer=row["reviewer"],
                review_reason=row["override_reason"],
                history=_rows(history.filter(pl.col("item_id") == row["item_id"])),
            )
        )
    return views


def _distinct_evidence(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each quote once: several detectors often match the same words, or words inside
    another quote of the same turn, and a reviewer needs to read them once."""
    kept: list[dict[str, Any]] = []
    for e in sorted(rows, key=lambda r: (-len(r["text"]), r["start_s"])):
        words = e["text"].strip().lower()
        if any(
            k["turn_index"] == e["turn_index"] and words in k["text"].strip().lower() for k in kept
        ):
            continue
        kept.append({**e, "clock": clock(e["start_s"])})
    return sorted(kept, key=lambda r: r["start_s"])


def _turns(
    turns: pl.DataFrame, evidence: pl.DataFrame, verdict_of: dict[str, str]
) -> list[TurnView]:
    spans: dict[int, list[tuple[str, str]]] = {}  # turn -> (item, evidence text)
    if evidence.height:
        for e in evidence.iter_rows(named=True):
            if e["turn_index"] is not None:
                spans.setdefault(e["turn_index"], []).append((e["item_id"], e["text"]))
    views = []
    for t in turns.iter_rows(named=True):
        marks = spans.get(t["turn_index"], [])
        views.append(
            TurnView(
                index=t["turn_index"],
                speaker=t["speaker"],
                start_s=t["start_s"],
                end_s=t["end_s"],
                clock=clock(t["start_s"]),
                pieces=_pieces(t["text"], marks, verdict_of),
                items=tuple(dict.fromkeys(item for item, _ in marks)),
                low_confidence=t["mean_probability"] < 0.5,
            )
        )
    return views


def _pieces(
    text: str, marks: list[tuple[str, str]], verdict_of: dict[str, str]
) -> tuple[Piece, ...]:
    """The turn's text cut where evidence starts and ends; evidence not found word for word
    in the turn (an act detector's sentence, say) marks no words (the turn is marked)."""
    owners: list[set[str]] = [set() for _ in text]
    lowered = text.lower()
    for item, quote in marks:
        found = lowered.find(quote.strip().lower()) if quote.strip() else -1
        if found >= 0:
            for k in range(found, found + len(quote.strip())):
                owners[k].add(item)
    pieces: list[Piece] = []
    start = 0
    for k in range(1, len(text) + 1):
        if k == len(text) or owners[k] != owners[start]:
            items = tuple(sorted(owners[start]))
            verdicts = {verdict_of.get(i, "") for i in items}
            verdict = "fail" if "fail" in verdicts else ("pass" if "pass" in verdicts else "")
            pieces.append(Piece(text[start:k], items, verdict if items else ""))
            start = k
    return tuple(pieces)


def _speakers(call: dict[str, Any]) -> dict[str, Any] | None:
    """How sure the store is of who the agent is, on a mono call."""
    if call.get("layout") != "mono":
        return None
    return {
        "method": call.get("role_method"),
        "confidence": call.get("role_confidence"),
        "reason": call.get("role_reason"),
        "diarizer": call.get("diarizer"),
    }


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return list(frame.iter_rows(named=True))


# Calibration --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """Machine against reviewers, and reviewers against each other, per item."""

    machine: list[dict[str, Any]]
    machine_confusion: dict[str, list[list[int]]]
    machine_disagreements: list[dict[str, Any]]
    reviewers: list[dict[str, Any]]
    reviewer_disagreements: list[dict[str, Any]]
    verdicts: tuple[str, ...] = VERDICTS


def calibration(machine_human: pl.DataFrame, pairs: pl.DataFrame) -> Calibration:
    """Agreement, Cohen's kappa and the confusion table from the reviewed verdicts."""
    human = _by_call(machine_human, "human")
    machine = _by_call(machine_human, "machine")
    first = _by_call(pairs, "first")
    second = _by_call(pairs, "second")
    return Calibration(
        machine=_rows(agreement(human, machine)) if human else [],
        machine_confusion=_grids(confusion(human, machine)) if human else {},
        machine_disagreements=_rows(
            machine_human.filter(pl.col("machine") != pl.col("human")).head(200)
        ),
        reviewers=_rows(agreement(first, second)) if first else [],
        reviewer_disagreements=_rows(pairs.filter(pl.col("first") != pl.col("second")).head(200)),
    )


def _by_call(frame: pl.DataFrame, column: str) -> dict[str, dict[str, str]]:
    # A call's item may appear once per pair of reviewers: key by call and pair.
    out: dict[str, dict[str, str]] = {}
    for n, row in enumerate(frame.iter_rows(named=True)):
        key = row["call_id"] if "first_reviewer" not in row else f"{row['call_id']}#{n}"
        out.setdefault(key, {})[row["item_id"]] = row[column]
    return out


def _grids(table: pl.DataFrame) -> dict[str, list[list[int]]]:
    """Per item, rows = reviewer's verdict, columns = machine's, in VERDICTS order."""
    grids: dict[str, list[list[int]]] = {}
    for row in table.iter_rows(named=True):
        grid = grids.setdefault(row["item_id"], [[0] * len(VERDICTS) for _ in VERDICTS])
        grid[VERDICTS.index(row["expected"])][VERDICTS.index(row["predicted"])] = row["calls"]
    return grids

"""A stored call as a reviewer sees it: a JSON document, or readable text with the evidence
highlighted. Pure: takes what the store read, returns data. In the text, every value that came
from a file is printed literally (``escape``: rich markup escaped, control characters removed).
"""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

from qa_pipeline.reports.text import for_markup as escape
from qa_pipeline.store import CallDetail

__all__ = ["call_document", "render_text"]


def call_document(detail: CallDetail) -> dict[str, Any]:
    """The call as the JSON document ``qa-pipeline show --json`` prints."""
    call = detail.call
    evidence_by_item: dict[str, list[dict[str, Any]]] = {}
    if detail.evidence is not None:
        for e in detail.evidence.iter_rows(named=True):
            evidence_by_item.setdefault(e["item_id"], []).append(
                {
                    "turn": e["turn_index"],
                    "speaker": e["speaker"],
                    "start": round(e["start_s"], 2),
                    "end": round(e["end_s"], 2),
                    "text": e["text"],
                    "detector": e["detector"],
                    # An act detector's evidence: which act, and the classifier's probability.
                    **(
                        {
                            "act": e["act"],
                            "act_confidence": e["act_confidence"],
                            "sentence": e["sentence_index"],
                        }
                        if e.get("act")
                        else {}
                    ),
                }
            )
    items = []
    if detail.items is not None:
        for i in detail.items.iter_rows(named=True):
            override = None
            if i["override_verdict"] is not None:
                override = {
                    "verdict": i["override_verdict"],
                    "reviewer": i["reviewer"],
                    "reason": i["override_reason"],
                }
            items.append(
                {
                    "item_id": i["item_id"],
                    "verdict": i["verdict"],
                    "points": i["points"],
                    "max_points": i["max_points"],
                    "confidence": round(i["confidence"], 3),
                    "critical": i["critical"],
                    "reason": i["reason"],
                    "override": override,
                    "evidence": evidence_by_item.get(i["item_id"], []),
                }
            )
    score = detail.score
    return {
        "call_id": call["call_id"],
        "status": call["status"],
        "error": call["error"],
        "agent_id": call["agent_id"],
        "agent_name": call["agent_name"],
        "team": call["team"],
        "queue": call["queue"],
        "started_at": _started_at(call),
        "duration_s": call["duration_s"],
        "source_path": call["source_path"],
        "layout": call["layout"],
        "speakers": None
        if call.get("diarizer") is None
        else {
            "diarizer": call["diarizer"],
            "role_method": call["role_method"],
            "role_confidence": call["role_confidence"],
            "role_reason": call["role_reason"],
            "needs_review": bool(call["needs_review"]),
        },
        "score": None if score is None else score["score"],
        "band": None if score is None else score["band"],
        "rubric": None
        if score is None
        else {
            "id": score["rubric_id"],
            "version": score["rubric_version"],
            "title": score["rubric_title"],
            "sha256": score["rubric_sha256"],
        },
        "items": items,
        "turns": [
            {
                "turn": t["turn_index"],
                "speaker": t["speaker"],
                "start": round(t["start_s"], 2),
                "end": round(t["end_s"], 2),
                "text": t["text"],
            }
            for t in detail.turns.iter_rows(named=True)
        ],
    }


def _started_at(call: dict[str, Any]) -> str | None:
    """The start as written: with its UTC offset when it was given one."""
    started_at, offset_s = call["started_at"], call.get("started_at_utc_offset_s")
    if started_at is None:
        return None
    if offset_s is not None:
        started_at = started_at.replace(tzinfo=timezone(timedelta(seconds=offset_s)))
    return started_at.isoformat()


_VERDICT_STYLE = {"pass": "green", "fail": "bold red", "na": "dim"}


def render_text(doc: dict[str, Any]) -> str:
    """The call as rich-markup text: header, verdicts with their evidence, then the transcript
    with each turn that carries evidence marked by the items it supports."""
    lines = [f"[bold]Call {escape(doc['call_id'])}[/bold]  status: {escape(doc['status'])}"]
    who = ", ".join(
        f"{k}: {escape(str(doc[k]))}"
        for k in ("agent_name", "agent_id", "team", "queue", "started_at")
        if doc[k]
    )
    if who:
        lines.append(who)
    if doc["duration_s"] is not None:
        lines.append(f"duration: {_clock(doc['duration_s'])}  source: {escape(doc['source_path'])}")
    if doc["error"]:
        lines.append(f"[red]error: {escape(doc['error'])}[/red]")
    if doc["speakers"]:
        sp = doc["speakers"]
        review = ""
        if sp["needs_review"]:
            review = "  [bold red]needs review: who is the agent is unsure[/bold red]"
        lines.append(
            f"speakers: {escape(sp['diarizer'])} diarizer, agent by {escape(sp['role_method'])} "
            f"(confidence {sp['role_confidence']:.2f}){review}"
        )
    if doc["rubric"]:
        r = doc["rubric"]
        score = "n/a" if doc["score"] is None else f"{doc['score']:.1f}"
        lines += [
            "",
            f"[bold]Score {score}[/bold] ({escape(doc['band'])})  "
            f"rubric {escape(r['id'])} v{escape(r['version'])}",
        ]
    marks: dict[int, list[str]] = {}
    for item in doc["items"]:
        style = _VERDICT_STYLE[item["verdict"]]
        points = f"{item['points']:g}/{item['max_points']:g}"
        critical = " critical" if item["critical"] else ""
        lines.append(
            f"  [{style}]{item['verdict'].upper():4}[/{style}] {item['item_id']:<18} {points:>7}"
            f"{critical}  {escape(item['reason'])}"
        )
        if item["override"]:
            o = item["override"]
            lines.append(
                f"       overridden to {o['verdict']} by {escape(o['reviewer'])}: "
                f"{escape(o['reason'])}"
            )
        for e in item["evidence"]:
            turn = "" if e["turn"] is None else f"turn {e['turn']} "
            act = ""
            if e.get("act"):
                act = f" [cyan]{escape(e['act'])} {e['act_confidence']:.2f}[/cyan]"
            lines.append(
                f"       {turn}{_clock(e['start'])}-{_clock(e['end'])} "
                f'[yellow]"{escape(e["text"])}"[/yellow]{act}'
            )
            if e["turn"] is not None:
                marks.setdefault(e["turn"], []).append(item["item_id"])
    lines += ["", "[bold]Transcript[/bold]"]
    for t in doc["turns"]:
        speaker = "AGENT   " if t["speaker"] == "agent" else "CUSTOMER"
        text = escape(t["text"])
        tags = ""
        if t["turn"] in marks:
            text = f"[yellow]{text}[/yellow]"
            tags = "  [cyan]<" + ", ".join(sorted(set(marks[t["turn"]]))) + ">[/cyan]"
        lines.append(f"{t['turn']:>3} {_clock(t['start'])} {speaker} {text}{tags}")
    return "\n".join(lines)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes):02d}:{secs:04.1f}"

"""Amazon Connect Contact Lens post-call analysis files, and Transcribe Call Analytics output.

Both list ``Transcript`` turns with ``BeginOffsetMillis`` / ``EndOffsetMillis`` (integer
milliseconds) and say who is who: Call Analytics puts ``ParticipantRole`` (``AGENT`` /
``CUSTOMER``) on each turn; Contact Lens puts ``ParticipantId`` on each turn and resolves it
through the top-level ``Participants``. Call Analytics turns carry word ``Items`` (punctuation
items without times, attached to the word before; redacted ``[PII]`` words without a
confidence); Contact Lens turns carry only ``Content``, so its word times are estimated
inside each turn, in proportion to word length. ``SYSTEM`` turns (prompts) are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa_pipeline.ingest.transcripts.base import (
    LabelledWord,
    Parsed,
    SplitBy,
    bad,
    checked,
    probability,
    seconds,
    spread,
)
from qa_pipeline.records import Speaker

__all__ = ["FORMAT", "looks_like", "parse"]

FORMAT = "contact-lens"
_FIX = (
    "export the analysis file unchanged (Transcript turns with BeginOffsetMillis, "
    "EndOffsetMillis, Content and ParticipantRole or ParticipantId; Participants), see README "
    '"Transcripts from speech services".'
)
_ROLES = {"AGENT": Speaker.AGENT, "CUSTOMER": Speaker.CUSTOMER}
_MS = 1000.0


def looks_like(doc: object) -> bool:
    """A Contact Lens or Call Analytics file: a ``Transcript`` list plus its job's fields."""
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("Transcript"), list)
        and any(k in doc for k in ("Participants", "ConversationCharacteristics", "JobStatus"))
    )


def parse(path: Path, doc: dict[str, Any]) -> Parsed:
    """Reads a Contact Lens or Call Analytics file.

    Raises:
        CallError: code ``bad_transcript``, naming the file, the format and the field.
    """
    turns = doc.get("Transcript")
    if not isinstance(turns, list) or not turns:
        raise bad(path, FORMAT, "Transcript", "is missing or empty.", _FIX)
    by_id = _participants(path, doc.get("Participants"))
    words: list[LabelledWord] = []
    notes: list[str] = []
    skipped = 0
    for t, turn in enumerate(turns):
        where = f"Transcript[{t}]"
        if not isinstance(turn, dict):
            raise bad(path, FORMAT, where, "is not an object.", _FIX)
        role = _role(path, where, turn, by_id)
        if role is None:
            skipped += 1
            continue
        start_s = seconds(
            path, FORMAT, f"{where}.BeginOffsetMillis", turn.get("BeginOffsetMillis"), _FIX, _MS
        )
        end_s = seconds(
            path, FORMAT, f"{where}.EndOffsetMillis", turn.get("EndOffsetMillis"), _FIX, _MS
        )
        if end_s < start_s:
            raise bad(
                path,
                FORMAT,
                f"{where}.EndOffsetMillis",
                f"ends at {end_s:g} s, before the turn starts ({start_s:g} s).",
                _FIX,
            )
        items = turn.get("Items")
        if isinstance(items, list) and items:
            words.extend(_items(path, f"{where}.Items", items, role.value))
            continue
        content = turn.get("Content")
        if not isinstance(content, str):
            raise bad(path, FORMAT, f"{where}.Content", "is missing or not a string.", _FIX)
        for n, (w_start, w_end, token) in enumerate(spread(content, start_s, end_s)):
            words.append(
                LabelledWord(w_start, w_end, token, 1.0, role.value, f"{where}.Content[{n}]")
            )
        if "word times estimated" not in " ".join(notes):
            notes.append("word times estimated inside each turn (no Items); confidence 1.0")
    if skipped:
        notes.append(f"{skipped} SYSTEM turn(s) left out")
    duration = doc.get("ConversationCharacteristics", {})
    total_ms = (
        duration.get("TotalConversationDurationMillis") if isinstance(duration, dict) else None
    )
    declared = (
        seconds(
            path,
            FORMAT,
            "ConversationCharacteristics.TotalConversationDurationMillis",
            total_ms,
            _FIX,
            _MS,
        )
        if total_ms is not None
        else None
    )
    return Parsed(
        words=checked(path, FORMAT, words, _FIX),
        split_by=SplitBy.ROLE,
        roles=((Speaker.AGENT.value, Speaker.AGENT), (Speaker.CUSTOMER.value, Speaker.CUSTOMER)),
        declared_duration_s=declared,
        notes=tuple(notes),
    )


def _participants(path: Path, raw: object) -> dict[str, str]:
    """ParticipantId -> ParticipantRole (Contact Lens); empty for Call Analytics files."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise bad(path, FORMAT, "Participants", "is not a list.", _FIX)
    found = {}
    for p, entry in enumerate(raw):
        if not isinstance(entry, dict) or not isinstance(entry.get("ParticipantRole"), str):
            raise bad(path, FORMAT, f"Participants[{p}].ParticipantRole", "is missing.", _FIX)
        if isinstance(entry.get("ParticipantId"), str):
            found[entry["ParticipantId"]] = entry["ParticipantRole"]
    return found


def _role(path: Path, where: str, turn: dict[str, Any], by_id: dict[str, str]) -> Speaker | None:
    """The turn's role; None for a SYSTEM turn."""
    raw = turn.get("ParticipantRole")
    field = f"{where}.ParticipantRole"
    if raw is None and "ParticipantId" in turn:
        field = f"{where}.ParticipantId"
        raw = by_id.get(str(turn["ParticipantId"]))
        if raw is None:
            raise bad(
                path,
                FORMAT,
                field,
                f"{turn['ParticipantId']!r} is not listed in Participants, so its role "
                "cannot be decided.",
                _FIX,
            )
    if raw == "SYSTEM":
        return None
    role = _ROLES.get(raw) if isinstance(raw, str) else None
    if role is None:
        raise bad(path, FORMAT, field, f"is {raw!r}, not AGENT or CUSTOMER.", _FIX)
    return role


def _items(path: Path, where: str, items: list[Any], label: str) -> list[LabelledWord]:
    words: list[LabelledWord] = []
    for i, item in enumerate(items):
        field = f"{where}[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("Content"), str):
            raise bad(path, FORMAT, f"{field}.Content", "is missing.", _FIX)
        if item.get("Type") == "punctuation":
            if words:
                last = words[-1]
                words[-1] = LabelledWord(
                    last.start_s,
                    last.end_s,
                    last.text + item["Content"],
                    last.probability,
                    last.label,
                    last.field,
                )
            continue
        start_s = seconds(
            path, FORMAT, f"{field}.BeginOffsetMillis", item.get("BeginOffsetMillis"), _FIX, _MS
        )
        end_s = seconds(
            path, FORMAT, f"{field}.EndOffsetMillis", item.get("EndOffsetMillis"), _FIX, _MS
        )
        confidence = item.get("Confidence")
        # Redacted [PII] words carry no confidence of their own.
        prob = (
            1.0
            if confidence is None
            else probability(path, FORMAT, f"{field}.Confidence", confidence, _FIX)
        )
        words.append(LabelledWord(start_s, end_s, item["Content"], prob, label, field))
    return words

"""Transcripts made elsewhere: JSON files read into the same records as transcribed calls.

Format (one call per file)::

    {"call_id": "c1", "agent_id": "a7", "agent_name": "Sarah", "team": "billing",
     "started_at": "2026-11-23T09:15:00",
     "segments": [{"speaker": "agent", "start": 0.0, "end": 3.2, "text": "Thank you ..."}]}

Each segment becomes one turn. Imported text has no word timings, so each segment's time is
spread over its words in proportion to their length; evidence timestamps are then estimates
inside the right segment.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

from qa_pipeline.errors import CallError, os_reason
from qa_pipeline.records import CallMeta, CallSource, Speaker, Transcript, Turn, Word

__all__ = [
    "IMPORT_ENGINE",
    "MAX_CALL_S",
    "MAX_TRANSCRIPT_BYTES",
    "read_transcript",
    "transcript_from_document",
]

IMPORT_ENGINE = "import"
_FIX = (
    'expected {"call_id": str, "agent_id": str, "agent_name"?: str, "team"?: str, '
    '"started_at"?: ISO 8601, "segments": [{"speaker": "agent"|"customer", "start": seconds, '
    '"end": seconds, "text": str}]} (see README, "Importing transcripts").'
)
MAX_TRANSCRIPT_BYTES = 64 << 20
MAX_CALL_S = 7 * 24 * 3600.0
"""Limits: a transcript file's size, and a segment's end (a week: past it the number is wrong)."""
_TOP_KEYS = {"call_id", "agent_id", "agent_name", "team", "queue", "started_at", "segments"}
_SEGMENT_KEYS = {"speaker", "start", "end", "text"}


def read_transcript(path: Path) -> tuple[CallSource, Transcript]:
    """Reads and validates one transcript file.

    Raises:
        CallError: code ``bad_transcript``, naming the file, the field and what is wrong.
    """
    raw = _read_bytes(path)
    try:
        doc = json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise _bad(path, f"is not UTF-8 text (byte offset {exc.start}).") from exc
    except json.JSONDecodeError as exc:
        raise _bad(path, f"is not valid JSON ({exc.msg} at line {exc.lineno}).") from exc
    except ValueError as exc:  # NaN, Infinity: JSON has no such numbers
        raise _bad(path, f"{exc}.") from exc
    except RecursionError as exc:
        raise _bad(path, "is nested too deeply to be a transcript.") from exc
    transcript = transcript_from_document(doc, path)
    source = CallSource(path=path, sha256=hashlib.sha256(raw).hexdigest(), kind="import")
    return source, transcript


def transcript_from_document(doc: object, path: Path) -> Transcript:
    """One call's transcript from a parsed document in the format above.

    Args:
        doc: the parsed JSON.
        path: where it came from, named in errors.

    Raises:
        CallError: code ``bad_transcript``, naming the file, the field and what is wrong.
    """
    if not isinstance(doc, dict):
        raise _bad(path, "the top level is not a JSON object.")
    meta = _meta(path, doc)
    segments = doc.get("segments")
    if not isinstance(segments, list) or not segments:
        raise _bad(path, "segments is missing or empty.")
    turns = [_segment(path, i, seg) for i, seg in enumerate(segments)]
    turns.sort(key=lambda t: (t.start_s, t.speaker))
    turns = [
        Turn(i, t.speaker, t.start_s, t.end_s, t.text, t.mean_probability, t.words)
        for i, t in enumerate(turns)
    ]
    words = tuple(w for t in turns for w in t.words)
    return Transcript(
        meta=meta,
        duration_s=max(t.end_s for t in turns),
        words=words,
        turns=tuple(turns),
        engine=IMPORT_ENGINE,
        options_json=json.dumps({"source": str(path)}),
    )


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise _bad(path, "is a folder, not a transcript file.")
    try:
        size = path.stat().st_size
        if size > MAX_TRANSCRIPT_BYTES:
            raise _bad(path, f"is {size} bytes, over the {MAX_TRANSCRIPT_BYTES} byte limit.")
        return path.read_bytes()
    except PermissionError as exc:
        raise CallError(
            "permission_denied", path, "permission denied.", "make the file readable."
        ) from exc
    except OSError as exc:
        raise _bad(path, f"cannot be read: {os_reason(exc)}.") from exc


def _no_constant(name: str) -> float:
    raise ValueError(f"holds {name}, which is not a number JSON allows")


def _meta(path: Path, doc: dict[str, Any]) -> CallMeta:
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise _bad(path, f"unknown field(s) {', '.join(unknown)}.")
    fields: dict[str, str | None] = {}
    for key in ("call_id", "agent_id", "agent_name", "team", "queue", "started_at"):
        value = doc.get(key)
        if value is not None and not isinstance(value, str):
            raise _bad(path, f"{key} must be a string, not {type(value).__name__}.")
        fields[key] = value.strip() if isinstance(value, str) and value.strip() else None
    for key in ("call_id", "agent_id"):
        if not fields[key]:
            raise _bad(path, f"{key} is missing or empty.")
    started_at = None
    if fields["started_at"]:
        try:
            started_at = datetime.fromisoformat(fields["started_at"])
        except ValueError as exc:
            raise _bad(path, f"started_at {fields['started_at']!r} is not ISO 8601.") from exc
    return CallMeta(
        call_id=fields["call_id"] or "",
        agent_id=fields["agent_id"],
        agent_name=fields["agent_name"],
        team=fields["team"],
        queue=fields["queue"],
        started_at=started_at,
    )


def _segment(path: Path, index: int, seg: object) -> Turn:
    where = f"segments[{index}]"
    if not isinstance(seg, dict):
        raise _bad(path, f"{where} is not an object.")
    missing = sorted(_SEGMENT_KEYS - set(seg))
    if missing:
        raise _bad(path, f"{where} lacks {', '.join(missing)}.")
    try:
        speaker = Speaker(seg["speaker"])
    except ValueError as exc:
        raise _bad(path, f"{where}.speaker is {seg['speaker']!r}, not agent or customer.") from exc
    start_s, end_s = seg["start"], seg["end"]
    if not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        for v in (start_s, end_s)
    ):
        raise _bad(path, f"{where}.start and .end must be numbers of seconds.")
    if end_s > MAX_CALL_S:
        raise _bad(path, f"{where}.end is {end_s} s, past any call's length.")
    if start_s < 0 or end_s < start_s:
        raise _bad(path, f"{where} runs from {start_s} to {end_s}; need 0 <= start <= end.")
    text = seg["text"]
    if not isinstance(text, str) or not text.split():
        raise _bad(path, f"{where}.text is empty or not a string.")
    tokens = text.split()
    total_chars = sum(len(t) for t in tokens)
    words, cursor = [], float(start_s)
    for token in tokens:
        share = (end_s - start_s) * len(token) / total_chars
        words.append(Word(cursor, cursor + share, token, 1.0, speaker))
        cursor += share
    return Turn(index, speaker, float(start_s), float(end_s), " ".join(tokens), 1.0, tuple(words))


def _bad(path: Path, problem: str) -> CallError:
    return CallError("bad_transcript", path, problem, _FIX)

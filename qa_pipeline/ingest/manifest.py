"""Call metadata: an optional manifest (CSV or JSON lines) that says who took each call and how
its channels are laid out. Without one, the call id is the file stem and stereo means agent on
channel 0.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from qa_pipeline.errors import InputError
from qa_pipeline.records import CallMeta, Layout

__all__ = ["MANIFEST_COLUMNS", "Manifest", "load_manifest"]

MANIFEST_COLUMNS = (
    "call_id",
    "file",
    "agent_id",
    "agent_name",
    "team",
    "queue",
    "started_at",
    "agent_channel",
    "agent_speaker",
)
_LAYOUTS = {"0": Layout.AGENT_ON_0, "1": Layout.AGENT_ON_1, "mono": Layout.MONO}
_FIX = (
    "columns are " + ", ".join(MANIFEST_COLUMNS) + "; call_id is required and unique, "
    "started_at is ISO 8601 (2026-11-23T09:15:00), agent_channel is 0, 1 or mono, "
    "agent_speaker (mono calls) is first or second."
)


@dataclass(frozen=True)
class Manifest:
    """Metadata for calls, looked up by audio file name or by call id (the file stem)."""

    path: Path | None = None
    by_call_id: dict[str, CallMeta] = field(default_factory=dict)
    by_file: dict[str, str] = field(default_factory=dict)

    def meta_for(self, audio_path: Path) -> CallMeta:
        """The metadata for one audio file; a bare CallMeta named after the stem if unlisted."""
        call_id = self.by_file.get(audio_path.name, audio_path.stem)
        return self.by_call_id.get(call_id, CallMeta(call_id=call_id))

    def with_defaults(self, meta: CallMeta) -> CallMeta:
        """Fills the gaps in ``meta`` (e.g. from an imported transcript) from the manifest."""
        row = self.by_call_id.get(meta.call_id)
        if row is None:
            return meta
        return replace(
            meta,
            agent_id=meta.agent_id or row.agent_id,
            agent_name=meta.agent_name or row.agent_name,
            team=meta.team or row.team,
            queue=meta.queue or row.queue,
            started_at=meta.started_at or row.started_at,
            layout=meta.layout or row.layout,
            agent_speaks_first=(
                meta.agent_speaks_first
                if meta.agent_speaks_first is not None
                else row.agent_speaks_first
            ),
        )


def load_manifest(path: Path | None) -> Manifest:
    """Reads and validates a manifest; every bad row is named in one error.

    Args:
        path: a ``.csv`` file with a header row, or a ``.jsonl`` file of objects; None for none.

    Raises:
        InputError: the file is missing, unreadable, or has bad rows, listed by line.
    """
    if path is None:
        return Manifest()
    if not path.is_file():
        raise InputError(path, ["the manifest does not exist."], "check the --manifest path.")
    rows = _read_rows(path)
    problems: list[str] = []
    by_call_id: dict[str, CallMeta] = {}
    by_file: dict[str, str] = {}
    for line, row in rows:
        unknown = sorted(set(row) - set(MANIFEST_COLUMNS))
        if unknown:
            problems.append(f"line {line}: unknown column(s) {', '.join(unknown)}")
            continue
        meta, row_problems = _parse_row(row)
        problems.extend(f"line {line}: {p}" for p in row_problems)
        if meta is None:
            continue
        if meta.call_id in by_call_id:
            problems.append(f"line {line}: call_id {meta.call_id!r} appears more than once")
            continue
        by_call_id[meta.call_id] = meta
        file_name = _text(row.get("file"))
        if file_name:
            by_file[Path(file_name).name] = meta.call_id
    if problems:
        raise InputError(path, problems, _FIX)
    return Manifest(path=path, by_call_id=by_call_id, by_file=by_file)


def _read_rows(path: Path) -> list[tuple[int, dict[str, object]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, [f"cannot be read as UTF-8 text ({exc})"], _FIX) from exc
    if path.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        rows = []
        for line_no, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(path, [f"line {line_no}: not JSON ({exc.msg})"], _FIX) from exc
            if not isinstance(obj, dict):
                raise InputError(path, [f"line {line_no}: not a JSON object"], _FIX)
            rows.append((line_no, obj))
        return rows
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or "call_id" not in reader.fieldnames:
        raise InputError(path, ["the header row has no call_id column"], _FIX)
    # Line 1 is the header, so data rows start at line 2.
    return [
        (line_no, {k: v for k, v in row.items() if k is not None})
        for line_no, row in enumerate(reader, start=2)
    ]


def _parse_row(row: dict[str, object]) -> tuple[CallMeta | None, list[str]]:
    problems: list[str] = []
    call_id = _text(row.get("call_id"))
    if not call_id:
        problems.append("call_id is empty")
    started_at = None
    started_text = _text(row.get("started_at"))
    if started_text:
        try:
            started_at = datetime.fromisoformat(started_text)
        except ValueError:
            problems.append(f"started_at {started_text!r} is not an ISO 8601 time")
    layout = None
    channel_text = _text(row.get("agent_channel"))
    if channel_text:
        layout = _LAYOUTS.get(channel_text.lower())
        if layout is None:
            problems.append(f"agent_channel {channel_text!r} is not 0, 1 or mono")
    agent_first = None
    speaker_text = _text(row.get("agent_speaker"))
    if speaker_text:
        agent_first = {"first": True, "second": False}.get(speaker_text.lower())
        if agent_first is None:
            problems.append(f"agent_speaker {speaker_text!r} is not first or second")
    if problems or not call_id:
        return None, problems
    return (
        CallMeta(
            call_id=call_id,
            agent_id=_text(row.get("agent_id")),
            agent_name=_text(row.get("agent_name")),
            team=_text(row.get("team")),
            queue=_text(row.get("queue")),
            started_at=started_at,
            layout=layout,
            agent_speaks_first=agent_first,
        ),
        [],
    )


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None

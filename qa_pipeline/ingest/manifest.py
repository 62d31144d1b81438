"""Call metadata: an optional manifest (CSV or JSON lines) that says who took each call and how
its channels are laid out. Without one, the call id is the file's path below the input folder
without extension (``day1/c1``), and stereo means agent on channel 0.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from qa_pipeline.errors import InputError, os_reason
from qa_pipeline.records import CallMeta, Layout

__all__ = ["MANIFEST_COLUMNS", "MAX_FIELD_CHARS", "Manifest", "load_manifest"]

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
MAX_FIELD_CHARS = 128 * 1024
"""The longest value a manifest field may hold (Python's csv module stops there too)."""
_LAYOUTS = {"0": Layout.AGENT_ON_0, "1": Layout.AGENT_ON_1, "mono": Layout.MONO}
_FIX = (
    "columns are " + ", ".join(MANIFEST_COLUMNS) + "; call_id is required and unique, "
    "started_at is ISO 8601 (2026-11-23T09:15:00), agent_channel is 0, 1 or mono, "
    "agent_speaker (mono calls) is first or second."
)


@dataclass(frozen=True)
class Manifest:
    """Metadata for calls, looked up by audio file (as the ``file`` column names it: a path
    below the input folder, a full path, or a bare name when only one row uses it) or by call
    id (the file's path below the input folder, without extension).

    Attributes:
        lines: the manifest line of each call id, to name rows that matched no recording.
    """

    path: Path | None = None
    by_call_id: dict[str, CallMeta] = field(default_factory=dict)
    by_file: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def meta_for(self, audio_path: Path, default_id: str | None = None) -> CallMeta:
        """The metadata for one audio file; a bare CallMeta under ``default_id`` (the file
        stem when None) if the manifest does not list it."""
        call_id = self.call_id_for(audio_path, default_id)
        return self.by_call_id.get(call_id, CallMeta(call_id=call_id))

    def call_id_for(self, audio_path: Path, default_id: str | None = None) -> str:
        default_id = default_id or audio_path.stem
        keys = (
            f"{default_id}{audio_path.suffix}",
            audio_path.as_posix(),
            audio_path.resolve().as_posix(),
            audio_path.name,
        )
        return next((self.by_file[k] for k in keys if k in self.by_file), default_id)

    def row_for(self, call_id: str) -> CallMeta | None:
        """The manifest's row for a call, or None when it has none."""
        return self.by_call_id.get(call_id)

    def unmatched(self, used: set[str]) -> list[str]:
        """A line for each row whose call was not among the recordings found."""
        return [
            f"{self.path}: line {self.lines[call_id]}: call {call_id!r}: no recording among the "
            "inputs matches its file or call_id"
            for call_id in self.by_call_id
            if call_id not in used
        ]

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
    if path.is_dir():
        raise InputError(path, ["is a folder, not a manifest file."], "pass the manifest's file.")
    if not path.is_file():
        raise InputError(path, ["the manifest does not exist."], "check the --manifest path.")
    rows = _read_rows(path)
    problems: list[str] = []
    by_call_id: dict[str, CallMeta] = {}
    by_file: dict[str, str] = {}
    lines: dict[str, int] = {}
    names: dict[str, set[str]] = {}  # bare file name -> call ids whose file has it
    for line, row in rows:
        unknown = sorted(set(row) - set(MANIFEST_COLUMNS))
        if unknown:
            problems.append(f"line {line}: unknown column(s) {', '.join(unknown)}")
            continue
        too_long = sorted(k for k, v in row.items() if len(str(v)) > MAX_FIELD_CHARS)
        if too_long:
            problems.append(
                f"line {line}: {', '.join(too_long)} longer than {MAX_FIELD_CHARS} characters"
            )
            continue
        meta, row_problems = _parse_row(row)
        problems.extend(f"line {line}: {p}" for p in row_problems)
        if meta is None:
            continue
        if meta.call_id in by_call_id:
            problems.append(f"line {line}: call_id {meta.call_id!r} appears more than once")
            continue
        by_call_id[meta.call_id] = meta
        lines[meta.call_id] = line
        file_name = _text(row.get("file"))
        if file_name:
            key = Path(file_name).as_posix().removeprefix("./")
            if by_file.get(key, meta.call_id) != meta.call_id:
                problems.append(
                    f"line {line}: file {file_name!r} is already given to call "
                    f"{by_file[key]!r}; one recording, one call"
                )
                continue
            by_file[key] = meta.call_id
            names.setdefault(Path(file_name).name, set()).add(meta.call_id)
    if problems:
        raise InputError(path, problems, _FIX)
    # A bare name matches a recording in any folder, unless two rows share it.
    for name, call_ids in names.items():
        if len(call_ids) == 1:
            by_file.setdefault(name, next(iter(call_ids)))
    return Manifest(path=path, by_call_id=by_call_id, by_file=by_file, lines=lines)


def _read_rows(path: Path) -> list[tuple[int, dict[str, object]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except PermissionError as exc:
        raise InputError(path, ["permission denied"], "make the manifest readable.") from exc
    except UnicodeDecodeError as exc:
        raise InputError(path, [f"is not UTF-8 text (byte offset {exc.start})"], _FIX) from exc
    except OSError as exc:
        raise InputError(path, [f"cannot be read: {os_reason(exc)}"], _FIX) from exc
    if path.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        rows = []
        # Lines end at \n alone: str.splitlines would also split at U+2028 inside a value.
        for line_no, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line, parse_constant=_no_constant)
            except (json.JSONDecodeError, ValueError, RecursionError) as exc:
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                raise InputError(path, [f"line {line_no}: not JSON ({reason})"], _FIX) from exc
            if not isinstance(obj, dict):
                raise InputError(path, [f"line {line_no}: not a JSON object"], _FIX)
            rows.append((line_no, obj))
        return rows
    # Parsed as CSV, not as lines: a quoted value may hold newlines or U+2028.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        if reader.fieldnames is None or "call_id" not in reader.fieldnames:
            raise InputError(path, ["the header row has no call_id column"], _FIX)
        rows = []
        for row in reader:
            extra = row.pop(None, None)  # values past the header's columns
            if extra and any(str(v).strip() for v in extra):
                raise InputError(path, [f"line {reader.line_num}: more values than columns"], _FIX)
            rows.append((reader.line_num, dict(row)))
        return rows
    except csv.Error as exc:
        raise InputError(
            path,
            [
                f"line {reader.line_num + 1}: not valid CSV ({exc}); values are limited to "
                f"{MAX_FIELD_CHARS} characters"
            ],
            _FIX,
        ) from exc


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a value a manifest can hold")


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

"""Which import format a file is in, and reading it with that format's module.

``auto`` recognises each file by its shape (the fields only that vendor writes); a format named
with ``--format`` is checked against the shape too, so a Deepgram file forced through the
Transcribe reader is refused with both formats named instead of failing on some inner field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import ModuleType

from qa_pipeline.errors import CallError, os_reason
from qa_pipeline.ingest.transcripts import (
    aws_transcribe,
    azure,
    contact_lens,
    deepgram,
    native,
    whisperx,
)
from qa_pipeline.ingest.transcripts.base import Parsed, bad
from qa_pipeline.ingest.transcripts.native import MAX_TRANSCRIPT_BYTES
from qa_pipeline.records import CallSource, Transcript

__all__ = [
    "ImportFile",
    "ImportFormat",
    "ImportedCall",
    "detect",
    "import_files",
    "read_call",
]


class ImportFormat(StrEnum):
    """The formats ``qa-pipeline import --format`` takes."""

    AUTO = "auto"
    NATIVE = "native"
    AWS_TRANSCRIBE = "aws-transcribe"
    CONTACT_LENS = "contact-lens"
    DEEPGRAM = "deepgram"
    AZURE = "azure"
    WHISPERX = "whisperx"


_READERS: dict[ImportFormat, ModuleType] = {
    ImportFormat.AWS_TRANSCRIBE: aws_transcribe,
    ImportFormat.CONTACT_LENS: contact_lens,
    ImportFormat.DEEPGRAM: deepgram,
    ImportFormat.AZURE: azure,
    ImportFormat.WHISPERX: whisperx,
}
_SIGNATURES = {
    ImportFormat.NATIVE: "segments with call_id",
    ImportFormat.AWS_TRANSCRIBE: "results.items",
    ImportFormat.CONTACT_LENS: "Transcript with Participants",
    ImportFormat.DEEPGRAM: "results.channels",
    ImportFormat.AZURE: "recognizedPhrases",
    ImportFormat.WHISPERX: "segments",
}
"""The field that gives each format away, named in errors."""
_FILE_FIX = "check the file is the JSON the transcription service wrote, unchanged."


@dataclass(frozen=True)
class ImportFile:
    """A transcript file to import, and the call id it gets when the file names none: its path
    below the folder it was found in, without the extension (``2026-11/c-1001``)."""

    path: Path
    default_call_id: str


@dataclass(frozen=True)
class ImportedCall:
    """One file read in its format.

    Attributes:
        format: the format it was read as.
        parsed: a vendor file's words in the file's own labels (None for native files).
        transcript: a native file's finished transcript (None for vendor files).
    """

    source: CallSource
    format: ImportFormat
    parsed: Parsed | None = None
    transcript: Transcript | None = None


def import_files(paths: Iterable[Path]) -> list[ImportFile]:
    """JSON files to import: folders searched recursively, files named directly always taken.

    Raises:
        FileNotFoundError: a path that does not exist.
    """
    found: dict[Path, ImportFile] = {}
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file() and file.suffix.lower() == ".json":
                    call_id = file.relative_to(path).with_suffix("").as_posix()
                    found.setdefault(file.resolve(), ImportFile(file, call_id))
        elif path.exists():
            found.setdefault(path.resolve(), ImportFile(path, path.stem))
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(found.values(), key=lambda f: str(f.path))


def detect(doc: object) -> ImportFormat | None:
    """The format a parsed JSON document is shaped like, or None."""
    if (
        isinstance(doc, dict)
        and isinstance(doc.get("segments"), list)
        and ("call_id" in doc or "agent_id" in doc)
    ):
        return ImportFormat.NATIVE
    for fmt, module in _READERS.items():
        if module.looks_like(doc):
            return fmt
    return None


def _read_bytes(path: Path, fmt: ImportFormat) -> bytes:
    if path.is_dir():
        raise bad(path, fmt.value, "(whole file)", "is a folder, not a transcript.", _FILE_FIX)
    try:
        size = path.stat().st_size
        if size > MAX_TRANSCRIPT_BYTES:
            problem = f"is {size} bytes, over the {MAX_TRANSCRIPT_BYTES} byte limit."
            raise bad(path, fmt.value, "(whole file)", problem, "split the export per call.")
        return path.read_bytes()
    except PermissionError as exc:
        raise CallError(
            "permission_denied", path, "permission denied.", "make the file readable."
        ) from exc
    except OSError as exc:
        raise bad(
            path, fmt.value, "(whole file)", f"cannot be read: {os_reason(exc)}.", _FILE_FIX
        ) from exc


def read_call(path: Path, fmt: ImportFormat = ImportFormat.AUTO) -> ImportedCall:
    """Reads one transcript file in ``fmt`` (``auto``: the format its shape says).

    Raises:
        CallError: code ``bad_transcript``: unreadable, unrecognised, or shaped like another
            format than the one asked for, or a bad field (named).
    """
    raw = _read_bytes(path, fmt)
    try:
        # NaN and Infinity are let through here so the reader can name the field holding one.
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        problem = f"is not UTF-8 (byte {exc.start})."
        raise bad(path, fmt.value, "(whole file)", problem, _FILE_FIX) from exc
    except json.JSONDecodeError as exc:
        problem = f"is not valid JSON ({exc.msg} at line {exc.lineno})."
        raise bad(path, fmt.value, "(whole file)", problem, _FILE_FIX) from exc
    except RecursionError as exc:
        problem = "is nested too deeply to be a transcript."
        raise bad(path, fmt.value, "(whole file)", problem, _FILE_FIX) from exc
    shaped_like = detect(doc)
    if fmt is ImportFormat.AUTO:
        if shaped_like is None:
            raise bad(
                path,
                "auto",
                "(top level)",
                "matches none of the formats: "
                + "; ".join(f"{f.value} ({sig})" for f, sig in _SIGNATURES.items())
                + ".",
                "pass --format, or check the file is a transcript JSON.",
            )
        fmt = shaped_like
    elif shaped_like is not None and shaped_like is not fmt:
        raise bad(
            path,
            fmt.value,
            _SIGNATURES[shaped_like],
            f"the file is shaped like {shaped_like.value}, not {fmt.value}.",
            f"use --format {shaped_like.value}, or --format auto.",
        )
    source = CallSource(path=path, sha256=hashlib.sha256(raw).hexdigest(), kind="import")
    if fmt is ImportFormat.NATIVE:
        try:
            _, transcript = native.read_transcript(path)
        except CallError as exc:
            raise CallError(exc.code, exc.path, f"native file: {exc.problem}", exc.fix) from exc
        return ImportedCall(source, fmt, transcript=transcript)
    if not isinstance(doc, dict):
        raise bad(path, fmt.value, "(top level)", "is not a JSON object.", "check the file.")
    parsed = _READERS[fmt].parse(path, doc)
    return ImportedCall(
        CallSource(path, source.sha256, "import", channel_count=parsed.channel_count), fmt, parsed
    )

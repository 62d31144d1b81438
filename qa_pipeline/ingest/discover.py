"""Inputs to call files: folders searched, files named directly kept, contents hashed."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qa_pipeline.errors import os_reason
from qa_pipeline.ingest.options import AUDIO_SUFFIXES

__all__ = [
    "UNREADABLE_SHA256",
    "Found",
    "discover",
    "file_sha256",
    "find_files",
    "sha256_or_unreadable",
]

UNREADABLE_SHA256 = "0" * 64
"""The hash recorded for a file that cannot be read; its failure is recorded with the reason."""


@dataclass(frozen=True)
class Found:
    """What a search of the inputs found.

    Attributes:
        files: each file with its default call id: its path below the input folder, without
            extension (``day1/c1``), or its stem when the file was named directly; so two
            recordings in different folders never share an id by accident.
        skipped: files and folders passed over, each with the reason (broken symlink,
            symlinked folder, folder that cannot be read).
    """

    files: tuple[tuple[Path, str], ...]
    skipped: tuple[tuple[Path, str], ...] = ()


def find_files(paths: Iterable[Path], suffixes: frozenset[str] = AUDIO_SUFFIXES) -> Found:
    """Files to process: folders are searched recursively for ``suffixes`` (symlinked folders
    are not followed, so the search always ends); files named directly are always taken, so a
    mistyped one fails loudly instead of being ignored.

    Raises:
        FileNotFoundError: a path that does not exist.
    """
    files: dict[Path, tuple[Path, str]] = {}  # by resolved path: one file reached twice is one
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            unreadable: list[OSError] = []
            for folder, dirs, names in os.walk(path, onerror=unreadable.append, followlinks=False):
                dirs.sort()
                linked = [d for d in dirs if (Path(folder) / d).is_symlink()]
                for name in sorted(names + linked):
                    found = Path(folder) / name
                    if found.suffix.lower() not in suffixes and name not in linked:
                        continue
                    reason = _unusable_link(found)
                    if reason:
                        skipped.append((found, reason))
                        continue
                    call_id = found.relative_to(path).with_suffix("").as_posix()
                    files.setdefault(found.resolve(), (found, call_id))
            # A folder that cannot be listed is named, not passed over in silence.
            skipped.extend(
                (Path(exc.filename), f"skipped: folder cannot be read ({os_reason(exc)})")
                for exc in unreadable
            )
        elif path.exists() or path.is_symlink():
            reason = _unusable_link(path)
            if reason:
                skipped.append((path, reason))
            else:
                files.setdefault(path.resolve(), (path, path.stem))
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return Found(tuple(sorted(files.values())), tuple(skipped))


def discover(paths: Iterable[Path], suffixes: frozenset[str] = AUDIO_SUFFIXES) -> list[Path]:
    """The files of find_files, without their ids.

    Raises:
        FileNotFoundError: a path that does not exist.
    """
    return [path for path, _ in find_files(paths, suffixes).files]


def _unusable_link(path: Path) -> str | None:
    if not path.is_symlink():
        return None
    if not path.exists():
        return f"skipped: broken symlink to {os.readlink(path)}"
    if path.is_dir():
        return "skipped: symlink to a folder (folders are searched without following links)"
    return None


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of a file's bytes, read in chunks so long recordings stay cheap."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_or_unreadable(path: Path) -> str:
    """The file's SHA-256, or UNREADABLE_SHA256 for a file that cannot be read (its failure
    is recorded when the stage that opens it names the reason)."""
    try:
        return file_sha256(path)
    except OSError:
        return UNREADABLE_SHA256

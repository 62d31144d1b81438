"""Inputs to call files: folders searched, files named directly kept, contents hashed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from qa_pipeline.ingest.options import AUDIO_SUFFIXES

__all__ = ["UNREADABLE_SHA256", "discover", "file_sha256", "sha256_or_unreadable"]

UNREADABLE_SHA256 = "0" * 64
"""The hash recorded for a file that cannot be read; its failure is recorded with the reason."""


def discover(paths: Iterable[Path], suffixes: frozenset[str] = AUDIO_SUFFIXES) -> list[Path]:
    """Files to process: folders are searched recursively for ``suffixes``; files named
    directly are always taken, so a mistyped one fails loudly instead of being ignored.

    Raises:
        FileNotFoundError: a path that does not exist.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
        elif path.exists():
            found.add(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(found)


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

"""The database path checked before any work, and store failures put in words.

``--db`` pointing at a folder, a text file, a missing folder or a read-only place used to end in
DuckDB's traceback (or, for a text file, in "corrupt"); a full disk in a raw ``[Errno 28]``.
Each now gets one line that names the file and the fix, and nothing is written.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import duckdb

from qa_pipeline.errors import InputError, QAPipelineError, os_reason

__all__ = ["StoreWriteError", "check_database", "describe_store_failure"]

_WRITE_ERRNOS = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EACCES, errno.EROFS, errno.EIO)
_DUCKDB_MAGIC = b"DUCK"  # at byte 8 of every DuckDB database file
_FIX_PATH = "pass --db with a DuckDB file in a folder you can write (it is created if missing)."


class StoreWriteError(QAPipelineError):
    """The store could not be written (disk full, file too large, permission lost); what was
    stored before is intact, as each call is written in one transaction."""


def check_database(path: Path, write: bool = True) -> None:
    """Refuses a ``--db`` that cannot work, before anything is read or written.

    Args:
        write: the command writes (run, import, rescore); reading needs less.

    Raises:
        InputError: a folder, a missing folder, a file that is not a DuckDB database, a file or
            folder this user may not read or write; the message says which.
    """
    if path.is_dir():
        raise InputError(path, ["is a folder, not a database file."], _FIX_PATH)
    if path.exists():
        if not os.access(path, os.R_OK | (os.W_OK if write else 0)):
            what = "read and write" if write else "read"
            raise InputError(path, [f"permission denied: this user may not {what} it."], _FIX_PATH)
        try:
            with path.open("rb") as handle:
                head = handle.read(12)
        except OSError as exc:
            raise InputError(path, [f"cannot be read: {os_reason(exc)}."], _FIX_PATH) from exc
        if not head:
            # qa-pipeline never leaves one (store.create); another program may have.
            raise InputError(
                path,
                ["is an empty file, not a DuckDB database; qa-pipeline will not overwrite it."],
                f"it holds nothing: delete it (rm {path}) or pass another --db.",
            )
        if head[8:12] != _DUCKDB_MAGIC:
            raise InputError(
                path,
                [
                    "is not a DuckDB database (another kind of file); qa-pipeline will not "
                    "overwrite it."
                ],
                _FIX_PATH,
            )
        return
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(path, [f"the folder {folder} does not exist."], _FIX_PATH)
    if write and not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(
            path, [f"permission denied: this user may not create files in {folder}."], _FIX_PATH
        )
    if not write:
        raise InputError(
            path,
            ["no such database."],
            "run `qa-pipeline run` or `qa-pipeline import` first, or pass --db.",
        )


def describe_store_failure(exc: BaseException, path: Path) -> str | None:
    """One line for a failure to write or read the store (disk full, permission lost, the
    file replaced), or None when ``exc`` is not one."""
    if isinstance(exc, OSError):
        if exc.errno not in _WRITE_ERRNOS:
            return None
        reason = os_reason(exc)
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            reason = f"{reason} (the disk, or this process's file size limit, is full)"
    elif isinstance(exc, duckdb.Error):
        reason = str(exc).split("\n", 1)[0]
        for needle, words in (
            ("No space left", "no space left on device"),
            ("File too large", "file too large (the disk, or a file size limit, is full)"),
            ("Permission denied", "permission denied"),
            ("Read-only file system", "the file system is read-only"),
        ):
            if needle in reason:
                reason = words
                break
    else:
        return None
    return (
        f"{path}: the database could not be written: {reason}. Calls stored before are "
        "intact (each call is one transaction). Fix: free space or fix permissions, then run "
        "again: what is stored is skipped."
    )

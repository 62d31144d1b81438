"""A new database file appears whole, with its schema, or not at all.

DuckDB creates a file empty and writes its header a moment later. A run killed in that moment
(SIGKILL, a power cut) used to leave an empty ``qa.duckdb`` that neither DuckDB nor the next
run would open; a reader looking during it saw "not a valid DuckDB database file". So a new
database is built under a hidden name beside the real one and linked into place when closed:
the real path names either nothing or a whole database.
"""

from __future__ import annotations

import errno
import os
import uuid
from pathlib import Path

import duckdb

__all__ = ["create_whole"]

_UNSUPPORTED = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK)


def create_whole(path: Path, schema_sql: str) -> None:
    """Creates the database at ``path`` with its schema, unless it exists.

    Two processes creating the same path at once both succeed: the first link wins and the
    other's copy is thrown away. Copies left by killed processes are removed.
    """
    _remove_orphans(path)
    if path.exists():
        return
    building = path.with_name(f".{path.name}.new-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        with duckdb.connect(str(building)) as con:
            con.execute(schema_sql)
        # Closing checkpointed everything into the file: there is no WAL to carry over.
        _link_into_place(building, path)
    finally:
        _remove(building)


def _link_into_place(building: Path, path: Path) -> None:
    try:
        os.link(building, path)  # never replaces: a database created meanwhile is kept
    except FileExistsError:
        pass
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
        # A file system without hard links: a rename, checked first (a narrow race only).
        if not path.exists():
            os.replace(building, path)


def _remove_orphans(path: Path) -> None:
    """Copies whose process is gone (killed while building) are removed."""
    for orphan in path.parent.glob(f".{path.name}.new-*"):
        pid = orphan.name.removeprefix(f".{path.name}.new-").split("-", 1)[0].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            _remove(orphan)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _remove(building: Path) -> None:
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)

"""Where the project's data folders (sql/, rubrics/) are, in a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir"]

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder ``name`` (``sql`` or ``rubrics``): bundled in a wheel, top level in a checkout."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"qa_pipeline cannot find its {name}/ folder beside {_PACKAGE}")

"""Where the project's data is: its folders (sql/, rubrics/), in a checkout or an installed
wheel, and the reference recording that pyannote.audio ships."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

__all__ = ["data_dir", "pyannote_sample"]

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder ``name`` (``sql`` or ``rubrics``): bundled in a wheel, top level in a checkout."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"qa_pipeline cannot find its {name}/ folder beside {_PACKAGE}")


_PYANNOTE_VERSION = "4.0.7"
_SAMPLE_CACHE = Path.home() / ".cache" / "qa-pipeline" / f"pyannote-sample-{_PYANNOTE_VERSION}"


def pyannote_sample() -> tuple[Path, Path]:
    """pyannote.audio's sample call (30 s of a real phone call, 2 speakers) and its RTTM.

    Taken from the installed pyannote.audio when there is one (``setup.sh --with-pyannote``);
    otherwise its wheel is fetched once from the package index with ``pip download --no-deps``
    and the two files are unpacked into ``~/.cache/qa-pipeline``.

    Returns:
        (sample.wav, sample.rttm).
    """
    try:
        spec = importlib.util.find_spec("pyannote.audio")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations))) / "sample"
        if (folder / "sample.wav").is_file():
            return folder / "sample.wav", folder / "sample.rttm"
    wav, rttm = _SAMPLE_CACHE / "sample.wav", _SAMPLE_CACHE / "sample.rttm"
    if not (wav.is_file() and rttm.is_file()):
        _SAMPLE_CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp]
            subprocess.run([*pip, f"pyannote.audio=={_PYANNOTE_VERSION}"], check=True)
            wheel = next(Path(tmp).glob("*.whl"))
            with zipfile.ZipFile(wheel) as archive:
                for name in ("sample.wav", "sample.rttm"):
                    data = archive.read(f"pyannote/audio/sample/{name}")
                    (_SAMPLE_CACHE / name).write_bytes(data)
    return wav, rttm

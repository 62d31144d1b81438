"""pyannote.audio's sample call (30 s of a real phone call, 2 speakers) and its RTTM.

Taken from the installed pyannote.audio when there is one (``setup.sh --with-pyannote``);
otherwise its wheel is fetched once with ``pip download --no-deps`` and the two files are
unpacked into ``~/.cache/qa-pipeline`` (rebuilt the same way whenever it is missing).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

_VERSION = "4.0.7"
_CACHE = Path.home() / ".cache" / "qa-pipeline" / f"pyannote-sample-{_VERSION}"


def pyannote_sample() -> tuple[Path, Path]:
    """(sample.wav, sample.rttm)."""
    try:
        spec = importlib.util.find_spec("pyannote.audio")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations))) / "sample"
        if (folder / "sample.wav").is_file():
            return folder / "sample.wav", folder / "sample.rttm"
    wav, rttm = _CACHE / "sample.wav", _CACHE / "sample.rttm"
    if not (wav.is_file() and rttm.is_file()):
        _CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp,
                 f"pyannote.audio=={_VERSION}"],
                check=True,
            )
            wheel = next(Path(tmp).glob("*.whl"))
            with zipfile.ZipFile(wheel) as archive:
                for name in ("sample.wav", "sample.rttm"):
                    (_CACHE / name).write_bytes(archive.read(f"pyannote/audio/sample/{name}"))
    return wav, rttm

"""The nightly schedule: when it runs, and in which time zone."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEFAULT_CRON", "local_timezone"]

DEFAULT_CRON = "0 2 * * *"
"""02:00 every day."""


def local_timezone() -> str:
    """This machine's IANA time zone name (``$TZ``, /etc/timezone, /etc/localtime), else UTC."""
    if os.environ.get("TZ"):
        return os.environ["TZ"].lstrip(":")
    timezone_file = Path("/etc/timezone")
    if timezone_file.is_file() and timezone_file.read_text().strip():
        return timezone_file.read_text().strip()
    localtime = Path("/etc/localtime")
    if localtime.is_symlink() and "zoneinfo/" in str(localtime.resolve()):
        return str(localtime.resolve()).split("zoneinfo/", 1)[1]
    return "UTC"

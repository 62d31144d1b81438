"""The nightly schedule: when it runs, and in which time zone."""

from __future__ import annotations

import os
from pathlib import Path

from qa_pipeline.errors import InputError

__all__ = ["DEFAULT_CRON", "check_schedule", "local_timezone"]

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


def check_schedule(cron: str, timezone: str | None) -> None:
    """Refuses a cron expression or time zone the scheduler would not take, before serving.

    Raises:
        InputError: naming the option and the fix.
    """
    import zoneinfo

    from prefect.schedules import Cron

    fix = 'cron is five fields, minute hour day month weekday (e.g. "0 2 * * *").'
    try:
        Cron(cron, timezone="UTC")
    except ValueError as exc:
        raise InputError("--cron", [f"{cron!r} is not a cron expression ({exc})."], fix) from None
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InputError(
                "--timezone",
                [f"{timezone!r} is not an IANA time zone."],
                "use a name such as Europe/London or America/New_York, or leave it out for "
                "this machine's.",
            ) from None

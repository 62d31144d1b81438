"""The nightly deployment of score-calls: a cron schedule (02:00 local time by default) that
scores whatever in the inbox is not stored yet, so a missed night is caught up by the next.

    qa-pipeline serve /data/calls/inbox --manifest /data/calls/manifest.csv --db /data/qa.duckdb

serves it from this process (``flow.serve``): Prefect's scheduler starts a run at each cron
time while the command runs. Point PREFECT_API_URL at your own Prefect server (or log in to
Prefect Cloud) to see and trigger the runs from its UI.
"""

from __future__ import annotations

import os
from pathlib import Path

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.score_calls import ScoreParams, score_calls

__all__ = ["DEFAULT_CRON", "local_timezone", "nightly_deployment", "serve_nightly"]

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


def nightly_deployment(
    params: ScoreParams,
    cron: str = DEFAULT_CRON,
    timezone: str | None = None,
    name: str = "nightly",
) -> RunnerDeployment:
    """The score-calls deployment on a cron schedule in ``timezone`` (local when None)."""
    return score_calls.to_deployment(
        name=name,
        schedules=[Cron(cron, timezone=timezone or local_timezone())],
        parameters={"params": params.model_dump(mode="json")},
        description="Scores the day's recordings that are not stored yet.",
        tags=["qa-pipeline", "nightly"],
    )


def serve_nightly(deployment: RunnerDeployment) -> None:
    """Serves the deployment until interrupted (runs start at each scheduled time)."""
    serve(deployment)

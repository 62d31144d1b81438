"""The nightly deployment of score-calls: a cron schedule (02:00 local time by default) that
scores whatever in the inbox is not stored yet, so a missed night is caught up by the next.

    qa-pipeline serve /data/calls/inbox --manifest /data/calls/manifest.csv --db /data/qa.duckdb

serves it from this process (``flow.serve``): Prefect's scheduler starts a run at each cron
time while the command runs. Point PREFECT_API_URL at your own Prefect server (or log in to
Prefect Cloud) to see and trigger the runs from its UI.
"""

from __future__ import annotations

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.score_calls import score_calls
from qa_pipeline.batch.nightly import DEFAULT_CRON, local_timezone
from qa_pipeline.batch.params import ScoreParams

__all__ = ["nightly_deployment", "serve_nightly"]


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

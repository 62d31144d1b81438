"""What a batch run did, for operations: counts, failures with reasons, scores per team, speed.

Rendered as markdown for the Prefect run's artifact and as text for the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import mean

from qa_pipeline.batch.plan import UNCHANGED
from qa_pipeline.batch.run import BatchReport
from qa_pipeline.records import Status

__all__ = ["RunSummary", "TeamScore", "summarise"]


@dataclass(frozen=True)
class TeamScore:
    """Mean score of one team's calls scored in this run."""

    team: str
    calls: int
    mean_score: float


@dataclass(frozen=True)
class RunSummary:
    """One batch run, in the figures operations check each morning."""

    found: int
    skipped: int
    scored: int
    transcribed: int
    needs_diarisation: int
    failed: tuple[tuple[str, str], ...]
    needs_review: int
    teams: tuple[TeamScore, ...]
    wall_s: float
    audio_s: float
    skipped_reasons: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def audio_hours_per_hour(self) -> float:
        """Hours of audio processed per hour of wall time (0 when nothing was processed)."""
        return self.audio_s / self.wall_s if self.wall_s > 0 else 0.0

    def headline(self) -> str:
        return (
            f"{self.found} found, {self.skipped} skipped, {self.scored} scored, "
            f"{self.transcribed} transcribed only, {self.needs_diarisation} need diarisation, "
            f"{len(self.failed)} failed"
        )

    def to_markdown(self) -> str:
        """The run summary as a markdown document (the Prefect artifact)."""
        lines = [
            "# Call scoring run",
            "",
            "| calls | count |",
            "| --- | ---: |",
            f"| found | {self.found} |",
            f"| skipped | {self.skipped} |",
            f"| scored | {self.scored} |",
            f"| transcribed, not scored | {self.transcribed} |",
            f"| need diarisation | {self.needs_diarisation} |",
            f"| flagged for review (speaker roles unsure) | {self.needs_review} |",
            f"| failed | {len(self.failed)} |",
            "",
            f"Wall time {self.wall_s:.1f} s for {self.audio_s / 3600:.3f} h of audio: "
            f"{self.audio_hours_per_hour:.1f} audio hours per hour.",
        ]
        if self.teams:
            lines += ["", "| team | calls scored | mean score |", "| --- | ---: | ---: |"]
            lines += [f"| {t.team} | {t.calls} | {t.mean_score:.1f} |" for t in self.teams]
        if self.skipped_reasons:
            lines += ["", "## Skipped (other than unchanged)", ""]
            lines += [f"- `{call_id}`: {reason}" for call_id, reason in self.skipped_reasons]
        if self.notes:
            lines += ["", "## Notes", ""]
            lines += [f"- {note}" for note in self.notes]
        if self.failed:
            lines += ["", "## Failed calls", ""]
            lines += [f"- `{call_id}`: {reason}" for call_id, reason in self.failed]
        return "\n".join(lines) + "\n"


def summarise(report: BatchReport, wall_s: float) -> RunSummary:
    """Condenses a batch report; scores are grouped by team (calls without one: "(none)")."""
    by_team: dict[str, list[float]] = {}
    for call_id, score in report.scores.items():
        if score is not None:
            by_team.setdefault(report.teams.get(call_id) or "(none)", []).append(score)
    return RunSummary(
        found=report.found,
        skipped=len(report.skipped),
        scored=report.count(Status.SCORED),
        transcribed=report.count(Status.TRANSCRIBED),
        needs_diarisation=report.count(Status.NEEDS_DIARISATION),
        failed=tuple(sorted(report.failed.items())),
        needs_review=len(report.review),
        teams=tuple(
            TeamScore(team, len(scores), round(mean(scores), 2))
            for team, scores in sorted(by_team.items())
        ),
        wall_s=wall_s,
        audio_s=sum(report.audio_s.values()),
        skipped_reasons=tuple(
            (call_id, reason)
            for call_id, reason in sorted(report.skipped.items())
            if reason != UNCHANGED
        ),
        notes=tuple(report.notes),
    )

"""Batch commands: run and serve (the score-calls flow), import, rescore.

The flows are started by their Prefect entrypoint, as a deployment starts them, so the package
never imports ``flows/`` (which imports the package).
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qa_pipeline.batch.options import DEFAULT_MAX_ATTEMPTS
from qa_pipeline.cli.common import (
    EXIT_BUSY,
    EXIT_CALLS_FAILED,
    DbOption,
    ForceOption,
    ManifestOption,
    NoWaitOption,
    RubricOption,
    db_path,
    fail,
    one_run_at_a_time,
    out,
    scorer,
)
from qa_pipeline.cli.progress import progress_bar
from qa_pipeline.ingest.options import AudioOptions
from qa_pipeline.redact.options import ENV as REDACT_ENV
from qa_pipeline.reports.text import for_markup
from qa_pipeline.speech.diarise.options import PIPELINE_ENV, Backend
from qa_pipeline.speech.transcribe import TranscribeOptions

if TYPE_CHECKING:
    from qa_pipeline.batch.params import ScoreParams
    from qa_pipeline.batch.run import BatchReport
    from qa_pipeline.batch.summary import RunSummary

__all__ = ["import_", "rescore", "run", "serve"]

SCORE_CALLS_FLOW = "flows.score_calls.score_calls"
NIGHTLY_DEPLOYMENT = "flows.nightly.nightly_deployment"
SERVE = "flows.nightly.serve_nightly"

RedactOption = Annotated[
    str,
    typer.Option(
        "--redact",
        envvar=REDACT_ENV,
        help="What is redacted before anything is stored: all, off, or entity names "
        "(CARD,CVV,EXPIRY,NATIONAL_ID,PHONE,EMAIL,DOB,ADDRESS,PERSON_SPELLED).",
    ),
]
ReportsDirOption = Annotated[
    Path | None,
    typer.Option(
        help="After the batch, write every team's and agent's coaching report (HTML and JSON) "
        "and the review queue for the last --report-days days to DIR/<date>/."
    ),
]
ReportDaysOption = Annotated[
    int,
    typer.Option(min=1, max=3660, help="Days the --reports-dir reports cover, ending today."),
]
RedactedAudioOption = Annotated[
    Path | None,
    typer.Option(
        envvar="QA_PIPELINE_REDACTED_AUDIO",
        help="Write a copy of each recording with its redacted stretches silenced to this "
        "folder (stored in calls.redacted_audio_path).",
    ),
]


def run(
    paths: Annotated[list[Path], typer.Argument(help="Audio files or folders of them.")],
    db: DbOption = None,
    manifest: ManifestOption = None,
    rubric: RubricOption = None,
    force: ForceOption = False,
    model: Annotated[
        str, typer.Option(help="tiny.en (bundled), a CTranslate2 model folder, or a hub name.")
    ] = TranscribeOptions.model,
    beam_size: Annotated[int, typer.Option(min=1)] = TranscribeOptions.beam_size,
    max_duration_s: Annotated[
        float, typer.Option(help="Refuse recordings longer than this.")
    ] = AudioOptions.max_duration_s,
    diarizer: Annotated[
        Backend,
        typer.Option(help="auto: channels for stereo, pyannote when configured, else embedding."),
    ] = Backend.AUTO,
    pyannote_pipeline: Annotated[
        str | None,
        typer.Option(
            envvar=PIPELINE_ENV,
            help="pyannote pipeline: a local folder with config.yaml, or a hub name "
            "(with HF_TOKEN set).",
        ),
    ] = None,
    num_speakers: Annotated[
        int, typer.Option(min=0, help="Speakers per mono call for pyannote; 0 to use min/max.")
    ] = 2,
    min_speakers: Annotated[int | None, typer.Option(min=1)] = None,
    max_speakers: Annotated[int | None, typer.Option(min=1)] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Calls processed at once (worker processes).")
    ] = 2,
    dask_address: Annotated[
        str | None,
        typer.Option(help="Run on a Dask cluster: a scheduler address, or 'local'."),
    ] = None,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed",
            help="Try again calls that already failed --max-attempts times from the same bytes.",
        ),
    ] = False,
    max_attempts: Annotated[
        int,
        typer.Option(min=1, help="Runs that try a failed call again before it is left alone."),
    ] = DEFAULT_MAX_ATTEMPTS,
    call_timeout_s: Annotated[
        float | None,
        typer.Option(
            help="Time budget of each call, in seconds, past which it fails as timeout. "
            "Default: 300 s plus 3 s per second of audio."
        ),
    ] = None,
    no_wait: NoWaitOption = False,
    redact: RedactOption = "all",
    redacted_audio: RedactedAudioOption = None,
    reports_dir: ReportsDirOption = None,
    report_days: ReportDaysOption = 7,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", help="Print Prefect's log lines instead of the progress bar."),
    ] = False,
    log_file: Annotated[
        Path | None,
        typer.Option(
            help="Where Prefect's log lines go (appended) without --verbose. "
            "Default: beside the database, its name with .log."
        ),
    ] = None,
) -> None:
    """Transcribe, split into turns, score and store audio calls (the score-calls flow).

    Needs no Prefect server: without PREFECT_API_URL, Prefect runs a temporary local one.
    """
    params = _params(
        inputs=[str(p) for p in paths],
        db=str(db_path(db)),
        manifest=str(manifest) if manifest else None,
        rubric=str(rubric) if rubric else None,
        model=model,
        beam_size=beam_size,
        diarizer=diarizer,
        pyannote_pipeline=pyannote_pipeline,
        num_speakers=num_speakers or None,
        min_speakers=min_speakers,
        max_speakers=max_speakers,
        max_duration_s=max_duration_s,
        workers=workers,
        dask_address=dask_address,
        force=force,
        retry_failed=retry_failed,
        max_attempts=max_attempts,
        call_timeout_s=call_timeout_s,
        redact=redact,
        redacted_audio=str(redacted_audio.resolve()) if redacted_audio else None,
        reports_dir=str(reports_dir.resolve()) if reports_dir else None,
        report_days=report_days,
    )
    _check(params)
    log = log_file or Path(params.db).with_suffix(".log")
    if not verbose:
        from qa_pipeline.batch.logs import log_to_file

        log_to_file(log)
    watch = nullcontext() if verbose else progress_bar("scoring")
    with one_run_at_a_time(Path(params.db), no_wait), watch:
        state = _flow_object(SCORE_CALLS_FLOW)(params, return_state=True)
    summary = state.result(raise_on_failure=False)
    from qa_pipeline.batch.summary import RunSummary
    from qa_pipeline.store import StoreBusy

    busy = summary
    for _ in range(3):  # a flow's failed state may hold the failed state of its subflow
        if not hasattr(busy, "result"):
            break
        busy = busy.result(raise_on_failure=False)
    if isinstance(busy, StoreBusy):
        raise fail(str(busy), EXIT_BUSY)
    if not isinstance(summary, RunSummary):
        raise fail(_run_failure(summary, state.message, Path(params.db)), code=1)
    _print_summary(summary)
    if not verbose:
        out.print(f"  log: {for_markup(str(log))}")
    if summary.failed:
        raise typer.Exit(EXIT_CALLS_FAILED)


def serve(
    paths: Annotated[list[str], typer.Argument(help="Inbox folders, files or glob patterns.")],
    db: DbOption = None,
    manifest: ManifestOption = None,
    rubric: RubricOption = None,
    cron: Annotated[str, typer.Option(help="When to run (cron, in --timezone).")] = "0 2 * * *",
    timezone: Annotated[
        str | None, typer.Option(help="IANA time zone of the schedule. Default: this machine's.")
    ] = None,
    workers: Annotated[int, typer.Option(min=1)] = 2,
    diarizer: Annotated[Backend, typer.Option()] = Backend.AUTO,
    pyannote_pipeline: Annotated[
        str | None, typer.Option(envvar=PIPELINE_ENV, help="As for run.")
    ] = None,
    redact: RedactOption = "all",
    redacted_audio: RedactedAudioOption = None,
    reports_dir: ReportsDirOption = None,
    report_days: ReportDaysOption = 7,
) -> None:
    """Serve the nightly score-calls deployment: each night, score what is not stored yet.

    Checks at start-up everything run checks (rubric, manifest, inputs, database, model,
    diariser, $QA_PIPELINE_PYANNOTE), and the schedule itself.
    """
    from qa_pipeline.batch.nightly import check_schedule, local_timezone
    from qa_pipeline.errors import InputError

    scorer(rubric)
    params = _params(
        inputs=[str(Path(p).resolve()) if not any(c in p for c in "*?[") else p for p in paths],
        db=str(db_path(db).resolve()),
        manifest=str(manifest.resolve()) if manifest else None,
        rubric=str(rubric.resolve()) if rubric else None,
        workers=workers,
        diarizer=diarizer,
        pyannote_pipeline=pyannote_pipeline,
        redact=redact,
        redacted_audio=str(redacted_audio.resolve()) if redacted_audio else None,
        reports_dir=str(reports_dir.resolve()) if reports_dir else None,
        report_days=report_days,
    )
    try:
        check_schedule(cron, timezone)
    except InputError as exc:
        raise fail(str(exc)) from exc
    _check(params)
    deployment = _flow_object(NIGHTLY_DEPLOYMENT)(params, cron, timezone)
    zone = timezone or local_timezone()
    out.print(
        f"serving score-calls/nightly at '{for_markup(cron)}' ({for_markup(zone)}); Ctrl-C stops"
    )
    _flow_object(SERVE)(deployment)


def import_(
    paths: Annotated[list[Path], typer.Argument(help="Transcript JSON files or folders of them.")],
    db: DbOption = None,
    manifest: ManifestOption = None,
    rubric: RubricOption = None,
    force: ForceOption = False,
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            help="auto (recognise each file), native, aws-transcribe, contact-lens, deepgram, "
            "azure or whisperx.",
        ),
    ] = "auto",
    agent_channel: Annotated[
        int | None,
        typer.Option(min=0, help="Files split by channel: the agent's channel (0 or 1)."),
    ] = None,
    agent_speaker: Annotated[
        str | None,
        typer.Option(
            help="Files split by speaker: first, second, or the file's label (spk_1, 0, "
            "SPEAKER_01). Without either option the role detector decides."
        ),
    ] = None,
    no_wait: NoWaitOption = False,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="As for run: try failed files again.")
    ] = False,
    max_attempts: Annotated[int, typer.Option(min=1, help="As for run.")] = DEFAULT_MAX_ATTEMPTS,
    redact: RedactOption = "all",
) -> None:
    """Store and score transcripts made elsewhere: our JSON, Amazon Transcribe, Contact Lens,
    Deepgram, Azure AI Speech or WhisperX (formats in the README)."""
    from qa_pipeline.batch.imports import AgentChoice, ImportOptions
    from qa_pipeline.batch.run import import_transcripts, open_store
    from qa_pipeline.errors import InputError
    from qa_pipeline.ingest.manifest import load_manifest
    from qa_pipeline.ingest.transcripts.registry import ImportFormat

    try:
        chosen = ImportFormat(format_)
    except ValueError:
        names = ", ".join(f.value for f in ImportFormat)
        raise fail(f"--format {format_!r} is not a format. Fix: use one of {names}.") from None
    from qa_pipeline.redact.options import RedactOptions

    try:
        redaction = RedactOptions.parse(redact)
    except ValueError as exc:
        raise fail(f"--redact {redact!r}: {exc}. Fix: name entities, or all, or off.") from None
    options = ImportOptions(
        format=chosen, agent=AgentChoice(agent_channel, agent_speaker), redact=redaction
    )
    rubric_scorer = scorer(rubric)
    _check_db(db_path(db), write=True)
    try:
        meta = load_manifest(manifest)
        with (
            one_run_at_a_time(db_path(db), no_wait),
            open_store(db_path(db)) as store,
            progress_bar("importing"),
        ):
            report = import_transcripts(
                paths,
                store,
                meta,
                rubric_scorer,
                force=force,
                options=options,
                retry_failed=retry_failed,
                max_attempts=max_attempts,
            )
    except (InputError, FileNotFoundError) as exc:
        raise fail(str(exc)) from exc
    except Exception as exc:
        raise fail(_run_failure(exc, None, db_path(db)), code=1) from exc
    _print_report(report, "imported")
    for call_id, fmt in report.formats.items():
        how = "recognised as" if chosen is ImportFormat.AUTO else "read as"
        unsure = (
            ", who is the agent is unsure: flagged for review" if call_id in report.review else ""
        )
        out.print(f"  {for_markup(call_id)}: {how} {fmt}{unsure}")
    if report.failed:
        raise typer.Exit(EXIT_CALLS_FAILED)


def rescore(
    db: DbOption = None, rubric: RubricOption = None, no_wait: NoWaitOption = False
) -> None:
    """Score stored calls again from their stored transcripts (after a rubric change).

    Results from other rubric versions stay queryable; this rubric's results are replaced.
    """
    from qa_pipeline.batch.run import open_store
    from qa_pipeline.batch.run import rescore as rescore_stored

    rubric_scorer = scorer(rubric)
    path = db_path(db)
    if not path.exists():
        raise fail(f"{path}: no such database. Fix: run `qa-pipeline run` first, or pass --db.")
    _check_db(path, write=True)
    with (
        one_run_at_a_time(path, no_wait),
        open_store(path) as store,
        progress_bar("rescoring", False),
    ):
        report = rescore_stored(store, rubric_scorer)
    r = rubric_scorer.rubric
    out.print(
        f"{len(report.stored)} calls rescored with rubric {for_markup(r.id)} "
        f"v{for_markup(r.version)} "
        f"({r.sha256[:12]}), {len(report.skipped)} skipped"
    )


def _check(params: ScoreParams) -> None:
    """Everything that can be checked, before a flow run or any call starts."""
    from qa_pipeline.batch.params import check
    from qa_pipeline.errors import QAPipelineError
    from qa_pipeline.speech.transcribe import check_model

    _check_db(Path(params.db), write=True)
    try:
        check(params)
        check_model(params.pipeline_options().transcribe)
    except (QAPipelineError, FileNotFoundError) as exc:
        raise fail(str(exc)) from exc


def _check_db(path: Path, write: bool) -> None:
    from qa_pipeline.errors import InputError
    from qa_pipeline.store.preflight import check_database

    try:
        check_database(path, write)
    except InputError as exc:
        raise fail(str(exc)) from exc


def _params(**fields: Any) -> ScoreParams:
    """The run's parameters, or one line per bad option (``--max-duration-s -5``)."""
    from pydantic import ValidationError

    from qa_pipeline.batch.params import ScoreParams

    try:
        return ScoreParams(**fields)
    except ValidationError as exc:
        problems = [
            f"--{str(e['loc'][0]).replace('_', '-')} {fields.get(str(e['loc'][0]))!r}: "
            f"{e['msg'].lower()}"
            for e in exc.errors()
        ]
        raise fail("; ".join(problems) + ". Fix: see qa-pipeline run --help.") from None


def _run_failure(error: object, message: str | None, db: Path) -> str:
    """Why a run or an import stopped, in one line (no traceback, no raw [Errno N])."""
    from qa_pipeline.errors import QAPipelineError
    from qa_pipeline.store.preflight import describe_store_failure

    for _ in range(3):  # a flow's failed state may hold the failed state of its subflow
        if not hasattr(error, "result"):
            break
        error = error.result(raise_on_failure=False)
    if isinstance(error, QAPipelineError):
        return str(error)
    if isinstance(error, BaseException):
        described = describe_store_failure(error, db)
        if described:
            return described
        if isinstance(error, OSError) and error.strerror:
            return f"the run failed: {error.filename or db}: {error.strerror.lower()}"
        return f"the run failed: {type(error).__name__}: {error}"
    return f"the run failed: {message}"


def _flow_object(entrypoint: str) -> Any:
    """A flow (or a function of a flow module) by its entrypoint."""
    # A temporary local Prefect server has nobody to report usage to on an offline machine.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.utilities.importtools import import_object

    from qa_pipeline.batch.stopping import guard_prefect_server

    guard_prefect_server()

    return import_object(entrypoint)


def _print_summary(summary: RunSummary) -> None:
    out.print(summary.headline())
    out.print(
        f"wall time {summary.wall_s:.1f} s, {summary.audio_s / 3600:.3f} h of audio, "
        f"{summary.audio_hours_per_hour:.1f} audio hours per hour"
    )
    for team in summary.teams:
        team_name = for_markup(team.team)
        out.print(f"  team {team_name}: {team.calls} scored, mean score {team.mean_score:.1f}")
    if summary.needs_review:
        out.print(f"  {summary.needs_review} mono call(s) flagged for review (speaker roles)")
    for call_id, reason in summary.skipped_reasons:
        out.print(f"  skipped {for_markup(call_id)}: {for_markup(reason)}")
    for note in summary.notes:
        out.print(f"  note: {for_markup(note)}")
    for call_id, reason in summary.failed:
        out.print(f"  [red]failed[/red] {for_markup(call_id)}: {for_markup(reason)}")


def _print_report(report: BatchReport, verb: str) -> None:
    from qa_pipeline.records import Status

    done = sum(report.count(s) for s in (Status.SCORED, Status.TRANSCRIBED))
    out.print(
        f"{report.found} found, {done} {verb}, {len(report.skipped)} skipped, "
        f"{report.count(Status.NEEDS_DIARISATION)} need diarisation, {len(report.failed)} failed"
    )
    for call_id, reason in report.skipped.items():
        out.print(f"  skipped {for_markup(call_id)}: {for_markup(reason)}")
    for note in report.notes:
        out.print(f"  note: {for_markup(note)}")
    for call_id, error in report.failed.items():
        out.print(f"  [red]failed[/red] {for_markup(call_id)}: {for_markup(error)}")

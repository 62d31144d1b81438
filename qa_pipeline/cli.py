"""The ``qa-pipeline`` command: run, import, show (and rubric tools)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from qa_pipeline.audio import AudioOptions
from qa_pipeline.diarise import Backend, check_available
from qa_pipeline.diarise_pyannote import PIPELINE_ENV
from qa_pipeline.errors import ConfigError, InputError
from qa_pipeline.manifest import load_manifest
from qa_pipeline.pipeline import (
    BatchReport,
    import_transcripts,
    rescore,
)
from qa_pipeline.records import Status
from qa_pipeline.rubric import default_rubric_path, load_rubric
from qa_pipeline.scoring import RubricScorer, scorer_for
from qa_pipeline.show import call_document, render_text
from qa_pipeline.store import Store
from qa_pipeline.summary import RunSummary
from qa_pipeline.transcribe import TranscribeOptions

app = typer.Typer(
    help="Score contact-centre calls against QA rubrics, with evidence for every point.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_CALLS_FAILED = 3
"""Exit status when the batch finished but some calls failed (each is stored with its reason)."""

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="DuckDB file. Default: $QA_PIPELINE_DB, else qa.duckdb in the working folder.",
    ),
]
ManifestOption = Annotated[
    Path | None, typer.Option("--manifest", help="CSV or JSON-lines call metadata.")
]
RubricOption = Annotated[
    Path | None,
    typer.Option("--rubric", help="Rubric YAML. Default: rubrics/default.yaml."),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Reprocess calls even when their content is unchanged.")
]


def _db_path(db: Path | None) -> Path:
    return db or Path(os.environ.get("QA_PIPELINE_DB", "qa.duckdb"))


def _scorer(rubric: Path | None) -> RubricScorer:
    """The rubric, validated before any call is touched: a bad rubric never scores. Built
    through scorer_for, so a flow in this process reuses it."""
    try:
        return scorer_for(rubric)
    except InputError as exc:
        raise _fail(str(exc)) from exc


def _fail(message: str, code: int = 2) -> typer.Exit:
    _err.print(f"[red]error:[/red] {message}", markup=True)
    return typer.Exit(code)


@app.command()
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
        typer.Option(
            help="auto: channels for stereo, pyannote when configured, else embedding."
        ),
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
) -> None:
    """Transcribe, split into turns, score and store audio calls (the score-calls flow).

    Needs no Prefect server: without PREFECT_API_URL, Prefect runs a temporary local one.
    """
    # A temporary local Prefect server has nobody to report usage to on an offline machine.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.score_calls import ScoreParams, score_calls

    params = ScoreParams(
        inputs=[str(p) for p in paths],
        db=str(_db_path(db)),
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
    )
    # Everything that can be checked is checked here, before a flow run or any call starts.
    try:
        check_available(params.pipeline_options().diarise)
    except ConfigError as exc:
        raise _fail(str(exc)) from exc
    _scorer(rubric)
    try:
        load_manifest(manifest)
    except InputError as exc:
        raise _fail(str(exc)) from exc
    inputs = params.expanded_inputs()
    missing = [str(p) for p in inputs if not p.exists()]
    if missing or not inputs:
        raise _fail(f"no such file or folder: {', '.join(missing) or ' '.join(params.inputs)}")
    state = score_calls(params, return_state=True)
    summary = state.result(raise_on_failure=False)
    if not isinstance(summary, RunSummary):
        raise _fail(f"the run failed: {state.message}", code=1)
    _print_summary(summary)
    if summary.failed:
        raise typer.Exit(EXIT_CALLS_FAILED)


@app.command()
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
) -> None:
    """Serve the nightly score-calls deployment: each night, score what is not stored yet."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.nightly import local_timezone, nightly_deployment, serve_nightly
    from flows.score_calls import ScoreParams

    _scorer(rubric)
    params = ScoreParams(
        inputs=[str(Path(p).resolve()) if not any(c in p for c in "*?[") else p for p in paths],
        db=str(_db_path(db).resolve()),
        manifest=str(manifest.resolve()) if manifest else None,
        rubric=str(rubric.resolve()) if rubric else None,
        workers=workers,
        diarizer=diarizer,
    )
    deployment = nightly_deployment(params, cron, timezone)
    _out.print(f"serving score-calls/nightly at '{cron}' ({timezone or local_timezone()}); Ctrl-C stops")
    serve_nightly(deployment)


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Transcript JSON files or folders of them.")],
    db: DbOption = None,
    manifest: ManifestOption = None,
    rubric: RubricOption = None,
    force: ForceOption = False,
) -> None:
    """Store and score transcripts made elsewhere (JSON; format in the README)."""
    scorer = _scorer(rubric)
    try:
        meta = load_manifest(manifest)
        with Store(_db_path(db)) as store:
            report = import_transcripts(paths, store, meta, scorer, force=force)
    except (InputError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from exc
    _print_report(report, "imported")
    if report.failed:
        raise typer.Exit(EXIT_CALLS_FAILED)


@app.command("rescore")
def rescore_(db: DbOption = None, rubric: RubricOption = None) -> None:
    """Score stored calls again from their stored transcripts (after a rubric change).

    Results from other rubric versions stay queryable; this rubric's results are replaced.
    """
    scorer = _scorer(rubric)
    path = _db_path(db)
    if not path.exists():
        raise _fail(f"{path}: no such database. Fix: run `qa-pipeline run` first, or pass --db.")
    with Store(path) as store:
        report = rescore(store, scorer)
    r = scorer.rubric
    _out.print(f"{len(report.stored)} calls rescored with rubric {r.id} v{r.version} "
               f"({r.sha256[:12]}), {len(report.skipped)} skipped")


rubric_app = typer.Typer(help="Rubric tools.", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric")


@rubric_app.command("check")
def rubric_check(
    file: Annotated[Path, typer.Argument(help="Rubric YAML to validate.")] = default_rubric_path(),
) -> None:
    """Validate a rubric: schema, detectors, ids, weights, regular expressions."""
    try:
        loaded = load_rubric(file)
    except InputError as exc:
        raise _fail(str(exc), code=1) from exc
    weight = sum(i.weight for i in loaded.items)
    _out.print(f"{file}: rubric {loaded.id} v{loaded.version} is valid: {len(loaded.items)} items, "
               f"total weight {weight:g}, sha256 {loaded.sha256[:12]}")


@app.command()
def show(
    call_id: Annotated[str, typer.Argument(help="The call to show.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the call as JSON.")] = False,
) -> None:
    """Show a stored call: its turns by speaker, and its rubric verdicts with evidence."""
    path = _db_path(db)
    if not path.exists():
        raise _fail(f"{path}: no such database. Fix: run `qa-pipeline run` first, or pass --db.")
    with Store(path, read_only=True) as store:
        detail = store.detail(call_id)
    if detail is None:
        raise _fail(f"{path}: no call {call_id!r}. Fix: check the id with `qa-pipeline run`'s summary.")
    doc = call_document(detail)
    if as_json:
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        _out.print(render_text(doc))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_err,
        transient=True,
        disable=not _err.is_terminal,
    )


def _print_summary(summary: RunSummary) -> None:
    _out.print(summary.headline())
    _out.print(
        f"wall time {summary.wall_s:.1f} s, {summary.audio_s / 3600:.3f} h of audio, "
        f"{summary.audio_hours_per_hour:.1f} audio hours per hour"
    )
    for team in summary.teams:
        _out.print(f"  team {team.team}: {team.calls} scored, mean score {team.mean_score:.1f}")
    if summary.needs_review:
        _out.print(f"  {summary.needs_review} mono call(s) flagged for review (speaker roles)")
    for call_id, reason in summary.failed:
        _out.print(f"  [red]failed[/red] {call_id}: {reason}")


def _print_report(report: BatchReport, verb: str) -> None:
    done = sum(report.count(s) for s in (Status.SCORED, Status.TRANSCRIBED))
    _out.print(
        f"{report.found} found, {done} {verb}, {len(report.skipped)} skipped, "
        f"{report.count(Status.NEEDS_DIARISATION)} need diarisation, {len(report.failed)} failed"
    )
    for call_id, reason in report.skipped.items():
        _out.print(f"  skipped {call_id}: {reason}")
    for call_id, error in report.failed.items():
        _out.print(f"  [red]failed[/red] {call_id}: {error}")

"""One call from file to stored outcome, and the plain batch loop over many calls.

The stages are: discover -> decode -> transcribe -> diarise (mono calls) -> turns -> score ->
store. Each call is processed on its own; its failure is recorded on it and the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from qa_pipeline import audio
from qa_pipeline.audio import AudioOptions
from qa_pipeline.diarise import Backend, DiariseOptions, backend_for, get_diariser, speakers_of
from qa_pipeline.errors import CallError
from qa_pipeline.importer import read_transcript
from qa_pipeline.manifest import Manifest
from qa_pipeline.records import (
    CallMeta,
    CallOutcome,
    CallScore,
    CallSource,
    DecodedAudio,
    Diarisation,
    Layout,
    Speaker,
    Status,
    RoleAssignment,
    Transcript,
    Word,
)
from qa_pipeline.roles import RoleOptions, assign_roles, forced_roles
from qa_pipeline.store import Store
from qa_pipeline.transcribe import Transcriber, TranscribeOptions
from qa_pipeline.turns import TurnOptions, build_turns

__all__ = [
    "BatchReport",
    "CallJob",
    "PipelineOptions",
    "Plan",
    "Scorer",
    "discover",
    "failed_outcome",
    "import_transcripts",
    "plan_batch",
    "process_audio",
    "process_job",
    "record",
    "rescore",
    "run_batch",
]

Scorer = Callable[[Transcript], tuple[CallScore, ...]]
"""Scores a transcript against the configured rubrics (see qa_pipeline.scoring)."""

ProgressHook = Callable[[int, int, str], None]
"""Called once per call with (calls done, calls found, "call_id: what happened")."""


@dataclass(frozen=True)
class PipelineOptions:
    """Options for every stage of one run; stored per call as JSON by the stages that use them."""

    audio: AudioOptions = AudioOptions()
    transcribe: TranscribeOptions = TranscribeOptions()
    turns: TurnOptions = TurnOptions()
    diarise: DiariseOptions = DiariseOptions()
    roles: RoleOptions = RoleOptions()
    force: bool = False


@dataclass
class BatchReport:
    """What a batch did, call by call; filled in as calls are stored.

    Attributes:
        audio_s: seconds of audio of each stored call.
        scores: each scored call's score against the first rubric (None when no item applied).
        teams: each stored call's team, from the manifest.
        review: mono calls whose speaker roles were too unsure to trust.
    """

    found: int = 0
    stored: dict[str, Status] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    audio_s: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float | None] = field(default_factory=dict)
    teams: dict[str, str | None] = field(default_factory=dict)
    review: list[str] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for s in self.stored.values() if s is status)


@dataclass(frozen=True)
class CallJob:
    """One recording to process: where it is, what is known of it, and its content hash."""

    path: Path
    meta: CallMeta
    sha256: str


@dataclass(frozen=True)
class Plan:
    """The recordings of a batch that need processing, and those skipped with the reason."""

    found: int
    jobs: tuple[CallJob, ...]
    skipped: dict[str, str]


def discover(paths: Iterable[Path], suffixes: frozenset[str] = audio.AUDIO_SUFFIXES) -> list[Path]:
    """Files to process: folders are searched recursively for ``suffixes``; files named
    directly are always taken, so a mistyped one fails loudly instead of being ignored.

    Raises:
        FileNotFoundError: a path that does not exist.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
            )
        elif path.exists():
            found.add(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(found)


def process_audio(
    path: Path,
    meta: CallMeta,
    sha256: str,
    transcriber: Transcriber,
    options: PipelineOptions = PipelineOptions(),
    scorer: Scorer | None = None,
) -> CallOutcome:
    """Decodes, transcribes, splits into turns and scores one recording.

    Never raises for a bad call: the error is returned on the outcome, with status failed.
    """
    source = CallSource(path=path, sha256=sha256, kind="audio")
    try:
        decoded = audio.decode(path, options.audio)
    except CallError as exc:
        return _failed(source, meta, exc)
    source = replace(
        source,
        channel_count=decoded.channel_count,
        source_sample_rate_hz=decoded.source_sample_rate_hz,
    )
    layout = meta.layout or (Layout.AGENT_ON_0 if decoded.channel_count == 2 else Layout.MONO)
    if layout is not Layout.MONO and decoded.channel_count != 2:
        error = CallError(
            "layout_mismatch",
            path,
            f"the manifest puts the agent on channel {layout.agent_channel}, but the recording "
            "has one channel.",
            "set agent_channel to mono for this call in the manifest.",
        )
        return _failed(source, meta, error)
    channels = 1 if layout is Layout.MONO else decoded.channel_count
    backend = backend_for(options.diarise, channels)
    if backend is None:
        # Mono, and this run may not diarise: kept for a later run with a diariser.
        return CallOutcome(
            source, meta, Status.NEEDS_DIARISATION, layout, duration_s=decoded.duration_s
        )
    if backend is Backend.CHANNELS:
        words = _words_by_channel(decoded, layout, transcriber)
        diarisation = roles = None
    else:
        try:
            words, diarisation, roles = _words_by_diarisation(
                decoded, meta, transcriber, backend, options
            )
        except CallError as exc:
            return _failed(source, meta, exc, decoded.duration_s)
    if not words:
        error = CallError(
            "no_speech",
            path,
            "no speech was recognised in the recording.",
            "check that the file is a call recording and that its levels are not too low.",
        )
        return _failed(source, meta, error, decoded.duration_s)
    transcript = Transcript(
        meta=meta,
        duration_s=decoded.duration_s,
        words=tuple(words),
        turns=build_turns(words, options.turns),
        engine=transcriber.engine,
        options_json=transcriber.options.to_json(),
    )
    outcome = _finish(source, transcript, layout, scorer)
    return replace(outcome, diarisation=diarisation, roles=roles)


def _words_by_channel(
    decoded: DecodedAudio, layout: Layout, transcriber: Transcriber
) -> list[Word]:
    words: list[Word] = []
    for channel, samples in enumerate(decoded.channels):
        speaker = Speaker.AGENT if channel == layout.agent_channel else Speaker.CUSTOMER
        words.extend(transcriber.words(samples, speaker))
    return words


def _words_by_diarisation(
    decoded: DecodedAudio,
    meta: CallMeta,
    transcriber: Transcriber,
    backend: Backend,
    options: PipelineOptions,
) -> tuple[list[Word], Diarisation | None, RoleAssignment | None]:
    """Transcribes the mixed recording, splits it into speakers and picks the agent."""
    samples = audio.mix_down(decoded)
    # Every word is first attributed to the agent; diarisation below decides who said it.
    heard = transcriber.words(samples, Speaker.AGENT)
    if not heard:
        return [], None, None
    diarisation = get_diariser(backend, options.diarise).diarise(samples, heard)
    if not diarisation.segments:
        raise CallError(
            "no_speakers",
            decoded.path,
            f"the {backend} diarizer found no speaker in the recording.",
            "check the recording's levels, or try another --diarizer.",
        )
    labels = speakers_of(heard, diarisation.segments)
    if meta.agent_speaks_first is not None:
        try:
            roles = forced_roles(labels, meta.agent_speaks_first)
        except ValueError as exc:
            raise CallError(
                "one_speaker",
                decoded.path,
                f"the manifest names the second speaker as the agent, but {exc}.",
                "check the recording, or leave agent_speaker empty for this call.",
            ) from exc
    else:
        roles = assign_roles(heard, labels, options.roles)
    words = [
        replace(w, speaker=Speaker.AGENT if label == roles.agent_label else Speaker.CUSTOMER)
        for w, label in zip(heard, labels)
    ]
    return words, diarisation, roles


def plan_batch(
    paths: Sequence[Path], store: Store, manifest: Manifest = Manifest(), force: bool = False
) -> Plan:
    """Finds the recordings and decides which need processing.

    A call is skipped when it is stored and done from the same bytes, or when the same bytes
    are stored (or planned earlier in this batch) under another call id: so a batch run twice,
    or a recording dropped in twice, is never counted twice. Calls that failed are retried.

    Raises:
        FileNotFoundError: a path that does not exist.
    """
    files = discover(paths)
    jobs: list[CallJob] = []
    skipped: dict[str, str] = {}
    planned: dict[str, str] = {}  # sha256 -> call id planned in this batch
    for path in files:
        meta = manifest.meta_for(path)
        sha256 = _sha_or_zero(path)
        reason = _skip_reason(store, meta.call_id, sha256, force)
        if reason is None and sha256 in planned and not force:
            reason = f"same content as call {planned[sha256]}, earlier in this batch"
        if reason:
            skipped[meta.call_id] = reason
            continue
        if sha256 != _UNREADABLE:
            planned[sha256] = meta.call_id
        jobs.append(CallJob(path, meta, sha256))
    return Plan(len(files), tuple(jobs), skipped)


def process_job(
    job: CallJob,
    transcriber: Transcriber,
    options: PipelineOptions = PipelineOptions(),
    scorer: Scorer | None = None,
) -> CallOutcome:
    """process_audio for a planned call."""
    return process_audio(job.path, job.meta, job.sha256, transcriber, options, scorer)


def failed_outcome(job: CallJob, code: str, problem: str, fix: str) -> CallOutcome:
    """The outcome of a call whose processing broke outside the pipeline's own checks."""
    source = CallSource(path=job.path, sha256=job.sha256, kind="audio")
    return _failed(source, job.meta, CallError(code, job.path, problem, fix))


def record(store: Store, outcome: CallOutcome, report: BatchReport) -> None:
    """Stores one call in its own transaction and notes it on the report."""
    store.save(outcome)
    call_id = outcome.meta.call_id
    report.stored[call_id] = outcome.status
    report.teams[call_id] = outcome.meta.team
    if outcome.duration_s is not None:
        report.audio_s[call_id] = outcome.duration_s
    if outcome.scores:
        report.scores[call_id] = outcome.scores[0].score
    if outcome.roles is not None and outcome.roles.needs_review:
        report.review.append(call_id)
    if outcome.error:
        report.failed[call_id] = outcome.error


def run_batch(
    paths: Sequence[Path],
    store: Store,
    manifest: Manifest = Manifest(),
    options: PipelineOptions = PipelineOptions(),
    scorer: Scorer | None = None,
    transcriber: Transcriber | None = None,
    progress: ProgressHook | None = None,
) -> BatchReport:
    """The plain loop: plans the batch, then processes and stores calls one by one.

    The Prefect flow (flows/score_calls.py) runs the same plan, process and record steps
    concurrently; this loop is its baseline and needs no Prefect.
    """
    plan = plan_batch(paths, store, manifest, options.force)
    transcriber = transcriber or Transcriber(options.transcribe)
    report = BatchReport(found=plan.found, skipped=dict(plan.skipped))
    for done, job in enumerate(plan.jobs, start=1):
        outcome = process_job(job, transcriber, options, scorer)
        record(store, outcome, report)
        if progress:
            progress(done, len(plan.jobs), f"{job.meta.call_id}: {outcome.status}")
    return report


def import_transcripts(
    paths: Sequence[Path],
    store: Store,
    manifest: Manifest = Manifest(),
    scorer: Scorer | None = None,
    force: bool = False,
    progress: ProgressHook | None = None,
) -> BatchReport:
    """Stores transcripts made elsewhere (JSON, see qa_pipeline.importer) like transcribed calls."""
    files = discover(paths, suffixes=frozenset({".json"}))
    report = BatchReport(found=len(files))
    for done, path in enumerate(files, start=1):
        if progress:
            progress(done - 1, len(files), path.name)
        try:
            source, transcript = read_transcript(path)
        except CallError as exc:
            # Without a readable call_id the file name is the best key for the failure.
            source = CallSource(path=path, sha256=_sha_or_zero(path), kind="import")
            record(store, _failed(source, CallMeta(call_id=path.stem), exc), report)
            continue
        transcript = replace(transcript, meta=manifest.with_defaults(transcript.meta))
        reason = _skip_reason(store, transcript.meta.call_id, source.sha256, force)
        if reason:
            report.skipped[transcript.meta.call_id] = reason
        else:
            record(store, _finish(source, transcript, None, scorer), report)
    return report


def rescore(
    store: Store, scorer: Scorer, progress: ProgressHook | None = None
) -> BatchReport:
    """Scores every stored transcript again (no audio needed), one transaction per call.

    Results for other rubric versions stay in the store; results for this rubric are replaced.
    """
    call_ids = store.stored_call_ids()
    report = BatchReport(found=len(call_ids))
    for done, call_id in enumerate(call_ids, start=1):
        transcript = store.transcript(call_id)
        if transcript is None or not transcript.turns:
            report.skipped[call_id] = "no stored turns"
        else:
            store.save_scores(call_id, scorer(transcript))
            report.stored[call_id] = Status.SCORED
        if progress:
            progress(done, len(call_ids), call_id)
    return report


def _finish(
    source: CallSource, transcript: Transcript, layout: Layout | None, scorer: Scorer | None
) -> CallOutcome:
    scores = scorer(transcript) if scorer else ()
    status = Status.SCORED if scores else Status.TRANSCRIBED
    return CallOutcome(
        source, transcript.meta, status, layout, transcript.duration_s, transcript, scores=scores
    )


def _skip_reason(store: Store, call_id: str, sha256: str, force: bool) -> str | None:
    if force:
        return None
    state = store.state(call_id)
    if state is not None and state.done and state.sha256 == sha256:
        return "unchanged since it was last processed"
    twin = store.duplicate_of(call_id, sha256)
    if twin is not None:
        return f"same content as call {twin}, already stored"
    return None


def _failed(
    source: CallSource, meta: CallMeta, error: CallError, duration_s: float | None = None
) -> CallOutcome:
    return CallOutcome(
        source,
        meta,
        Status.FAILED,
        duration_s=duration_s,
        error_code=error.code,
        error=str(error),
    )


_UNREADABLE = "0" * 64


def _sha_or_zero(path: Path) -> str:
    """The file's SHA-256, or zeros for a file that cannot be read (its failure is recorded
    when the stage that opens it names the reason)."""
    try:
        return audio.file_sha256(path)
    except OSError:
        return _UNREADABLE

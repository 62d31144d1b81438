"""Run: plan -> process -> store for a batch of recordings, and the batch jobs on stored calls.

``run_batch`` is the plain loop; the Prefect flow (flows/score_calls.py) runs the same plan,
process and record steps concurrently, and this loop is its baseline. Each call is stored in
its own transaction; a failed call is recorded with its reason and the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from qa_pipeline.batch.imports import ImportOptions, call_id_of, import_outcome
from qa_pipeline.batch.options import DEFAULT_MAX_ATTEMPTS, PipelineOptions
from qa_pipeline.batch.plan import check_unique_ids, plan_batch, skip_reason
from qa_pipeline.batch.process import Scorer, process_job
from qa_pipeline.batch.progress import Tracker
from qa_pipeline.bulk import paused_gc
from qa_pipeline.ingest.discover import find_files
from qa_pipeline.ingest.manifest import Manifest
from qa_pipeline.ingest.transcripts.registry import ImportFile
from qa_pipeline.records import (
    CallOutcome,
    CallScore,
    SentenceActs,
    SentenceEmbeddings,
    Status,
    Transcript,
)
from qa_pipeline.scoring.engine import RubricScorer
from qa_pipeline.speech.transcribe import Transcriber
from qa_pipeline.store import RunHolder, Store, run_lock
from qa_pipeline.store.preflight import StoreWriteError, describe_store_failure

__all__ = [
    "BatchReport",
    "hold_run_lock",
    "import_transcripts",
    "open_store",
    "record",
    "rescore",
    "run_batch",
    "score_stored",
]


@dataclass
class BatchReport:
    """What a batch did, call by call; filled in as calls are stored.

    Attributes:
        audio_s: seconds of audio of each stored call.
        scores: each scored call's score against the first rubric (None when no item applied).
        teams: each stored call's team, from the manifest.
        review: mono calls whose speaker roles were too unsure to trust.
        formats: imports: the format each call's file was read as.
    """

    found: int = 0
    stored: dict[str, Status] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    audio_s: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float | None] = field(default_factory=dict)
    teams: dict[str, str | None] = field(default_factory=dict)
    review: list[str] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for s in self.stored.values() if s is status)

    def unaccounted(self) -> int:
        """Calls found but neither skipped nor stored nor failed: 0 when the counts add up."""
        return self.found - len(self.skipped) - len(self.stored)


def open_store(path: Path, read_only: bool = False) -> Store:
    """The store a batch writes to (or reads from, with ``read_only``)."""
    return Store(path, read_only=read_only)


@contextmanager
def hold_run_lock(db: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """One run at a time on a database (qa_pipeline.store.run_lock): waits for a run already
    writing to it, telling ``on_wait`` in one line. Reentrant, so a flow started by the CLI,
    which holds it already, goes straight on."""

    def tell(holder: RunHolder) -> None:
        if on_wait is not None:
            on_wait(f"{holder.describe()} is writing to {db.name}; waiting…")

    with run_lock(db, wait=True, on_wait=tell):
        yield


def record(store: Store, outcome: CallOutcome, report: BatchReport) -> None:
    """Stores one call in its own transaction and notes it on the report.

    Raises:
        StoreWriteError: the store could not be written (disk full, permission lost), in one
            line; the calls stored before are intact.
    """
    failure = None
    try:
        store.save(outcome)
    except Exception as exc:
        described = describe_store_failure(exc, store.path)
        if described is None:
            raise
        failure = StoreWriteError(described)
    if failure is not None:
        # Raised outside the except block, so DuckDB's exception, its traceback and the
        # connection it holds are freed now rather than reported as leaks at exit.
        raise failure
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
) -> BatchReport:
    """The plain loop: plans the batch, then processes and stores calls one by one."""
    plan = plan_batch(
        paths, store, manifest, options.force, options.retry_failed, options.max_attempts
    )
    transcriber = transcriber or Transcriber(options.transcribe)
    report = BatchReport(found=plan.found, skipped=dict(plan.skipped), notes=list(plan.notes))
    tracker = Tracker(len(plan.jobs))
    for job in plan.jobs:
        outcome = process_job(job, transcriber, options, scorer)
        record(store, outcome, report)
        tracker.call_done(outcome)
    return report


def import_transcripts(
    paths: Sequence[Path],
    store: Store,
    manifest: Manifest = Manifest(),
    scorer: Scorer | None = None,
    force: bool = False,
    options: ImportOptions = ImportOptions(),
    retry_failed: bool = False,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> BatchReport:
    """Stores transcripts made elsewhere (see qa_pipeline.ingest.transcripts) like transcribed
    calls; ``report.formats`` says which format each file was read as.

    A vendor file's call id is the manifest's for its file name, else its path below the input
    folder without extension; a native file names its own.

    Raises:
        InputError: two files map to one call id (both named), before any file is stored.
    """
    found = find_files(paths, suffixes=frozenset({".json"}))
    files = [ImportFile(path, default_id) for path, default_id in found.files]
    check_unique_ids([(f.path, call_id_of(f, manifest, options)) for f in files], manifest.path)
    report = BatchReport(
        found=len(found.files) + len(found.skipped),
        skipped={str(path): reason for path, reason in found.skipped},
    )
    tracker = Tracker(len(files))
    for file in files:
        outcome, fmt = import_outcome(file, manifest, options, scorer)
        call_id = outcome.meta.call_id
        if fmt is not None:
            report.formats[call_id] = fmt.value
        sha256 = outcome.source.sha256
        reason = skip_reason(store, call_id, sha256, force, file.path, retry_failed, max_attempts)
        if reason:
            report.skipped[call_id] = reason
            tracker.advance(1, f"{call_id}: skipped")
        else:
            record(store, outcome, report)
            tracker.call_done(outcome)
    return report


def rescore(store: Store, scorer: Scorer) -> BatchReport:
    """Scores every stored transcript again (no audio needed), a transaction per 100 calls.

    Results for other rubric versions stay in the store; results for this rubric are replaced.
    A rubric reading speech acts reuses each call's stored sentence embeddings and embeds only
    its own examples and any sentence not stored (or stored from another model).
    """
    call_ids = store.stored_call_ids()
    report = BatchReport(found=len(call_ids))
    tracker = Tracker(len(call_ids))
    for first in range(0, len(call_ids), _CHUNK):
        # Transcripts and stored sentence embeddings read in bulk, a chunk of calls at a
        # time (one query per table, not one per call), and results written a smaller chunk
        # per transaction: a reader waits for at most one such write.
        chunk = call_ids[first : first + _CHUNK]
        with paused_gc():  # a chunk's records hold no cycles: see paused_gc
            for results in score_stored(store, scorer, chunk, report.skipped):
                store.save_scores_many(results)
                for call_id, *_ in results:
                    report.stored[call_id] = Status.SCORED
        tracker.advance(len(chunk), chunk[-1])
    return report


def score_stored(
    store: Store, scorer: Scorer, chunk: list[str], skipped: dict[str, str]
) -> Iterator[
    list[tuple[str, tuple[CallScore, ...], SentenceEmbeddings | None, SentenceActs | None]]
]:
    """Reads a chunk of stored calls in bulk and scores them: ``rescore`` short of writing.

    Yields each write chunk's results as ``Store.save_scores_many`` takes them: (call id, its
    scores, the sentences embedded now or None, the act probabilities read now or None).
    A call whose act probabilities are stored under the rubric's reading is scored with
    them (its sentences read without their embeddings); the classifier reads the others,
    once over all their sentences. Calls with no stored turns go into ``skipped``, with the
    reason.
    """
    model = scorer.acts if isinstance(scorer, RubricScorer) else None
    transcripts = store.transcripts(chunk)
    read = store.sentence_acts(chunk, model.reading_id) if model is not None else {}
    stored = _stored_sentences(store, chunk, read) if model is not None else {}
    for start in range(0, len(chunk), _WRITE_CHUNK):
        ready = []
        for call_id in chunk[start : start + _WRITE_CHUNK]:
            transcript = transcripts.get(call_id)
            if transcript is None or not transcript.turns:
                skipped[call_id] = "no stored turns"
                continue
            before, acts = stored.get(call_id), read.get(call_id)
            if acts is not None and (
                before is None or len(before.sentences) != len(acts.probabilities)
            ):
                # Stale (rows no longer one per stored sentence): read again, from embeddings.
                acts, before = None, store.sentence_embeddings([call_id]).get(call_id)
            sentences = scorer.embed(transcript, before) if model is not None else None
            # Only sentences missing from the store (or from another model) were
            # embedded now; stored with the scores, the next rescore reuses them.
            fresh = sentences if sentences is not before else None
            ready.append((call_id, transcript, sentences, fresh, acts))
        if ready:
            yield _scored(scorer, ready)


def _stored_sentences(
    store: Store, chunk: list[str], read: dict[str, SentenceActs]
) -> dict[str, SentenceEmbeddings]:
    """The chunk's stored sentences: with their embeddings for the classifier to read, but
    without them (most of the bytes) for calls whose act probabilities were read before."""
    lean = [c for c in chunk if c in read]
    rest = [c for c in chunk if c not in read]
    stored = store.sentence_embeddings(lean, vectors=False) if lean else {}
    if rest:
        stored.update(store.sentence_embeddings(rest))
    return stored


def _scored(
    scorer: Scorer,
    ready: list[
        tuple[
            str,
            Transcript,
            SentenceEmbeddings | None,
            SentenceEmbeddings | None,
            SentenceActs | None,
        ]
    ],
) -> list[tuple[str, tuple[CallScore, ...], SentenceEmbeddings | None, SentenceActs | None]]:
    """Scores a write chunk of calls (a rubric's act classifier once over all the sentences
    whose probabilities were not read before)."""
    if isinstance(scorer, RubricScorer):
        scored = scorer.score_read([(t, e, a) for _, t, e, _, a in ready])
        return [
            (call_id, (score,), fresh, acts if acts is not before else None)
            for (call_id, _, _, fresh, before), (score, acts) in zip(ready, scored, strict=True)
        ]
    return [(call_id, scorer(t), fresh, None) for call_id, t, _, fresh, _ in ready]


_CHUNK = 500
"""Calls whose transcripts and sentence embeddings rescoring reads at once."""
_WRITE_CHUNK = 100
"""Calls whose new results rescoring writes in one transaction."""

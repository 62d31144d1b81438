"""Process: one recording to a CallOutcome (decode, transcribe, diarise, turns, embed, score).

Never touches the store, so it runs the same in the plain loop and in a worker process.
Never raises for a bad call: the failure is returned on the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from qa_pipeline.batch.budget import Deadline, within_budget
from qa_pipeline.batch.options import PipelineOptions
from qa_pipeline.batch.plan import CallJob
from qa_pipeline.batch.stopping import worker_setup
from qa_pipeline.errors import CallError, os_reason
from qa_pipeline.ingest import audio
from qa_pipeline.records import (
    CallMeta,
    CallOutcome,
    CallScore,
    CallSource,
    DecodedAudio,
    Diarisation,
    Layout,
    RoleAssignment,
    SentenceEmbeddings,
    Speaker,
    Status,
    Transcript,
    Word,
)
from qa_pipeline.redact.audio import write_redacted_audio
from qa_pipeline.redact.words import redact_words, with_options
from qa_pipeline.scoring.engine import RubricScorer, scorer_for
from qa_pipeline.speech.diarise.backends import backend_for, get_diariser, speakers_of
from qa_pipeline.speech.diarise.options import Backend
from qa_pipeline.speech.roles import assign_roles, forced_roles
from qa_pipeline.speech.transcribe import Transcriber
from qa_pipeline.speech.turns import build_turns

__all__ = [
    "Scorer",
    "embed_sentences",
    "failed_call",
    "failed_outcome",
    "outcome_of_transcript",
    "process_audio",
    "process_in_worker",
    "process_job",
]

Scorer = Callable[[Transcript], tuple[CallScore, ...]]
"""Scores a transcript against the configured rubrics (see qa_pipeline.scoring.engine)."""


def process_audio(
    path: Path,
    meta: CallMeta,
    sha256: str,
    transcriber: Transcriber,
    options: PipelineOptions = PipelineOptions(),
    scorer: Scorer | None = None,
    deadline: Deadline | None = None,
) -> CallOutcome:
    """Decodes, transcribes, splits into turns and scores one recording.

    Never raises for a bad call: the error is returned on the outcome, with status failed.

    Args:
        deadline: the call's time budget, rescaled here to the recording's length.
    """
    source = CallSource(path=path, sha256=sha256, kind="audio")
    try:
        decoded = audio.decode(path, options.audio)
    except CallError as exc:
        return failed_call(source, meta, exc)
    if deadline is not None:
        deadline.extend_for(decoded.duration_s)
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
        return failed_call(source, meta, error)
    channels = 1 if layout is Layout.MONO else decoded.channel_count
    backend = backend_for(options.diarise, channels)
    if backend is None:
        # Mono, and this run may not diarise: kept for a later run with a diariser.
        return CallOutcome(
            source, meta, Status.NEEDS_DIARISATION, layout, duration_s=decoded.duration_s
        )
    if backend is Backend.CHANNELS:
        # Redacted before turns, scoring or anything else is built from the words.
        words = list(redact_words(_words_by_channel(decoded, layout, transcriber), options.redact))
        diarisation = roles = None
    else:
        try:
            words, diarisation, roles = _words_by_diarisation(
                decoded, meta, transcriber, backend, options
            )
        except CallError as exc:
            return failed_call(source, meta, exc, decoded.duration_s)
    if not words:
        error = CallError(
            "no_speech",
            path,
            "no speech was recognised in the recording.",
            "check that the file is a call recording and that its levels are not too low.",
        )
        return failed_call(source, meta, error, decoded.duration_s)
    transcript = Transcript(
        meta=meta,
        duration_s=decoded.duration_s,
        words=tuple(words),
        turns=build_turns(words, options.turns),
        engine=transcriber.engine,
        options_json=with_options(transcriber.options.to_json(), options.redact),
    )
    try:
        copy = write_redacted_audio(decoded, words, meta.call_id, options.redact)
    except OSError as exc:
        error = CallError(
            "redacted_audio_unwritable",
            Path(options.redact.audio_dir or "."),
            f"the redacted copy of the recording could not be written ({os_reason(exc)}).",
            "give --redacted-audio a folder this user may write, with room to spare.",
        )
        return failed_call(source, meta, error, decoded.duration_s)
    outcome = outcome_of_transcript(source, transcript, layout, scorer)
    return replace(
        outcome,
        diarisation=diarisation,
        roles=roles,
        redacted_audio_path=str(copy) if copy is not None else None,
    )


def process_job(
    job: CallJob,
    transcriber: Transcriber,
    options: PipelineOptions = PipelineOptions(),
    scorer: Scorer | None = None,
) -> CallOutcome:
    """process_audio for a planned call, within its time budget (options.call_budget): past
    it, the call fails with code ``timeout``."""

    def work(deadline: Deadline) -> CallOutcome:
        return process_audio(job.path, job.meta, job.sha256, transcriber, options, scorer, deadline)

    def timed_out(budget_s: float) -> CallOutcome:
        return failed_outcome(
            job,
            "timeout",
            f"processing ran past the call's time budget of {budget_s:.0f} s and was stopped.",
            "raise the budget with --call-timeout-s if the machine is slow; otherwise report "
            "this recording.",
        )

    return within_budget(work, options.call_budget, timed_out)


def process_in_worker(job: CallJob, options: PipelineOptions, rubric: str | None) -> CallOutcome:
    """process_job in a worker process: the model and the rubric load once per process."""
    worker_setup()
    scorer = scorer_for(Path(rubric) if rubric else None)
    return process_job(job, Transcriber(options.transcribe), options, scorer)


def outcome_of_transcript(
    source: CallSource, transcript: Transcript, layout: Layout | None, scorer: Scorer | None
) -> CallOutcome:
    """The outcome of a call whose transcript is known: its sentences embedded (embed stage)
    and scored when a scorer is given."""
    sentences = embed_sentences(transcript, scorer)
    acts = None
    if scorer is None:
        scores: tuple[CallScore, ...] = ()
    elif isinstance(scorer, RubricScorer):
        ((score, acts),) = scorer.score_read([(transcript, sentences, None)])
        scores = (score,)
    else:
        scores = scorer(transcript)
    status = Status.SCORED if scores else Status.TRANSCRIBED
    return CallOutcome(
        source,
        transcript.meta,
        status,
        layout,
        transcript.duration_s,
        transcript,
        scores=scores,
        sentences=sentences,
        acts=acts,
    )


def embed_sentences(transcript: Transcript, scorer: Scorer | None) -> SentenceEmbeddings | None:
    """The embed stage, after turns (and redaction: only redacted text is embedded) and before
    scoring: the transcript's sentences and their embeddings, computed once and stored with the
    call so that rescoring reuses them. None when the rubric reads no speech acts."""
    if isinstance(scorer, RubricScorer):
        return scorer.embed(transcript)
    return None


def failed_outcome(job: CallJob, code: str, problem: str, fix: str) -> CallOutcome:
    """The outcome of a call whose processing broke outside the pipeline's own checks."""
    source = CallSource(path=job.path, sha256=job.sha256, kind="audio")
    return failed_call(source, job.meta, CallError(code, job.path, problem, fix))


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
    # Redacted before anything reads them (role cues included); speakers are not known yet,
    # so the customer's entity set applies to every word.
    heard = list(redact_words(heard, options.redact, speakers_known=False))
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
        for w, label in zip(heard, labels, strict=True)
    ]
    return words, diarisation, roles


def failed_call(
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

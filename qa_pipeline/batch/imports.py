"""Imported transcripts to outcomes: who is the agent, then the same turns and scoring as a
transcribed call.

A vendor file arrives as words labelled by channel, speaker or role (ingest/transcripts). The
agent is, in order: the role the file states (Contact Lens, Call Analytics); the manifest's
``agent_channel`` / ``agent_speaker`` for the call; ``--agent-channel`` / ``--agent-speaker``;
else the role detector used for mono calls (speech/roles.py), whose confidence is stored and
whose doubtful calls are flagged for review, as for mono calls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from qa_pipeline.batch.process import Scorer, failed_call, outcome_of_transcript
from qa_pipeline.errors import CallError
from qa_pipeline.ingest.discover import sha256_or_unreadable
from qa_pipeline.ingest.manifest import Manifest
from qa_pipeline.ingest.transcripts.base import Parsed, SplitBy, channel_label
from qa_pipeline.ingest.transcripts.registry import (
    ImportedCall,
    ImportFile,
    ImportFormat,
    read_call,
)
from qa_pipeline.records import (
    CallMeta,
    CallOutcome,
    CallSource,
    Diarisation,
    Layout,
    RoleAssignment,
    Speaker,
    SpeakerSegment,
    Transcript,
    Word,
)
from qa_pipeline.redact.options import RedactOptions
from qa_pipeline.redact.words import apply_masks, find_masks, redact_transcript, with_options
from qa_pipeline.speech.roles import RoleOptions, assign_roles
from qa_pipeline.speech.turns import TurnOptions, build_turns

__all__ = ["AgentChoice", "ImportOptions", "call_id_of", "import_outcome", "transcript_of"]

_CHOOSE_FIX = (
    "name the agent with --agent-channel N or --agent-speaker LABEL (or the manifest's "
    "agent_channel / agent_speaker for this call)."
)


@dataclass(frozen=True)
class AgentChoice:
    """Which channel or speaker of every imported file is the agent, when the user says.

    Attributes:
        channel: files split by channel: the agent's channel (0, 1 ...).
        speaker: files split by speaker: ``first`` or ``second`` (in order of first word), or
            the label as the file writes it (``spk_1``, ``0``, ``2``, ``SPEAKER_01``).
    """

    channel: int | None = None
    speaker: str | None = None


@dataclass(frozen=True)
class ImportOptions:
    """How transcript files are imported."""

    format: ImportFormat = ImportFormat.AUTO
    agent: AgentChoice = AgentChoice()
    roles: RoleOptions = RoleOptions()
    turns: TurnOptions = TurnOptions()
    redact: RedactOptions = RedactOptions()


def import_outcome(
    file: ImportFile,
    manifest: Manifest = Manifest(),
    options: ImportOptions = ImportOptions(),
    scorer: Scorer | None = None,
) -> tuple[CallOutcome, ImportFormat | None]:
    """Reads one transcript file and scores it; a bad file comes back as a failed outcome.

    Returns:
        The outcome, and the format the file was read as (None when it could not be read).
    """
    try:
        imported = read_call(file.path, options.format)
    except CallError as exc:
        source = CallSource(file.path, sha256_or_unreadable(file.path), "import")
        return failed_call(source, CallMeta(call_id=file.default_call_id), exc), None
    if imported.transcript is not None:
        transcript = replace(
            imported.transcript, meta=manifest.with_defaults(imported.transcript.meta)
        )
        # Our JSON arrives with its turns built: its words are redacted turn by turn.
        transcript = redact_transcript(transcript, options.redact)
        return outcome_of_transcript(imported.source, transcript, None, scorer), imported.format
    meta = manifest.meta_for(file.path, file.default_call_id)
    try:
        transcript, layout, diarisation, roles = transcript_of(imported, meta, options)
    except CallError as exc:
        return failed_call(imported.source, meta, exc), imported.format
    outcome = outcome_of_transcript(imported.source, transcript, layout, scorer)
    return replace(outcome, diarisation=diarisation, roles=roles), imported.format


def call_id_of(file: ImportFile, manifest: Manifest, options: ImportOptions) -> str:
    """The call id a file will be stored under (read only as far as a native file's own id)."""
    if options.format in (ImportFormat.AUTO, ImportFormat.NATIVE):
        try:
            imported = read_call(file.path, options.format)
        except CallError:
            return file.default_call_id
        if imported.transcript is not None:
            return imported.transcript.meta.call_id
    return manifest.call_id_for(file.path, file.default_call_id)


def transcript_of(
    imported: ImportedCall, meta: CallMeta, options: ImportOptions = ImportOptions()
) -> tuple[Transcript, Layout | None, Diarisation | None, RoleAssignment]:
    """A vendor file's words as a transcript: agent decided, turns built as for any call.

    Raises:
        CallError: the agent cannot be decided (one speaker only; a named channel or speaker
            the file does not have).
    """
    parsed, fmt = imported.parsed, imported.format.value
    assert parsed is not None, "native files arrive as a finished transcript"
    # Redacted before the role detector, turns or anything else reads the words.
    parsed = _redacted(parsed, options.redact)
    imported = replace(imported, parsed=parsed)
    roles = _roles(imported, parsed, meta, options)
    known = dict(parsed.roles)
    role_of = {
        label: known.get(label)
        or (Speaker.AGENT if label == roles.agent_label else Speaker.CUSTOMER)
        for label in parsed.labels
    }
    words = tuple(
        Word(w.start_s, w.end_s, w.text, w.probability, role_of[w.label]) for w in parsed.words
    )
    layout, diarisation = None, None
    if parsed.split_by is not SplitBy.ROLE:
        # The file's own split is kept (speaker_segments, with each label's role), so `show`
        # and reviewers see who was picked as the agent, how, and how sure.
        diarisation = Diarisation(
            _segments(parsed), fmt, json.dumps({"source": "file", "split_by": parsed.split_by})
        )
    if parsed.split_by is SplitBy.CHANNEL:
        layout = {"ch_0": Layout.AGENT_ON_0, "ch_1": Layout.AGENT_ON_1}.get(roles.agent_label)
    elif parsed.split_by is SplitBy.SPEAKER:
        layout = Layout.MONO
    options_json = json.dumps(
        {
            "source": str(imported.source.path),
            "format": fmt,
            "split_by": parsed.split_by.value,
            "roles": {label: role.value for label, role in role_of.items()},
            "notes": list(parsed.notes),
        }
    )
    options_json = with_options(options_json, options.redact)
    transcript = Transcript(
        meta=meta,
        duration_s=parsed.duration_s,
        words=words,
        turns=build_turns(words, options.turns),
        engine=f"import:{fmt}",
        options_json=options_json,
    )
    return transcript, layout, diarisation, roles


def _redacted(parsed: Parsed, options: RedactOptions) -> Parsed:
    """The file's words with personal data replaced by tags, times and labels unchanged."""
    known = dict(parsed.roles)
    heard = [
        Word(w.start_s, w.end_s, w.text, w.probability, known.get(w.label, Speaker.CUSTOMER))
        for w in parsed.words
    ]
    labels = [w.label for w in parsed.words]
    masks = find_masks(heard, options, speakers_known=bool(known), labels=labels)
    return replace(parsed, words=apply_masks(parsed.words, masks))


def _roles(
    imported: ImportedCall, parsed: Parsed, meta: CallMeta, options: ImportOptions
) -> RoleAssignment:
    fmt, path, labels = imported.format.value, imported.source.path, parsed.labels
    if parsed.split_by is SplitBy.ROLE:
        return RoleAssignment(Speaker.AGENT.value, 1.0, "file", f"{fmt}: roles stated in the file")
    chosen = _chosen(parsed, meta, options.agent)
    if chosen is not None:
        label, method, field = chosen
        if label not in labels:
            raise CallError(
                "bad_transcript",
                path,
                f"{fmt} file, field {field}: names {label!r} as the agent, but the file's "
                f"{parsed.split_by.value}s with words are {', '.join(labels)}.",
                "name one of those, or leave it out to let the role detector decide.",
            )
        return RoleAssignment(label, 1.0, method, f"{method}: agent is {label} ({field})")
    if len(labels) < 2:
        raise CallError(
            "bad_transcript",
            path,
            f"{fmt} file, field {parsed.split_by.value} labels: only {labels[0]!r} has words, "
            "so agent and customer cannot be decided.",
            "check the file's diarisation, or " + _CHOOSE_FIX,
        )
    heard = [Word(w.start_s, w.end_s, w.text, w.probability, Speaker.AGENT) for w in parsed.words]
    return assign_roles(heard, [w.label for w in parsed.words], options.roles)


def _chosen(parsed: Parsed, meta: CallMeta, agent: AgentChoice) -> tuple[str, str, str] | None:
    """(label, method, field) when the manifest or an option names the agent."""
    labels = parsed.labels
    if parsed.split_by is SplitBy.CHANNEL:
        if meta.layout is not None and meta.layout.agent_channel is not None:
            return channel_label(meta.layout.agent_channel), "manifest", "manifest agent_channel"
        if agent.channel is not None:
            return channel_label(agent.channel), "option", "--agent-channel"
        return None
    if meta.agent_speaks_first is not None:
        index = 0 if meta.agent_speaks_first else 1
        label = labels[index] if index < len(labels) else "second"
        return label, "manifest", "manifest agent_speaker"
    if agent.speaker is not None:
        ordinal = {"first": 0, "second": 1}.get(agent.speaker.lower())
        if ordinal is None:
            return agent.speaker, "option", "--agent-speaker"
        label = labels[ordinal] if ordinal < len(labels) else agent.speaker
        return label, "option", "--agent-speaker"
    return None


def _segments(parsed: Parsed) -> tuple[SpeakerSegment, ...]:
    """Runs of one speaker's words, in time order, as the file's diarisation."""
    segments: list[SpeakerSegment] = []
    for word in parsed.words:
        last = segments[-1] if segments else None
        if last is not None and last.label == word.label:
            segments[-1] = SpeakerSegment(last.start_s, max(last.end_s, word.end_s), word.label)
        else:
            segments.append(SpeakerSegment(word.start_s, word.end_s, word.label))
    return tuple(segments)

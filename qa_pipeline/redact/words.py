"""Redaction of a call's words: each word inside a found entity becomes the entity's tag.

A redacted word keeps its start, end, probability and speaker, so turns, evidence, talk time
and speaking rate come out as before, and a reviewer can still play the moment it covers.
Punctuation stuck to a word outside the entity stays ("4111," becomes "[CARD],").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from qa_pipeline.records import Speaker, Transcript, Word
from qa_pipeline.redact.engine import Found, find_entities, normalised
from qa_pipeline.redact.options import Entity, RedactOptions

__all__ = ["RedactedSpan", "redact_transcript", "redact_words", "redacted_spans", "with_options"]

_MAX_PAUSE_S = 1.0
"""A pause this long inside one speaker's speech starts a new stretch (as turns do)."""


@dataclass(frozen=True)
class RedactedSpan:
    """A stretch of a call that held an entity: what kind, and when (for redacting audio)."""

    entity: Entity
    start_s: float
    end_s: float
    speaker: Speaker


def redact_words(
    words: Sequence[Word],
    options: RedactOptions = RedactOptions(),
    speakers_known: bool = True,
    labels: Sequence[str] | None = None,
) -> tuple[Word, ...]:
    """The words with every entity replaced by its tag; same length, same order, same times.

    Args:
        speakers_known: False while words are not yet split into agent and customer (mono
            calls before role detection): the customer's entity set then applies to all.
        labels: who said each word when ``speaker`` is not known yet (diarised speaker labels),
            so each speaker's words are read as one stream.
    """
    if not options.enabled or not words:
        return tuple(words)
    keys = list(labels) if labels is not None else [w.speaker.value for w in words]
    return tuple(_redact_runs(words, _runs(words, keys), options, speakers_known))


def _redact_runs(
    words: Sequence[Word],
    runs: Sequence[Sequence[int]],
    options: RedactOptions,
    speakers_known: bool,
) -> list[Word]:
    """Each run (a speaker's stretch of speech) read as one text, with the runs before it as
    context for cues; the words inside what is found are masked."""
    out = list(words)
    said: list[str] = []
    kept = {normalised(k) for k in options.keep}
    for run in runs:
        texts = [words[i].text for i in run]
        text, offsets = _joined(texts)
        agent = speakers_known and words[run[0]].speaker is Speaker.AGENT
        entities = options.agent_entities if agent else options.entities
        context = "\n".join(said[-8:])[-options.context_chars :]
        for hit in find_entities(text, entities, context, options.context_chars):
            if normalised(text[hit.start : hit.end]) in kept:
                continue
            for n, i in enumerate(run):
                start, end = offsets[n], offsets[n] + len(texts[n])
                if start < hit.end and hit.start < end:
                    out[i] = replace(out[i], text=_masked(out[i].text, start, hit))
        said.append(text)
    return out


def _masked(word: str, word_start: int, hit: Found) -> str:
    """The word with the part inside ``hit`` replaced by the tag (once per word)."""
    inside_from = max(hit.start - word_start, 0)
    inside_to = min(hit.end - word_start, len(word))
    return word[:inside_from] + hit.entity.tag + word[inside_to:]


def _runs(words: Sequence[Word], keys: Sequence[str]) -> list[list[int]]:
    """Word indexes grouped into each speaker's stretches of speech, in order of start."""
    order = sorted(range(len(words)), key=lambda i: (keys[i], words[i].start_s, i))
    runs: list[list[int]] = []
    for i in order:
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and keys[last] == keys[i]
            and words[i].start_s - words[last].end_s <= _MAX_PAUSE_S
        ):
            runs[-1].append(i)
        else:
            runs.append([i])
    runs.sort(key=lambda run: (words[run[0]].start_s, run[0]))
    return runs


def _joined(texts: Sequence[str]) -> tuple[str, list[int]]:
    offsets, at = [], 0
    for text in texts:
        offsets.append(at)
        at += len(text) + 1
    return " ".join(texts), offsets


def redact_transcript(
    transcript: Transcript, options: RedactOptions = RedactOptions()
) -> Transcript:
    """A finished transcript (an imported one, turns given) with its words redacted, turn by
    turn, and its turns' text rebuilt from the redacted words."""
    if not options.enabled:
        return transcript
    # Each turn is read as one stream, in order, with the turns before it as context.
    flat = [w for turn in transcript.turns for w in turn.words]
    runs, at = [], 0
    for turn in transcript.turns:
        runs.append(range(at, at + len(turn.words)))
        at += len(turn.words)
    redacted = _redact_runs(flat, runs, options, speakers_known=True)
    turns = []
    for turn, run in zip(transcript.turns, runs, strict=True):
        new_words = tuple(redacted[i] for i in run)
        text = " ".join(w.text for w in new_words) if new_words else turn.text
        turns.append(replace(turn, text=text, words=new_words))
    return replace(
        transcript,
        words=tuple(w for t in turns for w in t.words),
        turns=tuple(turns),
        options_json=with_options(transcript.options_json, options),
    )


def redacted_spans(words: Sequence[Word]) -> list[RedactedSpan]:
    """The stretches of time whose words were redacted, neighbours of one entity merged."""
    tags = {e.tag: e for e in Entity}
    spans: list[RedactedSpan] = []
    for word in sorted(words, key=lambda w: w.start_s):
        entity = next((e for tag, e in tags.items() if tag in word.text), None)
        if entity is None:
            continue
        last = spans[-1] if spans else None
        same = last is not None and last.entity is entity and last.speaker is word.speaker
        if last is not None and same and word.start_s - last.end_s <= _MAX_PAUSE_S:
            spans[-1] = replace(last, end_s=max(last.end_s, word.end_s))
            continue
        spans.append(RedactedSpan(entity, word.start_s, word.end_s, word.speaker))
    return spans


def with_options(options_json: str, options: RedactOptions) -> str:
    """A call's stored options with the redaction options added under ``redaction``."""
    try:
        stored = json.loads(options_json) if options_json else {}
    except json.JSONDecodeError:
        stored = {"engine_options": options_json}
    if not isinstance(stored, dict):
        stored = {"engine_options": stored}
    stored["redaction"] = json.loads(options.to_json())
    return json.dumps(stored)

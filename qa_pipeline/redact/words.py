"""Redaction of a call's words: the words of each entity found become one word, its tag.

"four one one one ... one one" (16 words) becomes one word ``[CARD]`` that starts when the
first was said and ends when the last was, with the speaker and mean probability of those
words: turns, evidence and their timestamps still line up with the audio, and a reviewer can
play (or silence) exactly the moment it covers. Punctuation stuck to a word outside the entity
stays ("6467," ends as "[CARD],").
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from qa_pipeline.ingest.transcripts.base import LabelledWord
from qa_pipeline.records import Speaker, Transcript, Word
from qa_pipeline.redact.options import Entity, RedactOptions, normalised

if TYPE_CHECKING:
    from qa_pipeline.redact.engine import Found

__all__ = [
    "Mask",
    "RedactedSpan",
    "apply_masks",
    "find_masks",
    "redact_transcript",
    "redact_words",
    "redacted_spans",
    "with_options",
]

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
    """The words with every entity replaced by its tag: the words of one entity become one
    word, ``[CARD]``, running from the first one's start to the last one's end.

    Args:
        speakers_known: False while words are not yet split into agent and customer (mono
            calls before role detection): the customer's entity set then applies to all.
        labels: who said each word when ``speaker`` is not known yet (diarised speaker labels),
            so each speaker's words are read as one stream.
    """
    return apply_masks(words, find_masks(words, options, speakers_known, labels))


@dataclass(frozen=True)
class Mask:
    """Words (indexes, in order) that become one redacted word with ``text``."""

    indexes: tuple[int, ...]
    text: str


def find_masks(
    words: Sequence[Word],
    options: RedactOptions = RedactOptions(),
    speakers_known: bool = True,
    labels: Sequence[str] | None = None,
) -> list[Mask]:
    """What redaction replaces in ``words`` (see redact_words), without replacing it."""
    if not options.enabled or not words:
        return []
    keys = list(labels) if labels is not None else [w.speaker.value for w in words]
    return _masks(words, _runs(words, keys), options, speakers_known)


_Item = TypeVar("_Item", Word, LabelledWord)


def apply_masks(items: Sequence[_Item], masks: Sequence[Mask]) -> tuple[_Item, ...]:
    """The items with each mask's words merged into one (first start, last end, mean
    probability, the mask's text), placed where its first word was."""
    first = {m.indexes[0]: m for m in masks}
    inside = {i for m in masks for i in m.indexes[1:]}
    out = []
    for i, item in enumerate(items):
        if i in inside:
            continue
        mask = first.get(i)
        if mask is None:
            out.append(item)
            continue
        group = [items[j] for j in mask.indexes]
        out.append(
            replace(
                item,
                text=mask.text,
                end_s=max(w.end_s for w in group),
                probability=sum(w.probability for w in group) / len(group),
            )
        )
    return tuple(out)


def _masks(
    words: Sequence[Word],
    runs: Sequence[Sequence[int]],
    options: RedactOptions,
    speakers_known: bool,
) -> list[Mask]:
    """Each run (a speaker's stretch of speech) read as one text, with the runs before it as
    context for cues; the words of each entity found become one mask."""
    # Presidio takes seconds to load: only a process that redacts something loads it.
    from qa_pipeline.redact.engine import find_entities

    masks: list[Mask] = []
    said: list[str] = []
    kept = {normalised(k) for k in options.keep}
    for run in runs:
        texts = [words[i].text for i in run]
        text, offsets = _joined(texts)
        agent = speakers_known and words[run[0]].speaker is Speaker.AGENT
        entities = options.agent_entities if agent else options.entities
        context = "\n".join(said[-8:])[-options.context_chars :]
        hits = [
            hit
            for hit in find_entities(text, entities, context, options.context_chars)
            if normalised(text[hit.start : hit.end]) not in kept
        ]
        said.append(text)
        ends = [hit.end for hit in hits]  # sorted: hits are in order and never overlap
        group: list[int] = []
        group_hits: set[int] = set()
        for n in range(len(run)):
            start, end = offsets[n], offsets[n] + len(texts[n])
            touched = _overlapping(hits, ends, start, end)
            if group and touched & group_hits:
                group.append(n)
                group_hits |= touched
                continue
            if group:
                masks.append(_mask(run, group, text, offsets, texts, hits, group_hits))
            group, group_hits = ([n], touched) if touched else ([], set())
        if group:
            masks.append(_mask(run, group, text, offsets, texts, hits, group_hits))
    return masks


def _overlapping(hits: Sequence[Found], ends: Sequence[int], start: int, end: int) -> set[int]:
    """The hits overlapping [start, end), found by bisection (linear in a turn's length)."""
    touched = set()
    h = bisect.bisect_right(ends, start)
    while h < len(hits) and hits[h].start < end:
        touched.add(h)
        h += 1
    return touched


def _mask(
    run: Sequence[int],
    group: Sequence[int],
    text: str,
    offsets: Sequence[int],
    texts: Sequence[str],
    hits: Sequence[Found],
    which: set[int],
) -> Mask:
    """The group's words as one text, each entity in it replaced by its tag; what sticks to
    the words outside the entity (punctuation, a lead-in glued on) stays."""
    from qa_pipeline.redact.engine import tagged

    start, end = offsets[group[0]], offsets[group[-1]] + len(texts[group[-1]])
    inside = [replace(hits[h], start=hits[h].start - start, end=hits[h].end - start) for h in which]
    masked = tagged(text[start:end], inside)
    return Mask(tuple(run[n] for n in group), masked)


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
    masks = {m.indexes[0]: m for m in _masks(flat, runs, options, speakers_known=True)}
    turns = []
    for turn, run in zip(transcript.turns, runs, strict=True):
        in_turn = [masks[i] for i in run if i in masks]
        shifted = [Mask(tuple(i - run.start for i in m.indexes), m.text) for m in in_turn]
        new_words = apply_masks(turn.words, shifted)
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

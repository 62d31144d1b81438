"""Amazon Transcribe batch output (the JSON a StartTranscriptionJob writes).

Words are ``results.items`` of type ``pronunciation``; times (``start_time``, ``end_time``) and
confidences are strings of seconds and 0-1. Punctuation items carry no times and are attached
to the word before them. Who spoke comes from channel identification
(``results.channel_labels``: each channel's items, ``ch_0`` / ``ch_1``) or from speaker
identification (``results.speaker_labels``: ``spk_0`` ... on each item, or, in older files, only
in ``speaker_labels.segments``, matched by start time). A job has one or the other; a file
with neither cannot be split into agent and customer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa_pipeline.ingest.transcripts.base import (
    LabelledWord,
    Parsed,
    SplitBy,
    bad,
    channel_label,
    checked,
    probability,
    seconds,
)

__all__ = ["FORMAT", "looks_like", "parse"]

FORMAT = "aws-transcribe"
_FIX = (
    "export the job's output JSON unchanged (results.items with start_time, end_time and "
    "alternatives; results.channel_labels or results.speaker_labels), see README "
    '"Transcripts from speech services".'
)
_NO_LABELS_FIX = (
    "rerun the job with Settings.ChannelIdentification=true (stereo calls) or "
    "Settings.ShowSpeakerLabels=true with MaxSpeakerLabels=2 (mono calls)."
)
_CHANNEL = re.compile(r"^ch_(\d+)$")


def looks_like(doc: object) -> bool:
    """A Transcribe output: ``results`` with ``items`` or ``transcripts``."""
    results = doc.get("results") if isinstance(doc, dict) else None
    return isinstance(results, dict) and ("items" in results or "transcripts" in results)


def parse(path: Path, doc: dict[str, Any]) -> Parsed:
    """Reads a Transcribe output file.

    Raises:
        CallError: code ``bad_transcript``, naming the file, the format and the field.
    """
    results = doc.get("results")
    if not isinstance(results, dict):
        raise bad(path, FORMAT, "results", "is missing or not an object.", _FIX)
    channels = results.get("channel_labels")
    speakers = results.get("speaker_labels")
    if channels is not None:
        return _by_channel(path, channels)
    if speakers is not None:
        return _by_speaker(path, results, speakers)
    raise bad(
        path,
        FORMAT,
        "results.speaker_labels / results.channel_labels",
        "both are missing, so the words of a two-party call cannot be told apart.",
        _NO_LABELS_FIX,
    )


def _by_channel(path: Path, channels: object) -> Parsed:
    where = "results.channel_labels.channels"
    listed = channels.get("channels") if isinstance(channels, dict) else None
    if not isinstance(listed, list) or not listed:
        raise bad(path, FORMAT, where, "is missing or empty.", _FIX)
    words: list[LabelledWord] = []
    for c, channel in enumerate(listed):
        if not isinstance(channel, dict):
            raise bad(path, FORMAT, f"{where}[{c}]", "is not an object.", _FIX)
        raw_label = channel.get("channel_label")
        match = _CHANNEL.match(raw_label) if isinstance(raw_label, str) else None
        if match is None:
            raise bad(
                path, FORMAT, f"{where}[{c}].channel_label", f"is {raw_label!r}, not ch_N.", _FIX
            )
        label = channel_label(int(match.group(1)))
        items = channel.get("items")
        if not isinstance(items, list):
            raise bad(path, FORMAT, f"{where}[{c}].items", "is missing or not a list.", _FIX)
        words.extend(_words(path, items, f"{where}[{c}].items", lambda _i, _it, label=label: label))
    count = channels.get("number_of_channels") if isinstance(channels, dict) else None
    return Parsed(
        words=checked(path, FORMAT, words, _FIX),
        split_by=SplitBy.CHANNEL,
        channel_count=count if isinstance(count, int) and count in (1, 2) else None,
    )


def _by_speaker(path: Path, results: dict[str, Any], speakers: object) -> Parsed:
    items = results.get("items")
    if not isinstance(items, list):
        raise bad(path, FORMAT, "results.items", "is missing or not a list.", _FIX)
    notes: tuple[str, ...] = ()
    by_start: dict[str, str] = {}
    if not all(isinstance(i, dict) and "speaker_label" in i for i in items):
        # Older files name the speaker only in speaker_labels.segments[].items, by start time.
        segments = speakers.get("segments") if isinstance(speakers, dict) else None
        if not isinstance(segments, list):
            raise bad(path, FORMAT, "results.speaker_labels.segments", "is missing.", _FIX)
        for segment in segments:
            items_of = segment.get("items") if isinstance(segment, dict) else None
            for item in items_of if isinstance(items_of, list) else []:
                if isinstance(item, dict) and "speaker_label" in item and "start_time" in item:
                    by_start[str(item["start_time"])] = str(item["speaker_label"])
        notes = ("speakers matched to items by start_time from speaker_labels.segments",)

    def speaker(i: int, item: dict[str, Any]) -> str:
        label = item.get("speaker_label") or by_start.get(str(item.get("start_time")))
        if not isinstance(label, str) or not label:
            raise bad(
                path,
                FORMAT,
                f"results.items[{i}].speaker_label",
                "is missing and no speaker_labels segment starts at its start_time.",
                _FIX,
            )
        return label

    words = _words(path, items, "results.items", speaker)
    return Parsed(words=checked(path, FORMAT, words, _FIX), split_by=SplitBy.SPEAKER, notes=notes)


def _words(
    path: Path, items: list[Any], where: str, label_of: Callable[[int, dict[str, Any]], str]
) -> list[LabelledWord]:
    """Pronunciation items as words; each punctuation item joins the word before it."""
    words: list[LabelledWord] = []
    for i, item in enumerate(items):
        field = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise bad(path, FORMAT, field, "is not an object.", _FIX)
        alternatives = item.get("alternatives")
        if not isinstance(alternatives, list) or not alternatives:
            raise bad(path, FORMAT, f"{field}.alternatives", "is missing or empty.", _FIX)
        best = alternatives[0] if isinstance(alternatives[0], dict) else {}
        content = best.get("content")
        if not isinstance(content, str):
            raise bad(path, FORMAT, f"{field}.alternatives[0].content", "is missing.", _FIX)
        kind = item.get("type")
        if kind == "punctuation":
            own = item.get("speaker_label") or item.get("channel_label")
            # Old files label no punctuation: it belongs to the word just before it.
            if words and (own is None or own == words[-1].label):
                last = words[-1]
                words[-1] = LabelledWord(
                    last.start_s,
                    last.end_s,
                    last.text + content,
                    last.probability,
                    last.label,
                    last.field,
                )
            continue
        if kind != "pronunciation":
            raise bad(
                path, FORMAT, f"{field}.type", f"is {kind!r}, not pronunciation/punctuation.", _FIX
            )
        start_s = seconds(path, FORMAT, f"{field}.start_time", item.get("start_time"), _FIX)
        end_s = seconds(path, FORMAT, f"{field}.end_time", item.get("end_time"), _FIX)
        confidence = best.get("confidence")
        prob = (
            1.0
            if confidence is None
            else probability(path, FORMAT, f"{field}.alternatives[0].confidence", confidence, _FIX)
        )
        words.append(LabelledWord(start_s, end_s, content, prob, label_of(i, item), field))
    return words

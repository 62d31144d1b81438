"""WhisperX JSON (``whisperx ... --diarize --output_format json``, or its result dict dumped).

``segments`` have ``start`` / ``end`` in seconds, ``text``, a ``speaker`` (``SPEAKER_00`` ...)
after diarisation, and aligned ``words`` (``word`` with its punctuation attached, ``start``,
``end``, ``score``, ``speaker``). WhisperX leaves out what it could not find, so this reader
fills the gaps, and says how in the call's stored notes:

* a word without times (numbers and symbols the aligner cannot place) shares the gap between
  its timed neighbours in the segment (or the segment's edges), in proportion to its length;
* a word without a speaker takes its segment's speaker, else the nearest word's in the
  segment, else the nearest word's in the call;
* a word without a score takes the mean score of its segment (1.0 when none has one);
* a segment without words has its text spread over its time.

A file with no speaker at all was made without ``--diarize`` and cannot be split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa_pipeline.ingest.transcripts.base import (
    LabelledWord,
    Parsed,
    SplitBy,
    bad,
    checked,
    probability,
    seconds,
    spread,
)

__all__ = ["FORMAT", "looks_like", "parse"]

FORMAT = "whisperx"
_FIX = (
    "save WhisperX's JSON output unchanged (segments with start, end, text, speaker and "
    'words), see README "Transcripts from speech services".'
)
_NO_SPEAKER_FIX = "run whisperx with --diarize (and --min_speakers 2 --max_speakers 2)."
_NATIVE_KEYS = {"call_id", "agent_id"}


def looks_like(doc: object) -> bool:
    """WhisperX output: ``segments`` without our own JSON's call_id / agent_id."""
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("segments"), list)
        and not _NATIVE_KEYS & set(doc)
    )


def parse(path: Path, doc: dict[str, Any]) -> Parsed:
    """Reads a WhisperX JSON file.

    Raises:
        CallError: code ``bad_transcript``, naming the file, the format and the field.
    """
    segments = doc.get("segments")
    if not isinstance(segments, list) or not segments:
        raise bad(path, FORMAT, "segments", "is missing or empty.", _FIX)
    counts = {
        "untimed": 0,
        "speaker_from_segment": 0,
        "speaker_from_neighbour": 0,
        "unscored": 0,
        "spread_segments": 0,
    }
    rows: list[tuple[float, float, str, float, str | None, str]] = []
    for s, segment in enumerate(segments):
        rows.extend(_segment(path, f"segments[{s}]", segment, counts))
    if not any(speaker for *_, speaker, _ in rows):
        raise bad(
            path,
            FORMAT,
            "segments[].speaker",
            "no segment or word has a speaker: the file was made without diarisation, so "
            "agent and customer cannot be told apart.",
            _NO_SPEAKER_FIX,
        )
    labels = _fill_from_call(rows, counts)
    words = [
        LabelledWord(start, end, text, prob, label, field)
        for (start, end, text, prob, _, field), label in zip(rows, labels, strict=True)
    ]
    notes = tuple(
        f"{counts[key]} {what}"
        for key, what in (
            ("untimed", "word(s) without times placed between their neighbours"),
            ("speaker_from_segment", "word(s) without a speaker given their segment's"),
            ("speaker_from_neighbour", "word(s) given the nearest word's speaker"),
            ("unscored", "word(s) without a score given their segment's mean"),
            ("spread_segments", "segment(s) without words spread over their time"),
        )
        if counts[key]
    )
    return Parsed(words=checked(path, FORMAT, words, _FIX), split_by=SplitBy.SPEAKER, notes=notes)


Row = tuple[float, float, str, float, str | None, str]


def _segment(path: Path, where: str, segment: object, counts: dict[str, int]) -> list[Row]:
    if not isinstance(segment, dict):
        raise bad(path, FORMAT, where, "is not an object.", _FIX)
    seg_start = seconds(path, FORMAT, f"{where}.start", segment.get("start"), _FIX)
    seg_end = seconds(path, FORMAT, f"{where}.end", segment.get("end"), _FIX)
    if seg_end < seg_start:
        raise bad(
            path, FORMAT, f"{where}.end", f"ends at {seg_end:g} s, before {seg_start:g} s.", _FIX
        )
    seg_speaker = segment.get("speaker") if isinstance(segment.get("speaker"), str) else None
    raw_words = segment.get("words")
    if not isinstance(raw_words, list) or not raw_words:
        text = segment.get("text")
        if not isinstance(text, str) or not text.split():
            raise bad(path, FORMAT, f"{where}.text", "is missing or empty.", _FIX)
        counts["spread_segments"] += 1
        return [
            (s, e, token, 1.0, seg_speaker, f"{where}.text[{n}]")
            for n, (s, e, token) in enumerate(spread(text, seg_start, seg_end))
        ]
    parsed = [_word(path, f"{where}.words[{n}]", raw) for n, raw in enumerate(raw_words)]
    scores = [p["score"] for p in parsed if p["score"] is not None]
    mean_score = sum(scores) / len(scores) if scores else 1.0
    times = _fill_times(parsed, seg_start, seg_end, counts)
    speakers = _fill_speakers(parsed, seg_speaker, counts)
    rows = []
    for p, (start, end), speaker in zip(parsed, times, speakers, strict=True):
        if p["score"] is None:
            counts["unscored"] += 1
        score = mean_score if p["score"] is None else p["score"]
        rows.append((start, end, p["text"], score, speaker, p["field"]))
    return rows


def _word(path: Path, field: str, raw: object) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("word"), str) or not raw["word"].strip():
        raise bad(path, FORMAT, f"{field}.word", "is missing or empty.", _FIX)
    has_start, has_end = raw.get("start") is not None, raw.get("end") is not None
    if has_start != has_end:
        missing = "end" if has_start else "start"
        raise bad(path, FORMAT, f"{field}.{missing}", "is missing while the other is set.", _FIX)
    start = seconds(path, FORMAT, f"{field}.start", raw["start"], _FIX) if has_start else None
    end = seconds(path, FORMAT, f"{field}.end", raw["end"], _FIX) if has_end else None
    score = raw.get("score")
    return {
        "text": raw["word"].strip(),
        "start": start,
        "end": end,
        "score": None
        if score is None
        else probability(path, FORMAT, f"{field}.score", score, _FIX),
        "speaker": raw.get("speaker") if isinstance(raw.get("speaker"), str) else None,
        "field": field,
    }


def _fill_times(
    words: list[dict[str, Any]], seg_start: float, seg_end: float, counts: dict[str, int]
) -> list[tuple[float, float]]:
    """Each word's times; a run of untimed words shares the gap between its timed neighbours."""
    times: list[tuple[float, float] | None] = [
        (w["start"], w["end"]) if w["start"] is not None else None for w in words
    ]
    n = 0
    while n < len(words):
        if times[n] is not None:
            n += 1
            continue
        run_end = n
        while run_end < len(words) and times[run_end] is None:
            run_end += 1
        low = times[n - 1][1] if n > 0 and times[n - 1] else seg_start
        high = times[run_end][0] if run_end < len(words) and times[run_end] else seg_end
        high = max(high, low)
        run_text = " ".join(w["text"] for w in words[n:run_end])
        for k, (s, e, _) in enumerate(spread(run_text, low, high)):
            times[n + k] = (s, e)
        counts["untimed"] += run_end - n
        n = run_end
    return [t for t in times if t is not None]


def _fill_speakers(
    words: list[dict[str, Any]], seg_speaker: str | None, counts: dict[str, int]
) -> list[str | None]:
    """Word's speaker, else the segment's, else the nearest word's in the segment."""
    found: list[str | None] = []
    for w in words:
        if w["speaker"]:
            found.append(w["speaker"])
        elif seg_speaker:
            counts["speaker_from_segment"] += 1
            found.append(seg_speaker)
        else:
            found.append(None)
    known = [(i, s) for i, s in enumerate(found) if s]
    if not known:
        return found
    for i, speaker in enumerate(found):
        if speaker is None:
            counts["speaker_from_neighbour"] += 1
            found[i] = min(known, key=lambda k: (abs(k[0] - i), k[0]))[1]
    return found


def _fill_from_call(rows: list[Row], counts: dict[str, int]) -> list[str]:
    """Labels for every word; a word still without a speaker takes the nearest word's."""
    known = [(i, row[4]) for i, row in enumerate(rows) if row[4]]
    labels = []
    for i, row in enumerate(rows):
        if row[4]:
            labels.append(row[4])
            continue
        counts["speaker_from_neighbour"] += 1
        labels.append(min(known, key=lambda k: (abs(k[0] - i), k[0]))[1])
    return labels

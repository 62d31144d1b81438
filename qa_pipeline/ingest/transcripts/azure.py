"""Azure AI Speech batch transcription result files (``kind: Transcription``).

Each of ``recognizedPhrases`` has a ``channel`` (0-based; stereo calls are split by channel),
a ``speaker`` when diarisation was on (1, 2 ...; on the phrase, or on ``nBest[0]`` in the v3
schema), its time as ``offsetInTicks`` / ``durationInTicks`` (ticks of 100 ns; files from the
2024-11-15 API also give milliseconds) and ``nBest``, best first: ``nBest[0]`` is taken. Word
times come from ``nBest[0].words`` (lexical words with confidences), else ``displayWords``
(display text, no word confidence: the phrase's), else the phrase's ``display`` text spread
over the phrase. Phrases whose ``recognitionStatus`` is not ``Success`` are left out.
"""

from __future__ import annotations

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
    spread,
)

__all__ = ["FORMAT", "looks_like", "parse"]

FORMAT = "azure"
_FIX = (
    "save the transcription's contentUrl JSON unchanged (recognizedPhrases with channel, "
    'offsetInTicks, durationInTicks and nBest), see README "Transcripts from speech services".'
)
_NO_SPEAKER_FIX = (
    "transcribe with diarization enabled (mono calls) or submit the stereo recording "
    "(Azure splits its channels)."
)
_TICKS = 10_000_000.0
_MS = 1000.0


def looks_like(doc: object) -> bool:
    """An Azure batch result: ``recognizedPhrases`` is a list."""
    return isinstance(doc, dict) and isinstance(doc.get("recognizedPhrases"), list)


def parse(path: Path, doc: dict[str, Any]) -> Parsed:
    """Reads an Azure batch transcription result.

    Raises:
        CallError: code ``bad_transcript``, naming the file, the format and the field.
    """
    phrases = doc.get("recognizedPhrases")
    if not isinstance(phrases, list) or not phrases:
        raise bad(path, FORMAT, "recognizedPhrases", "is missing or empty.", _FIX)
    read: list[tuple[int, int | None, list[LabelledWord]]] = []
    notes: set[str] = set()
    skipped = 0
    for p, phrase in enumerate(phrases):
        where = f"recognizedPhrases[{p}]"
        if not isinstance(phrase, dict):
            raise bad(path, FORMAT, where, "is not an object.", _FIX)
        if phrase.get("recognitionStatus", "Success") != "Success":
            skipped += 1
            continue
        channel = phrase.get("channel", 0)
        if not isinstance(channel, int) or isinstance(channel, bool) or channel < 0:
            raise bad(path, FORMAT, f"{where}.channel", f"is {channel!r}, not 0, 1 ...", _FIX)
        nbest = phrase.get("nBest")
        if not isinstance(nbest, list) or not nbest or not isinstance(nbest[0], dict):
            raise bad(path, FORMAT, f"{where}.nBest", "is missing or empty.", _FIX)
        best = nbest[0]
        speaker = phrase.get("speaker", best.get("speaker"))
        if speaker is not None and (not isinstance(speaker, int) or isinstance(speaker, bool)):
            raise bad(path, FORMAT, f"{where}.speaker", f"is {speaker!r}, not 1, 2 ...", _FIX)
        read.append((channel, speaker, _phrase_words(path, where, phrase, best, notes)))
    channels = sorted({c for c, _, _ in read})
    if len(channels) > 1:
        split, labelled = SplitBy.CHANNEL, [(channel_label(c), ws) for c, _, ws in read]
    else:
        for n, (_, speaker, words) in enumerate(read):
            if speaker is None:
                field = words[0].field.split(".nBest")[0] if words else f"phrase {n}"
                raise bad(
                    path,
                    FORMAT,
                    f"{field}.speaker",
                    "is missing: a one-channel transcription without diarisation cannot be "
                    "split into agent and customer.",
                    _NO_SPEAKER_FIX,
                )
        split, labelled = SplitBy.SPEAKER, [(str(s), ws) for _, s, ws in read]
    words = [
        LabelledWord(w.start_s, w.end_s, w.text, w.probability, label, w.field)
        for label, ws in labelled
        for w in ws
    ]
    if skipped:
        notes.add(f"{skipped} phrase(s) without recognitionStatus Success left out")
    return Parsed(
        words=checked(path, FORMAT, words, _FIX),
        split_by=split,
        declared_duration_s=_duration(path, doc),
        channel_count=len(channels) if split is SplitBy.CHANNEL and len(channels) <= 2 else None,
        notes=tuple(sorted(notes)),
    )


def _time(path: Path, where: str, obj: dict[str, Any]) -> tuple[float, float]:
    """(start, end) in seconds from ticks, else from milliseconds."""
    if "offsetInTicks" in obj:
        start = seconds(path, FORMAT, f"{where}.offsetInTicks", obj["offsetInTicks"], _FIX, _TICKS)
        length = seconds(
            path, FORMAT, f"{where}.durationInTicks", obj.get("durationInTicks"), _FIX, _TICKS
        )
    elif "offsetMilliseconds" in obj:
        start = seconds(
            path, FORMAT, f"{where}.offsetMilliseconds", obj["offsetMilliseconds"], _FIX, _MS
        )
        length = seconds(
            path,
            FORMAT,
            f"{where}.durationMilliseconds",
            obj.get("durationMilliseconds"),
            _FIX,
            _MS,
        )
    else:
        raise bad(path, FORMAT, f"{where}.offsetInTicks", "is missing.", _FIX)
    return start, start + length


def _phrase_words(
    path: Path, where: str, phrase: dict[str, Any], best: dict[str, Any], notes: set[str]
) -> list[LabelledWord]:
    confidence = best.get("confidence")
    phrase_prob = (
        1.0
        if confidence is None
        else probability(path, FORMAT, f"{where}.nBest[0].confidence", confidence, _FIX)
    )
    words = best.get("words")
    if isinstance(words, list) and words:
        found = []
        for n, raw in enumerate(words):
            field = f"{where}.nBest[0].words[{n}]"
            if not isinstance(raw, dict) or not isinstance(raw.get("word"), str):
                raise bad(path, FORMAT, f"{field}.word", "is missing.", _FIX)
            start_s, end_s = _time(path, field, raw)
            prob = (
                probability(path, FORMAT, f"{field}.confidence", raw["confidence"], _FIX)
                if raw.get("confidence") is not None
                else phrase_prob
            )
            found.append(LabelledWord(start_s, end_s, raw["word"], prob, "", field))
        return found
    display_words = best.get("displayWords")
    if isinstance(display_words, list) and display_words:
        notes.add("displayWords used (no word confidences: the phrase's)")
        found = []
        for n, raw in enumerate(display_words):
            field = f"{where}.nBest[0].displayWords[{n}]"
            if not isinstance(raw, dict) or not isinstance(raw.get("displayText"), str):
                raise bad(path, FORMAT, f"{field}.displayText", "is missing.", _FIX)
            start_s, end_s = _time(path, field, raw)
            found.append(LabelledWord(start_s, end_s, raw["displayText"], phrase_prob, "", field))
        return found
    text = best.get("display") or best.get("lexical")
    if not isinstance(text, str) or not text.split():
        raise bad(path, FORMAT, f"{where}.nBest[0].display", "is missing or empty.", _FIX)
    notes.add("word times estimated inside phrases (no words or displayWords)")
    start_s, end_s = _time(path, where, phrase)
    return [
        LabelledWord(s, e, token, phrase_prob, "", f"{where}.nBest[0].display[{n}]")
        for n, (s, e, token) in enumerate(spread(text, start_s, end_s))
    ]


def _duration(path: Path, doc: dict[str, Any]) -> float | None:
    # The ingestion client's test file writes durationTicks; the docs write durationInTicks.
    for key, per_second in (
        ("durationInTicks", _TICKS),
        ("durationTicks", _TICKS),
        ("durationMilliseconds", _MS),
    ):
        if doc.get(key) is not None:
            return seconds(path, FORMAT, key, doc[key], _FIX, per_second)
    return None

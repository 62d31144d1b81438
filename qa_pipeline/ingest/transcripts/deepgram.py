"""Deepgram pre-recorded responses (``POST /v1/listen``).

Words are ``results.channels[c].alternatives[0].words`` with ``start`` / ``end`` in seconds
and ``confidence``; the text is ``punctuated_word`` when punctuation was on, else ``word``.
With ``multichannel=true`` there is one entry per audio channel and each channel is one party
(``ch_0``, ``ch_1``). With one channel, ``diarize=true`` puts an integer ``speaker`` on each
word (labels ``0``, ``1`` ...); a word without one takes the speaker of the
``results.utterances`` entry it falls in. One channel and no speakers cannot be split.
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
)

__all__ = ["FORMAT", "looks_like", "parse"]

FORMAT = "deepgram"
_FIX = (
    "save Deepgram's response JSON unchanged (results.channels[].alternatives[0].words with "
    'start, end, word, confidence), see README "Transcripts from speech services".'
)
_NO_SPEAKER_FIX = (
    "request the transcript with diarize=true (mono calls) or multichannel=true (stereo calls)."
)


def looks_like(doc: object) -> bool:
    """A Deepgram response: ``results.channels`` is a list."""
    results = doc.get("results") if isinstance(doc, dict) else None
    return isinstance(results, dict) and isinstance(results.get("channels"), list)


def parse(path: Path, doc: dict[str, Any]) -> Parsed:
    """Reads a Deepgram response.

    Raises:
        CallError: code ``bad_transcript``, naming the file, the format and the field.
    """
    results = doc.get("results")
    channels = results.get("channels") if isinstance(results, dict) else None
    if not isinstance(channels, list) or not channels:
        raise bad(path, FORMAT, "results.channels", "is missing or empty.", _FIX)
    metadata = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    declared = (
        seconds(path, FORMAT, "metadata.duration", metadata["duration"], _FIX)
        if metadata.get("duration") is not None
        else None
    )
    if len(channels) > 1:
        words: list[LabelledWord] = []
        for c in range(len(channels)):
            where = f"results.channels[{c}].alternatives[0].words"
            for n, raw in enumerate(_channel_words(path, channels, c)):
                words.append(_word(path, f"{where}[{n}]", raw, channel_label(c)))
        return Parsed(
            words=checked(path, FORMAT, words, _FIX),
            split_by=SplitBy.CHANNEL,
            declared_duration_s=declared,
            channel_count=len(channels) if len(channels) <= 2 else None,
        )
    where = "results.channels[0].alternatives[0].words"
    raw_words = _channel_words(path, channels, 0)
    utterances = results.get("utterances") if isinstance(results, dict) else None
    utterances = utterances if isinstance(utterances, list) else []
    notes: list[str] = []
    if not raw_words:
        # Some responses keep the words only inside the utterances.
        raw_words = [
            w
            for u in utterances
            if isinstance(u, dict) and isinstance(u.get("words"), list)
            for w in u["words"]
        ]
        where = "results.utterances[].words"
        notes.append("words read from results.utterances")
    words = []
    for n, raw in enumerate(raw_words):
        word = _word(path, f"{where}[{n}]", raw, "")
        label = _speaker(raw, word, utterances)
        if label is None:
            raise bad(
                path,
                FORMAT,
                f"{where}[{n}].speaker",
                "is missing (and no utterance gives one): a one-channel response without "
                "diarisation cannot be split into agent and customer.",
                _NO_SPEAKER_FIX,
            )
        words.append(
            LabelledWord(word.start_s, word.end_s, word.text, word.probability, label, word.field)
        )
    return Parsed(
        words=checked(path, FORMAT, words, _FIX),
        split_by=SplitBy.SPEAKER,
        declared_duration_s=declared,
        notes=tuple(notes),
    )


def _channel_words(path: Path, channels: list[Any], c: int) -> list[Any]:
    channel = channels[c]
    alternatives = channel.get("alternatives") if isinstance(channel, dict) else None
    if not isinstance(alternatives, list) or not alternatives:
        raise bad(path, FORMAT, f"results.channels[{c}].alternatives", "is missing or empty.", _FIX)
    words = alternatives[0].get("words") if isinstance(alternatives[0], dict) else None
    if not isinstance(words, list):
        raise bad(path, FORMAT, f"results.channels[{c}].alternatives[0].words", "is missing.", _FIX)
    return words


def _word(path: Path, field: str, raw: object, label: str) -> LabelledWord:
    if not isinstance(raw, dict):
        raise bad(path, FORMAT, field, "is not an object.", _FIX)
    text = raw.get("punctuated_word") or raw.get("word")
    if not isinstance(text, str) or not text.strip():
        raise bad(path, FORMAT, f"{field}.word", "is missing or empty.", _FIX)
    start_s = seconds(path, FORMAT, f"{field}.start", raw.get("start"), _FIX)
    end_s = seconds(path, FORMAT, f"{field}.end", raw.get("end"), _FIX)
    confidence = raw.get("confidence")
    prob = (
        1.0
        if confidence is None
        else probability(path, FORMAT, f"{field}.confidence", confidence, _FIX)
    )
    return LabelledWord(start_s, end_s, text.strip(), prob, label, field)


def _speaker(raw: dict[str, Any], word: LabelledWord, utterances: list[Any]) -> str | None:
    speaker = raw.get("speaker")
    if isinstance(speaker, int) and not isinstance(speaker, bool):
        return str(speaker)
    for utterance in utterances:
        if not isinstance(utterance, dict) or not isinstance(utterance.get("speaker"), int):
            continue
        start, end = utterance.get("start"), utterance.get("end")
        timed = isinstance(start, int | float) and isinstance(end, int | float)
        if timed and start - 0.001 <= word.start_s <= end + 0.001:
            return str(utterance["speaker"])
    return None

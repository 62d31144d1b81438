"""What every vendor reader shares: the words it reads (labelled by channel, speaker or role,
before anyone is called agent or customer), and the checks and errors at the door.

A reader turns one vendor file into a ``Parsed`` call: its words in the file's own labels, how
the labels split the call (``channel``, ``speaker`` or ``role``), and notes on anything it had
to estimate. Deciding who is the agent and building turns happens later (batch/imports.py),
the same way for every format.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from qa_pipeline.errors import CallError
from qa_pipeline.ingest.transcripts.native import MAX_CALL_S
from qa_pipeline.records import Speaker

__all__ = [
    "LabelledWord",
    "Parsed",
    "SplitBy",
    "bad",
    "channel_label",
    "checked",
    "number",
    "probability",
    "seconds",
    "spread",
]

ORDER_TOLERANCE_S = 0.001
"""Vendors round times to the millisecond; a word may start this much before the previous."""


class SplitBy(StrEnum):
    """What the labels of a file's words are."""

    CHANNEL = "channel"  # one party per audio channel: ch_0, ch_1
    SPEAKER = "speaker"  # diarised speakers of a mixed recording: spk_0, 1, SPEAKER_00 ...
    ROLE = "role"  # the file says who is the agent (Contact Lens, Call Analytics)


@dataclass(frozen=True)
class LabelledWord:
    """One word as a vendor file gives it, with the file's label for who said it.

    Attributes:
        label: ``ch_N`` for channels; the file's own speaker label; ``agent`` or ``customer``
            when the file states roles.
        field: where in the file the word came from, for error messages.
    """

    start_s: float
    end_s: float
    text: str
    probability: float
    label: str
    field: str = ""


@dataclass(frozen=True)
class Parsed:
    """A vendor file read and checked, before roles are decided.

    Attributes:
        words: in time order.
        roles: for ``SplitBy.ROLE``, each label's role as the file states it.
        declared_duration_s: the audio length the file states, if it states one.
        channel_count: the audio channels the file describes, if it says.
        notes: what was estimated or chosen while reading (stored with the call's options).
    """

    words: tuple[LabelledWord, ...]
    split_by: SplitBy
    roles: tuple[tuple[str, Speaker], ...] = ()
    declared_duration_s: float | None = None
    channel_count: int | None = None
    notes: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels, in order of first word."""
        return tuple(dict.fromkeys(w.label for w in self.words))

    @property
    def duration_s(self) -> float:
        last = max((w.end_s for w in self.words), default=0.0)
        return max(last, self.declared_duration_s or 0.0)


def bad(path: Path, fmt: str, field: str, problem: str, fix: str) -> CallError:
    """The one-line error for a bad vendor file: file, format, field, what is wrong, the fix."""
    return CallError("bad_transcript", path, f"{fmt} file, field {field}: {problem}", fix)


def number(path: Path, fmt: str, field: str, value: object, fix: str) -> float:
    """A finite number; vendors that write numbers as strings (Transcribe) are read too."""
    if isinstance(value, bool) or value is None:
        raise bad(path, fmt, field, f"is {value!r}, not a number.", fix)
    if isinstance(value, str):
        try:
            result = float(value)
        except ValueError:
            raise bad(path, fmt, field, f"is {value!r}, not a number.", fix) from None
    elif isinstance(value, int | float):
        try:
            result = float(value)
        except OverflowError:  # an integer with hundreds of digits
            raise bad(path, fmt, field, "is too large to be a number.", fix) from None
    else:
        raise bad(path, fmt, field, f"is {type(value).__name__}, not a number.", fix)
    if not math.isfinite(result):
        raise bad(path, fmt, field, f"is {value!r}; need a finite number.", fix)
    return result


def seconds(
    path: Path, fmt: str, field: str, value: object, fix: str, per_second: float = 1.0
) -> float:
    """A time in seconds from a field in ``per_second`` units (1000 for ms, 1e7 for ticks)."""
    result = number(path, fmt, field, value, fix) / per_second
    if result < 0:
        raise bad(path, fmt, field, f"is {value!r}, a negative time.", fix)
    if result > MAX_CALL_S:
        raise bad(path, fmt, field, f"is {result:g} s, past a week: not a call's time.", fix)
    return result


def probability(path: Path, fmt: str, field: str, value: object, fix: str) -> float:
    """A confidence between 0 and 1."""
    result = number(path, fmt, field, value, fix)
    if not 0.0 <= result <= 1.0:
        raise bad(path, fmt, field, f"is {value!r}; a confidence runs from 0 to 1.", fix)
    return result


def channel_label(index: int) -> str:
    """The label of an audio channel, the same in every format (Transcribe writes ``ch_0``)."""
    return f"ch_{index}"


def spread(text: str, start_s: float, end_s: float) -> list[tuple[float, float, str]]:
    """A stretch of text without word times: each word gets a share of the time in proportion
    to its length (as native imports do), so evidence lands inside the right stretch."""
    tokens = text.split()
    total = sum(len(t) for t in tokens)
    spans, cursor = [], start_s
    for token in tokens:
        share = (end_s - start_s) * len(token) / total
        spans.append((cursor, cursor + share, token))
        cursor += share
    return spans


def checked(
    path: Path, fmt: str, words: Iterable[LabelledWord], fix: str
) -> tuple[LabelledWord, ...]:
    """The words in time order, once each label's words are known to run forwards in time.

    Raises:
        CallError: a word ending before it starts, or starting before the previous word of the
            same label (in file order) started: the file's times are broken.
    """
    words = tuple(words)
    previous: dict[str, LabelledWord] = {}
    for word in words:
        if word.end_s < word.start_s:
            raise bad(
                path,
                fmt,
                word.field,
                f"ends at {word.end_s:g} s, before it starts ({word.start_s:g} s).",
                fix,
            )
        before = previous.get(word.label)
        if before is not None and word.start_s < before.start_s - ORDER_TOLERANCE_S:
            raise bad(
                path,
                fmt,
                word.field,
                f"times out of order: starts at {word.start_s:g} s, before {before.field} "
                f"({before.start_s:g} s) of the same {word.label}.",
                fix,
            )
        previous[word.label] = word
    if not words:
        raise bad(path, fmt, "words", "the file holds no words.", fix)
    return tuple(sorted(words, key=lambda w: (w.start_s, w.end_s)))

"""Words to speaker turns, and the silences between them. Pure: data in, data out."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from qa_pipeline.records import Turn, Word, span_s

__all__ = ["Gap", "TurnOptions", "build_turns", "nontalk_gaps"]


@dataclass(frozen=True)
class TurnOptions:
    """How words group into turns.

    Attributes:
        max_pause_s: a pause longer than this inside one speaker's speech starts a new turn.
    """

    max_pause_s: float = 1.0


@dataclass(frozen=True)
class Gap:
    """A stretch where nobody speaks."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return span_s(self.start_s, self.end_s)


def build_turns(words: Iterable[Word], options: TurnOptions = TurnOptions()) -> tuple[Turn, ...]:
    """Groups each speaker's words into turns, then orders all turns by start time.

    Turns are built per speaker, so a customer's "mm-hm" inside an agent's sentence does not cut
    the agent's turn in two, and an interruption stays visible as two overlapping turns. A
    pause in which the other speaker took the floor (said a word, start to end, having been
    silent when this speaker's last word began) ends the turn, however short: "Name?" "Jo
    Brown." "Phone number?" is three turns, not a customer turn that the agent's questions
    cut into. A pause the other speaker merely talked on through does not: an agent cutting
    in with "Okay, | okay, so a charge you don't recognise" over a customer still speaking is
    one turn that cut in at its first word, not a short "Okay," and a reply that started late.

    Returns:
        Turns indexed 0.. in order of start time; every word belongs to exactly one turn.
    """
    ordered = sorted(words, key=lambda w: (w.speaker, w.start_s, w.end_s))
    runs: list[list[Word]] = []
    for speaker, speaker_words in groupby(ordered, key=lambda w: w.speaker):
        others = sorted((w for w in ordered if w.speaker != speaker), key=lambda w: w.start_s)
        other_starts = [w.start_s for w in others]
        talk_starts = _talk_starts(others, options.max_pause_s)
        run: list[Word] = []
        for word in speaker_words:
            if run and (
                word.start_s - run[-1].end_s > options.max_pause_s
                or _floor_taken(others, other_starts, talk_starts, run[-1], word.start_s)
            ):
                runs.append(run)
                run = []
            run.append(word)
        if run:
            runs.append(run)
    runs.sort(key=lambda r: (r[0].start_s, r[0].speaker))
    return tuple(_turn(index, run) for index, run in enumerate(runs))


def _talk_starts(others: Sequence[Word], max_pause_s: float) -> list[float]:
    """For each of ``others`` (sorted by start), when the stretch of talk it belongs to began:
    a word starting ``max_pause_s`` or less after the talk before it ended continues it."""
    starts: list[float] = []
    latest_end_s = float("-inf")
    for word in others:
        continues = bool(starts) and word.start_s - latest_end_s <= max_pause_s
        starts.append(starts[-1] if continues else word.start_s)
        latest_end_s = max(latest_end_s, word.end_s)
    return starts


def _floor_taken(
    others: Sequence[Word],
    starts: Sequence[float],
    talk_starts: Sequence[float],
    last: Word,
    before_s: float,
) -> bool:
    """Whether, between ``last`` and ``before_s``, one of ``others`` (sorted by start) said a
    word wholly inside the pause in talk that began no earlier than ``last`` did."""
    for n in range(bisect.bisect_left(starts, last.end_s), len(others)):
        if others[n].start_s > before_s:
            return False
        if others[n].end_s <= before_s and talk_starts[n] >= last.start_s:
            return True
    return False


def nontalk_gaps(turns: Sequence[Turn], min_gap_s: float = 0.0) -> list[Gap]:
    """The stretches between the first and last word where nobody speaks.

    Args:
        turns: any turns, overlapping or not.
        min_gap_s: shorter gaps are left out.
    """
    gaps: list[Gap] = []
    spans = sorted((t.start_s, t.end_s) for t in turns)
    if not spans:
        return gaps
    covered_until = spans[0][1]
    for start_s, end_s in spans[1:]:
        if span_s(covered_until, start_s) >= min_gap_s and start_s > covered_until:
            gaps.append(Gap(covered_until, start_s))
        covered_until = max(covered_until, end_s)
    return gaps


def _turn(index: int, words: list[Word]) -> Turn:
    return Turn(
        index=index,
        speaker=words[0].speaker,
        start_s=words[0].start_s,
        end_s=max(w.end_s for w in words),
        text=" ".join(w.text for w in words),
        mean_probability=sum(w.probability for w in words) / len(words),
        words=tuple(words),
    )

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
    pause in which the other speaker said a word, start to end, does end the turn, however
    short: "Name?" "Jo Brown." "Phone number?" is three turns, not a customer turn that the
    agent's questions cut into.

    Returns:
        Turns indexed 0.. in order of start time; every word belongs to exactly one turn.
    """
    ordered = sorted(words, key=lambda w: (w.speaker, w.start_s, w.end_s))
    runs: list[list[Word]] = []
    for speaker, speaker_words in groupby(ordered, key=lambda w: w.speaker):
        others = sorted((w for w in ordered if w.speaker != speaker), key=lambda w: w.start_s)
        other_starts = [w.start_s for w in others]
        run: list[Word] = []
        for word in speaker_words:
            if run and (
                word.start_s - run[-1].end_s > options.max_pause_s
                or _spoken_between(others, other_starts, run[-1].end_s, word.start_s)
            ):
                runs.append(run)
                run = []
            run.append(word)
        if run:
            runs.append(run)
    runs.sort(key=lambda r: (r[0].start_s, r[0].speaker))
    return tuple(_turn(index, run) for index, run in enumerate(runs))


def _spoken_between(
    others: Sequence[Word], starts: Sequence[float], after_s: float, before_s: float
) -> bool:
    """Whether one of ``others`` (sorted by start) lies wholly inside [after_s, before_s]."""
    for n in range(bisect.bisect_left(starts, after_s), len(others)):
        if others[n].start_s > before_s:
            return False
        if others[n].end_s <= before_s:
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

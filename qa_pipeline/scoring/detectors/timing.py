"""Audio and timing facts of a call, from its turns: interruptions, holds, talk ratio, rate.

Pure: turns in, facts out. The rubric engine turns these into verdicts and evidence.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from qa_pipeline.records import Speaker, Turn, span_s
from qa_pipeline.speech.turns import nontalk_gaps

__all__ = ["Hold", "Interruption", "find_holds", "interruptions", "speaking_rate_wpm", "talk_ratio"]


@dataclass(frozen=True)
class Interruption:
    """An agent turn that starts while the customer is speaking."""

    turn: Turn
    interrupted: Turn
    overlap_s: float


@dataclass(frozen=True)
class Hold:
    """A stretch where the customer waits.

    Attributes:
        announced_by: the agent turn announcing the hold, if the agent announced it.
        checked_in: the agent spoke to the customer during the hold.
    """

    start_s: float
    end_s: float
    announced_by: Turn | None
    checked_in: bool

    @property
    def duration_s(self) -> float:
        return span_s(self.start_s, self.end_s)


def interruptions(turns: Sequence[Turn], min_overlap_s: float = 1.0) -> list[Interruption]:
    """Agent turns that start inside a customer turn and cut in by ``min_overlap_s`` or more.

    When the customer stops within ``min_overlap_s`` of the agent's turn ending, the agent took
    the floor, however short the turn ("Ticket number?" over the end of a sentence), and the
    overlap runs from the agent's start to the customer's end. When the customer talks on past
    that, the agent's words were a backchannel the customer talked through, and only the time
    both spoke (the agent's words) counts. Each agent turn is matched with the earliest
    customer turn that started before it with enough overlap; candidates are found by
    bisection on the customer turns' running latest end, so the work is linear in the call's
    turns (up to a log).
    """
    found = []
    customer = sorted((t for t in turns if t.speaker is Speaker.CUSTOMER), key=lambda t: t.start_s)
    starts = [t.start_s for t in customer]
    latest_end = list(itertools.accumulate((t.end_s for t in customer), max))
    for turn in turns:
        if turn.speaker is not Speaker.AGENT:
            continue
        began_before = bisect.bisect_left(starts, turn.start_s)
        if min_overlap_s > 0:
            # A microsecond early: the overlap itself is measured to the microsecond (span_s).
            first = bisect.bisect_left(
                latest_end, turn.start_s + min_overlap_s - 1e-6, hi=began_before
            )
        else:  # any overlap at all: the customer turn must still be going on
            first = bisect.bisect_right(latest_end, turn.start_s, hi=began_before)
        for other in customer[first:began_before]:
            overlap_s = _cut_in_s(turn, other, min_overlap_s)
            if other.end_s > turn.start_s and overlap_s >= min_overlap_s:
                found.append(Interruption(turn, other, overlap_s))
                break
    return found


def _cut_in_s(agent: Turn, customer: Turn, talk_on_s: float) -> float:
    """How far ``agent`` cut into ``customer``: up to the customer's end if the customer stopped
    within ``talk_on_s`` of the agent finishing, else only the time both spoke at once: the
    time the agent's words took (two backchannels a pause apart, "mm-hm ... right", are one
    turn when the customer talks on through the pause, but not one long cut-in)."""
    if span_s(agent.end_s, customer.end_s) <= talk_on_s:
        return span_s(agent.start_s, customer.end_s)
    if not agent.words:
        return span_s(agent.start_s, min(agent.end_s, customer.end_s))
    # Summed first and rounded once: a turn's words that abut sum to its span exactly.
    return round(sum(w.end_s - w.start_s for w in agent.words), 6)


def find_holds(
    turns: Sequence[Turn],
    announce: Sequence[str],
    min_silence_s: float = 20.0,
    announced_min_silence_s: float = 5.0,
) -> list[Hold]:
    """Holds: a silence of ``min_silence_s`` or more, or a shorter one (``announced_min_silence_s``)
    after an agent turn that announces a hold. Silences separated only by a short agent check-in
    ("still checking, thanks for bearing with me", perhaps answered "okay") count as one hold
    that was checked in on.
    """
    gaps = nontalk_gaps(turns, min_gap_s=min(min_silence_s, announced_min_silence_s))
    if not gaps:
        return []
    announce_re = _announce_patterns(tuple(announce))
    # Turns by start, and agent turns by end, so each gap looks its neighbours up by bisection:
    # linear in the call's turns rather than quadratic.
    by_start = sorted(turns, key=lambda t: t.start_s)
    starts = [t.start_s for t in by_start]
    position = {id(t): n for n, t in enumerate(turns)}
    agent_by_end = sorted((t for t in turns if t.speaker is Speaker.AGENT), key=lambda t: t.end_s)
    agent_ends = [t.end_s for t in agent_by_end]
    holds: list[Hold] = []
    for gap in gaps:
        low = bisect.bisect_left(agent_ends, gap.start_s - 15.0)
        high = bisect.bisect_right(agent_ends, gap.start_s + 0.01)
        before = sorted(agent_by_end[low:high], key=lambda t: position[id(t)])
        announcer = _announcer(before, announce_re)
        if gap.duration_s < min_silence_s and announcer is None:
            continue
        between: list[Turn] = []
        if holds:
            first = bisect.bisect_left(starts, holds[-1].end_s)
            between = by_start[first : bisect.bisect_left(starts, gap.start_s)]
        if holds and _is_check_in(between):
            # The agent spoke briefly between two silences (the customer at most answering
            # "okay"): one hold with a check-in.
            last = holds.pop()
            holds.append(Hold(last.start_s, gap.end_s, last.announced_by, checked_in=True))
            continue
        holds.append(Hold(gap.start_s, gap.end_s, announcer, checked_in=False))
    return holds


@cache
def _announce_patterns(announce: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Compiled once per rubric's phrases, not once per call."""
    return tuple(re.compile(rf"\b{re.escape(p.lower())}\b") for p in announce)


def _is_check_in(between: Sequence[Turn]) -> bool:
    """The turns between two silences are a check-in: the agent speaks first and briefly
    (10 s at most a turn), and the customer, if at all, only answers ("okay", "yes, I'm still
    here": 3 s at most, no question). A customer asking something is a conversation between
    two holds, each owed its own etiquette."""
    return (
        bool(between)
        and between[0].speaker is Speaker.AGENT
        and all(
            t.duration_s <= 10.0
            if t.speaker is Speaker.AGENT
            else t.duration_s <= 3.0 and "?" not in t.text
            for t in between
        )
    )


def _announcer(before: Sequence[Turn], patterns: Sequence[re.Pattern[str]]) -> Turn | None:
    """Of the agent's turns that end in the 15 s before a gap (in call order), the last or the
    one before it, if it announces a hold."""
    for turn in reversed(before[-2:]):
        text = turn.text.lower()
        if any(p.search(text) for p in patterns):
            return turn
    return None


def talk_ratio(turns: Sequence[Turn], speaker: Speaker) -> float:
    """The share of all talk time that ``speaker`` talks (0-1); 0 for a call with no talk."""
    total = sum(t.duration_s for t in turns)
    mine = sum(t.duration_s for t in turns if t.speaker is speaker)
    return mine / total if total > 0 else 0.0


def speaking_rate_wpm(turns: Sequence[Turn], speaker: Speaker) -> float:
    """Words per minute of ``speaker`` over the time they talk; 0 when they never talk."""
    mine = [t for t in turns if t.speaker is speaker]
    seconds = sum(t.duration_s for t in mine)
    words = sum(len(t.text.split()) for t in mine)
    return 60.0 * words / seconds if seconds > 0 else 0.0

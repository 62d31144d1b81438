"""Words set against where a channel has speech: times fitted to it, and speech no word covers
(whisper skipped it) found for a second decode. Pure: words and speech stretches in.

Whisper's word timestamps come from its attention, not from the audio's energy: a word either
side of a short pause (under a second or so) is stretched over it. A customer cut off by the
agent's question and resuming once it is asked then reads as one turn the agent talked into,
and the interruption is lost. A voice activity detector marks the pause exactly; clipping
each word to the stretch of speech it overlaps most puts the pause back between the words,
and stretching each stretch's first and last word to its edges times the talking from its
first sound to its last.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import replace

from qa_pipeline.records import Word

__all__ = ["fit_to_speech", "merged_stretches", "missed_speech", "with_recovered", "words_before"]


def fit_to_speech(words: Sequence[Word], speech: Sequence[tuple[float, float]]) -> list[Word]:
    """Each word clipped to the stretch of ``speech`` it overlaps most, and each stretch's
    first and last word stretched to its edges.

    The edges are where the channel's talking starts and stops, even when whisper dropped a
    word there (a leading "and" said over the other party is often lost): an interruption is
    timed from the first sound, not from the first word recognised.

    Args:
        words: one channel's words, in time order.
        speech: (start_s, end_s) stretches where that channel has speech, in order and
            disjoint.

    Returns:
        The words in the same order, each inside one stretch where it overlapped one (or,
        given no length, lies in one); any other word keeps its times (the detector missed a
        quiet word: whisper heard it). Starts stay in order.
    """
    starts = [s for s, _ in speech]
    fitted: list[Word] = []
    stretch_of: list[int | None] = []
    for word in words:
        first = max(bisect.bisect_right(starts, word.start_s) - 1, 0)
        best, best_overlap_s = None, 0.0
        for n in range(first, len(speech)):
            start_s, end_s = speech[n]
            if start_s > word.end_s or (start_s == word.end_s and word.end_s > word.start_s):
                break
            overlap_s = min(end_s, word.end_s) - max(start_s, word.start_s)
            if overlap_s > best_overlap_s:
                best, best_overlap_s = n, overlap_s
            elif best is None and start_s <= word.start_s < end_s:
                # A word whisper gave no length ("English" at 1.96-1.96) overlaps nothing but
                # lies inside the stretch: it is that stretch's, or the word before it would
                # be taken for the stretch's last and stretched over the words after.
                best = n
        if best is not None:
            start_s, end_s = speech[best]
            word = replace(word, start_s=max(word.start_s, start_s), end_s=min(word.end_s, end_s))
        fitted.append(word)
        stretch_of.append(best)
    for n, stretch in enumerate(stretch_of):
        if stretch is None:
            continue
        if n == 0 or stretch_of[n - 1] != stretch:
            fitted[n] = replace(fitted[n], start_s=speech[stretch][0])
        if n == len(fitted) - 1 or stretch_of[n + 1] != stretch:
            fitted[n] = replace(fitted[n], end_s=speech[stretch][1])
    for n in range(1, len(fitted)):
        if fitted[n].start_s < fitted[n - 1].start_s:
            earlier = fitted[n - 1].start_s
            fitted[n] = replace(fitted[n], start_s=earlier, end_s=max(fitted[n].end_s, earlier))
    return fitted


def missed_speech(
    words: Sequence[Word], speech: Sequence[tuple[float, float]], min_speech_ms: int
) -> list[tuple[float, float]]:
    """The stretches of ``speech`` of ``min_speech_ms`` or more that no word overlaps.

    Args:
        words: one channel's words, in time order.
        speech: (start_s, end_s) stretches where that channel has speech, in order and
            disjoint.
    """
    starts = [w.start_s for w in words]
    # A stretch is covered when a word starting before it ends reaches into it: the latest
    # end among the words up to there decides.
    latest_end_s = list(itertools.accumulate((w.end_s for w in words), max))
    missed = []
    for start_s, end_s in speech:
        if (end_s - start_s) * 1000 < min_speech_ms:
            continue
        before = bisect.bisect_left(starts, end_s)
        if before == 0 or latest_end_s[before - 1] <= start_s:
            missed.append((start_s, end_s))
    return missed


def with_recovered(words: Sequence[Word], heard: Sequence[Word]) -> list[Word]:
    """``words`` with those of ``heard`` (a second decode of speech they missed) that do not
    repeat one of them, in start order.

    A clip is padded, so its decode can hear the end of a word already there again; a
    recovered word whose middle lies inside a word already there is that word.
    """
    ordered = sorted(words, key=lambda w: w.start_s)
    starts = [w.start_s for w in ordered]
    latest_end_s = list(itertools.accumulate((w.end_s for w in ordered), max))
    kept = []
    for word in heard:
        middle_s = (word.start_s + word.end_s) / 2
        before = bisect.bisect_right(starts, middle_s)
        if before and latest_end_s[before - 1] >= middle_s:
            continue
        kept.append(word)
    return sorted([*words, *kept], key=lambda w: (w.start_s, w.end_s))


def merged_stretches(stretches: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Stretches of speech in order, those that overlap or touch joined into one."""
    merged: list[tuple[float, float]] = []
    for start_s, end_s in sorted(stretches):
        if merged and start_s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end_s))
        else:
            merged.append((start_s, end_s))
    return merged


def words_before(first: Word, heard: Sequence[Word], slack_s: float = 0.1) -> list[Word]:
    """The words of ``heard`` (a second decode of a channel's opening) that come before
    ``first``, the first word the channel's decode gave: they end by its start (give or take
    ``slack_s``) and stop at a word that is ``first`` heard again."""
    same = _bare(first.text)
    before = []
    for word in heard:
        if word.end_s > first.start_s + slack_s or _bare(word.text) == same:
            break
        before.append(word)
    return before


def _bare(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())

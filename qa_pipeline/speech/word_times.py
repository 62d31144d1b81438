"""Word times fitted to where a channel has speech. Pure: words and speech stretches in.

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
from collections.abc import Sequence
from dataclasses import replace

from qa_pipeline.records import Word

__all__ = ["fit_to_speech"]


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
        The words in the same order, each inside one stretch where it overlapped one; a word
        overlapping none keeps its times (the detector missed a quiet word: whisper heard
        it). Starts stay in order.
    """
    starts = [s for s, _ in speech]
    fitted: list[Word] = []
    stretch_of: list[int | None] = []
    for word in words:
        first = max(bisect.bisect_right(starts, word.start_s) - 1, 0)
        best, best_overlap_s = None, 0.0
        for n in range(first, len(speech)):
            start_s, end_s = speech[n]
            if start_s >= word.end_s:
                break
            overlap_s = min(end_s, word.end_s) - max(start_s, word.start_s)
            if overlap_s > best_overlap_s:
                best, best_overlap_s = n, overlap_s
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

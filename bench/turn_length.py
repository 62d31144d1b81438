"""Scoring time against turn length, and against the number of turns: linear means doubling
the words (or the turns) doubles the time.

    python -m bench.turn_length [--max-words 20000] [--max-turns 4000]

Scores with the default rubric (1) one call whose customer and agent each say one long turn
(a few sentences repeated to N words), for N doubling from 1,250 to --max-words, and (2) one
call of N short turns, a third of them followed by a 25 s silence (holds), for N doubling from
250 to --max-turns. Prints the time for each size, the ratio to the smallest size's time, and
that ratio per unit of size (flat for linear time; it grew with N when scoring was quadratic:
21.6 s at 20,000 words).
"""

from __future__ import annotations

import argparse
import time

from qa_pipeline.records import CallMeta, Speaker, Transcript, Word
from qa_pipeline.scoring.engine import RubricScorer
from qa_pipeline.scoring.rubric import load_rubric
from qa_pipeline.speech.turns import build_turns

SENTENCES = (
    "thank you for calling harbor bank, my name is sam, how can i help you today? "
    "i understand, let me check that for you. i am sorry about the wait. "
)


def long_call(words_per_turn: int) -> Transcript:
    """An agent turn then a customer turn, each ``words_per_turn`` words at 3 words a second."""
    tokens = SENTENCES.split()
    words = []
    for n, speaker in enumerate((Speaker.AGENT, Speaker.CUSTOMER)):
        offset_s = n * (words_per_turn / 3 + 2)
        for i in range(words_per_turn):
            start_s = offset_s + i / 3
            words.append(Word(start_s, start_s + 0.3, tokens[i % len(tokens)], 0.9, speaker))
    turns = build_turns(words)
    return Transcript(CallMeta("bench"), words[-1].end_s, tuple(words), turns, "bench", "{}")


def many_turns(turns: int) -> Transcript:
    """``turns`` short turns, speakers alternating, every third followed by a 25 s silence."""
    words, t = [], 0.0
    for i in range(turns):
        speaker = Speaker.AGENT if i % 2 == 0 else Speaker.CUSTOMER
        for token in ("please", "hold", "while", "i", "check", "that", "thanks"):
            words.append(Word(t, t + 0.3, token, 0.9, speaker))
            t += 0.35
        t += 25.0 if i % 3 == 0 else 1.5
    return Transcript(CallMeta("bench"), t, tuple(words), build_turns(words), "bench", "{}")


def _table(label: str, sizes: list[int], make, scorer: RubricScorer) -> None:
    print(f"{label:>14}   seconds   x smallest   x smallest per x size")
    baseline_s = None
    for size in sizes:
        transcript = make(size)
        start = time.perf_counter()
        scorer.score(transcript)
        took_s = time.perf_counter() - start
        baseline_s = baseline_s or took_s
        ratio = took_s / baseline_s
        print(f"{size:>14}   {took_s:7.3f}   {ratio:10.1f}   {ratio / (size / sizes[0]):21.2f}")


def _doubling(first: int, last: int) -> list[int]:
    sizes = [first]
    while sizes[-1] * 2 <= last:  # ends: sizes double towards a finite bound
        sizes.append(sizes[-1] * 2)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-words", type=int, default=20_000)
    parser.add_argument("--max-turns", type=int, default=4_000)
    args = parser.parse_args()
    scorer = RubricScorer(load_rubric())
    _table("words per turn", _doubling(1250, args.max_words), long_call, scorer)
    print()
    _table("turns per call", _doubling(250, args.max_turns), many_turns, scorer)


if __name__ == "__main__":
    main()

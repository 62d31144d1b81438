"""Scoring time against turn length: linear means doubling the words doubles the time.

    python -m bench.turn_length [--max-words 20000]

Scores one call with the default rubric whose customer and agent each say one long turn
(a few sentences repeated to N words), for N doubling from 1,250 to --max-words. Prints the
time for each length, the ratio to the shortest turn's time, and that ratio per word (flat
for linear time; it grew with N when scoring was quadratic: 21.6 s at 20,000 words).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-words", type=int, default=20_000)
    args = parser.parse_args()
    scorer = RubricScorer(load_rubric())
    lengths, n = [], 1250
    while n <= args.max_words:
        lengths.append(n)
        n *= 2
    baseline_s = None
    print("words per turn   seconds   x shortest   x shortest per x words")
    for words in lengths:
        transcript = long_call(words)
        start = time.perf_counter()
        scorer.score(transcript)
        took_s = time.perf_counter() - start
        baseline_s = baseline_s or took_s
        ratio = took_s / baseline_s
        print(f"{words:>14}   {took_s:7.3f}   {ratio:10.1f}   {ratio / (words / lengths[0]):22.2f}")


if __name__ == "__main__":
    main()

"""Word error rate with the normalisation speech benchmarks use: case, punctuation, digits."""

from __future__ import annotations

import re

import jiwer

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SPELLING = {"apologise": "apologize", "okay": "ok"}


def _spoken(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + _spoken(rest))
    rest = n % 1000
    return _spoken(n // 1000) + " thousand" + ("" if rest == 0 else " " + _spoken(rest))


def normalise(text: str) -> str:
    text = text.lower()
    text = re.sub(r"(\d)\s*,\s*(\d{3})", r"\1\2", text)  # "4 ,200" and "4,200" are 4200
    text = re.sub(r"\d+", lambda m: f" {_spoken(int(m.group()))} ", text)
    text = re.sub(r"[^a-z' ]+", " ", text)
    words = [_SPELLING.get(w, w) for w in text.split()]
    return " ".join(words)


def wer(reference: str, hypothesis: str) -> float:
    return jiwer.wer(normalise(reference), normalise(hypothesis))

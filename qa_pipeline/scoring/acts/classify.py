"""The act classifier: two small networks over sentence embeddings (one hidden layer, one
sigmoid per act), one for the agent's acts and one for the customer's, thresholds chosen by
cross-validation, plus a team's own example sentences.

Who speaks decides which acts a sentence can do ("you need a new router" restates the need
when the agent says it, states it when the customer does), so each network learns only from
its own speaker's sentences. The agent's network also reads the sentence's form, its function
words with the content masked (``form.py``): the embedding says what a sentence is about, the
form much of what it does.

``ActClassifier.default()`` loads the head trained on ``corpus/`` (``model/head.npz``, rebuilt
by ``python -m qa_pipeline.scoring.acts.train``). ``with_examples`` adds a rubric's sentences
for an act without retraining: a sentence close to one of them (cosine similarity of the
normalised embeddings) gets a probability from that closeness, and the act's probability is
the larger of the head's and the examples'. So an example can only raise recognition of
sentences like itself; it never lowers what the head already finds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa_pipeline.scoring.acts import ACTS, AGENT_ACTS, CUSTOMER_ACTS, speaker_of
from qa_pipeline.scoring.acts.form import form_rows

__all__ = ["HEAD_PATH", "SPEAKERS", "ActClassifier"]

HEAD_PATH = Path(__file__).with_name("model") / "head.npz"

# Closeness to a team's example that counts as the act for sure (1.0) and not at all (0.0):
# paraphrases of one sentence by all-MiniLM-L6-v2 sit above ~0.8, unrelated call sentences
# below ~0.5.
EXAMPLE_SURE_COSINE = 0.80
EXAMPLE_NONE_COSINE = 0.55

SPEAKERS = {"agent": AGENT_ACTS, "customer": CUSTOMER_ACTS}
"""Each network's name (the prefix of its arrays in head.npz) and the acts it gives."""


class ActClassifier:
    """Per-act probabilities for embedded sentences.

    Attributes:
        acts: the act names, in column order of ``probabilities``.
        model_id: the embedding model the head was trained on.
        thresholds: per act, the probability from which a sentence counts as doing it.
    """

    def __init__(
        self,
        arrays: Mapping[str, np.ndarray],
        thresholds: Mapping[str, float],
        model_id: str,
        examples: Mapping[str, np.ndarray] | None = None,
        form_vocabulary: Sequence[str] = (),
    ) -> None:
        """``arrays``: per speaker its network's weights (``{speaker}_form_weights`` when it
        reads the form features over ``form_vocabulary``)."""
        self.acts = ACTS
        self.model_id = model_id
        self.thresholds = dict(thresholds)
        self.form_vocabulary = tuple(form_vocabulary)
        self._form_position = {g: n for n, g in enumerate(self.form_vocabulary)}
        self._arrays = {name: np.asarray(a, dtype=np.float32) for name, a in arrays.items()}
        self._examples = dict(examples or {})
        self._columns = {
            speaker: np.array([ACTS.index(a) for a in acts]) for speaker, acts in SPEAKERS.items()
        }

    @classmethod
    def default(cls) -> ActClassifier:
        """The head shipped with the package."""
        with np.load(HEAD_PATH, allow_pickle=False) as data:
            meta: dict[str, Any] = json.loads(str(data["meta"]))
            arrays = {name: data[name] for name in data.files if name != "meta"}
        return cls(
            arrays, meta["thresholds"], meta["model_id"], None, meta.get("form_vocabulary", ())
        )

    def _forward(self, speaker: str, inputs: np.ndarray, texts: Sequence[str] | None) -> np.ndarray:
        a = self._arrays
        before = inputs @ a[f"{speaker}_hidden_weights"] + a[f"{speaker}_hidden_bias"]
        form_weights = a.get(f"{speaker}_form_weights")
        if form_weights is not None:
            if texts is None:
                raise ValueError("this act head reads the sentences' words: pass their texts")
            before += form_rows(texts, self._form_position).times(form_weights)
        z = np.maximum(before, 0.0) @ a[f"{speaker}_weights"] + a[f"{speaker}_bias"]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))

    def probabilities(
        self,
        embeddings: np.ndarray,
        texts: Sequence[str] | None = None,
        speakers: Sequence[str] | None = None,
    ) -> np.ndarray:
        """Shape (n, len(acts)): each sentence's probability of doing each act. ``texts``:
        the sentences, in the same order (needed when a network reads their form).
        ``speakers`` ("agent" or "customer" per sentence): each network reads only its own
        speaker's sentences, the other speaker's acts staying 0; without them, every
        sentence is read both ways, agent acts as if the agent said it and customer acts as
        if the customer did."""
        n = embeddings.shape[0]
        if texts is not None and len(texts) != n:
            raise ValueError(f"{len(texts)} texts for {n} embeddings")
        if speakers is not None and len(speakers) != n:
            raise ValueError(f"{len(speakers)} speakers for {n} embeddings")
        probs = np.zeros((n, len(self.acts)), dtype=np.float32)
        if n == 0:
            return probs
        x = embeddings.astype(np.float32, copy=False)
        who = None if speakers is None else np.asarray(speakers)
        for speaker, columns in self._columns.items():
            if who is None:
                probs[:, columns] = self._forward(speaker, x, texts)
                continue
            rows = np.flatnonzero(who == speaker)
            if len(rows):
                mine = None if texts is None else [texts[r] for r in rows]
                probs[np.ix_(rows, columns)] = self._forward(speaker, x[rows], mine)
        for act, examples in self._examples.items():
            column = self.acts.index(act)
            closest = (embeddings @ examples.T).max(axis=1)
            span = EXAMPLE_SURE_COSINE - EXAMPLE_NONE_COSINE
            from_examples = np.clip((closest - EXAMPLE_NONE_COSINE) / span, 0.0, 1.0)
            # Mapped onto [0, 1] but read against the act's own threshold: scale so that the
            # midpoint of the closeness band lands on the threshold.
            threshold = self.thresholds.get(act, 0.5)
            scaled = np.where(
                from_examples < 0.5,
                from_examples * 2 * threshold,
                threshold + (from_examples - 0.5) * 2 * (1 - threshold),
            )
            if who is not None:
                scaled = np.where(who == speaker_of(act), scaled, 0.0)
            probs[:, column] = np.maximum(probs[:, column], scaled)
        return probs.astype(np.float32)

    def with_examples(self, examples: Mapping[str, Sequence[str]], embedder: Any) -> ActClassifier:
        """This classifier with a team's example sentences added to their acts."""
        added = dict(self._examples)
        for act, sentences in examples.items():
            if act not in self.acts:
                raise ValueError(f"unknown act {act!r}")
            if not sentences:
                continue
            vectors = np.asarray(embedder.embed(list(sentences)), dtype=np.float32)
            added[act] = vectors if act not in added else np.vstack([added[act], vectors])
        return ActClassifier(
            self._arrays, self.thresholds, self.model_id, added, self.form_vocabulary
        )

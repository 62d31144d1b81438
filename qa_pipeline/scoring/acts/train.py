"""Rebuilds the shipped act classifier from the labelled corpus (deterministic).

    python -m qa_pipeline.scoring.acts.train [--folds 5]

Reads ``corpus/*.jsonl`` (one utterance per line: text, acts, speaker, register, style; see
``corpus/SUMMARY.md`` and ``corpus/GUIDELINES.md``), embeds every line, and fits a small network
per speaker (one hidden layer, one sigmoid output per act) on the embedding: agent acts are
learnt from agent lines only and customer acts from customer lines, as a customer's "thanks"
is not the agent's thanking act. Each act's threshold is the one with the best F1 on
out-of-fold predictions (at least 0.30). The agent's network also reads each line's form
(``form.py``: function words, content masked), over the n-grams found in at least five agent
lines. Writes ``model/head.npz`` and prints the
cross-validated precision and recall per act. Needs scikit-learn (it comes with the
``semantic`` extra's sentence-transformers); scoring itself needs only numpy and scipy.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa_pipeline.scoring.acts import ACTS, speaker_of
from qa_pipeline.scoring.acts.classify import HEAD_PATH, SPEAKERS, ActClassifier
from qa_pipeline.scoring.acts.embed import EmbedOptions, load_embedder
from qa_pipeline.scoring.acts.form import form_rows, form_vocabulary

__all__ = ["CORPUS", "Corpus", "cross_validate", "fit_heads", "form_inputs", "load_corpus"]

CORPUS = Path(__file__).with_name("corpus")
# A 5-fold cross-validation over the corpus chose these (macro F1 0.85 against 0.83 for one
# logistic head per act); larger hidden layers gain little and cost rescoring speed.
HIDDEN_UNITS = 256
# The customer's network is held much smoother: with the agent's penalty it was sure (0.99)
# that short answers unlike any corpus line ("The six o'clock one.", "Cancel completely.")
# report a problem; on the development calls (tests/dev) a penalty of 1.0 gets the apology
# item of 8 more calls right (0.78 to 0.83). The agent's network keeps 1e-3: smoothing it
# cost greeting and listening there.
L2_PENALTY = {"agent": 1e-3, "customer": 1.0}
# Form features lift the agent's acts (cross-validated paraphrase F1 0.79 to 0.92, and the
# development calls' listening 0.94 to 0.95); the customer's network with them read more
# plain requests as problems there, so it keeps the embedding alone.
FORM_SPEAKERS = ("agent",)
FORM_MIN_LINES = 5
MAX_EPOCHS = 300
# From 0.30: lower thresholds win a little F1 on held-out corpus folds but fire on sentences
# unlike any in the corpus (instructions read as apologies at 0.19 on the tuning calls).
THRESHOLD_GRID = np.round(np.arange(0.30, 0.86, 0.05), 2)


@dataclass(frozen=True)
class Corpus:
    texts: tuple[str, ...]
    speakers: tuple[str, ...]
    labels: np.ndarray  # (n, len(ACTS)) 0/1
    styles: tuple[str, ...]


def load_corpus(folder: Path = CORPUS) -> Corpus:
    """Every labelled line of the corpus, in file order."""
    texts, speakers, rows, styles = [], [], [], []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            texts.append(row["text"])
            speakers.append(row["speaker"])
            styles.append(row.get("style", "clean"))
            rows.append([act in row["acts"] for act in ACTS])
    return Corpus(tuple(texts), tuple(speakers), np.array(rows, dtype=np.int8), tuple(styles))


def _speaker_mask(corpus: Corpus, act: str) -> np.ndarray:
    speaker = speaker_of(act)
    return np.array([s == speaker for s in corpus.speakers])


def form_inputs(corpus: Corpus) -> tuple[tuple[str, ...], np.ndarray]:
    """The form vocabulary (from the lines of FORM_SPEAKERS) and every line's form features."""
    vocabulary = form_vocabulary(
        (t for t, s in zip(corpus.texts, corpus.speakers, strict=True) if s in FORM_SPEAKERS),
        FORM_MIN_LINES,
    )
    return vocabulary, form_rows(corpus.texts, vocabulary).dense(len(vocabulary))


def fit_heads(
    x: np.ndarray, corpus: Corpus, rows: np.ndarray, form: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The classifier's arrays (see classify.ActClassifier) fitted on the given rows; the
    networks of FORM_SPEAKERS also read ``form`` (``form_inputs``) when given."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    arrays: dict[str, np.ndarray] = {}
    for speaker, acts in SPEAKERS.items():
        # Each speaker's network sees only that speaker's sentences and acts.
        mine = rows & np.array([s == speaker for s in corpus.speakers])
        columns = [ACTS.index(a) for a in acts]
        reads_form = form is not None and speaker in FORM_SPEAKERS
        inputs = np.hstack([x[mine], form[mine]]) if reads_form else x[mine]
        net = MLPClassifier(
            hidden_layer_sizes=(HIDDEN_UNITS,),
            alpha=L2_PENALTY[speaker],
            max_iter=MAX_EPOCHS,
            random_state=0,
        )
        with warnings.catch_warnings():
            # A fixed number of epochs is the point (deterministic, early enough to generalise).
            warnings.simplefilter("ignore", ConvergenceWarning)
            net.fit(inputs, corpus.labels[np.ix_(mine, columns)])
        hidden = net.coefs_[0].astype(np.float32)
        if reads_form:
            arrays[f"{speaker}_form_weights"] = hidden[x.shape[1] :]
        arrays |= {
            f"{speaker}_hidden_weights": hidden[: x.shape[1]],
            f"{speaker}_hidden_bias": net.intercepts_[0].astype(np.float32),
            f"{speaker}_weights": net.coefs_[1].astype(np.float32),
            f"{speaker}_bias": net.intercepts_[1].astype(np.float32),
        }
    return arrays


def cross_validate(
    x: np.ndarray,
    corpus: Corpus,
    folds: int = 5,
    seed: int = 0,
    form: tuple[tuple[str, ...], np.ndarray] | None = None,
) -> np.ndarray:
    """Out-of-fold probabilities (n, acts): each line scored by a model that never saw it,
    reading each act on its own speaker's side; ``form``: ``form_inputs(corpus)``."""
    vocabulary, features = form if form is not None else ((), None)
    order = np.random.default_rng(seed).permutation(len(corpus.texts))
    fold_of = np.empty(len(order), dtype=int)
    fold_of[order] = np.arange(len(order)) % folds
    out = np.zeros((len(order), len(ACTS)), dtype=np.float32)
    for fold in range(folds):
        arrays = fit_heads(x, corpus, fold_of != fold, features)
        model = ActClassifier(arrays, dict.fromkeys(ACTS, 0.5), "cv", None, vocabulary)
        test = fold_of == fold
        out[test] = model.probabilities(x[test], [corpus.texts[n] for n in np.flatnonzero(test)])
    return out


def best_thresholds(probs: np.ndarray, corpus: Corpus) -> dict[str, float]:
    """Per act, the threshold with the best F1 on the act's speaker's lines."""
    chosen = {}
    for column, act in enumerate(ACTS):
        mask = _speaker_mask(corpus, act)
        truth = corpus.labels[mask, column] == 1
        scores = []
        for t in THRESHOLD_GRID:
            said = probs[mask, column] >= t
            tp = int((said & truth).sum())
            scores.append(2 * tp / max(int(said.sum()) + int(truth.sum()), 1))
        chosen[act] = float(THRESHOLD_GRID[int(np.argmax(scores))])
    return chosen


def per_act_figures(probs: np.ndarray, corpus: Corpus, thresholds: dict[str, float]) -> list:
    """(act, support, precision, recall, f1) per act at the given thresholds."""
    rows = []
    for column, act in enumerate(ACTS):
        mask = _speaker_mask(corpus, act)
        truth = corpus.labels[mask, column] == 1
        said = probs[mask, column] >= thresholds[act]
        tp = int((said & truth).sum())
        precision = tp / max(int(said.sum()), 1)
        recall = tp / max(int(truth.sum()), 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        rows.append((act, int(truth.sum()), precision, recall, f1))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    corpus = load_corpus()
    embedder = load_embedder(EmbedOptions())
    x = embedder.embed(list(corpus.texts))
    vocabulary, features = form_inputs(corpus)
    oof = cross_validate(x, corpus, args.folds, form=(vocabulary, features))
    thresholds = best_thresholds(oof, corpus)
    arrays = fit_heads(x, corpus, np.ones(len(corpus.texts), dtype=bool), features)
    meta = {
        "model_id": embedder.model_id,
        "thresholds": thresholds,
        "lines": len(corpus.texts),
        "form_vocabulary": list(vocabulary),
    }
    HEAD_PATH.parent.mkdir(exist_ok=True)
    np.savez_compressed(HEAD_PATH, **arrays, meta=np.array(json.dumps(meta)))
    print(f"{len(corpus.texts)} lines, {args.folds}-fold cross-validation ({embedder.model_id})")
    print(f"{'act':22} {'n':>5} {'thr':>5} {'prec':>6} {'rec':>6} {'f1':>6}")
    for act, n, p, r, f in per_act_figures(oof, corpus, thresholds):
        print(f"{act:22} {n:5d} {thresholds[act]:5.2f} {p:6.3f} {r:6.3f} {f:6.3f}")
    print(f"wrote {HEAD_PATH}")


if __name__ == "__main__":
    main()

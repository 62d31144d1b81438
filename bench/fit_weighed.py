"""Fits the weights of a rubric item's weighed ``applies_when`` on labelled tuning sets.

    python -m bench.fit_weighed ITEM [--rubric rubrics/default.yaml] [--set NAME ...] [--c 1.0]

Each labelled call gives the probabilities the node's terms read on it
(``RubricScorer.weighed_terms``) and whether the reviewer found the item applicable (any
verdict but N/A). A logistic regression with an L2 penalty (``--c``: its inverse strength, as
in scikit-learn; the bias is not penalised) is fitted by Newton's method; the weights and bias
to paste into the rubric are printed, with the accuracy of the fitted node on each set. Fit
on tuning sets only: the sets by default are the ones the rubric is tuned on
(bench.rubric_accuracy: tuning and the DEVELOPMENT sets, written and voiced).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bench.rubric_accuracy import DEVELOPMENT, SETS
from qa_pipeline.scoring.engine import RubricScorer
from qa_pipeline.scoring.rubric import load_rubric

TUNING_SETS = ("tuning", *DEVELOPMENT, *(f"{name}-asr" for name in DEVELOPMENT))


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float = 1.0) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-penalised logistic regression (penalty ``|w|^2 / 2c``)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    theta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], 1.0 / c)
    penalty[-1] = 0.0  # the bias
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-design @ theta))
        gradient = design.T @ (p - y) + penalty * theta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return theta[:-1], float(theta[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("item")
    parser.add_argument("--rubric", type=Path, default=None)
    parser.add_argument("--set", dest="sets", action="append", choices=sorted(SETS))
    parser.add_argument("--c", type=float, default=1.0)
    args = parser.parse_args()
    rubric = load_rubric(args.rubric)
    item = next((i for i in rubric.items if i.id == args.item), None)
    if item is None or item.applies_when is None or item.applies_when.kind != "weighed":
        parser.error(f"{args.item}: no item of this rubric has a weighed applies_when")
    scorer = RubricScorer(rubric)
    rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in args.sets or TUNING_SETS:
        calls = SETS[name]()
        x = np.array([scorer.weighed_terms(c.transcript)[item.id] for c in calls])
        y = np.array([c.expected[item.id] != "na" for c in calls], dtype=float)
        rows[name] = (x, y)
    weights, bias = fit_logistic(
        np.vstack([x for x, _ in rows.values()]),
        np.concatenate([y for _, y in rows.values()]),
        args.c,
    )
    print(f"{item.id}.applies_when ({item.applies_when.id}): bias: {bias:.2f}")
    for term, weight in zip(item.applies_when.children, weights, strict=True):
        print(f"  {term.id:40s} weight: {weight:.2f}")
    for name, (x, y) in rows.items():
        said = (x @ weights + bias) >= 0  # probability 0.5
        print(f"{name:10s} {len(y):4d} calls, applicability agrees on {np.mean(said == y):.3f}")


if __name__ == "__main__":
    main()

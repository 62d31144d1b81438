"""The sample calls through the real tiny.en model: accuracy, timing invariants and roles."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pytest

from qa_pipeline.batch.run import run_batch
from qa_pipeline.ingest.manifest import load_manifest
from qa_pipeline.records import Status
from qa_pipeline.speech.turns import nontalk_gaps
from qa_pipeline.store import Store
from tests.support.audio_files import read_wav, write_audio
from tests.support.paths import SAMPLES
from tests.support.wer import wer


def _rows(db: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def _speaker_text(db: Path, call_id: str, speaker: str) -> str:
    rows = _rows(
        db,
        "select text from turns where call_id = ? and speaker = ? order by turn_index",
        call_id,
        speaker,
    )
    return " ".join(r[0] for r in rows)


def test_every_sample_call_is_stored(sample_store, sample_truth) -> None:
    db, report = sample_store
    assert report.found == len(sample_truth) >= 5
    assert set(report.stored) == set(sample_truth)
    assert all(s is Status.TRANSCRIBED for s in report.stored.values())
    assert not report.failed


def test_word_error_rate_against_the_scripts(sample_store, sample_truth) -> None:
    db, _ = sample_store
    refs, hyps = [], []
    for call_id, truth in sample_truth.items():
        for speaker in ("agent", "customer"):
            ref = " ".join(s["text"] for s in truth["segments"] if s["speaker"] == speaker)
            hyp = _speaker_text(db, call_id, speaker)
            # Per call and speaker: a sane bound even for the shortest, mumbled lines.
            assert wer(ref, hyp) < 0.35, (call_id, speaker, ref, hyp)
            refs.append(ref)
            hyps.append(hyp)
    overall = wer(" ".join(refs), " ".join(hyps))
    assert overall < 0.10, overall


def test_timestamps_are_monotonic_per_speaker_and_inside_the_call(sample_store) -> None:
    db, _ = sample_store
    for call_id, duration_s in _rows(db, "select call_id, duration_s from calls"):
        for speaker in ("agent", "customer"):
            times = _rows(
                db,
                "select start_s, end_s from words where call_id = ? and speaker = ? "
                "order by word_index",
                call_id,
                speaker,
            )
            starts = np.array([t[0] for t in times])
            ends = np.array([t[1] for t in times])
            assert len(times) > 0
            assert np.all(np.diff(starts) >= 0), (call_id, speaker)
            assert np.all(ends >= starts)
            assert starts.min() >= 0 and ends.max() <= duration_s + 0.05


def test_each_word_is_in_exactly_one_turn_of_its_speaker(sample_store) -> None:
    db, _ = sample_store
    orphans = _rows(
        db,
        """
        select w.call_id, w.word_index
        from words as w
        left join turns as t
            on t.call_id = w.call_id and t.turn_index = w.turn_index
            and t.speaker = w.speaker and w.start_s >= t.start_s and w.end_s <= t.end_s
        where t.turn_index is null
        """,
    )
    assert orphans == []
    mismatched = _rows(
        db,
        """
        select t.call_id, t.turn_index
        from turns as t
        left join (select call_id, turn_index, count(*) as n from words group by all) as w
            using (call_id, turn_index)
        where coalesce(w.n, 0) <> t.word_count
        """,
    )
    assert mismatched == []


def _assert_roles_match_truth(db: Path, call_id: str, truth: dict) -> None:
    turns = _rows(
        db,
        "select speaker, start_s, end_s from turns where call_id = ? order by turn_index",
        call_id,
    )
    assert turns
    for speaker, start_s, end_s in turns:
        # During an interruption a turn overlaps both speakers' lines, so ask for most of the
        # turn to lie inside lines of its own speaker rather than for the largest overlap.
        own = sum(
            max(0.0, min(end_s, seg["end"]) - max(start_s, seg["start"]))
            for seg in truth["segments"]
            if seg["speaker"] == speaker
        )
        assert own >= 0.5 * (end_s - start_s), (call_id, speaker, start_s, end_s)


def test_roles_follow_the_channel_layout(sample_store, sample_truth) -> None:
    db, _ = sample_store
    for call_id, truth in sample_truth.items():
        _assert_roles_match_truth(db, call_id, truth)


def test_agent_on_channel_one(tmp_path: Path, transcriber, sample_truth) -> None:
    """A recorder that puts the agent on the right: the manifest says so and roles follow."""
    call_id = "call_05_upset_customer"
    data, rate_hz = read_wav(SAMPLES / f"{call_id}.wav")
    write_audio(tmp_path / "swapped.wav", data[::-1], rate_hz)
    with (tmp_path / "manifest.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["call_id", "file", "agent_channel"])
        writer.writerow([call_id, "swapped.wav", "1"])
    db = tmp_path / "qa.duckdb"
    with Store(db) as store:
        report = run_batch(
            [tmp_path / "swapped.wav"],
            store,
            load_manifest(tmp_path / "manifest.csv"),
            transcriber=transcriber,
        )
    assert report.stored == {call_id: Status.TRANSCRIBED}
    _assert_roles_match_truth(db, call_id, sample_truth[call_id])


def test_interruptions_stay_as_overlapping_turns(sample_store) -> None:
    db, _ = sample_store
    # The script has the agent cut in 2.5 s before the customer's line ends (flite's padding
    # included), twice.
    overlaps = _rows(
        db,
        """
        select a.turn_index, least(a.end_s, c.end_s) - a.start_s as overlap_s
        from turns as a
        join turns as c on c.call_id = a.call_id and c.speaker = 'customer'
        where a.call_id = 'call_05_upset_customer' and a.speaker = 'agent'
          and a.start_s > c.start_s and a.start_s < c.end_s
        """,
    )
    assert len(overlaps) == 2
    assert all(overlap_s >= 1.0 for _, overlap_s in overlaps)


def test_a_hold_is_a_measurable_gap(sample_store) -> None:
    from qa_pipeline.records import Speaker, Turn

    db, _ = sample_store
    turns = [
        Turn(i, Speaker(s), a, b, "", 1.0)
        for i, s, a, b in _rows(
            db,
            "select turn_index, speaker, start_s, end_s from turns "
            "where call_id = 'call_03_good_hold' order by turn_index",
        )
    ]
    long_gaps = nontalk_gaps(turns, min_gap_s=10.0)
    assert len(long_gaps) == 1
    # The script holds for 25 s after the agent's "one moment please".
    assert long_gaps[0].duration_s == pytest.approx(25.0, abs=1.5)

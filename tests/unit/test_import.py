"""Transcripts from elsewhere: good files store like transcribed calls, bad ones say why."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import duckdb
import pytest

from qa_pipeline.batch.run import import_transcripts
from qa_pipeline.errors import CallError
from qa_pipeline.ingest.transcripts.native import read_transcript
from qa_pipeline.store import Store

GOOD = {
    "call_id": "imp-1",
    "agent_id": "A9",
    "agent_name": "Sam",
    "team": "sales",
    "started_at": "2026-11-20T08:00:00",
    "segments": [
        {"speaker": "customer", "start": 3.0, "end": 4.0, "text": "Hi there."},
        {"speaker": "agent", "start": 0.0, "end": 2.5, "text": "Thanks for calling, I'm Sam."},
    ],
}

BAD = {
    "no_call_id": ({k: v for k, v in GOOD.items() if k != "call_id"}, "call_id"),
    "bad_speaker": ({**GOOD, "segments": [{**GOOD["segments"][0], "speaker": "bot"}]}, "speaker"),
    "backwards": ({**GOOD, "segments": [{**GOOD["segments"][0], "end": 1.0}]}, "segments[0]"),
    "empty_text": ({**GOOD, "segments": [{**GOOD["segments"][0], "text": " "}]}, "text"),
    "no_segments": ({**GOOD, "segments": []}, "segments"),
    "bad_time": ({**GOOD, "started_at": "yesterday"}, "started_at"),
    "typo_field": ({**GOOD, "agnet_id": "x"}, "agnet_id"),
    "NaN start": ({**GOOD, "segments": [{**GOOD["segments"][0], "start": float("nan")}]}, "NaN"),
    "Infinity end": (
        {**GOOD, "segments": [{**GOOD["segments"][0], "end": float("inf")}]},
        "Infinity",
    ),
    "end past a week": ({**GOOD, "segments": [{**GOOD["segments"][0], "end": 1e12}]}, "end"),
}


def test_segments_become_ordered_turns(tmp_path: Path) -> None:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(GOOD))
    source, transcript = read_transcript(path)
    assert source.kind == "import" and len(source.sha256) == 64
    assert [t.speaker.value for t in transcript.turns] == ["agent", "customer"]
    assert [t.index for t in transcript.turns] == [0, 1]
    for turn in transcript.turns:
        assert turn.words[0].start_s == turn.start_s
        assert turn.words[-1].end_s == pytest.approx(turn.end_s)
        assert all(a.end_s == pytest.approx(b.start_s) for a, b in itertools.pairwise(turn.words))


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_transcripts_name_the_field(tmp_path: Path, case: str) -> None:
    doc, field = BAD[case]
    path = tmp_path / f"{case}.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CallError) as caught:
        read_transcript(path)
    assert caught.value.code == "bad_transcript"
    assert str(path) in str(caught.value) and field in str(caught.value)


def test_a_bad_file_fails_alone(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps(GOOD))
    (folder / "broken.json").write_text("{not json")
    db = tmp_path / "qa.duckdb"
    with Store(db) as store:
        report = import_transcripts([folder], store)
    assert set(report.failed) == {"broken"}
    assert "imp-1" in report.stored
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from turns where call_id = 'imp-1'").fetchone()[0] == 2
        assert con.execute("select error_code from calls where call_id = 'broken'").fetchone()[
            0
        ] == ("bad_transcript")


def test_json_nested_200000_deep_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(CallError, match="nested too deeply") as caught:
        read_transcript(path)
    assert caught.value.code == "bad_transcript"

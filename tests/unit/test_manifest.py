"""Manifests: metadata per call, and every bad row named."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from qa_pipeline.errors import InputError
from qa_pipeline.ingest.manifest import load_manifest
from qa_pipeline.records import Layout


def test_csv_and_jsonl_give_the_same_metadata(tmp_path: Path) -> None:
    csv_path = tmp_path / "m.csv"
    csv_path.write_text(
        "call_id,file,agent_id,agent_name,team,queue,started_at,agent_channel\n"
        "c1,rec-001.wav,A1,Ann,north,sales,2026-11-20T09:00:00,1\n"
        "c2,,A2,,south,,,mono\n"
    )
    jsonl_path = tmp_path / "m.jsonl"
    jsonl_path.write_text(
        '{"call_id": "c1", "file": "rec-001.wav", "agent_id": "A1", "agent_name": "Ann", '
        '"team": "north", "queue": "sales", "started_at": "2026-11-20T09:00:00", '
        '"agent_channel": 1}\n'
        '{"call_id": "c2", "agent_id": "A2", "team": "south", "agent_channel": "mono"}\n'
    )
    for path in (csv_path, jsonl_path):
        manifest = load_manifest(path)
        c1 = manifest.meta_for(Path("/calls/rec-001.wav"))
        assert c1.call_id == "c1" and c1.agent_name == "Ann" and c1.layout is Layout.AGENT_ON_1
        assert c1.started_at == datetime(2026, 11, 20, 9, 0)
        c2 = manifest.meta_for(Path("/calls/c2.mp3"))
        assert c2.agent_id == "A2" and c2.layout is Layout.MONO and c2.agent_name is None
        unlisted = manifest.meta_for(Path("/calls/other.wav"))
        assert unlisted.call_id == "other" and unlisted.layout is None


def test_every_bad_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "call_id,agent_id,started_at,agent_channel\n"
        "c1,A1,2026-11-20T09:00:00,0\n"
        ",A1,,\n"
        "c3,A1,last tuesday,0\n"
        "c4,A1,,left\n"
        "c1,A2,,\n"
    )
    with pytest.raises(InputError) as caught:
        load_manifest(path)
    message = str(caught.value)
    assert str(path) in message
    for expected in (
        "line 3: call_id is empty",
        "line 4: started_at",
        "line 5: agent_channel",
        "line 6: call_id 'c1' appears more than once",
    ):
        assert expected in message
    assert "line 2" not in message


def test_unknown_columns_and_missing_files_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("call_id,agnet_id\nc1,A1\n")
    with pytest.raises(InputError, match="unknown column"):
        load_manifest(path)
    with pytest.raises(InputError, match="does not exist"):
        load_manifest(tmp_path / "missing.csv")

"""The DuckDB store: data rules in the schema bite, writes are all-or-nothing, even on a kill."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from qa_pipeline.batch.run import import_transcripts
from qa_pipeline.ingest.transcripts.native import read_transcript
from qa_pipeline.records import CallOutcome, Status, Transcript, Turn
from qa_pipeline.store import Store, named_queries
from tests.support.paths import ROOT, SAMPLES

TRUTH = SAMPLES / "truth" / "call_01_good_billing.json"


def _outcome(path: Path = TRUTH) -> CallOutcome:
    source, transcript = read_transcript(path)
    return CallOutcome(
        source, transcript.meta, Status.TRANSCRIBED, None, transcript.duration_s, transcript
    )


def _counts(db: Path | Store) -> tuple[int, int, int]:
    if isinstance(db, Store):
        return tuple(db.query("status_counts")["calls"].to_list()) + _table_sizes(db)
    with Store(db, read_only=True) as store:
        return _counts(store)


def _table_sizes(store: Store) -> tuple[int, int]:
    with store.connected() as con:
        return tuple(
            con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("turns", "words")
        )


@pytest.mark.parametrize(
    "sql",
    [
        "insert into calls (call_id, source_kind, source_path, content_sha256, status, "
        "processed_at) values ('x', 'audio', 'p', repeat('a', 64), 'failed', now())",  # no error
        "insert into calls (call_id, source_kind, source_path, content_sha256, status, "
        "processed_at) values ('x', 'audio', 'p', 'short', 'scored', now())",  # bad hash
        "insert into calls (call_id, source_kind, source_path, content_sha256, status, "
        "processed_at) values ('x', 'video', 'p', repeat('a', 64), 'scored', now())",
        "insert into turns values ('x', 0, 'robot', 0, 1, 'hi', 0.5, 1)",
        "insert into turns values ('x', 0, 'agent', 2, 1, 'hi', 0.5, 1)",  # ends before start
        "insert into words values ('x', 0, 0, 'agent', 0, 1, 'hi', 1.5)",
        "insert into item_results values ('x', repeat('a', 64), 'greeting', 0, 'fail', 5, 15, "
        "1, false, 'r')",  # a fail earns nothing
        "insert into call_scores values ('x', repeat('a', 64), 'r', '1', 120, 'pass', 1, 1, "
        "false, now())",
    ],
)
def test_schema_rejects_bad_rows(tmp_path: Path, sql: str) -> None:
    Store(tmp_path / "qa.duckdb").close()
    with (
        duckdb.connect(str(tmp_path / "qa.duckdb")) as con,
        pytest.raises(duckdb.ConstraintException),
    ):
        con.execute(sql)


def test_every_named_query_is_valid_sql(tmp_path: Path) -> None:
    with Store(tmp_path / "qa.duckdb") as store, store.connected() as con:
        for statements in named_queries().values():
            for sql in statements:
                if "new_" in sql:
                    continue  # insert queries read a frame registered at write time
                # A temp table made by one statement is read by the next: make it for real.
                prefix = "" if sql.lstrip().startswith("create or replace temp") else "explain "
                con.execute(prefix + sql, {k: None for k in _params(sql)})


def _params(sql: str) -> set[str]:
    import re

    return set(re.findall(r"\$(\w+)", sql))


def test_a_failed_write_leaves_the_old_rows(tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    with Store(db) as store:
        store.save(_outcome())
        before = _counts(store)
        good = _outcome()
        assert good.transcript is not None
        bad_turn = Turn(
            0,
            good.transcript.turns[0].speaker,
            5.0,
            1.0,
            "backwards",
            0.9,
            good.transcript.turns[0].words,
        )
        broken = CallOutcome(
            good.source,
            good.meta,
            Status.TRANSCRIBED,
            None,
            good.duration_s,
            Transcript(good.meta, 10.0, good.transcript.words, (bad_turn,), "x", "{}"),
        )
        with pytest.raises(duckdb.ConstraintException):
            store.save(broken)
        assert _counts(store) == before


@pytest.mark.slow
def test_a_process_killed_mid_write_leaves_the_old_rows(tmp_path: Path) -> None:
    """A real process dies by SIGKILL between the call row and its turns; DuckDB's journal
    must bring back the earlier, complete version of the call."""
    db = tmp_path / "qa.duckdb"
    with Store(db) as store:
        store.save(_outcome())
    before = _counts(db)
    child = textwrap.dedent(
        f"""
        import os, signal
        from qa_pipeline.store import Store
        from tests.unit.test_store import _outcome
        store = Store({str(db)!r})
        real_insert = Store._insert
        def insert_then_die(self, query, view, frame):
            real_insert(self, query, view, frame)
            if query == "insert_call":
                os.kill(os.getpid(), signal.SIGKILL)
        Store._insert = insert_then_die
        store.save(_outcome())
        """
    )
    done = subprocess.run([sys.executable, "-c", child], cwd=ROOT)
    assert done.returncode == -9
    assert _counts(db) == before
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select status from calls").fetchall() == [("transcribed",)]


def test_import_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    with Store(db) as store:
        report = import_transcripts([SAMPLES / "truth"], store)
        detail = store.detail("call_03_good_hold")
    assert len(report.stored) == 6 and not report.failed
    truth = json.loads((SAMPLES / "truth" / "call_03_good_hold.json").read_text())
    assert detail is not None
    assert detail.call["agent_id"] == truth["agent_id"]
    assert detail.turns["text"].to_list() == [s["text"] for s in truth["segments"]]
    assert detail.turns["speaker"].to_list() == [s["speaker"] for s in truth["segments"]]


def test_transcripts_in_bulk_equal_those_read_one_by_one(tmp_path: Path) -> None:
    with Store(tmp_path / "qa.duckdb") as store:
        import_transcripts([SAMPLES / "truth"], store)
        ids = store.stored_call_ids()
        bulk = store.transcripts([*ids, "not-stored"])
        single = {call_id: store.transcript(call_id) for call_id in ids}
    assert set(bulk) == set(ids) and len(ids) == 6
    for call_id in ids:
        assert bulk[call_id] == single[call_id]
        assert bulk[call_id].words and bulk[call_id].turns

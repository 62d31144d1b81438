"""DuckDB storage: the only module that talks to the database.

Schema and queries live in ``sql/*.sql``; queries are looked up by their ``-- name:``. Each call
is written in one transaction, so a crash leaves either the old rows or the new ones, never half.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from qa_pipeline.records import (
    CallMeta,
    CallOutcome,
    CallScore,
    Speaker,
    Status,
    Transcript,
    Turn,
    Word,
)
from qa_pipeline.resources import data_dir

__all__ = ["CallDetail", "StoredState", "Store", "named_queries"]

_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


@cache
def named_queries() -> dict[str, list[str]]:
    """Every named query in sql/*.sql (schema.sql aside), as its list of statements."""
    queries: dict[str, list[str]] = {}
    for path in sorted(data_dir("sql").glob("*.sql")):
        if path.name == "schema.sql":
            continue
        parts = _NAME.split(path.read_text())
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            if name in queries:
                raise ValueError(f"{path}: query {name!r} is defined twice")
            queries[name] = _statements(body)
    return queries


def _statements(sql: str) -> list[str]:
    # Comments go first so a ';' inside one cannot split a statement.
    code = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in code.split(";") if s.strip()]


@dataclass(frozen=True)
class CallDetail:
    """One stored call as read back: its row, turns and latest rubric results."""

    call: dict[str, Any]
    turns: pl.DataFrame
    score: dict[str, Any] | None
    items: pl.DataFrame | None
    evidence: pl.DataFrame | None


@dataclass(frozen=True)
class StoredState:
    """What the store already holds for a call id."""

    call_id: str
    sha256: str
    status: Status

    @property
    def done(self) -> bool:
        """True when the call needs no more work (unless forced)."""
        return self.status in (Status.SCORED, Status.TRANSCRIBED)


class Store:
    """A DuckDB file holding calls, turns, words and rubric results.

    Args:
        path: the database file; created with the schema if missing.
        read_only: open for reading alone (reports, ``show``), so writers are not blocked.
    """

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._con = duckdb.connect(str(self.path), read_only=read_only)
        if not read_only:
            self._con.execute((data_dir("sql") / "schema.sql").read_text())

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Reading -------------------------------------------------------------------------------

    def query(self, name: str, **params: Any) -> pl.DataFrame:
        """Runs a named read query and returns its last statement's rows as a polars frame."""
        statements = named_queries()[name]
        for sql in statements[:-1]:
            self._con.execute(sql, params or None)
        return self._con.sql(statements[-1], params=params or None).pl()

    def state(self, call_id: str) -> StoredState | None:
        """The stored hash and status of a call, or None if it was never stored."""
        rows = self.query("call_state", call_id=call_id).rows()
        if not rows:
            return None
        call_id, sha256, status = rows[0]
        return StoredState(call_id, sha256, Status(status))

    def duplicate_of(self, call_id: str, sha256: str) -> str | None:
        """Another call id already stored from the same bytes, if any."""
        rows = self.query("done_call_with_sha", call_id=call_id, sha256=sha256).rows()
        return rows[0][0] if rows else None

    # Writing -------------------------------------------------------------------------------

    def save(self, outcome: CallOutcome) -> None:
        """Replaces everything stored for the call with ``outcome``, in one transaction.

        A failure never replaces a call that was processed before: the earlier rows stay, and
        the failure is only reported to the caller.
        """
        with self._transaction():
            if outcome.status is Status.FAILED:
                earlier = self.state(outcome.meta.call_id)
                if earlier is not None and earlier.status is not Status.FAILED:
                    return
            self._run("delete_call", call_id=outcome.meta.call_id)
            self._insert("insert_call", "new_call", _call_frame(outcome))
            if outcome.transcript is not None and outcome.transcript.turns:
                self._insert("insert_turns", "new_turns", _turns_frame(outcome))
                self._insert("insert_words", "new_words", _words_frame(outcome))
            if outcome.diarisation is not None and outcome.roles is not None:
                self._insert("insert_segments", "new_segments", _segments_frame(outcome))
            for score in outcome.scores:
                self._write_score(outcome.meta.call_id, score)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._con.execute("begin transaction")
        try:
            yield
        except BaseException:
            self._con.execute("rollback")
            raise
        self._con.execute("commit")

    def _run(self, name: str, **params: Any) -> None:
        for sql in named_queries()[name]:
            self._con.execute(sql, params)

    def _insert(self, query: str, view: str, frame: pl.DataFrame) -> None:
        # On failure the view stays registered until the next register() of the same name
        # replaces it: an aborted transaction refuses even an unregister.
        self._con.register(view, frame)
        self._run(query)
        self._con.unregister(view)

    def save_scores(self, call_id: str, scores: tuple[CallScore, ...]) -> None:
        """Replaces a stored call's results for these rubrics (rescoring), in one transaction.

        Results for other rubric versions stay, so they remain queryable.
        """
        with self._transaction():
            for score in scores:
                self._write_score(call_id, score)
            self._run("mark_scored", call_id=call_id)

    def _write_score(self, call_id: str, score: CallScore) -> None:
        sha = score.rubric.sha256
        self._run("delete_call_score", call_id=call_id, rubric_sha256=sha)
        self._insert("insert_rubric", "new_rubric", _rubric_frame(score))
        self._insert("insert_call_score", "new_call_score", _score_frame(call_id, score))
        frames = {
            "insert_item_results": ("new_item_results", _items_frame(call_id, score)),
            "insert_evidence": ("new_evidence", _evidence_frame(call_id, score)),
            "insert_turn_matches": ("new_turn_matches", _matches_frame(call_id, score)),
        }
        for query, (view, frame) in frames.items():
            if frame.height:
                self._insert(query, view, frame)

    def transcript(self, call_id: str) -> Transcript | None:
        """A stored call's transcript rebuilt from its turns and words (for rescoring)."""
        call = self.query("call_row", call_id=call_id)
        if call.is_empty():
            return None
        row = call.row(0, named=True)
        words_by_turn: dict[int, list[Word]] = {}
        for w in self.query("call_words", call_id=call_id).iter_rows(named=True):
            words_by_turn.setdefault(w["turn_index"], []).append(
                Word(w["start_s"], w["end_s"], w["word"], w["probability"], Speaker(w["speaker"]))
            )
        turns = tuple(
            Turn(t["turn_index"], Speaker(t["speaker"]), t["start_s"], t["end_s"], t["text"],
                 t["mean_probability"], tuple(words_by_turn.get(t["turn_index"], ())))
            for t in self.query("call_turns", call_id=call_id).iter_rows(named=True)
        )
        meta = CallMeta(
            call_id=row["call_id"], agent_id=row["agent_id"], agent_name=row["agent_name"],
            team=row["team"], queue=row["queue"], started_at=row["started_at"],
        )
        return Transcript(meta, row["duration_s"] or 0.0, tuple(w for t in turns for w in t.words),
                          turns, row["engine"] or "", row["options_json"] or "{}")

    def stored_call_ids(self) -> list[str]:
        """Calls that have a transcript (scored or transcribed)."""
        return self.query("stored_transcripts")["call_id"].to_list()

    def detail(self, call_id: str) -> CallDetail | None:
        """Everything a reviewer sees for one call, or None if it is not stored."""
        call = self.query("call_row", call_id=call_id)
        if call.is_empty():
            return None
        score = self.query("latest_call_score", call_id=call_id)
        items = evidence = None
        if not score.is_empty():
            sha = score["rubric_sha256"][0]
            items = self.query("call_item_results", call_id=call_id, rubric_sha256=sha)
            evidence = self.query("call_evidence", call_id=call_id, rubric_sha256=sha)
        return CallDetail(
            call=call.row(0, named=True),
            turns=self.query("call_turns", call_id=call_id),
            score=None if score.is_empty() else score.row(0, named=True),
            items=items,
            evidence=evidence,
        )


def _call_frame(outcome: CallOutcome) -> pl.DataFrame:
    meta, source, transcript = outcome.meta, outcome.source, outcome.transcript
    roles = outcome.roles
    row = {
        "call_id": meta.call_id,
        "source_kind": source.kind,
        "source_path": str(source.path),
        "content_sha256": source.sha256,
        "status": outcome.status.value,
        "error_code": outcome.error_code,
        "error": outcome.error,
        "duration_s": outcome.duration_s,
        "channels": source.channel_count,
        "sample_rate_hz": source.source_sample_rate_hz,
        "layout": outcome.layout.value if outcome.layout else None,
        "agent_id": meta.agent_id,
        "agent_name": meta.agent_name,
        "team": meta.team,
        "queue": meta.queue,
        "started_at": meta.started_at,
        "engine": transcript.engine if transcript else None,
        "options_json": transcript.options_json if transcript else None,
        "processed_at": datetime.now(),
        "diarizer": outcome.diarisation.backend if outcome.diarisation else None,
        "diarizer_options_json": (
            outcome.diarisation.options_json if outcome.diarisation else None
        ),
        "role_method": roles.method if roles else None,
        "role_confidence": roles.confidence if roles else None,
        "role_reason": roles.reason if roles else None,
        "needs_review": bool(roles and roles.needs_review),
    }
    schema = {
        "duration_s": pl.Float64,
        "role_confidence": pl.Float64,
        "needs_review": pl.Boolean,
        "channels": pl.Int32,
        "sample_rate_hz": pl.Int32,
        "started_at": pl.Datetime("us"),
        "processed_at": pl.Datetime("us"),
    }
    return pl.DataFrame([row], schema_overrides=schema, infer_schema_length=None).with_columns(
        pl.col(c).cast(pl.String) for c in row if c not in schema
    )


def _segments_frame(outcome: CallOutcome) -> pl.DataFrame:
    assert outcome.diarisation is not None and outcome.roles is not None
    segments = outcome.diarisation.segments
    agent = outcome.roles.agent_label
    return pl.DataFrame(
        {
            "call_id": [outcome.meta.call_id] * len(segments),
            "segment_index": list(range(len(segments))),
            "speaker_label": [s.label for s in segments],
            "role": ["agent" if s.label == agent else "customer" for s in segments],
            "start_s": [s.start_s for s in segments],
            "end_s": [s.end_s for s in segments],
        },
        schema_overrides={"segment_index": pl.Int32, "start_s": pl.Float64, "end_s": pl.Float64},
    )


def _turns_frame(outcome: CallOutcome) -> pl.DataFrame:
    assert outcome.transcript is not None
    return pl.DataFrame(
        {
            "call_id": [outcome.meta.call_id] * len(outcome.transcript.turns),
            "turn_index": [t.index for t in outcome.transcript.turns],
            "speaker": [t.speaker.value for t in outcome.transcript.turns],
            "start_s": [t.start_s for t in outcome.transcript.turns],
            "end_s": [t.end_s for t in outcome.transcript.turns],
            "text": [t.text for t in outcome.transcript.turns],
            "mean_probability": [t.mean_probability for t in outcome.transcript.turns],
            "word_count": [len(t.words) for t in outcome.transcript.turns],
        },
        schema_overrides={"turn_index": pl.Int32, "word_count": pl.Int32},
    )


def _words_frame(outcome: CallOutcome) -> pl.DataFrame:
    assert outcome.transcript is not None
    rows = [
        (turn.index, word)
        for turn in outcome.transcript.turns
        for word in turn.words
    ]
    rows.sort(key=lambda r: (r[1].start_s, r[0]))
    return pl.DataFrame(
        {
            "call_id": [outcome.meta.call_id] * len(rows),
            "word_index": list(range(len(rows))),
            "turn_index": [t for t, _ in rows],
            "speaker": [w.speaker.value for _, w in rows],
            "start_s": [w.start_s for _, w in rows],
            "end_s": [w.end_s for _, w in rows],
            "word": [w.text for _, w in rows],
            "probability": [min(max(w.probability, 0.0), 1.0) for _, w in rows],
        },
        schema_overrides={"word_index": pl.Int32, "turn_index": pl.Int32},
    )


def _rubric_frame(score: CallScore) -> pl.DataFrame:
    r = score.rubric
    return pl.DataFrame(
        [
            {
                "rubric_sha256": r.sha256,
                "rubric_id": r.rubric_id,
                "version": r.version,
                "title": r.title,
                "source_text": r.source_text,
                "stored_at": datetime.now(),
            }
        ]
    )


def _score_frame(call_id: str, score: CallScore) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "call_id": call_id,
                "rubric_sha256": score.rubric.sha256,
                "rubric_id": score.rubric.rubric_id,
                "rubric_version": score.rubric.version,
                "score": score.score,
                "band": score.band,
                "points_earned": float(score.points_earned),
                "points_possible": float(score.points_possible),
                "critical_failed": score.critical_failed,
                "scored_at": datetime.now(),
            }
        ],
        schema_overrides={"score": pl.Float64, "band": pl.String},
    )


def _items_frame(call_id: str, score: CallScore) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "call_id": [call_id] * len(score.items),
            "rubric_sha256": [score.rubric.sha256] * len(score.items),
            "item_id": [i.item_id for i in score.items],
            "position": list(range(len(score.items))),
            "verdict": [i.verdict.value for i in score.items],
            "points": [float(i.points) for i in score.items],
            "max_points": [float(i.max_points) for i in score.items],
            "confidence": [float(i.confidence) for i in score.items],
            "critical": [i.critical for i in score.items],
            "reason": [i.reason for i in score.items],
        },
        schema_overrides={"position": pl.Int32},
    )


def _evidence_frame(call_id: str, score: CallScore) -> pl.DataFrame:
    rows = [(item.item_id, n, e) for item in score.items for n, e in enumerate(item.evidence)]
    return pl.DataFrame(
        {
            "call_id": [call_id] * len(rows),
            "rubric_sha256": [score.rubric.sha256] * len(rows),
            "item_id": [item_id for item_id, _, _ in rows],
            "evidence_index": [n for _, n, _ in rows],
            "turn_index": [e.turn_index for _, _, e in rows],
            "speaker": [e.speaker.value if e.speaker else None for _, _, e in rows],
            "start_s": [e.start_s for _, _, e in rows],
            "end_s": [e.end_s for _, _, e in rows],
            "text": [e.text for _, _, e in rows],
            "detector": [e.detector for _, _, e in rows],
        },
        schema_overrides={
            "evidence_index": pl.Int32,
            "turn_index": pl.Int32,
            "speaker": pl.String,
            "start_s": pl.Float64,
            "end_s": pl.Float64,
        },
    )


def _matches_frame(call_id: str, score: CallScore) -> pl.DataFrame:
    counters: dict[tuple[int, str, str], int] = {}
    indexes = []
    for m in score.matches:
        key = (m.turn_index, m.item_id, m.detector)
        indexes.append(counters.get(key, 0))
        counters[key] = indexes[-1] + 1
    return pl.DataFrame(
        {
            "call_id": [call_id] * len(score.matches),
            "rubric_sha256": [score.rubric.sha256] * len(score.matches),
            "turn_index": [m.turn_index for m in score.matches],
            "item_id": [m.item_id for m in score.matches],
            "detector": [m.detector for m in score.matches],
            "match_index": indexes,
            "start_s": [m.start_s for m in score.matches],
            "end_s": [m.end_s for m in score.matches],
            "matched_text": [m.matched_text for m in score.matches],
        },
        schema_overrides={
            "turn_index": pl.Int32,
            "match_index": pl.Int32,
            "start_s": pl.Float64,
            "end_s": pl.Float64,
        },
    )

"""The DuckDB store: its connections, its transactions, and the named queries.

Schema and queries live in ``sql/*.sql``; queries are looked up by their ``-- name:``. Each call
is written in one transaction, so a crash leaves either the old rows or the new ones, never half.

A Store never keeps the file from another process: each unit of work (one call's write, one
override, one read) runs on a connection that is let go as soon as someone else waits for the
file, so ``show``, reports, the review app and the next run get their turn within about one
write (see ``store.lock``).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache, wraps
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from qa_pipeline.bulk import paused_gc
from qa_pipeline.records import (
    CallMeta,
    CallOutcome,
    CallScore,
    SentenceActs,
    SentenceEmbeddings,
    Speaker,
    Status,
    Transcript,
    Turn,
    Word,
)
from qa_pipeline.resources import data_dir
from qa_pipeline.scoring.rubric import stored_bands
from qa_pipeline.store import frames
from qa_pipeline.store.create import create_whole
from qa_pipeline.store.lock import LINGER_S, SharedConnection, wait_s_from_env

__all__ = ["HOLD_ENV", "CallDetail", "Override", "StoredState", "Store", "named_queries"]

HOLD_ENV = "QA_PIPELINE_DB_HOLD"
"""Set to 1 and every Store keeps its connection from creation to close(), whoever waits: the
design before concurrent use (other processes locked out), kept for benchmarks."""

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
    source_path: str = ""

    @property
    def done(self) -> bool:
        """True when the call needs no more work (unless forced)."""
        return self.status in (Status.SCORED, Status.TRANSCRIBED)


@dataclass(frozen=True)
class Override:
    """A reviewer's correction of one item's machine verdict (the review app writes these)."""

    call_id: str
    rubric_sha256: str
    item_id: str
    verdict: str  # pass, fail or na
    reviewer: str
    reason: str
    created_at: datetime


def _one_snapshot(method: Callable[..., Any]) -> Callable[..., Any]:
    """Runs a method's queries on one connection in one transaction: they all see the same
    committed state, never a call half written."""

    @wraps(method)
    def in_one_transaction(self: Store, *args: Any, **kwargs: Any) -> Any:
        with self._transaction():
            return method(self, *args, **kwargs)

    return in_one_transaction


class Store:
    """A DuckDB file holding calls, turns, words and rubric results.

    Each method is a unit of work on one connection, let go when another process waits for
    the file (see the module's docstring); a block of work that wants one connection (one
    consistent view) throughout uses ``with store.connected():``.

    Args:
        path: the database file; created whole with the schema if missing (store.create).
        read_only: open for reading alone (reports, ``show``).
        wait_s: how long an open waits while another process has the file; default 10 s, or
            ``$QA_PIPELINE_DB_WAIT_S``. Past it, ``StoreBusy``.
        hold: keep the connection until close() whoever waits (default: ``$QA_PIPELINE_DB_HOLD``
            is 1).
    """

    def __init__(
        self,
        path: Path | str,
        read_only: bool = False,
        *,
        wait_s: float | None = None,
        hold: bool | None = None,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.wait_s = wait_s_from_env() if wait_s is None else wait_s
        hold = os.environ.get(HOLD_ENV) == "1" if hold is None else hold
        self._shared = SharedConnection(
            self.path, read_only, self.wait_s, None if hold else LINGER_S
        )
        self._local = threading.local()
        if not read_only:
            schema = (data_dir("sql") / "schema.sql").read_text()
            create_whole(self.path, schema)
            # Once per Store, not per write: a batch makes one Store. Applied to an existing
            # file too, as the schema grows between versions.
            with self.connected() as con:
                con.execute(schema)
            self._fill_derived_tables()

    def _fill_derived_tables(self) -> None:
        """Upgrades a store written before rubric_bands and call_standing existed (and fills
        rows for calls written straight by SQL): each rubric's bands, each scored call's
        standing. Cheap when nothing is missing."""
        with self._transaction():
            for sha, text in self.query("rubrics_without_bands").iter_rows():
                self._insert(
                    "insert_rubric_bands",
                    "new_rubric_bands",
                    frames.rubric_bands_frame(sha, stored_bands(text)),
                )
            self._run("want_standing_missing")
            self._run("refresh_standing")

    def _refresh_standing(self, call_ids: Sequence[str]) -> None:
        """Rewrites these calls' rows of call_standing; inside the write that changed them."""
        self._run("want_standing_for", call_ids=list(call_ids))
        self._run("refresh_standing")

    def close(self) -> None:
        """Lets go of the file now (a later method opens it again)."""
        self._shared.close()

    @contextmanager
    def connected(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One connection for a block of work: opened if need be (waiting briefly while another
        process has the file), kept for the whole block, shared by nested blocks and by every
        Store method inside. Others wait for the block to end: keep it short."""
        current = getattr(self._local, "con", None)
        if current is not None:
            yield current
            return
        with self._shared.use() as con:
            self._local.con = con
            try:
                yield con
            finally:
                self._local.con = None

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every Store read inside the block sees one committed state of the file (one
        connection, one transaction): for reports that read several tables. Writers wait for
        the block to end: keep it short."""
        with self._transaction():
            yield

    @property
    def _con(self) -> duckdb.DuckDBPyConnection:
        con = getattr(self._local, "con", None)
        if con is None:
            raise RuntimeError("no open connection: work inside `with store.connected():`")
        return con

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Reading -------------------------------------------------------------------------------

    def query(self, name: str, **params: Any) -> pl.DataFrame:
        """Runs a named read query and returns its last statement's rows as a polars frame."""
        statements = named_queries()[name]
        with self.connected() as con:
            for sql in statements[:-1]:
                con.execute(sql, params or None)
            return con.sql(statements[-1], params=params or None).pl()

    def state(self, call_id: str) -> StoredState | None:
        """The stored hash and status of a call, or None if it was never stored."""
        rows = self.query("call_state", call_id=call_id).rows()
        if not rows:
            return None
        call_id, sha256, status, source_path = rows[0]
        return StoredState(call_id, sha256, Status(status), source_path)

    def meta(self, call_id: str) -> CallMeta | None:
        """What is stored about a call besides its audio (agent, team, start), or None."""
        rows = self.query("call_meta", call_id=call_id).rows(named=True)
        return frames.meta_of_row(rows[0]) if rows else None

    def failures(self, call_id: str, sha256: str) -> tuple[int, str | None]:
        """How many times the call failed from these bytes, and the last failure's code."""
        count, last_code = self.query("failures_with_sha", call_id=call_id, sha256=sha256).row(0)
        return int(count), last_code

    def duplicate_of(self, call_id: str, sha256: str) -> str | None:
        """Another call id already stored from the same bytes, if any."""
        rows = self.query("done_call_with_sha", call_id=call_id, sha256=sha256).rows()
        return rows[0][0] if rows else None

    # Writing -------------------------------------------------------------------------------

    def save(self, outcome: CallOutcome) -> None:
        """Replaces everything stored for the call with ``outcome``, in one transaction.

        A failure never replaces a call that was processed before: the earlier rows stay.
        Every failure is also kept in call_failures, so none is lost and retries are counted.
        """
        with self._transaction():
            if outcome.status is Status.FAILED:
                self._insert("insert_failure", "new_failure", frames.failure_frame(outcome))
                earlier = self.state(outcome.meta.call_id)
                if earlier is not None and earlier.status is not Status.FAILED:
                    return
            self._run("delete_call", call_id=outcome.meta.call_id)
            self._insert("insert_call", "new_call", frames.call_frame(outcome))
            if outcome.transcript is not None and outcome.transcript.turns:
                self._insert("insert_turns", "new_turns", frames.turns_frame(outcome))
                self._insert("insert_words", "new_words", frames.words_frame(outcome))
            if outcome.diarisation is not None and outcome.roles is not None:
                self._insert("insert_segments", "new_segments", frames.segments_frame(outcome))
            if outcome.sentences is not None and outcome.sentences.sentences:
                self._write_sentences(outcome.meta.call_id, outcome.sentences)
                if outcome.acts is not None:
                    self._insert(
                        "insert_sentence_acts",
                        "new_sentence_acts",
                        frames.sentence_acts_frame([(outcome.meta.call_id, outcome.acts)]),
                    )
            for score in outcome.scores:
                self._write_scores([(outcome.meta.call_id, score)])
            self._refresh_standing([outcome.meta.call_id])

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction on the block's connection (opened for it if need be); nested
        blocks join the outer transaction."""
        with self.connected() as con:
            if getattr(self._local, "in_transaction", False):
                yield
                return
            con.execute("begin transaction")
            self._local.in_transaction = True
            try:
                yield
            except BaseException:
                con.execute("rollback")
                raise
            finally:
                self._local.in_transaction = False
            con.execute("commit")

    def write(self, name: str, **params: Any) -> None:
        """Runs a named write query in a transaction of its own (or the enclosing one)."""
        with self._transaction():
            self._run(name, **params)

    def _run(self, name: str, **params: Any) -> None:
        for sql in named_queries()[name]:
            self._con.execute(sql, params)

    def _insert(self, query: str, view: str, frame: pl.DataFrame) -> None:
        # On failure the view stays registered until the next register() of the same name
        # replaces it: an aborted transaction refuses even an unregister.
        self._con.register(view, frame)
        self._run(query)
        self._con.unregister(view)

    def save_scores(
        self,
        call_id: str,
        scores: tuple[CallScore, ...],
        sentences: SentenceEmbeddings | None = None,
    ) -> None:
        """Replaces a stored call's results for these rubrics (rescoring), in one transaction.

        Results for other rubric versions stay, so they remain queryable.

        Args:
            sentences: the call's sentence embeddings, when rescoring had to embed some
                (they replace the stored ones, so the next rescore reuses them).
        """
        with self._transaction():
            for score in scores:
                self._write_scores([(call_id, score)])
            if sentences is not None:
                self._write_sentences(call_id, sentences)
            self._run("mark_scored", call_id=call_id)
            self._refresh_standing([call_id])

    def save_scores_many(
        self,
        results: Sequence[
            tuple[str, tuple[CallScore, ...], SentenceEmbeddings | None, SentenceActs | None]
        ],
    ) -> None:
        """``save_scores`` for many calls in one transaction, one statement per table: how
        rescoring writes a chunk of calls (a call per transaction costs a commit each).

        Args:
            results: per call: its id, its scores, sentence embeddings to replace (or None)
                and the act probabilities its scoring read anew (or None: the stored ones,
                if any, stand).
        """
        if not results:
            return
        call_ids = [call_id for call_id, _, _, _ in results]
        by_rubric: dict[str, list[tuple[str, CallScore]]] = {}
        for call_id, scores, _, _ in results:
            for score in scores:
                by_rubric.setdefault(score.rubric.sha256, []).append((call_id, score))
        embedded = [(c, s) for c, _, s, _ in results if s is not None]
        read = [(c, a) for c, _, _, a in results if a is not None]
        with self._transaction():
            for pairs in by_rubric.values():
                self._write_scores(pairs)
            if embedded:
                self._run("delete_sentence_embeddings_many", call_ids=[c for c, _ in embedded])
                frame = (
                    pl.concat(
                        [frames.sentences_frame(c, s) for c, s in embedded if s.sentences],
                        how="vertical_relaxed",
                    )
                    if any(s.sentences for _, s in embedded)
                    else None
                )
                if frame is not None:
                    self._insert("insert_sentence_embeddings", "new_sentence_embeddings", frame)
            if read:
                self._run("delete_sentence_acts_many", call_ids=[c for c, _ in read])
                self._insert(
                    "insert_sentence_acts", "new_sentence_acts", frames.sentence_acts_frame(read)
                )
            self._run("mark_scored_many", call_ids=call_ids)
            self._refresh_standing(call_ids)

    def _write_sentences(self, call_id: str, sentences: SentenceEmbeddings) -> None:
        self._run("delete_sentence_embeddings", call_id=call_id)
        if sentences.sentences:
            frame = frames.sentences_frame(call_id, sentences)
            self._insert("insert_sentence_embeddings", "new_sentence_embeddings", frame)

    def sentence_embeddings(
        self, call_ids: list[str], vectors: bool = True
    ) -> dict[str, SentenceEmbeddings]:
        """The stored sentence embeddings of these calls, in one query (calls without any are
        left out); with ``vectors`` False, the sentences alone (vectors of width 0)."""
        query = "sentence_embeddings_for_calls" if vectors else "sentences_for_calls"
        frame = self.query(query, call_ids=list(call_ids))
        with paused_gc():
            return frames.sentence_embeddings_of(frame)

    def sentence_acts(self, call_ids: list[str], reading_id: str) -> dict[str, SentenceActs]:
        """The act probabilities stored for these calls under ``reading_id`` (see
        ``ActModel.reading_id``), in one query; calls without them are left out."""
        frame = self.query(
            "sentence_acts_for_calls", call_ids=list(call_ids), reading_id=reading_id
        )
        return frames.sentence_acts_of(frame, reading_id)

    def save_override(self, override: Override) -> None:
        """Adds a reviewer's correction, in its own short transaction (a run may be writing
        calls meanwhile: this waits its turn like any open).

        Raises:
            duckdb.ConstraintException: a verdict other than pass, fail or na.
        """
        with self._transaction():
            self._run(
                "insert_override",
                call_id=override.call_id,
                rubric_sha256=override.rubric_sha256,
                item_id=override.item_id,
                verdict=override.verdict,
                reviewer=override.reviewer,
                reason=override.reason,
                created_at=override.created_at,
            )
            self._refresh_standing([override.call_id])

    def _write_rubric(self, score: CallScore) -> None:
        rubric = score.rubric
        self._insert("insert_rubric", "new_rubric", frames.rubric_frame(score))
        self._insert(
            "insert_rubric_bands",
            "new_rubric_bands",
            frames.rubric_bands_frame(rubric.sha256, stored_bands(rubric.source_text)),
        )

    def _write_scores(self, scored: frames.ScoredCalls) -> None:
        """Replaces one rubric's results for these calls (all scored by the same rubric)."""
        sha = scored[0][1].rubric.sha256
        if len(scored) == 1:
            # Equality finds one call's rows by the key's index; a list of ids scans each
            # table (2.5 times the time in a table of 3 million rows, and growing with it).
            self._run("delete_call_score", call_id=scored[0][0], rubric_sha256=sha)
        else:
            call_ids = [call_id for call_id, _ in scored]
            self._run("delete_call_scores_many", call_ids=call_ids, rubric_sha256=sha)
        self._write_rubric(scored[0][1])
        tables = {
            "insert_call_score": ("new_call_score", frames.score_frame),
            "insert_item_results": ("new_item_results", frames.items_frame),
            "insert_evidence": ("new_evidence", frames.evidence_frame),
            "insert_turn_matches": ("new_turn_matches", frames.matches_frame),
        }
        for query, (view, frame_of) in tables.items():
            frame = frame_of(scored)
            if frame.height:
                self._insert(query, view, frame)

    @_one_snapshot
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
            Turn(
                t["turn_index"],
                Speaker(t["speaker"]),
                t["start_s"],
                t["end_s"],
                t["text"],
                t["mean_probability"],
                tuple(words_by_turn.get(t["turn_index"], ())),
            )
            for t in self.query("call_turns", call_id=call_id).iter_rows(named=True)
        )
        meta = frames.meta_of_row(row)
        return Transcript(
            meta,
            row["duration_s"] or 0.0,
            tuple(w for t in turns for w in t.words),
            turns,
            row["engine"] or "",
            row["options_json"] or "{}",
        )

    @_one_snapshot
    def transcripts(self, call_ids: Sequence[str]) -> dict[str, Transcript]:
        """Many stored calls' transcripts in three queries (calls not stored are left out):
        what rescoring and reports use instead of one ``transcript`` call per call."""
        wanted = list(call_ids)
        with paused_gc():
            return frames.transcripts_of(
                self.query("calls_rows_for", call_ids=wanted),
                self.query("turns_for_calls", call_ids=wanted),
                self.query("words_for_calls", call_ids=wanted),
            )

    def stored_call_ids(self) -> list[str]:
        """Calls that have a transcript (scored or transcribed)."""
        return self.query("stored_transcripts")["call_id"].to_list()

    @_one_snapshot
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

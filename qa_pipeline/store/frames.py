"""Records to the polars frames the store inserts: one frame per table, pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import polars as pl

from qa_pipeline.records import (
    CallMeta,
    CallOutcome,
    CallScore,
    Sentence,
    SentenceActs,
    SentenceEmbeddings,
    Speaker,
    Transcript,
    Turn,
    Word,
)

__all__ = [
    "call_frame",
    "failure_frame",
    "meta_of_row",
    "transcripts_of",
    "segments_frame",
    "turns_frame",
    "words_frame",
    "rubric_frame",
    "score_frame",
    "items_frame",
    "evidence_frame",
    "matches_frame",
    "sentences_frame",
    "sentence_embeddings_of",
    "sentence_acts_frame",
    "sentence_acts_of",
]


def call_frame(outcome: CallOutcome) -> pl.DataFrame:
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
        # The time as written, and its zone's offset: DuckDB's timestamp keeps no zone.
        "started_at": meta.started_at.replace(tzinfo=None) if meta.started_at else None,
        "started_at_utc_offset_s": _utc_offset_s(meta.started_at),
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
        "redacted_audio_path": outcome.redacted_audio_path,
    }
    schema = {
        "duration_s": pl.Float64,
        "role_confidence": pl.Float64,
        "needs_review": pl.Boolean,
        "channels": pl.Int32,
        "sample_rate_hz": pl.Int32,
        "started_at_utc_offset_s": pl.Int32,
        "started_at": pl.Datetime("us"),
        "processed_at": pl.Datetime("us"),
    }
    return pl.DataFrame([row], schema_overrides=schema, infer_schema_length=None).with_columns(
        pl.col(c).cast(pl.String) for c in row if c not in schema
    )


def failure_frame(outcome: CallOutcome) -> pl.DataFrame:
    """One failure of a call, for call_failures."""
    row = {
        "call_id": outcome.meta.call_id,
        "content_sha256": outcome.source.sha256,
        "source_path": str(outcome.source.path),
        "error_code": outcome.error_code or "failed",
        "error": outcome.error or "",
        "failed_at": datetime.now(),
    }
    return pl.DataFrame([row], schema_overrides={"failed_at": pl.Datetime("us")})


def meta_of_row(row: dict[str, Any]) -> CallMeta:
    """A stored call's metadata as a CallMeta; started_at gets its zone back when it had one."""
    started_at = row["started_at"]
    offset_s = row.get("started_at_utc_offset_s")
    if started_at is not None and offset_s is not None:
        started_at = started_at.replace(tzinfo=timezone(timedelta(seconds=offset_s)))
    return CallMeta(
        call_id=row["call_id"],
        agent_id=row["agent_id"],
        agent_name=row["agent_name"],
        team=row["team"],
        queue=row["queue"],
        started_at=started_at,
    )


def transcripts_of(
    calls: pl.DataFrame, turns: pl.DataFrame, words: pl.DataFrame
) -> dict[str, Transcript]:
    """Stored calls' transcripts from their rows, turns and words (each ordered by call, then
    by turn or word), built from whole columns in one pass: the bulk loader's hot loop."""
    speakers = {s.value: s for s in Speaker}
    every_word = list(
        map(
            Word,
            *(words[c].to_list() for c in ("start_s", "end_s", "word", "probability")),
            map(speakers.__getitem__, words["speaker"].to_list()),
        )
    )
    # Words come ordered by call and turn: each turn's words, and each call's, are one slice
    # of the list.
    indexed = words.select("call_id", "turn_index").with_row_index("first")
    runs = indexed.group_by("call_id", "turn_index", maintain_order=True).agg(
        pl.col("first").first(), pl.len().alias("count")
    )
    words_of = {
        (call_id, turn): tuple(every_word[first : first + count])
        for call_id, turn, first, count in runs.iter_rows()
    }
    call_words = {
        call_id: tuple(every_word[first : first + count])
        for call_id, first, count in indexed.group_by("call_id", maintain_order=True)
        .agg(pl.col("first").first(), pl.len().alias("count"))
        .iter_rows()
    }
    turns_of: dict[str, list[Turn]] = {}
    for call_id, turn, speaker, start_s, end_s, text, probability in turns.select(
        _TURN_COLUMNS
    ).iter_rows():
        turns_of.setdefault(call_id, []).append(
            Turn(
                turn,
                speakers[speaker],
                start_s,
                end_s,
                text,
                probability,
                words_of.get((call_id, turn), ()),
            )
        )
    out = {}
    for call_id, duration_s, engine, options_json, meta in zip(
        calls["call_id"].to_list(),
        calls["duration_s"].to_list(),
        calls["engine"].to_list(),
        calls["options_json"].to_list(),
        (meta_of_row(r) for r in calls.select(_META_COLUMNS).iter_rows(named=True)),
        strict=True,
    ):
        call_turns = tuple(turns_of.get(call_id, ()))
        out[call_id] = Transcript(
            meta,
            duration_s or 0.0,
            call_words.get(call_id, ()),
            call_turns,
            engine or "",
            options_json or "{}",
        )
    return out


_META_COLUMNS = (
    "call_id",
    "agent_id",
    "agent_name",
    "team",
    "queue",
    "started_at",
    "started_at_utc_offset_s",
)
_TURN_COLUMNS = ("call_id", "turn_index", "speaker", "start_s", "end_s", "text", "mean_probability")


def _utc_offset_s(when: datetime | None) -> int | None:
    offset = when.utcoffset() if when is not None else None
    return None if offset is None else int(offset.total_seconds())


def segments_frame(outcome: CallOutcome) -> pl.DataFrame:
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


def turns_frame(outcome: CallOutcome) -> pl.DataFrame:
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


def words_frame(outcome: CallOutcome) -> pl.DataFrame:
    assert outcome.transcript is not None
    rows = [(turn.index, word) for turn in outcome.transcript.turns for word in turn.words]
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


def rubric_frame(score: CallScore) -> pl.DataFrame:
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


def rubric_bands_frame(sha256: str, bands: Sequence[tuple[str, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "rubric_sha256": [sha256] * len(bands),
            "band": [name for name, _ in bands],
            "min_score": [float(minimum) for _, minimum in bands],
        },
        schema={"rubric_sha256": pl.String, "band": pl.String, "min_score": pl.Float64},
    )


ScoredCalls = Sequence[tuple[str, CallScore]]
"""(call id, one of its scores) pairs: the frames below hold the rows of many calls at once,
as rescoring writes a chunk of calls with one statement per table."""


def score_frame(scored: ScoredCalls) -> pl.DataFrame:
    now = datetime.now()
    return pl.DataFrame(
        {
            "call_id": [c for c, _ in scored],
            "rubric_sha256": [s.rubric.sha256 for _, s in scored],
            "rubric_id": [s.rubric.rubric_id for _, s in scored],
            "rubric_version": [s.rubric.version for _, s in scored],
            "score": [s.score for _, s in scored],
            "band": [s.band for _, s in scored],
            "points_earned": [float(s.points_earned) for _, s in scored],
            "points_possible": [float(s.points_possible) for _, s in scored],
            "critical_failed": [s.critical_failed for _, s in scored],
            "scored_at": [now] * len(scored),
        },
        schema_overrides={"score": pl.Float64, "band": pl.String},
    )


def items_frame(scored: ScoredCalls) -> pl.DataFrame:
    rows = [(c, s.rubric.sha256, n, i) for c, s in scored for n, i in enumerate(s.items)]
    return pl.DataFrame(
        {
            "call_id": [c for c, _, _, _ in rows],
            "rubric_sha256": [sha for _, sha, _, _ in rows],
            "item_id": [i.item_id for _, _, _, i in rows],
            "position": [n for _, _, n, _ in rows],
            "verdict": [i.verdict.value for _, _, _, i in rows],
            "points": [float(i.points) for _, _, _, i in rows],
            "max_points": [float(i.max_points) for _, _, _, i in rows],
            "confidence": [float(i.confidence) for _, _, _, i in rows],
            "critical": [i.critical for _, _, _, i in rows],
            "reason": [i.reason for _, _, _, i in rows],
        },
        schema_overrides={"position": pl.Int32},
    )


def evidence_frame(scored: ScoredCalls) -> pl.DataFrame:
    rows = [
        (c, s.rubric.sha256, item.item_id, n, e)
        for c, s in scored
        for item in s.items
        for n, e in enumerate(item.evidence)
    ]
    return pl.DataFrame(
        {
            "call_id": [r[0] for r in rows],
            "rubric_sha256": [r[1] for r in rows],
            "item_id": [r[2] for r in rows],
            "evidence_index": [r[3] for r in rows],
            "turn_index": [r[4].turn_index for r in rows],
            "speaker": [r[4].speaker.value if r[4].speaker else None for r in rows],
            "start_s": [r[4].start_s for r in rows],
            "end_s": [r[4].end_s for r in rows],
            "text": [r[4].text for r in rows],
            "detector": [r[4].detector for r in rows],
            "act": [r[4].act for r in rows],
            "act_confidence": [r[4].act_confidence for r in rows],
            "sentence_index": [r[4].sentence_index for r in rows],
        },
        schema_overrides={
            "call_id": pl.String,
            "rubric_sha256": pl.String,
            "item_id": pl.String,
            "evidence_index": pl.Int32,
            "turn_index": pl.Int32,
            "speaker": pl.String,
            "start_s": pl.Float64,
            "end_s": pl.Float64,
            "text": pl.String,
            "detector": pl.String,
            "act": pl.String,
            "act_confidence": pl.Float64,
            "sentence_index": pl.Int32,
        },
    )


def sentences_frame(call_id: str, embedded: SentenceEmbeddings) -> pl.DataFrame:
    """A call's sentences and their embeddings, one row per sentence."""
    sentences = embedded.sentences
    return pl.DataFrame(
        {
            "call_id": [call_id] * len(sentences),
            "turn_index": [s.turn_index for s in sentences],
            "sentence_index": [s.sentence_index for s in sentences],
            "speaker": [s.speaker.value for s in sentences],
            "first_word": [s.first_word for s in sentences],
            "end_word": [s.end_word for s in sentences],
            "start_s": [s.start_s for s in sentences],
            "end_s": [s.end_s for s in sentences],
            "text": [s.text for s in sentences],
            "model_id": [embedded.model_id] * len(sentences),
            "embedding": pl.Series(embedded.vectors.astype("float32")).cast(pl.List(pl.Float32)),
            "turn_embedding": pl.Series(_turn_rows(embedded), dtype=pl.List(pl.Float32)),
        },
        schema_overrides={
            "turn_index": pl.Int32,
            "sentence_index": pl.Int32,
            "first_word": pl.Int32,
            "end_word": pl.Int32,
            "start_s": pl.Float64,
            "end_s": pl.Float64,
        },
    )


def _turn_rows(embedded: SentenceEmbeddings) -> list[list[float] | None]:
    """Each turn read whole's embedding on its first sentence's row; None on the others."""
    whole = dict(zip(embedded.turns, embedded.turn_vectors if embedded.turns else (), strict=True))
    rows: list[list[float] | None] = []
    for s in embedded.sentences:
        vector = whole.pop(s.turn_index, None)
        rows.append(None if vector is None else vector.astype(np.float32).tolist())
    return rows


def sentence_embeddings_of(frame: pl.DataFrame) -> dict[str, SentenceEmbeddings]:
    """Stored sentence rows (ordered by call, turn, sentence) back to records, by call id
    (with vectors of width 0 when the frame has no embedding column).

    A call whose sentences come from several models keeps those of the model most of its
    sentences use; the scorer embeds the others again.
    """
    found: dict[str, SentenceEmbeddings] = {}
    if frame.is_empty():
        return found
    if frame["model_id"].n_unique() > 1:
        # Rare (a model changed between runs): keep each call's most used model's rows.
        frame = frame.filter(
            pl.col("model_id") == pl.col("model_id").mode().sort().first().over("call_id")
        )
    # One conversion for the whole frame, then a slice per call (rows are ordered by call).
    # Sentences read without their embeddings (their acts were read before) get none.
    if "embedding" in frame.columns:
        dimensions = len(frame["embedding"][0])
        vectors = frame["embedding"].explode().to_numpy().astype(np.float32, copy=False)
        vectors = vectors.reshape(frame.height, dimensions)
    else:
        vectors = np.zeros((frame.height, 0), dtype=np.float32)
    speakers = {s.value: s for s in Speaker}
    sentences = [
        Sentence(turn, index, speakers[speaker], first, end, start_s, end_s, text)
        for turn, index, speaker, first, end, start_s, end_s, text in frame.select(
            "turn_index",
            "sentence_index",
            "speaker",
            "first_word",
            "end_word",
            "start_s",
            "end_s",
            "text",
        ).iter_rows()
    ]
    runs = (
        frame.select("call_id", "model_id")
        .with_row_index("first")
        .group_by("call_id", maintain_order=True)
        .agg(pl.col("first").first(), pl.len().alias("count"), pl.col("model_id").first())
    )
    whole = _stored_turns(frame)
    for call_id, first, count, model_id in runs.iter_rows():
        turns, turn_vectors = whole.get(str(call_id), ((), None))
        found[str(call_id)] = SentenceEmbeddings(
            str(model_id),
            tuple(sentences[first : first + count]),
            vectors[first : first + count],
            turns,
            turn_vectors,
        )
    return found


def _stored_turns(frame: pl.DataFrame) -> dict[str, tuple[tuple[int, ...], np.ndarray]]:
    """The stored embeddings of turns read whole, by call id: (turns, one row per turn)."""
    if "turn_embedding" not in frame.columns:
        return {}
    rows = frame.select("call_id", "turn_index", "turn_embedding").drop_nulls("turn_embedding")
    if rows.is_empty():
        return {}
    vectors = rows["turn_embedding"].explode().to_numpy().astype(np.float32, copy=False)
    vectors = vectors.reshape(rows.height, -1)
    found: dict[str, tuple[tuple[int, ...], np.ndarray]] = {}
    calls = rows.with_row_index("first").group_by("call_id", maintain_order=True)
    for (call_id,), part in calls:
        first = int(part["first"][0])
        found[str(call_id)] = (
            tuple(part["turn_index"].to_list()),
            vectors[first : first + part.height],
        )
    return found


def matches_frame(scored: ScoredCalls) -> pl.DataFrame:
    rows = []
    for call_id, score in scored:
        # A match's index counts the earlier matches of its turn, item and detector.
        counters: dict[tuple[int, str, str], int] = {}
        for m in score.matches:
            key = (m.turn_index, m.item_id, m.detector)
            index = counters.get(key, 0)
            counters[key] = index + 1
            rows.append((call_id, score.rubric.sha256, index, m))
    return pl.DataFrame(
        {
            "call_id": [r[0] for r in rows],
            "rubric_sha256": [r[1] for r in rows],
            "turn_index": [r[3].turn_index for r in rows],
            "item_id": [r[3].item_id for r in rows],
            "detector": [r[3].detector for r in rows],
            "match_index": [r[2] for r in rows],
            "start_s": [r[3].start_s for r in rows],
            "end_s": [r[3].end_s for r in rows],
            "matched_text": [r[3].matched_text for r in rows],
        },
        schema_overrides={
            "call_id": pl.String,
            "rubric_sha256": pl.String,
            "turn_index": pl.Int32,
            "item_id": pl.String,
            "detector": pl.String,
            "match_index": pl.Int32,
            "start_s": pl.Float64,
            "end_s": pl.Float64,
            "matched_text": pl.String,
        },
    )


def sentence_acts_frame(read: Sequence[tuple[str, SentenceActs]]) -> pl.DataFrame:
    """Calls' act probabilities, one row per call (the matrix flattened row-major)."""
    return pl.DataFrame(
        {
            "call_id": [call_id for call_id, _ in read],
            "reading_id": [acts.reading_id for _, acts in read],
            "acts": [acts.probabilities.shape[1] for _, acts in read],
            "probabilities": pl.Series(
                [acts.probabilities.astype(np.float32).ravel() for _, acts in read],
                dtype=pl.List(pl.Float32),
            ),
        },
        schema_overrides={"acts": pl.Int32},
    )


def sentence_acts_of(frame: pl.DataFrame, reading_id: str) -> dict[str, SentenceActs]:
    """Stored act probabilities (``sentence_acts_frame``'s rows) back to records, by call id."""
    found: dict[str, SentenceActs] = {}
    if frame.is_empty():
        return found
    flat = frame["probabilities"].explode().to_numpy().astype(np.float32, copy=False)
    first = 0
    for call_id, width, n in zip(
        frame["call_id"].to_list(),
        frame["acts"].to_list(),
        frame["probabilities"].list.len().to_list(),
        strict=True,
    ):
        found[str(call_id)] = SentenceActs(reading_id, flat[first : first + n].reshape(-1, width))
        first += n
    return found

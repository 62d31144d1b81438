"""The native importer under hypothesis: whatever the bytes, a transcript or a bad_transcript
error, never another exception; what it accepts keeps every invariant the store relies on.

A bounded fuzz run (max_examples, no deadline) that is part of the normal test run.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_pipeline.errors import CallError
from qa_pipeline.ingest.transcripts.native import read_transcript

_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers()
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**6), 10**6), st.text()
)
segments = st.fixed_dictionaries(
    {
        "speaker": st.sampled_from(["agent", "customer", "bot", ""]),
        "start": numbers,
        "end": numbers,
        "text": st.text(max_size=60),
    }
)
documents = st.fixed_dictionaries(
    {"call_id": st.text(max_size=12), "agent_id": st.text(max_size=6)},
    optional={
        "team": st.text(max_size=8) | st.integers(),
        "started_at": st.sampled_from(["2026-11-20T08:00:00+05:30", "2026-11-20", "later", ""]),
        "segments": st.lists(segments, max_size=6),
    },
)


def _check(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "call.json"
        path.write_bytes(raw)
        try:
            source, transcript = read_transcript(path)
        except CallError as exc:
            assert exc.code == "bad_transcript" and str(path) in str(exc)
            return
    assert transcript.meta.call_id and len(source.sha256) == 64
    assert [t.index for t in transcript.turns] == list(range(len(transcript.turns)))
    starts = [t.start_s for t in transcript.turns]
    assert starts == sorted(starts)
    for turn in transcript.turns:
        assert turn.text and turn.words and 0 <= turn.start_s <= turn.end_s
        assert all(math.isfinite(w.start_s) and math.isfinite(w.end_s) for w in turn.words)
        assert all(
            turn.start_s - 1e-6 <= w.start_s <= w.end_s <= turn.end_s + 1e-6 for w in turn.words
        )


@_SETTINGS
@given(documents)
def test_documents_near_the_format(doc) -> None:
    _check(json.dumps(doc).encode())


@_SETTINGS
@given(json_values)
def test_any_json(value) -> None:
    _check(json.dumps(value).encode())


@_SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes(raw) -> None:
    _check(raw)

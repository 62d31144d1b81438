"""The vendor readers under hypothesis: each real example with one value anywhere replaced by
any JSON value is read, or refused with a bad_transcript error, never another exception (so a
bad file fails alone and the batch goes on); what is read keeps the invariants."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_pipeline.batch.imports import transcript_of
from qa_pipeline.errors import CallError
from qa_pipeline.ingest.transcripts.registry import ImportFormat, read_call
from qa_pipeline.records import CallMeta
from tests.support.paths import ROOT

FIXTURES = sorted((ROOT / "tests" / "fixtures" / "transcripts").rglob("*.json"))
DOCS = {path.name: json.loads(path.read_text()) for path in FIXTURES}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(-(10**12), 10**12)
    | st.just(10**400)
    | st.text(max_size=12)
    | st.sampled_from(["-1", "NaN", "1e400", "ch_7", "spk_0", "punctuation", "AGENT", "SYSTEM"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc[:4]):
            found += _paths(value, (*prefix, index))
    return found


def _replace(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    changed = copy.deepcopy(doc)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(DOCS)),
    data=st.data(),
    value=json_values,
    fmt=st.sampled_from(list(ImportFormat)),
    delete=st.booleans(),
)
def test_any_one_change_is_read_or_refused(
    name: str, data: st.DataObject, value: Any, fmt: ImportFormat, delete: bool
) -> None:
    doc = DOCS[name]
    path = data.draw(st.sampled_from(_paths(doc)))
    changed = _replace(doc, path, value)
    if delete and path and isinstance(changed, dict | list):
        parent = changed
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "call.json"
        file.write_text(json.dumps(changed))
        try:
            imported = read_call(file, fmt)
            if imported.parsed is None:
                return
            transcript, *_ = transcript_of(imported, CallMeta(call_id="c"))
        except CallError as exc:
            assert "\n" not in str(exc) and "Fix:" in str(exc)
            return
    assert transcript.words and all(0 <= w.start_s <= w.end_s for w in transcript.words)
    assert all(0 <= w.probability <= 1 for w in transcript.words)
    assert sum(len(t.words) for t in transcript.turns) == len(transcript.words)

"""Nothing lost, nothing swapped: unique call ids, bounded retries, every failure on record,
stored metadata kept, counts that add up, and old stores upgraded in place."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from qa_pipeline.batch.plan import plan_batch
from qa_pipeline.batch.process import failed_call, outcome_of_transcript
from qa_pipeline.batch.run import import_transcripts
from qa_pipeline.errors import CallError, InputError
from qa_pipeline.ingest.discover import file_sha256, find_files
from qa_pipeline.ingest.manifest import load_manifest
from qa_pipeline.ingest.transcripts.native import read_transcript
from qa_pipeline.records import CallMeta, CallSource, Status
from qa_pipeline.store import Store
from tests.support.paths import SAMPLES

TRUTH = SAMPLES / "truth" / "call_01_good_billing.json"
OLD_SCHEMA = Path(__file__).parent / "data" / "schema_0_1_0.sql"


def _audio(path: Path, content: bytes = b"RIFF fake audio") -> Path:
    """A file with an audio suffix: planning hashes bytes and never decodes them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def _stored(store: Store, call_id: str, path: Path, team: str | None = None, started=None):
    """Stores a transcribed call under ``call_id`` from ``path``'s bytes."""
    _, transcript = read_transcript(TRUTH)
    meta = CallMeta(call_id, agent_id="A1", team=team, started_at=started)
    source = CallSource(path, file_sha256(path), "audio")
    store.save(outcome_of_transcript(source, replace(transcript, meta=meta), None, None))


def _fail(store: Store, call_id: str, path: Path, sha256: str | None = None) -> None:
    source = CallSource(path, sha256 or file_sha256(path), "audio")
    error = CallError("no_speech", path, "no speech was recognised.", "check the file.")
    store.save(failed_call(source, CallMeta(call_id), error))


def test_default_ids_are_the_path_below_the_input_folder(tmp_path: Path) -> None:
    _audio(tmp_path / "in" / "day1" / "c1.wav", b"one")
    _audio(tmp_path / "in" / "day2" / "c1.wav", b"two")
    _audio(tmp_path / "in" / "c2.mp3", b"three")
    found = find_files([tmp_path / "in"])
    assert sorted(call_id for _, call_id in found.files) == ["c2", "day1/c1", "day2/c1"]
    with Store(tmp_path / "qa.duckdb") as store:
        plan = plan_batch([tmp_path / "in"], store)
    assert sorted(j.meta.call_id for j in plan.jobs) == ["c2", "day1/c1", "day2/c1"]


def test_two_recordings_under_one_id_are_refused_naming_both(tmp_path: Path) -> None:
    wav = _audio(tmp_path / "in" / "x.wav", b"one")
    flac = _audio(tmp_path / "in" / "x.flac", b"two")
    with Store(tmp_path / "qa.duckdb") as store, pytest.raises(InputError) as caught:
        plan_batch([tmp_path / "in"], store)
    assert str(wav) in str(caught.value) and str(flac) in str(caught.value)
    # A manifest that gives one file name in two folders to one call is refused the same way.
    _audio(tmp_path / "m" / "day1" / "c1.wav", b"a")
    _audio(tmp_path / "m" / "day2" / "c1.wav", b"b")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("call_id,file,team\ncall-9,c1.wav,sales\n")
    with Store(tmp_path / "qa.duckdb") as store, pytest.raises(InputError) as caught:
        plan_batch([tmp_path / "m"], store, load_manifest(manifest))
    message = str(caught.value)
    assert "call-9" in message and "day1/c1.wav" in message and "day2/c1.wav" in message


def test_two_import_files_with_one_call_id_are_refused_before_anything_is_stored(
    tmp_path: Path,
) -> None:
    doc = json.loads(TRUTH.read_text())
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(doc))
    (folder / "b.json").write_text(json.dumps({**doc, "team": "other"}))
    db = tmp_path / "qa.duckdb"
    with Store(db) as store, pytest.raises(InputError, match="a.json"):
        import_transcripts([folder], store)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from calls").fetchone()[0] == 0


def test_a_stored_call_is_replaced_by_another_recording_only_with_force(tmp_path: Path) -> None:
    first = _audio(tmp_path / "a" / "c1.wav", b"first")
    other = _audio(tmp_path / "b" / "c1.wav", b"second")
    with Store(tmp_path / "qa.duckdb") as store:
        _stored(store, "c1", first)
        plan = plan_batch([other], store)
        assert not plan.jobs and "stored from another recording" in plan.skipped["c1"]
        assert str(first) in plan.skipped["c1"]
        assert [j.path for j in plan_batch([other], store, force=True).jobs] == [other]
        # The same file with new bytes is the same recording, changed: processed again.
        first.write_bytes(b"first, re-exported")
        assert [j.path for j in plan_batch([first], store).jobs] == [first]


def test_every_failure_is_kept_and_retries_are_bounded(tmp_path: Path) -> None:
    path = _audio(tmp_path / "in" / "c1.wav", b"v1")
    db = tmp_path / "qa.duckdb"
    with Store(db) as store:
        _stored(store, "c1", path)
        path.write_bytes(b"v2, now broken")
        for attempt in range(1, 4):
            assert [j.meta.call_id for j in plan_batch([path], store).jobs] == ["c1"], attempt
            _fail(store, "c1", path)
        plan = plan_batch([path], store)
        assert not plan.jobs and "failed 3 times" in plan.skipped["c1"]
        assert "no_speech" in plan.skipped["c1"]
        assert len(plan_batch([path], store, retry_failed=True).jobs) == 1
        assert len(plan_batch([path], store, max_attempts=4).jobs) == 1
        path.write_bytes(b"v3, fixed")
        assert len(plan_batch([path], store).jobs) == 1  # new bytes: tried anew
        assert store.state("c1").status is Status.TRANSCRIBED  # the earlier rows stayed
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select error_code from call_failures where call_id = 'c1'").fetchall()
    assert rows == [("no_speech",)] * 3


def test_a_changed_file_keeps_its_stored_metadata_and_time_zone(tmp_path: Path) -> None:
    path = _audio(tmp_path / "in" / "c1.wav", b"v1")
    started = datetime(2026, 11, 20, 9, 15, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    with Store(tmp_path / "qa.duckdb") as store:
        _stored(store, "c1", path, team="billing", started=started)
        meta = store.meta("c1")
        assert meta.started_at == started and meta.started_at.utcoffset() == started.utcoffset()
        assert store.transcript("c1").meta.started_at.isoformat() == "2026-11-20T09:15:00+05:30"
        path.write_bytes(b"v2")
        (job,) = plan_batch([tmp_path / "in"], store).jobs
    assert (job.meta.agent_id, job.meta.team, job.meta.started_at) == ("A1", "billing", started)


def test_the_import_counts_add_up(tmp_path: Path) -> None:
    doc = json.loads(TRUTH.read_text())
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps(doc))
    (folder / "copy.json").write_text(json.dumps({**doc, "call_id": "copy"}))
    (folder / "broken.json").write_text("{not json")
    (folder / "gone.json").symlink_to(tmp_path / "nowhere.json")
    with Store(tmp_path / "qa.duckdb") as store:
        first = import_transcripts([folder], store)
        again = import_transcripts([folder], store)
    for report in (first, again):
        assert report.found == 4 and report.unaccounted() == 0, report
    assert "broken symlink" in first.skipped[str(folder / "gone.json")]
    assert set(first.failed) == {"broken"}


def test_a_store_written_before_call_failures_is_upgraded_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(OLD_SCHEMA.read_text())
        con.execute(
            "insert into calls (call_id, source_kind, source_path, content_sha256, status, "
            "error_code, error, started_at, processed_at) values ('old', 'audio', 'old.wav', "
            "repeat('a', 64), 'failed', 'silent', 'old.wav: all silence', "
            "'2026-11-01 08:00:00', now())"
        )
    with Store(db) as store:
        assert store.failures("old", "a" * 64) == (1, "silent")  # the old failure counts
        assert store.meta("old").started_at == datetime(2026, 11, 1, 8, 0)
        path = _audio(tmp_path / "old.wav", b"bytes")
        _fail(store, "old", path)
    with Store(db) as store:  # opening again changes nothing more
        assert store.failures("old", "a" * 64) == (1, "silent")


def test_links_and_unreadable_folders_are_reported_not_passed_over(tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    from tests.support.paths import ROOT

    _audio(tmp_path / "in" / "a.wav", b"a")
    (tmp_path / "in" / "gone.wav").symlink_to(tmp_path / "nowhere.wav")
    (tmp_path / "in" / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    locked = tmp_path / "in" / "locked"
    _audio(locked / "b.wav", b"b")
    locked.chmod(0)
    code = (
        "import sys; from pathlib import Path; from qa_pipeline.ingest.discover import find_files\n"
        "found = find_files([Path(sys.argv[1])])\n"
        "print([c for _, c in found.files]); print(sorted((p.name, r) for p, r in found.skipped))"
    )
    # As root every folder is readable: list it as a process without that power.
    prefix = []
    if os.geteuid() == 0 and shutil.which("setpriv"):
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    done = subprocess.run(
        [*prefix, sys.executable, "-c", code, str(tmp_path / "in")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    locked.chmod(0o755)
    files, skipped = done.stdout.splitlines()
    assert files == "['a']", done.stderr
    assert "('gone.wav', 'skipped: broken symlink to" in skipped
    assert "('elsewhere', 'skipped: symlink to a folder" in skipped
    if prefix or os.geteuid() != 0:
        assert "('locked', 'skipped: folder cannot be read (permission denied)')" in skipped

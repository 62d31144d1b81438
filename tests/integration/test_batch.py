"""Batches: bad calls fail alone, reruns skip, --force replaces, failures never clobber."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np

from qa_pipeline.batch.options import PipelineOptions
from qa_pipeline.batch.run import run_batch
from qa_pipeline.ingest.options import AudioOptions
from qa_pipeline.records import Status
from qa_pipeline.store import Store
from tests.support.audio_files import write_audio, write_video_only
from tests.support.paths import SAMPLES

GOOD = "call_02_rude_greeting"


def _counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            table: con.execute(f"select count(*) from {table}").fetchone()[0]
            for table in ("calls", "turns", "words")
        }


def _folder_with_bad_calls(tmp: Path) -> Path:
    folder = tmp / "calls"
    folder.mkdir()
    shutil.copy(SAMPLES / f"{GOOD}.wav", folder)
    rate = 8000
    (folder / "garbage.wav").write_bytes(b"this is not audio at all" * 50)
    (folder / "empty.mp3").write_bytes(b"")
    write_video_only(folder / "video.m4a")
    write_audio(folder / "silent.flac", np.zeros((2, rate * 4)), rate)
    write_audio(folder / "mono.ogg", 0.2 * np.random.default_rng(1).normal(size=rate * 3), rate)
    long_noise = 0.1 * np.random.default_rng(2).normal(size=(2, rate * 40))
    write_audio(folder / "long.wav", long_noise, rate)
    return folder


def test_bad_calls_fail_alone_and_say_why(tmp_path: Path, transcriber) -> None:
    folder = _folder_with_bad_calls(tmp_path)
    db = tmp_path / "qa.duckdb"
    options = PipelineOptions(audio=AudioOptions(max_duration_s=30.0))
    with Store(db) as store:
        report = run_batch([folder], store, options=options, transcriber=transcriber)
    assert report.found == 7
    assert report.stored[GOOD] is Status.TRANSCRIBED
    with duckdb.connect(str(db), read_only=True) as con:
        codes = dict(
            con.execute("select call_id, error_code from calls where status = 'failed'").fetchall()
        )
        errors = dict(con.execute("select call_id, error from calls").fetchall())
        assert con.execute("select count(*) from turns where call_id = ?", [GOOD]).fetchone()[0]
    assert codes == {
        "garbage": "unreadable",
        "empty": "empty",
        "video": "no_audio_stream",
        "silent": "silent",
        "long": "too_long",
        # mono noise goes through the diariser's path and is found to hold no speech
        "mono": "no_speech",
    }
    for call_id in codes:
        assert call_id in errors[call_id] and "Fix:" in errors[call_id]
    assert set(report.failed) == set(codes)


def test_rerun_skips_unchanged_and_force_replaces(tmp_path: Path, transcriber) -> None:
    db = tmp_path / "qa.duckdb"
    path = SAMPLES / f"{GOOD}.wav"
    with Store(db) as store:
        first = run_batch([path], store, transcriber=transcriber)
    before = _counts(db)
    with Store(db) as store:
        again = run_batch([path], store, transcriber=transcriber)
    assert first.stored == {GOOD: Status.TRANSCRIBED}
    assert again.stored == {} and GOOD in again.skipped
    assert _counts(db) == before

    # The same bytes under another name are the same call: not counted twice.
    copy = tmp_path / "copy_of_call.wav"
    shutil.copy(path, copy)
    with Store(db) as store:
        twin = run_batch([copy], store, transcriber=transcriber)
    assert "copy_of_call" in twin.skipped and GOOD in twin.skipped["copy_of_call"]
    assert _counts(db) == before

    with Store(db) as store:
        forced = run_batch(
            [path], store, options=PipelineOptions(force=True), transcriber=transcriber
        )
    assert forced.stored == {GOOD: Status.TRANSCRIBED}
    assert _counts(db) == before  # replaced, not added


def test_a_changed_file_is_reprocessed_and_a_failure_keeps_the_old_rows(
    tmp_path: Path, transcriber
) -> None:
    db = tmp_path / "qa.duckdb"
    path = tmp_path / f"{GOOD}.wav"
    shutil.copy(SAMPLES / f"{GOOD}.wav", path)
    with Store(db) as store:
        run_batch([path], store, transcriber=transcriber)
    before = _counts(db)
    # The recording is overwritten by a corrupt copy: it is seen as changed and retried, fails,
    # and the turns already stored for the call survive.
    path.write_bytes(b"corrupted" * 100)
    with Store(db) as store:
        report = run_batch([path], store, transcriber=transcriber)
    assert GOOD in report.failed
    assert _counts(db) == before
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select status from calls").fetchone()[0] == "transcribed"


def test_a_call_past_its_budget_fails_as_timeout_and_the_batch_goes_on(
    tmp_path: Path, transcriber
) -> None:
    from qa_pipeline.batch.budget import CallBudget
    from qa_pipeline.scoring.engine import scorer_for
    from tests.support.audio_files import read_wav

    folder = tmp_path / "calls"
    folder.mkdir()
    data, rate_hz = read_wav(SAMPLES / f"{GOOD}.wav")
    # Two short calls (8 s), so the budget below stays short.
    write_audio(folder / "a_hangs.wav", data[:, : 8 * rate_hz], rate_hz)
    write_audio(folder / "b_fine.wav", data[:, rate_hz : 9 * rate_hz], rate_hz)
    rubric = scorer_for(None)

    def scorer(transcript):  # hangs on the first call, as a backtracking regex used to
        while transcript.meta.call_id == "a_hangs":
            pass
        return rubric(transcript)

    # 4 s plus 1 s per second of audio (12 s): ample for tiny.en, not for a hang.
    options = PipelineOptions(call_budget=CallBudget(base_s=4.0, per_audio_s=1.0))
    with Store(tmp_path / "qa.duckdb") as store:
        report = run_batch([folder], store, options=options, scorer=scorer, transcriber=transcriber)
        assert store.state("a_hangs").status is Status.FAILED
    assert "timeout" in report.failed["a_hangs"] and "--call-timeout-s" in report.failed["a_hangs"]
    assert report.stored["b_fine"] is Status.SCORED, report.failed

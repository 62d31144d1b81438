"""`qa-pipeline import` on vendor transcripts, run as a user runs it: a real process, its exit
code, and one line per bad file naming the file, the format and the field (no traceback)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "transcripts"
DIARISED = FIXTURES / "aws_transcribe" / "example_diarization.json"
CHANNELS = FIXTURES / "aws_transcribe" / "example_channel_id.json"
GOOD = {
    "aws-transcribe": "aws_transcribe/example_channel_id.json",
    "contact-lens": "contact_lens/example_contact_lens_postcall.json",
    "deepgram": "deepgram/example_diarize_utterances_trimmed.json",
    "azure": "azure/example_ingestion_test_diarized.json",
    "whisperx": "whisperx/example_diarized_constructed.json",
}


def qa(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa_pipeline", *args],
        cwd=cwd,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )


def failure_line(result: subprocess.CompletedProcess, call_id: str) -> str:
    lines = [line for line in result.stdout.splitlines() if f"failed {call_id}:" in line]
    assert len(lines) == 1, result.stdout
    return lines[0]


def _diarised() -> dict:
    return json.loads(DIARISED.read_text())


def _bad_files() -> dict[str, tuple[dict, list[str]]]:
    """File stem -> (document, what its one error line must say)."""
    no_labels = _diarised()
    del no_labels["results"]["speaker_labels"]
    backwards = _diarised()
    backwards["results"]["items"][1]["start_time"] = "4.0"  # before items[0] at 4.87
    negative = _diarised()
    negative["results"]["items"][0]["start_time"] = "-1.5"
    one_speaker = _diarised()
    for item in one_speaker["results"]["items"]:
        item["speaker_label"] = "spk_0"
    contact_lens = json.loads((FIXTURES / GOOD["contact-lens"]).read_text())
    contact_lens["Transcript"][0]["ParticipantId"] = "SUPERVISOR"
    azure = json.loads((FIXTURES / GOOD["azure"]).read_text())
    azure["recognizedPhrases"][1]["nBest"][0]["words"][0]["durationInTicks"] = -5
    return {
        "no_labels": (
            no_labels,
            ["aws-transcribe file", "results.speaker_labels / results.channel_labels"],
        ),
        "backwards": (backwards, ["aws-transcribe file", "results.items[1]", "out of order"]),
        "negative": (negative, ["results.items[0].start_time", "negative time"]),
        "one_speaker": (one_speaker, ["only 'spk_0' has words", "cannot be decided"]),
        "unknown_participant": (
            contact_lens,
            ["contact-lens file", "Transcript[0].ParticipantId", "cannot be decided"],
        ),
        "azure_negative": (
            azure,
            ["azure file", "recognizedPhrases[1].nBest[0].words[0].durationInTicks"],
        ),
        "not_a_transcript": ({"hello": "world"}, ["auto file", "matches none of the formats"]),
    }


def test_auto_import_names_each_files_format_and_stores_them(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for fmt, name in GOOD.items():
        target = inbox / fmt / Path(name).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / name, target)
    done = qa("import", str(inbox), "--db", str(tmp_path / "qa.duckdb"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 found, 5 imported" in done.stdout
    for fmt, name in GOOD.items():
        call_id = f"{fmt}/{Path(name).stem}"  # the path below the input folder
        assert f"{call_id}: recognised as {fmt}" in done.stdout
    # Two people on a NASA loop, no agent among them: the detector cannot be sure, and says so.
    unsure = "who is the agent is unsure: flagged for review"
    assert f"deepgram/example_diarize_utterances_trimmed: recognised as deepgram, {unsure}" in (
        done.stdout
    )
    assert "whisperx/example_diarized_constructed: recognised as whisperx\n" in done.stdout
    shown = qa(
        "show",
        "whisperx/example_diarized_constructed",
        "--json",
        "--db",
        str(tmp_path / "qa.duckdb"),
        cwd=tmp_path,
    )
    turns = json.loads(shown.stdout)["turns"]
    assert turns[0]["speaker"] == "agent" and turns[0]["text"].startswith("Thanks for calling")
    assert turns[1]["speaker"] == "customer"


def test_agent_channel_option_decides_the_agent(tmp_path: Path) -> None:
    db = str(tmp_path / "qa.duckdb")
    done = qa(
        "import",
        str(CHANNELS),
        "--format",
        "aws-transcribe",
        "--agent-channel",
        "1",
        "--db",
        db,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "example_channel_id: read as aws-transcribe" in done.stdout
    shown = json.loads(qa("show", "example_channel_id", "--json", "--db", db, cwd=tmp_path).stdout)
    by_speaker = {t["speaker"]: t["text"] for t in shown["turns"]}
    assert by_speaker == {
        "customer": "I've been on hold for an hour.",
        "agent": "Sorry about that.",
    }


def test_bad_files_fail_alone_each_with_one_line(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    cases = _bad_files()
    for stem, (doc, _) in cases.items():
        (inbox / f"{stem}.json").write_text(json.dumps(doc))
    nan = _diarised()
    nan["results"]["items"][0]["end_time"] = float("nan")
    (inbox / "nan.json").write_text(json.dumps(nan))  # written as the bare NaN JSON lacks
    shutil.copy(FIXTURES / GOOD["whisperx"], inbox / "good.json")
    done = qa("import", str(inbox), "--db", str(tmp_path / "qa.duckdb"), cwd=tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr  # some calls failed, batch finished
    assert "Traceback" not in done.stdout + done.stderr
    assert f"{len(cases) + 2} found, 1 imported" in done.stdout
    for stem, (_, expected) in cases.items():
        line = failure_line(done, stem)
        assert str(inbox / f"{stem}.json") in line and "Fix:" in line
        for text in expected:
            assert text in line, line
    nan_line = failure_line(done, "nan")
    assert "aws-transcribe file, field results.items[0].end_time" in nan_line
    assert "finite" in nan_line


def test_a_file_forced_with_the_wrong_format(tmp_path: Path) -> None:
    deepgram = FIXTURES / GOOD["deepgram"]
    done = qa(
        "import",
        str(deepgram),
        "--format",
        "aws-transcribe",
        "--db",
        str(tmp_path / "q.duckdb"),
        cwd=tmp_path,
    )
    assert done.returncode == 3
    line = failure_line(done, deepgram.stem)
    assert "aws-transcribe file, field results.channels" in line
    assert "shaped like deepgram" in line and "use --format deepgram" in line


def test_an_unknown_format_stops_before_any_file(tmp_path: Path) -> None:
    db = tmp_path / "q.duckdb"
    done = qa("import", str(DIARISED), "--format", "vtt", "--db", str(db), cwd=tmp_path)
    assert done.returncode == 2 and not db.exists()
    assert "--format 'vtt' is not a format" in done.stderr and "Fix:" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_two_files_with_one_call_id_are_refused_before_anything_is_stored(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "a").mkdir(parents=True)
    (inbox / "b").mkdir()
    truth = ROOT / "samples" / "truth" / "call_01_good_billing.json"
    shutil.copy(truth, inbox / "a" / "x.json")
    shutil.copy(truth, inbox / "b" / "y.json")  # the same call_id inside
    db = tmp_path / "q.duckdb"
    done = qa("import", str(inbox), "--db", str(db), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert str(inbox / "a" / "x.json") in done.stderr and str(inbox / "b" / "y.json") in done.stderr
    assert "Traceback" not in done.stderr


def test_export_command(tmp_path: Path) -> None:
    db = str(tmp_path / "qa.duckdb")
    qa(
        "import",
        str(FIXTURES / GOOD["whisperx"]),
        str(FIXTURES / GOOD["azure"]),
        "--db",
        db,
        cwd=tmp_path,
    )
    done = qa(
        "export", "--format", "parquet", "--out", str(tmp_path / "out"), "--db", db, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "calls: 2 rows" in done.stdout and "item_results: 10 rows" in done.stdout
    assert len(list((tmp_path / "out" / "calls").glob("month=*/*.parquet"))) == 1
    bad = qa(
        "export", "--since", "last week", "--out", str(tmp_path / "o2"), "--db", db, cwd=tmp_path
    )
    assert bad.returncode == 2 and "--since 'last week' is not a date" in bad.stderr
    assert "Traceback" not in bad.stderr and not (tmp_path / "o2").exists()

"""Bad input, as a user or an adversary gives it: each case runs the real ``qa-pipeline`` command
in a subprocess and must end with the documented exit code, a message naming the file or
option and the fix, no traceback, no raw ``[Errno N]``, and the store prepared before unchanged.

To add a case, add a row to CASES: a name, a function that makes the input in a temporary
folder and returns the command's arguments, the exit code, and a fragment of the message.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from tests.support.paths import LABELLED, ROOT, SAMPLES

TRUTH = SAMPLES / "truth" / "call_01_good_billing.json"
PREPARED = "call_01_good_billing"


@dataclass(frozen=True)
class Case:
    """One bad input.

    Attributes:
        make: builds the input under the folder it is given (the store is ``qa.duckdb`` there)
            and returns the command's arguments.
        code: the exit code: 1 a rubric check or a run that failed, 2 unusable input,
            3 some calls failed (each stored with its reason), 0 handled without complaint.
        says: fragments the output (stdout and stderr) must hold.
        adds_calls: the case stores calls by design (a bad file in an import is stored as
            failed; a full disk stops an import after some calls); the calls stored before
            must still be unchanged.
        limit_file_bytes: run the command with this file-size limit (a full disk).
        drop_root: run without root's power to read and write any file (a read-only place).
    """

    make: Callable[[Path], list[str]]
    code: int
    says: tuple[str, ...]
    adds_calls: bool = False
    limit_file_bytes: int | None = None
    drop_root: bool = False
    env: dict[str, str] = field(default_factory=dict)


def _json(tmp: Path, name: str, text: str) -> Path:
    path = tmp / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def _doc(**changes: object) -> dict:
    return {**json.loads(TRUTH.read_text()), **changes}


def _with_segment(**changes: object) -> str:
    doc = _doc(call_id="bad-1")
    doc["segments"] = [{**doc["segments"][0], **changes}]
    return json.dumps(doc)


def _with_regex(rubric: str, regex: str) -> str:
    """The rubric with its first regex replaced (the test fails if it has none)."""
    changed = re.sub(r'regex: ".*"', lambda _: f"regex: {regex}", rubric, count=1)
    assert changed != rubric, "the default rubric has no regex to replace"
    return changed


def _rubric(tmp: Path, text: str | bytes, name: str = "rubric.yaml") -> Path:
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


DEFAULT_RUBRIC = (ROOT / "rubrics" / "default.yaml").read_text()
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def _import(tmp: Path, name: str, text: str) -> list[str]:
    return ["import", str(_json(tmp, name, text)), "--db", str(tmp / "qa.duckdb")]


def _read_only_db(tmp: Path) -> list[str]:
    folder = tmp / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    return ["import", str(TRUTH), "--db", str(folder / "qa.duckdb")]


def _manifest_import(tmp: Path, manifest_text: str) -> list[str]:
    manifest = tmp / "manifest.csv"
    manifest.write_text(manifest_text, encoding="utf-8")
    doc = _json(tmp, "m1.json", json.dumps(_doc(call_id="m1", team=None)))
    return ["import", str(doc), "--manifest", str(manifest), "--db", str(tmp / "qa.duckdb")]


def _audio_batch(tmp: Path) -> list[str]:
    """Recordings a nightly folder really gets: unreadable, not audio, too quiet, cut short, a
    duplicate, a broken symlink, and a manifest row with no recording."""
    import numpy as np

    from tests.support.audio_files import read_wav, write_audio

    folder = tmp / "calls"
    folder.mkdir()
    data, rate_hz = read_wav(SAMPLES / "call_02_rude_greeting.wav")
    good = write_audio(folder / "good.wav", data[:, : 6 * rate_hz], rate_hz)
    shutil.copy(good, folder / "copy_of_good.wav")
    locked = write_audio(folder / "locked.wav", data[:, rate_hz : 4 * rate_hz], rate_hz)
    locked.chmod(0)
    quiet = data[:, : 4 * rate_hz] / np.abs(data[:, : 4 * rate_hz]).max() * 10 ** (-61 / 20)
    write_audio(folder / "quiet.flac", quiet, rate_hz)
    whole = write_audio(tmp / "whole.flac", data[:, : 8 * rate_hz], rate_hz).read_bytes()
    (folder / "cut.flac").write_bytes(whole[: len(whole) * 7 // 10])
    (folder / "gone.wav").symlink_to(tmp / "nowhere.wav")
    (folder / "garbage.wav").write_bytes(b"this is not audio" * 50)
    manifest = tmp / "manifest.csv"
    manifest.write_text("call_id,file,team\ngood,good.wav,[sales]\nlost,lost.wav,x\n")
    return ["run", str(folder), "--manifest", str(manifest), "--db", str(tmp / "qa.duckdb")]


def _two_recordings(tmp: Path) -> list[str]:
    folder = tmp / "calls"
    folder.mkdir()
    shutil.copy(SAMPLES / "call_02_rude_greeting.wav", folder / "x.wav")
    (folder / "x.flac").write_bytes(b"fLaC another recording")
    return ["run", str(folder), "--db", str(tmp / "qa.duckdb")]


def _brackets(tmp: Path) -> list[str]:
    doc = _doc(call_id="[red]x[/]", team="[bold]t[/bold]", started_at="2026-11-20T09:15:00+05:30")
    doc["segments"][0]["text"] = "hello \x1b[2J\x1b]0;pwned\x07 there [/]"
    _json(tmp, "brackets.json", json.dumps(doc))
    return ["import", str(tmp / "in"), "--db", str(tmp / "qa.duckdb")]


CASES: dict[str, Case] = {
    # Import JSON
    "NaN in import JSON": Case(
        lambda t: _import(t, "nan.json", _with_segment(start=float("nan"))),
        3,
        ("nan.json", "NaN", "Fix:"),
        adds_calls=True,
    ),
    "Infinity in import JSON": Case(
        lambda t: _import(t, "inf.json", _with_segment(end=float("inf"))),
        3,
        ("Infinity",),
        adds_calls=True,
    ),
    "import JSON nested 200,000 deep": Case(
        lambda t: _import(t, "deep.json", "[" * 200_000 + "]" * 200_000),
        3,
        ("nested too deeply",),
        adds_calls=True,
    ),
    # Rubrics
    "non-finite rubric weight (check)": Case(
        lambda t: ["rubric", "check", str(_rubric(t, DEFAULT_RUBRIC.replace("15", ".nan", 1)))],
        1,
        ("item greeting.weight", "positive number"),
    ),
    "non-finite rubric weight (rescore)": Case(
        lambda t: [
            "rescore",
            "--rubric",
            str(_rubric(t, DEFAULT_RUBRIC.replace("15", ".inf", 1))),
            "--db",
            str(t / "qa.duckdb"),
        ],
        2,
        ("item greeting.weight",),
    ),
    "weighed term with a word for its weight (rescore)": Case(
        lambda t: [
            "rescore",
            "--rubric",
            str(_rubric(t, DEFAULT_RUBRIC.replace("weight: 3.06", "weight: high", 1))),
            "--db",
            str(t / "qa.duckdb"),
        ],
        2,
        ("item apology.applies_when.weighed[0].weight", "must be a number"),
    ),
    "non-UTF-8 rubric": Case(
        lambda t: ["rubric", "check", str(_rubric(t, "id: caf\xe9\n".encode("latin-1")))],
        1,
        ("not UTF-8",),
    ),
    "YAML alias bomb rubric": Case(
        lambda t: ["rubric", "check", str(_rubric(t, ALIAS_BOMB + "id: *i\n"))],
        1,
        ("aliases",),
    ),
    "rubric nested 3,000 deep": Case(
        lambda t: ["rubric", "check", str(_rubric(t, "id: " + "[" * 3000 + "]" * 3000))],
        1,
        ("levels deep",),
    ),
    "rubric regex that would backtrack for ever is fine on RE2": Case(
        lambda t: [
            "rubric",
            "check",
            str(_rubric(t, DEFAULT_RUBRIC.replace('"[a-z]{2,}"', '"(\\\\w+\\\\s?)*$"'))),
        ],
        0,
        ("is valid",),
    ),
    "rubric regex with lookbehind": Case(
        lambda t: [
            "rubric",
            "check",
            str(_rubric(t, _with_regex(DEFAULT_RUBRIC, '"(?<!x)ab"'))),
        ],
        1,
        ("RE2", "lookbehind"),
    ),
    "rubric given as a folder": Case(lambda t: ["rubric", "check", str(t)], 1, ("is a folder",)),
    # --db
    "--db is a text file": Case(
        lambda t: (
            (t / "notes.txt").write_text("hello\n")
            and ["import", str(TRUTH), "--db", str(t / "notes.txt")]
        ),
        2,
        ("notes.txt", "not a DuckDB database"),
    ),
    "--db is an empty file": Case(
        lambda t: (
            (t / "empty.duckdb").touch() or ["import", str(TRUTH), "--db", str(t / "empty.duckdb")]
        ),
        2,
        ("empty.duckdb", "an empty file", "delete it"),
    ),
    "--db is a folder": Case(lambda t: ["import", str(TRUTH), "--db", str(t)], 2, ("is a folder",)),
    "--db in a missing folder": Case(
        lambda t: ["import", str(TRUTH), "--db", str(t / "nope" / "qa.duckdb")],
        2,
        ("does not exist",),
    ),
    "--db in a read-only place": Case(_read_only_db, 2, ("permission denied",), drop_root=True),
    "--db on a full disk (file-size limit)": Case(
        lambda t: ["import", str(LABELLED / "json"), "--db", str(t / "qa.duckdb")],
        1,
        ("could not be written", "file too large", "intact"),
        adds_calls=True,
        limit_file_bytes=100_000,
    ),
    "show with --db a text file": Case(
        lambda t: (t / "n.txt").write_text("x") and ["show", PREPARED, "--db", str(t / "n.txt")],
        2,
        ("not a DuckDB database",),
    ),
    # Options
    "--max-duration-s -5": Case(
        lambda t: ["run", str(SAMPLES), "--max-duration-s", "-5", "--db", str(t / "qa.duckdb")],
        2,
        ("--max-duration-s", "greater than 0"),
    ),
    "--model that does not exist": Case(
        lambda t: ["run", str(SAMPLES), "--model", "no-such-model", "--db", str(t / "qa.duckdb")],
        2,
        ("--model no-such-model", "Fix:"),
    ),
    "--model folder without a model": Case(
        lambda t: ["run", str(SAMPLES), "--model", str(t), "--db", str(t / "qa.duckdb")],
        2,
        ("model.bin",),
    ),
    "serve with a bad --cron": Case(
        lambda t: ["serve", str(SAMPLES), "--cron", "61 2 * * *", "--db", str(t / "qa.duckdb")],
        2,
        ("--cron", "not a cron expression"),
    ),
    "serve with a bad --timezone": Case(
        lambda t: ["serve", str(SAMPLES), "--timezone", "Mars/Base", "--db", str(t / "qa.duckdb")],
        2,
        ("--timezone", "IANA"),
    ),
    "serve with a bad QA_PIPELINE_PYANNOTE": Case(
        lambda t: ["serve", str(SAMPLES), "--db", str(t / "qa.duckdb")],
        2,
        ("pyannote",),
        env={"QA_PIPELINE_PYANNOTE": "/no/such/pipeline"},
    ),
    "serve with a missing inbox": Case(
        lambda t: ["serve", str(t / "no-inbox"), "--db", str(t / "qa.duckdb")],
        2,
        ("no-inbox",),
    ),
    # Manifests
    "manifest field holding U+2028": Case(
        lambda t: _manifest_import(t, 'call_id,team\nm1,"north\u2028south"\n'),
        0,
        ("1 found, 1 imported",),
    ),
    "manifest field over 128 KB": Case(
        lambda t: _manifest_import(t, "call_id,team\nm1," + "x" * 140_000 + "\n"),
        2,
        ("manifest.csv", "line 2", "131072"),
    ),
    "manifest given as a folder": Case(
        lambda t: ["import", str(TRUTH), "--manifest", str(t), "--db", str(t / "qa.duckdb")],
        2,
        ("is a folder",),
    ),
    # Two recordings, one call id
    "two recordings with one default id (x.wav, x.flac)": Case(
        lambda t: _two_recordings(t), 2, ("call id 'x' is given to both", "x.flac", "x.wav")
    ),
    "two import files with one call_id": Case(
        lambda t: (
            _json(t, "a.json", TRUTH.read_text())
            and _json(t, "b.json", json.dumps(_doc(team="sales")))
            and ["import", str(t / "in"), "--db", str(t / "qa.duckdb")]
        ),
        2,
        ("is given to both", "a.json", "b.json"),
    ),
    # Printing user data
    "square brackets and terminal controls in ids, teams and text": Case(
        _brackets, 0, ("[red]x[/]",)
    ),
    # A nightly folder's worth of bad recordings, in one run
    "unreadable, too quiet, cut short, duplicate, symlink, unmatched manifest row": Case(
        _audio_batch,
        3,
        (
            "permission denied",
            "not a readable audio file",
            "too quiet",
            "-61 dBFS",
            "cut short",
            "same content as call",
            "broken symlink",
            "'lost': no recording",
        ),
        adds_calls=True,
        drop_root=True,
    ),
}


def _snapshot(db: Path) -> tuple:
    """What the prepared store holds: its calls (id, status, hash, team) and row counts."""
    with duckdb.connect(str(db), read_only=True) as con:
        calls = con.execute(
            "select call_id, status, content_sha256, team from calls order by call_id"
        ).fetchall()
        turns = con.execute("select count(*) from turns").fetchone()[0]
        scores = con.execute("select count(*) from call_scores").fetchone()[0]
    return calls, turns, scores


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A store holding one imported call, copied into each case's folder."""
    folder = tmp_path_factory.mktemp("prepared")
    done = _qa(["import", str(TRUTH), "--db", str(folder / "qa.duckdb")], folder)
    assert done.returncode == 0, done.stderr
    return folder / "qa.duckdb"


def _qa(args: list[str], cwd: Path, case: Case | None = None) -> subprocess.CompletedProcess:
    prefix: list[str] = []
    if case and case.drop_root and os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("root without setpriv cannot be refused a file")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    limit = case.limit_file_bytes if case else None

    def limit_files() -> None:
        if limit is not None:
            # A write past the limit fails with EFBIG, as a full disk fails with ENOSPC.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **(case.env if case else {})}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "qa_pipeline", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=limit_files,
    )


_RUN_COUNTS = re.compile(
    r"(\d+) found, (\d+) skipped, (\d+) scored, (\d+) transcribed only, "
    r"(\d+) need diarisation, (\d+) failed"
)
_IMPORT_COUNTS = re.compile(
    r"(\d+) found, (\d+) imported, (\d+) skipped, (\d+) need diarisation, (\d+) failed"
)


def _assert_counts_add_up(stdout: str) -> None:
    """found = skipped + stored + failed, in every summary a command prints."""
    for pattern in (_RUN_COUNTS, _IMPORT_COUNTS):
        for match in pattern.finditer(stdout):
            found, *parts = (int(n) for n in match.groups())
            assert found == sum(parts), match.group(0)


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name: str, tmp_path: Path, prepared: Path) -> None:
    case = CASES[name]
    db = tmp_path / "qa.duckdb"
    shutil.copy(prepared, db)
    before = _snapshot(db)
    result = _qa(case.make(tmp_path), tmp_path, case)
    output = result.stdout + result.stderr
    assert result.returncode == case.code, output
    for fragment in case.says:
        assert fragment in output, (fragment, output)
    assert "Traceback" not in output and "[Errno" not in output, output
    _assert_counts_add_up(result.stdout)
    if case.code == 2:
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, result.stderr  # one error line (problems may follow, listed)
    after = _snapshot(db)
    if case.adds_calls:
        assert set(before[0]) <= set(after[0]), "a call stored before changed"
    elif case.code != 0:
        assert after == before, "the store changed"


def test_show_prints_user_data_literally_and_keeps_the_zone(tmp_path: Path) -> None:
    """After the brackets case's import: show's text has the id, team and text as written,
    no escape sequence, and the start with its UTC offset."""
    db = tmp_path / "qa.duckdb"
    assert _qa(_brackets(tmp_path), tmp_path).returncode == 0
    shown = _qa(["show", "[red]x[/]", "--db", str(db)], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "Call [red]x[/]" in shown.stdout and "team: [bold]t[/bold]" in shown.stdout
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
    assert "hello" in shown.stdout and "there [/]" in shown.stdout
    assert "2026-11-20T09:15:00+05:30" in shown.stdout
    doc = json.loads(_qa(["show", "[red]x[/]", "--db", str(db), "--json"], tmp_path).stdout)
    assert doc["team"] == "[bold]t[/bold]" and doc["started_at"] == "2026-11-20T09:15:00+05:30"


def test_a_really_full_disk_stops_with_one_line_and_earlier_calls_intact(
    tmp_path: Path, prepared: Path
) -> None:
    """The database on a small tmpfs filled to the brim (the file-size-limit case above
    simulates this where mounting is not allowed)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here; the RLIMIT_FSIZE case stands in for it")
    try:
        db = disk / "qa.duckdb"
        shutil.copy(prepared, db)
        before = _snapshot(db)
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * (free - 4096))
        result = _qa(["import", str(LABELLED / "json"), "--db", str(db)], tmp_path)
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert "no space left on device" in output and "intact" in output, output
        assert "Traceback" not in output and "[Errno" not in output and "leaked" not in output
        (disk / "filler").unlink()
        assert set(before[0]) <= set(_snapshot(db)[0])  # what was stored is still there
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)

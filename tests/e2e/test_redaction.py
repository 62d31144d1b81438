"""After `qa-pipeline import` of calls in which a card number, its security code, an e-mail
address and a date of birth are said, no table of the DuckDB file (every text column of every
table), no `show` output and no export holds them, and the greeting still passes with the
agent's name."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb

CARD = "4539148803436467"
SPOKEN = "four five three nine one four eight eight oh three four three six four six seven"
WORD_DIGITS = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
SECRETS = ("john dot smith", "example dot com", "fourteenth of february")

NATIVE = {
    "call_id": "c-pay",
    "agent_id": "A7",
    "agent_name": "Sarah",
    "segments": [
        {"speaker": "agent", "start": 0.0, "end": 4.0,
         "text": "Thank you for calling Acme, my name is Sarah, how can I help you today?"},
        {"speaker": "customer", "start": 4.5, "end": 7.0,
         "text": "Hi, I'd like to pay my bill by card please."},
        {"speaker": "agent", "start": 7.5, "end": 9.0,
         "text": "Of course, can I take the long card number?"},
        {"speaker": "customer", "start": 9.5, "end": 16.0, "text": SPOKEN},
        {"speaker": "agent", "start": 16.5, "end": 20.0,
         "text": "So that's 4539 1488 0343 6467, and the security code on the back?"},
        {"speaker": "customer", "start": 20.5, "end": 22.0, "text": "seven three seven"},
        {"speaker": "agent", "start": 22.5, "end": 24.0,
         "text": "Thanks. And your email and date of birth for the receipt?"},
        {"speaker": "customer", "start": 24.5, "end": 30.0,
         "text": "john dot smith at example dot com, born the fourteenth of february 1979"},
        {"speaker": "agent", "start": 30.5, "end": 33.0,
         "text": "Thank you. Is there anything else? Have a great day, goodbye."},
    ],
}  # fmt: skip


def _whisperx() -> dict:
    """A diarised WhisperX file: the role detector picks the agent from these words."""
    lines = [
        ("SPEAKER_00", "Thanks for calling Acme, my name is Dana, how can I help?"),
        ("SPEAKER_01", "Hi, I'm calling to pay by card."),
        ("SPEAKER_00", "Can I take the card number please?"),
        ("SPEAKER_01", "Yes it's 4539 1488 0343 6467."),
        ("SPEAKER_00", "Is there anything else? Have a good day."),
    ]
    segments, t = [], 0.0
    for speaker, text in lines:
        words = []
        for token in text.split():
            words.append(
                {"word": token, "start": t, "end": t + 0.3, "score": 0.9, "speaker": speaker}
            )
            t += 0.4
        segments.append(
            {"start": words[0]["start"], "end": words[-1]["end"], "text": text,
             "speaker": speaker, "words": words}
        )  # fmt: skip
        t += 0.6
    return {"segments": segments}


def qa(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa_pipeline", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def leaks(value: str) -> list[str]:
    """What of the call's secrets ``value`` still holds: the card's digits however they were
    written (numerals, digit words, split by anything), the e-mail, the birth date."""
    lowered = value.lower()
    as_digits = re.sub(r"[a-z]+", lambda m: WORD_DIGITS.get(m.group(0), " "), lowered)
    found = [CARD] if CARD in re.sub(r"\D", "", as_digits) else []
    return found + [s for s in SECRETS if s in lowered]


def test_nothing_stored_shown_or_exported_holds_the_card_or_personal_data(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "c-pay.json").write_text(json.dumps(NATIVE))
    (inbox / "c-wx.json").write_text(json.dumps(_whisperx()))
    db = tmp_path / "qa.duckdb"
    assert leaks(json.dumps(NATIVE)) and leaks(json.dumps(_whisperx()))  # the check bites

    imported = qa("import", str(inbox), "--db", str(db), cwd=tmp_path)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "2 imported" in imported.stdout

    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' order by table_name, column_name"
        ).fetchall()
        tables = {t for t, _ in columns}
        assert {"calls", "turns", "words", "evidence", "turn_matches", "item_results"} <= tables
        scanned = 0
        for table, column in columns:
            for (value,) in con.execute(f'select "{column}" from "{table}"').fetchall():
                if value is not None:
                    scanned += 1
                    assert not leaks(value), (table, column, value)
        assert scanned > 100
        customer_turns = con.execute(
            "select text from turns where call_id = 'c-pay' and speaker = 'customer' "
            "order by turn_index"
        ).fetchall()
        assert [t for (t,) in customer_turns][1:] == ["[CARD]", "[CVV]", "[EMAIL], born the [DOB]"]
        greeting = con.execute(
            "select call_id, verdict from item_results where item_id = 'greeting' order by 1"
        ).fetchall()
        assert greeting == [("c-pay", "pass"), ("c-wx", "pass")]
        role_method = con.execute("select role_method from calls where call_id = 'c-wx'").fetchone()
        assert role_method == ("phrases",)
    finally:
        con.close()

    for call_id in ("c-pay", "c-wx"):
        for extra in ([], ["--json"]):
            shown = qa("show", call_id, "--db", str(db), *extra, cwd=tmp_path)
            assert shown.returncode == 0, shown.stderr
            assert not leaks(shown.stdout), shown.stdout
            assert "[CARD]" in shown.stdout
    shown = qa("show", "c-pay", "--db", str(db), cwd=tmp_path).stdout
    assert "my name is Sarah" in shown

    for fmt in ("csv", "json"):
        out = tmp_path / f"export-{fmt}"
        exported = qa("export", "--out", str(out), "--format", fmt, "--db", str(db), cwd=tmp_path)
        assert exported.returncode == 0, exported.stderr
        files = sorted(out.iterdir())
        assert files
        for path in files:
            assert not leaks(path.read_text()), path


def test_an_unknown_entity_is_refused_in_one_line_before_anything_is_stored(
    tmp_path: Path,
) -> None:
    (tmp_path / "c-pay.json").write_text(json.dumps(NATIVE))
    db = tmp_path / "qa.duckdb"
    refused = qa("import", "c-pay.json", "--db", str(db), "--redact", "CARD,CARDS", cwd=tmp_path)
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "--redact" in lines[0] and "'CARDS'" in lines[0], refused.stderr
    assert "Traceback" not in refused.stderr
    assert not db.exists()
    kept = qa(
        "import", "c-pay.json", "--db", str(db), cwd=tmp_path, env={"QA_PIPELINE_REDACT": "off"}
    )
    assert kept.returncode == 0, kept.stderr
    shown = qa("show", "c-pay", "--db", str(db), cwd=tmp_path).stdout
    assert SPOKEN in shown  # redaction off, by the deployment's setting

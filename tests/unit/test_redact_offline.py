"""Redaction never reaches for the network: Presidio runs on a blank spaCy pipeline, nothing is
downloaded. Checked in a fresh process whose sockets refuse (and record) every connection and
name lookup, with the hubs told to stay offline, and again in a network namespace with no
network at all where the machine allows one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.support.paths import ROOT

pytestmark = pytest.mark.slow  # starts Python processes that load Presidio and spaCy

SCRIPT = r"""
import json, socket

attempts = []

def refuse(*args, **kwargs):
    attempts.append(repr(args[1:] if args and isinstance(args[0], socket.socket) else args))
    raise OSError("network refused by the test")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
socket.gethostbyname = refuse

import sys
from qa_pipeline.records import Speaker, Word
from qa_pipeline.redact.words import redact_words

text = ("my card number is four five three nine one four eight eight oh three four three six "
        "four six seven and my email is john dot smith at example dot com")
words = [Word(n * 0.4, n * 0.4 + 0.3, t, 0.9, Speaker.CUSTOMER) for n, t in enumerate(text.split())]
out = " ".join(w.text for w in redact_words(words))
models = [m for m in sys.modules if m.startswith(("en_core_web", "xx_ent_wiki"))]
print(json.dumps({"attempts": attempts, "out": out, "models": models}))
"""

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "SPACY_WARNING_IGNORE": "",
    "NO_PROXY": "*",
}


def _run(prefix: list[str]) -> dict:
    env = {**os.environ, **OFFLINE_ENV}
    result = subprocess.run(
        [*prefix, sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _check(report: dict) -> None:
    assert report["attempts"] == []
    assert report["models"] == []
    assert report["out"] == "my card number is [CARD] and my email is [EMAIL]"


def test_redaction_works_with_every_connection_refused() -> None:
    _check(_run([]))


def test_redaction_works_without_a_network() -> None:
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-rn", "true"]).returncode != 0:
        pytest.skip("this machine does not allow a network namespace")
    _check(_run([unshare, "-rn"]))

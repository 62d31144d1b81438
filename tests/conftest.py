"""Shared fixtures: the real model (loaded once), the sample calls, and a store they were
scored into once per test session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa_pipeline.manifest import load_manifest
from qa_pipeline.pipeline import BatchReport, run_batch
from qa_pipeline.store import Store
from qa_pipeline.transcribe import Transcriber, TranscribeOptions

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def transcriber() -> Transcriber:
    """The real tiny.en model, offline, loaded once for the whole session."""
    return Transcriber(TranscribeOptions())


@pytest.fixture(scope="session")
def sample_truth() -> dict[str, dict]:
    """Ground truth of each sample call, written by samples/make_samples.py from its script."""
    return {p.stem: json.loads(p.read_text()) for p in sorted((SAMPLES / "truth").glob("*.json"))}


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory, transcriber) -> tuple[Path, BatchReport]:
    """The sample calls transcribed into a fresh store, once per session."""
    db = tmp_path_factory.mktemp("samples") / "qa.duckdb"
    with Store(db) as store:
        report = run_batch(
            [SAMPLES], store, load_manifest(SAMPLES / "manifest.csv"), transcriber=transcriber
        )
    return db, report


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect API for the flow tests (the real server, on a throwaway database)."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield

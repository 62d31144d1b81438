"""Shared fixtures: the real model (loaded once), the sample calls, and a store they were
scored into once per test session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa_pipeline.batch.run import BatchReport, run_batch
from qa_pipeline.ingest.manifest import load_manifest
from qa_pipeline.speech.transcribe import TranscribeOptions, Transcriber
from qa_pipeline.store import Store
from tests.support.paths import SAMPLES

_FOLDER_MARKS = {"unit": ("unit",), "integration": ("integration", "slow"), "e2e": ("e2e", "slow")}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks each test by its folder (unit, integration, e2e); the last two are slow."""
    for item in items:
        folder = item.path.parent.name
        for mark in _FOLDER_MARKS.get(folder, ()):
            item.add_marker(mark)


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

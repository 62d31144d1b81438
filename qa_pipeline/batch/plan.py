"""Plan: which recordings of a batch need processing, and why the others are skipped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qa_pipeline.ingest.discover import UNREADABLE_SHA256, discover, sha256_or_unreadable
from qa_pipeline.ingest.manifest import Manifest, load_manifest
from qa_pipeline.records import CallMeta
from qa_pipeline.store import Store

__all__ = ["CallJob", "Plan", "plan_batch", "plan_inputs", "skip_reason"]


@dataclass(frozen=True)
class CallJob:
    """One recording to process: where it is, what is known of it, and its content hash."""

    path: Path
    meta: CallMeta
    sha256: str


@dataclass(frozen=True)
class Plan:
    """The recordings of a batch that need processing, and those skipped with the reason."""

    found: int
    jobs: tuple[CallJob, ...]
    skipped: dict[str, str]


def plan_batch(
    paths: Sequence[Path], store: Store, manifest: Manifest = Manifest(), force: bool = False
) -> Plan:
    """Finds the recordings and decides which need processing.

    A call is skipped when it is stored and done from the same bytes, or when the same bytes
    are stored (or planned earlier in this batch) under another call id: so a batch run twice,
    or a recording dropped in twice, is never counted twice. Calls that failed are retried.

    Raises:
        FileNotFoundError: a path that does not exist.
    """
    files = discover(paths)
    jobs: list[CallJob] = []
    skipped: dict[str, str] = {}
    planned: dict[str, str] = {}  # sha256 -> call id planned in this batch
    for path in files:
        meta = manifest.meta_for(path)
        sha256 = sha256_or_unreadable(path)
        reason = skip_reason(store, meta.call_id, sha256, force)
        if reason is None and sha256 in planned and not force:
            reason = f"same content as call {planned[sha256]}, earlier in this batch"
        if reason:
            skipped[meta.call_id] = reason
            continue
        if sha256 != UNREADABLE_SHA256:
            planned[sha256] = meta.call_id
        jobs.append(CallJob(path, meta, sha256))
    return Plan(len(files), tuple(jobs), skipped)


def plan_inputs(
    paths: Sequence[Path], store: Store, manifest: str | None = None, force: bool = False
) -> Plan:
    """plan_batch with the manifest given by its path (None for no manifest).

    Raises:
        InputError: the manifest is unusable.
        FileNotFoundError: a path that does not exist.
    """
    return plan_batch(paths, store, load_manifest(Path(manifest) if manifest else None), force)


def skip_reason(store: Store, call_id: str, sha256: str, force: bool) -> str | None:
    """Why a call need not be processed again, or None when it must be."""
    if force:
        return None
    state = store.state(call_id)
    if state is not None and state.done and state.sha256 == sha256:
        return "unchanged since it was last processed"
    twin = store.duplicate_of(call_id, sha256)
    if twin is not None:
        return f"same content as call {twin}, already stored"
    return None

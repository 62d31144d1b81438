"""Plan: which recordings of a batch need processing, and why the others are skipped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qa_pipeline.batch.options import DEFAULT_MAX_ATTEMPTS
from qa_pipeline.errors import InputError
from qa_pipeline.ingest.discover import (
    UNREADABLE_SHA256,
    Found,
    find_files,
    sha256_or_unreadable,
)
from qa_pipeline.ingest.manifest import Manifest, load_manifest
from qa_pipeline.records import CallMeta
from qa_pipeline.store import Store

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "UNCHANGED",
    "CallJob",
    "Plan",
    "assign_ids",
    "check_unique_ids",
    "plan_batch",
    "plan_inputs",
    "skip_reason",
]


UNCHANGED = "unchanged since it was last processed"
"""The skip reason of a call stored from the same bytes: the usual case, not worth listing."""


@dataclass(frozen=True)
class CallJob:
    """One recording to process: where it is, what is known of it, and its content hash."""

    path: Path
    meta: CallMeta
    sha256: str


@dataclass(frozen=True)
class Plan:
    """The recordings of a batch that need processing, and those skipped with the reason.

    Attributes:
        found: every file found, skipped or not: found = skipped + processed.
        notes: things the operator should know that skip no file (manifest rows that matched
            no recording).
    """

    found: int
    jobs: tuple[CallJob, ...]
    skipped: dict[str, str]
    notes: tuple[str, ...] = ()


def plan_batch(
    paths: Sequence[Path],
    store: Store,
    manifest: Manifest = Manifest(),
    force: bool = False,
    retry_failed: bool = False,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Plan:
    """Finds the recordings and decides which need processing.

    A call is skipped when it is stored and done from the same bytes; when the same bytes are
    stored (or planned earlier in this batch) under another call id, so a recording dropped
    in twice is never counted twice; when its id is stored from another recording (only
    ``force`` replaces it); and when it failed ``max_attempts`` times from the same bytes
    (``retry_failed`` tries again). A call the manifest does not list keeps the agent, team
    and start time stored for it.

    Raises:
        FileNotFoundError: a path that does not exist.
        InputError: two recordings map to one call id.
    """
    found = find_files(paths)
    assigned = assign_ids(found, manifest)
    jobs: list[CallJob] = []
    skipped = {str(path): reason for path, reason in found.skipped}
    planned: dict[str, str] = {}  # sha256 -> call id planned in this batch
    for path, meta in assigned:
        sha256 = sha256_or_unreadable(path)
        reason = skip_reason(store, meta.call_id, sha256, force, path, retry_failed, max_attempts)
        if reason is None and sha256 in planned and not force:
            reason = f"same content as call {planned[sha256]}, earlier in this batch"
        if reason:
            skipped[meta.call_id] = reason
            continue
        if sha256 != UNREADABLE_SHA256:
            planned[sha256] = meta.call_id
        if manifest.row_for(meta.call_id) is None:
            meta = store.meta(meta.call_id) or meta
        jobs.append(CallJob(path, meta, sha256))
    notes = tuple(manifest.unmatched({meta.call_id for _, meta in assigned}))
    return Plan(len(found.files) + len(found.skipped), tuple(jobs), skipped, notes)


def plan_inputs(
    paths: Sequence[Path],
    store: Store,
    manifest: str | None = None,
    force: bool = False,
    retry_failed: bool = False,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Plan:
    """plan_batch with the manifest given by its path (None for no manifest).

    Raises:
        InputError: the manifest is unusable, or two recordings map to one call id.
        FileNotFoundError: a path that does not exist.
    """
    loaded = load_manifest(Path(manifest) if manifest else None)
    return plan_batch(paths, store, loaded, force, retry_failed, max_attempts)


def assign_ids(found: Found, manifest: Manifest) -> list[tuple[Path, CallMeta]]:
    """Each file found with its call's metadata (the manifest's, else its default id).

    Raises:
        InputError: two different recordings map to one call id.
    """
    assigned = [(path, manifest.meta_for(path, default_id)) for path, default_id in found.files]
    check_unique_ids([(path, meta.call_id) for path, meta in assigned], manifest.path)
    return assigned


def check_unique_ids(ids: Sequence[tuple[Path, str]], manifest: Path | None = None) -> None:
    """Refuses a batch in which two different files map to one call id: one would silently
    replace the other on every run.

    Raises:
        InputError: naming each id and both files.
    """
    first: dict[str, Path] = {}
    problems = []
    where = manifest
    for path, call_id in ids:
        other = first.setdefault(call_id, path)
        if other != path:
            problems.append(f"call id {call_id!r} is given to both {other} and {path}")
            where = where or other
    if problems:
        fix = (
            "give each recording its own call_id in the manifest"
            if manifest
            else "rename one of the files (without a manifest a call's id is its path below "
            "the input folder, without extension), or list the calls in a --manifest"
        )
        raise InputError(where or Path("."), problems, fix + ".")


def skip_reason(
    store: Store,
    call_id: str,
    sha256: str,
    force: bool,
    path: Path | None = None,
    retry_failed: bool = False,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> str | None:
    """Why a call need not (or must not, without ``force``) be processed, or None when it
    must be."""
    if force:
        return None
    state = store.state(call_id)
    if state is not None and state.done and state.sha256 == sha256:
        return UNCHANGED
    if (
        state is not None
        and path is not None
        and state.sha256 != sha256
        and not _same_file(state.source_path, path)
    ):
        return (
            f"call id {call_id!r} is stored from another recording ({state.source_path}); "
            "--force replaces it"
        )
    if not retry_failed:
        failures, last_code = store.failures(call_id, sha256)
        if failures >= max_attempts:
            return (
                f"failed {failures} times from these bytes (last: {last_code}); "
                "--retry-failed tries again, and a changed file is tried anew"
            )
    twin = store.duplicate_of(call_id, sha256)
    if twin is not None:
        return f"same content as call {twin}, already stored"
    return None


def _same_file(stored: str, path: Path) -> bool:
    return stored == str(path) or Path(stored).resolve() == path.resolve()

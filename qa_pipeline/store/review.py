"""What the review app reads and writes: a page of the calls list, one call with its
reviewers' history, calibration pairs, and the app's users and cookie key (sql/review.sql).

Every query is a named, parameterised one; the app never builds SQL from a request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import polars as pl

from qa_pipeline.store.db import CallDetail, Store

__all__ = [
    "CallReview",
    "CallsFilter",
    "Choices",
    "ListSort",
    "add_user",
    "call_review",
    "calls_page",
    "choices",
    "machine_human",
    "password_hash",
    "reviewer_pairs",
    "session_secret",
    "user_count",
]


class ListSort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    LOWEST = "lowest"
    HIGHEST = "highest"


@dataclass(frozen=True)
class CallsFilter:
    """Which calls the list shows, in what order, and which page (from 0)."""

    agent_id: str | None = None
    team: str | None = None
    since: date | None = None
    until: date | None = None
    band: str | None = None
    item_id: str | None = None
    needs_review: bool = False
    sort: ListSort = ListSort.NEWEST
    offset: int = 0
    limit: int = 50

    def where(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "team": self.team,
            "since": self.since,
            "until": self.until,
            "band": self.band,
            "item_id": self.item_id,
            "needs_review": self.needs_review,
        }


@dataclass(frozen=True)
class Choices:
    """The values the list's filters offer."""

    teams: list[str]
    agents: list[str]
    bands: list[str]
    items: list[str]


@dataclass(frozen=True)
class CallReview:
    """One call as the call page shows it."""

    detail: CallDetail
    standing: dict[str, Any] | None
    segments: pl.DataFrame
    history: pl.DataFrame


def calls_page(store: Store, wanted: CallsFilter) -> tuple[pl.DataFrame, int]:
    """One page of the list and how many calls match in all, in one snapshot."""
    with store.snapshot():
        page = store.query(
            "review_calls",
            **wanted.where(),
            sort=str(wanted.sort),
            limit=wanted.limit,
            offset=wanted.offset,
        )
        total = store.query("review_calls_count", **wanted.where())["calls"][0]
    return page, int(total)


def choices(store: Store) -> Choices:
    frame = store.query("review_choices")

    def of(kind: str) -> list[str]:
        return frame.filter(pl.col("kind") == kind)["value"].to_list()

    return Choices(of("team"), of("agent"), of("band"), of("item"))


def call_review(store: Store, call_id: str) -> CallReview | None:
    """The call, its standing score, speaker segments and every reviewer verdict, or None."""
    with store.snapshot():
        detail = store.detail(call_id)
        if detail is None:
            return None
        standing = store.query("review_standing", call_id=call_id)
        return CallReview(
            detail=detail,
            standing=None if standing.is_empty() else standing.row(0, named=True),
            segments=store.query("call_segments", call_id=call_id),
            history=store.query("review_call_overrides", call_id=call_id),
        )


def machine_human(store: Store, since: date | None, until: date | None) -> pl.DataFrame:
    """Each reviewed item's newest human verdict beside the machine's."""
    return store.query("review_machine_human", since=since, until=until)


def reviewer_pairs(store: Store, since: date | None, until: date | None) -> pl.DataFrame:
    """Items two reviewers judged on the same call, with both verdicts."""
    return store.query("review_reviewer_pairs", since=since, until=until)


def add_user(store: Store, username: str, password_hash: str) -> None:
    """Adds a reviewer, or replaces their password hash."""
    store.write(
        "review_add_user",
        username=username,
        password_hash=password_hash,
        created_at=datetime.now(),
    )


def password_hash(store: Store, username: str) -> str | None:
    found = store.query("review_user", username=username)
    return None if found.is_empty() else str(found["password_hash"][0])


def user_count(store: Store) -> int:
    return int(store.query("review_user_count")["users"][0])


def session_secret(store: Store) -> str:
    """The store's cookie-signing key, made on first use."""
    with store.snapshot():
        store.write("make_review_secret", secret=secrets.token_urlsafe(48))
        return str(store.query("review_secret")["secret"][0])

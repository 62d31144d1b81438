"""Redaction: card numbers and personal data out of a call's words before anything is built
from them or stored (Presidio, offline, with recognisers for speech)."""

from qa_pipeline.redact.options import Entity, RedactOptions
from qa_pipeline.redact.words import (
    RedactedSpan,
    redact_transcript,
    redact_words,
    redacted_spans,
    with_options,
)

__all__ = [
    "Entity",
    "RedactOptions",
    "RedactedSpan",
    "redact_transcript",
    "redact_words",
    "redacted_spans",
    "with_options",
]

"""Redaction: card numbers and personal data out of a call's words before anything is built
from them or stored (Presidio, offline, with recognisers for speech).

``qa_pipeline.redact.words`` does the work (it loads Presidio and spaCy: import it where the
work is done); this package's top level holds only the options, which are light.
"""

from qa_pipeline.redact.options import Entity, RedactOptions

__all__ = ["Entity", "RedactOptions"]

"""How the review app runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["ReviewOptions"]


@dataclass(frozen=True)
class ReviewOptions:
    """Options of ``qa-pipeline review``.

    Attributes:
        db: the store.
        host: address to listen on; anything but loopback needs login (users in the store).
        port: TCP port.
        reviewer: the name overrides are stored under when nobody logs in (loopback only).
        page_size: calls per page of the list.
        session_max_age_s: how long a login lasts.
        secure_cookies: send the session cookie over HTTPS only (behind a TLS proxy).
    """

    db: Path
    host: str = "127.0.0.1"
    port: int = 8000
    reviewer: str = "reviewer"
    page_size: int = 50
    session_max_age_s: int = 8 * 3600
    secure_cookies: bool = False

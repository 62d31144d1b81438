"""Who may use the review app: loopback alone without login; anywhere else only with users
whose passwords are argon2id hashes in the store. Sessions are signed cookies (Starlette's
SessionMiddleware, keyed by a secret kept in the store); every form carries a CSRF token tied
to the session. Pure apart from hashing."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import MutableMapping
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = [
    "CSRF_FIELD",
    "check_csrf",
    "csrf_token",
    "hash_password",
    "is_loopback",
    "valid_username",
    "verify_password",
]

CSRF_FIELD = "csrf_token"
_HASHER = PasswordHasher()  # argon2id with the library's recommended cost
# Checked against when the user does not exist, so a wrong name costs as long as a wrong
# password and response times do not tell which names exist.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; False for a wrong one, an unknown user or a bad hash."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def valid_username(name: str) -> bool:
    """Letters, digits and ``._-@``, 1 to 64 characters (names appear in stored overrides)."""
    return 0 < len(name) <= 64 and all(c.isalnum() or c in "._-@" for c in name)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses: only this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, made on first use."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def check_csrf(session: MutableMapping[str, Any], sent: str | None) -> bool:
    expected = session.get(CSRF_FIELD)
    return isinstance(expected, str) and sent is not None and hmac.compare_digest(expected, sent)

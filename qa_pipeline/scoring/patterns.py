"""Rubric regular expressions on RE2: matching time is linear in the text, whatever the pattern.

Python's ``re`` backtracks: a pattern such as ``(\\w+\\s?)*$`` takes exponential time on a turn
that almost matches, and scoring never returns. RE2 has no backtracking, so it also has no
backreferences or lookaround; a rubric using them is refused at ``rubric check`` with the fix.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import re2

__all__ = ["AnyPattern", "Pattern", "PatternError", "compile_pattern"]

_MAX_PROGRAM_BYTES = 8 << 20
"""RE2's memory budget per pattern: huge counted repeats (``a{1000}{1000}``) are refused."""


class PatternError(ValueError):
    """A rubric pattern RE2 cannot run; the message says why and how to rewrite it."""


class Match(Protocol):
    def span(self) -> tuple[int, int]: ...


class Pattern(Protocol):
    """What the detectors use of a compiled pattern (RE2's and ``re``'s alike)."""

    def search(self, text: str) -> Match | None: ...

    def finditer(self, text: str) -> object: ...


def compile_pattern(pattern: str) -> Pattern:
    """Compiles a rubric pattern for RE2.

    Raises:
        PatternError: a syntax error, or a feature RE2 leaves out (backreferences, lookahead,
            lookbehind), with how to rewrite it.
    """
    options = re2.Options()
    options.log_errors = False  # the error comes back as PatternError, not on stderr
    options.max_mem = _MAX_PROGRAM_BYTES
    try:
        return _Re2Pattern(re2.compile(pattern, options), re2.compile(pattern.encode(), options))
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        hint = ""
        if "perl operator" in reason or "escape sequence" in reason:
            hint = (
                " (rubric patterns run on RE2, in linear time: no lookahead, lookbehind or "
                "backreferences; use \\b, or an exclude pattern, instead)"
            )
        raise PatternError(f"{reason}{hint}") from None


class _Re2Pattern:
    """A rubric pattern compiled for text and for its UTF-8 bytes. RE2's Python wrapper maps
    every match between character and byte offsets; on ASCII text (most turns) the two are
    the same, and matching the bytes costs half as much. Spans are character offsets either
    way; only ``span()`` and truthiness are read from a match."""

    __slots__ = ("_bytes", "_text")

    def __init__(self, text: Pattern, as_bytes: Any) -> None:
        self._text = text
        self._bytes = as_bytes

    def search(self, text: str) -> Match | None:
        if text.isascii():
            return self._bytes.search(text.encode())
        return self._text.search(text)

    def finditer(self, text: str) -> Iterator[Match]:
        if text.isascii():
            return self._bytes.finditer(text.encode())
        return self._text.finditer(text)


class AnyPattern:
    """A list of patterns searched as one: whether any of them is found in a text.

    One pattern (an alternation) where RE2's memory budget allows, so a text is scanned once;
    a list too big for that is searched pattern by pattern. Falsy when the list is empty.

    Raises:
        PatternError: one of the patterns cannot run on RE2 (see ``compile_pattern``).
    """

    __slots__ = ("_each", "_one")

    def __init__(self, patterns: Sequence[str]) -> None:
        self._each = [compile_pattern(p) for p in patterns]  # each checked on its own
        self._one: Pattern | None = self._each[0] if len(self._each) == 1 else None
        if len(self._each) > 1:
            with contextlib.suppress(PatternError):
                self._one = compile_pattern("|".join(f"(?:{p})" for p in patterns))

    def __bool__(self) -> bool:
        return bool(self._each)

    def search(self, text: str) -> bool:
        """Whether any of the patterns is found in ``text``."""
        if self._one is not None:
            return self._one.search(text) is not None
        return any(p.search(text) for p in self._each)

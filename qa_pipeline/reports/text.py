"""User data made safe to print: terminal control characters removed, rich markup escaped.

Call ids, teams, rubric ids, bands and transcript text come from files anyone can write. Left
as they are, ``[red]`` in a team name is taken as rich markup (and ``[/x]`` crashes the print
after the work is saved), and an escape sequence in transcript text rewrites the terminal.
"""

from __future__ import annotations

import re

from rich.markup import escape

__all__ = ["for_markup", "plain"]

# C0 controls but tab, DEL, C1 controls, and the bidirectional overrides that reorder text.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def plain(value: object, lines: bool = False) -> str:
    """``value`` as one line of text with every terminal control character replaced by a
    space (so an escape sequence cannot clear the screen and a newline cannot fake a line);
    with ``lines``, newlines stay (a message that lists its problems one per line)."""
    text = str(value)
    if lines:
        return "\n".join(_CONTROLS.sub(" ", line) for line in text.split("\n"))
    return _CONTROLS.sub(" ", text)


def for_markup(value: object, lines: bool = False) -> str:
    """``value`` as plain text that rich prints literally, brackets and all."""
    return escape(plain(value, lines))

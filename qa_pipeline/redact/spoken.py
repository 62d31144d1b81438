"""Numbers, letters and dates as people say them and as speech recognisers write them.

"four one one one", "forty one eleven", "double four", "oh" for zero, "4111 1111", digit
words and numerals mixed, with fillers ("um") and self-corrections ("no wait") inside. Pure
functions over tokens with their character offsets, so a finding maps back to the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "DigitRun",
    "Token",
    "date_spans",
    "digit_runs",
    "letter_runs",
    "luhn_valid",
    "tokenize",
]

_TOKEN = re.compile(r"\d+|[A-Za-z]+(?:'[A-Za-z]+)*|[^\sA-Za-z\d]")

UNITS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "naught": "0",
    "nil": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
TEENS = {
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
}
TENS = {
    "twenty": "2",
    "thirty": "3",
    "forty": "4",
    "fourty": "4",
    "fifty": "5",
    "sixty": "6",
    "seventy": "7",
    "eighty": "8",
    "ninety": "9",
}
_REPEAT = {"double": 2, "triple": 3, "treble": 3}
_FILLERS = {"um", "uh", "er", "erm", "ah", "uhm", "hmm", "mm", "like", "so", "and", "then"}
_CORRECTIONS = {"sorry", "no", "wait", "mean", "actually", "scratch", "i", "that", "let", "me"}
_GLUE = {",", "-", ".", "–", "—", "…", "(", ")"}
_MAX_GLUE = 4
"""Fillers, corrections and punctuation allowed between two parts of one spoken number."""

MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_FULL_MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}
_ORDINAL_UNITS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
}
_ORDINALS = {
    **_ORDINAL_UNITS,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}
_SUFFIXES = {"st", "nd", "rd", "th"}

NATO = {
    "alpha",
    "alfa",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "juliett",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "whisky",
    "xray",
    "yankee",
    "zulu",
}


@dataclass(frozen=True)
class Token:
    """A word, a number or a punctuation mark, with its place in the text."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


def tokenize(text: str) -> tuple[Token, ...]:
    """Words (with apostrophes), runs of digits, and single punctuation marks."""
    return tuple(Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text))


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` passes the Luhn check that every payment card number passes."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


@dataclass(frozen=True)
class DigitRun:
    """One number said in pieces: the tokens it spans and the digits a listener writes down.

    Attributes:
        first, last: token indexes, inclusive.
        groups: the digits of each stretch said without a pause mark, after corrections.
    """

    first: int
    last: int
    digits: str
    groups: tuple[str, ...]


def _number_at(tokens: Sequence[Token], i: int) -> tuple[str, int] | None:
    """The digits said by the number word(s) starting at token ``i``, and the next index."""
    word = tokens[i].lower
    if tokens[i].text.isdigit():
        return tokens[i].text, i + 1
    if word in UNITS:
        # A lone "o" is a letter more often than a zero; only inside a run is it zero.
        lone = i > 0 and not _next_is_numberish(tokens, i + 1)
        if word == "o" and lone and not _is_number_word(tokens[i - 1].lower):
            return None
        return UNITS[word], i + 1
    if word in TEENS:
        return TEENS[word], i + 1
    if word in TENS:
        j = i + 1
        if _hyphen_joins(tokens, j) and tokens[j + 1].lower in UNITS:
            j += 1
        if j < len(tokens) and tokens[j].lower in UNITS and UNITS[tokens[j].lower] != "0":
            return TENS[word] + UNITS[tokens[j].lower], j + 1
        return TENS[word] + "0", i + 1
    if word in _REPEAT and i + 1 < len(tokens):
        nxt = tokens[i + 1]
        digit = UNITS.get(nxt.lower) or (
            nxt.text if nxt.text.isdigit() and len(nxt.text) == 1 else None
        )
        if digit is not None:
            return digit * _REPEAT[word], i + 2
    if word == "hundred" and i > 0:
        return "00", i + 1
    return None


def _hyphen_joins(tokens: Sequence[Token], j: int) -> bool:
    """True when token ``j`` is a hyphen written tight between two words ("forty-one"); one
    with spaces around it (" - ") separates two numbers instead."""
    return (
        0 < j < len(tokens) - 1
        and tokens[j].text == "-"
        and tokens[j - 1].end == tokens[j].start
        and tokens[j].end == tokens[j + 1].start
    )


def _is_number_word(word: str) -> bool:
    return word.isdigit() or word in UNITS or word in TEENS or word in TENS or word in _REPEAT


def _next_is_numberish(tokens: Sequence[Token], i: int) -> bool:
    return i < len(tokens) and _is_number_word(tokens[i].lower) and tokens[i].lower != "o"


def digit_runs(tokens: Sequence[Token]) -> list[DigitRun]:
    """Every number said in the tokens, as digit strings, longest reading first.

    Pieces separated by commas, dashes, fillers ("um") or corrections ("no, sorry") belong to
    one run while another number follows within a few tokens. A correction replaces the last
    digits said with the group that follows it ("four eight seven seven, no, four oh seven
    seven" is 4077).
    """
    runs: list[DigitRun] = []
    i = 0
    while i < len(tokens):
        first = _number_at(tokens, i)
        if first is None or (tokens[i].lower == "hundred"):
            i += 1
            continue
        out: list[str] = []
        groups: list[list[str]] = [[]]
        correcting = False
        start, last, j = i, i, i
        while j < len(tokens):
            found = _number_at(tokens, j)
            if found is not None:
                piece, nxt = found
                groups[-1].append(piece)
                last, j = nxt - 1, nxt
                continue
            glue = _glue_length(tokens, j)
            if glue is None:
                break
            ahead = j + glue
            if ahead >= len(tokens) or _number_at(tokens, ahead) is None:
                break
            if tokens[ahead].lower == "hundred":
                break
            said = "".join(groups[-1])
            if correcting:
                del out[len(out) - len(said) :]
                correcting = False
            out.extend(said)
            correcting = any(
                t.lower in _CORRECTIONS - {"i", "that", "let", "me"} for t in tokens[j:ahead]
            )
            groups.append([])
            j = ahead
        said = "".join(groups[-1])
        if correcting:
            del out[len(out) - len(said) :]
        out.extend(said)
        digits = "".join(out)
        if digits:
            runs.append(DigitRun(start, last, digits, tuple("".join(g) for g in groups if g)))
        i = last + 1
    return runs


def _glue_length(tokens: Sequence[Token], j: int) -> int | None:
    """How many tokens of punctuation, fillers or corrections start at ``j`` (None: none)."""
    n = 0
    while j + n < len(tokens) and n < _MAX_GLUE:
        word = tokens[j + n].lower
        if word in _GLUE or word in _FILLERS or word in _CORRECTIONS:
            n += 1
        else:
            break
    return n or None


# Letters -------------------------------------------------------------------------------------

_LETTER_AIDS = {"for", "as", "in", "like"}
_LETTER_WORDS = {"double", "triple", "capital", "apostrophe", "hyphen", "dash", "space"}


def _is_letter(token: Token) -> bool:
    return len(token.text) == 1 and token.text.isalpha()


def letter_runs(tokens: Sequence[Token], min_letters: int = 3) -> list[tuple[int, int]]:
    """Stretches of letters spelled one by one ("S M I T H", "s for sugar", "double L",
    "J-O-N-E-S"), as inclusive token index pairs, with at least ``min_letters`` letters."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if not (_is_letter(tokens[i]) or tokens[i].lower in ("double", "capital")):
            i += 1
            continue
        j, letters, last = i, 0, i
        while j < len(tokens):
            tok = tokens[j]
            if _is_letter(tok):
                letters += 1
                last = j
                j += 1
                # "s for sugar", "p as in peter", "b like bravo"
                k = j
                while k < len(tokens) and tokens[k].lower in _LETTER_AIDS:
                    k += 1
                if (
                    k > j
                    and k < len(tokens)
                    and tokens[k].text[:1].lower() == tok.lower
                    and (len(tokens[k].text) > 1)
                ):
                    last, j = k, k + 1
                continue
            if tok.lower in _LETTER_WORDS or tok.text in {"-", ".", ",", "'"}:
                j += 1
                continue
            break
        if letters >= min_letters:
            runs.append((i, last))
        i = max(j, i + 1)
    return runs


# Dates ---------------------------------------------------------------------------------------


def _day_at(tokens: Sequence[Token], i: int, words: bool = False) -> tuple[int, int] | None:
    """A day of the month (ordinal or numerals, 1-31; cardinal words too with ``words``, as in
    "fifteen august", said before a month only) at ``i``, and the next index."""
    if i >= len(tokens):
        return None
    word = tokens[i].lower
    if tokens[i].text.isdigit() and 1 <= int(tokens[i].text) <= 31 and len(tokens[i].text) <= 2:
        j = i + 1
        if j < len(tokens) and tokens[j].lower in _SUFFIXES and tokens[j].start == tokens[i].end:
            j += 1
        return int(tokens[i].text), j
    if word in _ORDINALS:
        return _ORDINALS[word], i + 1
    if word in ("twenty", "thirty") and i + 1 < len(tokens):
        nxt = tokens[i + 1].lower
        j = i + 3 if _hyphen_joins(tokens, i + 1) else i + 2
        nxt = tokens[j - 1].lower if j - 1 < len(tokens) else ""
        if nxt in _ORDINAL_UNITS:
            day = int(TENS[word]) * 10 + _ORDINAL_UNITS[nxt]
            return (day, j) if day <= 31 else None
    if words and not tokens[i].text.isdigit():
        number = _two_digits_at(tokens, i) or _unit_at(tokens, i)
        if number is not None and 1 <= number[0] <= 31:
            return number
    return None


def _year_at(tokens: Sequence[Token], i: int) -> tuple[int, int] | None:
    """A year (four digits, "nineteen eighty five", "two thousand and one", "eighty five")."""
    if i >= len(tokens):
        return None
    text, word = tokens[i].text, tokens[i].lower
    if text.isdigit():
        if len(text) == 4 and 1900 <= int(text) <= 2099:
            return int(text), i + 1
        if len(text) == 2:
            return int(text), i + 1
        return None
    if text == "'" and i + 1 < len(tokens) and re.fullmatch(r"\d\d", tokens[i + 1].text):
        return int(tokens[i + 1].text), i + 2
    if word in ("nineteen", "twenty"):
        century = 1900 if word == "nineteen" else 2000
        rest = _two_digits_at(tokens, i + 1)
        if rest is not None:
            return century + rest[0], rest[1]
    if word == "two" and i + 1 < len(tokens) and tokens[i + 1].lower == "thousand":
        j = i + 2
        if j < len(tokens) and tokens[j].lower == "and":
            j += 1
        rest = _two_digits_at(tokens, j) or _unit_at(tokens, j)
        return (2000 + rest[0], rest[1]) if rest else (2000, j)
    return _two_digits_at(tokens, i)


def _two_digits_at(tokens: Sequence[Token], i: int) -> tuple[int, int] | None:
    """ "eighty five", "oh five", "twelve" as a two-digit number."""
    if i >= len(tokens):
        return None
    word = tokens[i].lower
    if word in TEENS:
        return int(TEENS[word]), i + 1
    if word in TENS:
        j = i + 1
        if _hyphen_joins(tokens, j):
            j += 1
        if j < len(tokens) and tokens[j].lower in UNITS and UNITS[tokens[j].lower] != "0":
            return int(TENS[word] + UNITS[tokens[j].lower]), j + 1
        return int(TENS[word] + "0"), i + 1
    if word in ("oh", "o", "zero") and i + 1 < len(tokens) and tokens[i + 1].lower in UNITS:
        return int(UNITS[tokens[i + 1].lower]), i + 2
    if tokens[i].text.isdigit() and len(tokens[i].text) == 2:
        return int(tokens[i].text), i + 1
    return None


def _month_at(tokens: Sequence[Token], i: int, ordinal: bool = False) -> tuple[int, int] | None:
    if (
        ordinal
        and i + 1 < len(tokens)
        and tokens[i].lower == "the"
        and tokens[i + 1].lower in _ORDINALS
    ):
        # "the third of the fourth": a month said as an ordinal.
        n = _ORDINALS[tokens[i + 1].lower]
        return (n, i + 2) if n <= 12 else None
    if i < len(tokens) and tokens[i].lower in MONTHS:
        j = i + 1
        abbreviated = tokens[i].lower not in _FULL_MONTHS
        if abbreviated and j < len(tokens) and tokens[j].text == ".":
            j += 1  # "Sep. 20"
        return MONTHS[tokens[i].lower], j
    return None


def _skip(tokens: Sequence[Token], i: int, words: set[str]) -> int:
    while i < len(tokens) and tokens[i].lower in words:
        i += 1
    return i


def date_spans(tokens: Sequence[Token]) -> list[tuple[int, int, bool]]:
    """Dates said or written in the tokens: (first, last token, has a day).

    Forms: "the third of March 1985", "March 3rd, nineteen eighty five", "3 March 85",
    "12/03/1985", "twelve slash three slash eighty five", "March 2027", "oh four twenty seven"
    is left to digit runs (it reads as a number).
    """
    found: list[tuple[int, int, bool]] = []
    i = 0
    while i < len(tokens):
        span = _date_at(tokens, i)
        if span is None:
            i += 1
            continue
        found.append(span)
        i = span[1] + 1
    return found


_FILLERS = {"uh", "um", "er", "erm", "ah"}


def _date_at(tokens: Sequence[Token], i: int) -> tuple[int, int, bool] | None:
    if (
        i < len(tokens)
        and tokens[i].lower in ("nineteen", "two")
        or (i < len(tokens) and len(tokens[i].text) == 4 and tokens[i].text.isdigit())
    ):
        # "nineteen eighty seven march tenth": the year said first.
        year = _year_at(tokens, i)
        if year is not None and year[0] >= 1900:
            rest = _day_month_at(tokens, _skip(tokens, year[1], {",", "the"}))
            if rest is not None:
                return i, rest[1], True
    return _day_month_at(tokens, i)


def _day_month_at(tokens: Sequence[Token], i: int) -> tuple[int, int, bool] | None:
    start = i
    j = _skip(tokens, i, {"the"})
    day = _day_at(tokens, j, words=True)
    if day is not None:
        k = _skip(tokens, day[1], {"of", ","})
        month = _month_at(tokens, k, ordinal=tokens[k - 1].lower == "of")
        if month is not None:
            end = month[1]
            year = _year_at(tokens, _skip(tokens, end, {",", "in", "."} | _FILLERS))
            if year is not None:
                end = year[1]
            return start if tokens[start].lower != "the" else j, end - 1, True
    month = _month_at(tokens, i)
    if month is not None:
        k = _skip(tokens, month[1], {"the"})
        day = _day_at(tokens, k)
        if day is not None:
            end = day[1]
            year = _year_at(tokens, _skip(tokens, end, {",", "."}))
            if year is not None:
                end = year[1]
            return i, end - 1, True
        year = _year_at(tokens, _skip(tokens, month[1], {",", "of"}))
        if year is not None and tokens[i].lower not in ("may", "mar", "jan", "sept", "sep"):
            return i, year[1] - 1, False
        if year is not None and tokens[i].text[:1].isupper():
            return i, year[1] - 1, False
    return _numeric_date_at(tokens, i)


_DATE_SEPARATORS = {"/", "-", ".", "slash", "dash", "dot"}


def _numeric_date_at(tokens: Sequence[Token], i: int) -> tuple[int, int, bool] | None:
    """d/m/y or m/d/y, in numerals or words, separators written or said ("slash")."""
    parts: list[int] = []
    j = i
    while j < len(tokens) and len(parts) < 3:
        value = _two_digits_at(tokens, j) or _unit_at(tokens, j)
        if len(parts) == 2:
            value = _year_at(tokens, j) or value
        if value is None:
            return None
        parts.append(value[0])
        j = value[1]
        if len(parts) < 3:
            if j < len(tokens) and tokens[j].lower in _DATE_SEPARATORS:
                j += 1
            elif len(parts) == 2 and not tokens[j - 1].text.isdigit() and _full_year_at(tokens, j):
                pass  # "twelve twelve nineteen ninety": no separator before a full year
            else:
                return None
    day_month = len(parts) == 3 and 1 <= parts[0] <= 31 and 1 <= parts[1] <= 31
    if day_month and min(parts[0], parts[1]) <= 12:
        return i, j - 1, True
    return None


def _full_year_at(tokens: Sequence[Token], i: int) -> bool:
    if i >= len(tokens) or tokens[i].lower not in ("nineteen", "two"):
        return False
    year = _year_at(tokens, i)
    return year is not None and year[0] >= 1900


def _unit_at(tokens: Sequence[Token], i: int) -> tuple[int, int] | None:
    if i < len(tokens):
        if tokens[i].lower in UNITS and tokens[i].lower != "o":
            return int(UNITS[tokens[i].lower]), i + 1
        if tokens[i].text.isdigit() and len(tokens[i].text) <= 2:
            return int(tokens[i].text), i + 1
    return None

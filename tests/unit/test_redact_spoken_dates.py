"""Dates of birth in the spoken forms dev2 showed missing: cardinal days ("fifteen august"),
the year first, fillers before the year, digit words with no separator before a full year;
hypothesis: any birth date in any of these forms after a DOB cue is redacted as DOB."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_pipeline.redact.engine import find_entities
from qa_pipeline.redact.options import Entity

UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"]
TEENS += ["eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORDINAL_UNITS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"]
ORDINAL_UNITS += ["ninth"]
ORDINAL_TEENS = ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth"]
ORDINAL_TEENS += ["sixteenth", "seventeenth", "eighteenth", "nineteenth"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august"]
MONTHS += ["september", "october", "november", "december"]


def cardinal(n: int) -> str:
    if n < 10:
        return UNITS[n]
    if n < 20:
        return TEENS[n - 10]
    return TENS[n // 10] + ("" if n % 10 == 0 else " " + UNITS[n % 10])


def ordinal(n: int) -> str:
    if n < 10:
        return ORDINAL_UNITS[n]
    if n < 20:
        return ORDINAL_TEENS[n - 10]
    if n % 10 == 0:
        return {20: "twentieth", 30: "thirtieth"}[n]
    return TENS[n // 10] + " " + ORDINAL_UNITS[n % 10]


def year_words(year: int) -> str:
    if year >= 2000:
        return "two thousand" + ("" if year == 2000 else " and " + cardinal(year - 2000))
    rest = year % 100
    return "nineteen " + (
        "hundred" if rest == 0 else "oh " + UNITS[rest] if rest < 10 else cardinal(rest)
    )


def dob_spans(text: str, context: str) -> list[tuple[int, int]]:
    return [
        (f.start, f.end) for f in find_entities(text, context=context) if f.entity is Entity.DOB
    ]


def covered(text: str, value: str, context: str) -> bool:
    start = text.index(value)
    spans = dob_spans(text, context)
    return all(
        any(s <= i < e for s, e in spans)
        for i in range(start, start + len(value))
        if text[i].isalnum()
    )


@pytest.mark.parametrize(
    ("context", "text", "value"),
    [
        ("date of birth", "fifteen august eighty two", "fifteen august eighty two"),
        ("dob please", "twenty five of december eighty", "twenty five of december eighty"),
        (
            "",
            "born in nineteen sixty seven the ninth of june",
            "nineteen sixty seven the ninth of june",
        ),
        (
            "and your birth date",
            "nineteen eighty seven march tenth",
            "nineteen eighty seven march tenth",
        ),
        ("date of birth", "the sixth of may uh nineteen eighty", "sixth of may uh nineteen eighty"),
        (
            "date of birth",
            "oh four slash twenty slash nineteen ninety five",
            "oh four slash twenty slash nineteen ninety five",
        ),
        ("date of birth", "twelve twelve nineteen ninety", "twelve twelve nineteen ninety"),
        (
            "date of birth",
            "twenty second march nineteen ninety",
            "twenty second march nineteen ninety",
        ),
    ],
)
def test_spoken_birth_dates_are_redacted(context: str, text: str, value: str) -> None:
    assert covered(text, value, context)


@pytest.mark.parametrize(
    "text",
    [
        "my appointment is on fifteen august",
        "the contract ends thirty first december two thousand twenty six",
        "i ordered it on the twelfth of june twenty twenty four",
        "i've been a customer since nineteen ninety eight",
        "the meeting is at ten fifteen on the eighth",
    ],
)
def test_dates_that_are_not_birth_dates_are_kept(text: str) -> None:
    assert dob_spans(text, "") == []


FORMS = [
    lambda d, m, y: f"the {ordinal(d)} of {MONTHS[m - 1]} {year_words(y)}",
    lambda d, m, y: f"{ordinal(d)} {MONTHS[m - 1]} {year_words(y)}",
    lambda d, m, y: f"{cardinal(d)} {MONTHS[m - 1]} {year_words(y)}",
    lambda d, m, y: f"{MONTHS[m - 1]} {ordinal(d)} {year_words(y)}",
    lambda d, m, y: f"{MONTHS[m - 1]} the {ordinal(d)} {year_words(y)}",
    lambda d, m, y: f"{year_words(y)} {MONTHS[m - 1]} {ordinal(d)}",
    lambda d, m, y: f"{d:02d}/{m:02d}/{y}",
]
CUES = ["date of birth please", "and your date of birth", "can i have your dob", "date of birth"]


@settings(max_examples=150, deadline=None)
@given(
    day=st.integers(1, 28),
    month=st.integers(1, 12),
    year=st.integers(1930, 2009),
    form=st.sampled_from(FORMS),
    cue=st.sampled_from(CUES),
    lead=st.sampled_from(["", "yeah it's ", "um ", "sure it is "]),
)
def test_any_birth_date_after_a_cue_is_redacted(day, month, year, form, cue, lead) -> None:
    value = form(day, month, year)
    # "the" before a date is not part of it (the labelled sets' convention).
    assert covered(lead + value, value.removeprefix("the "), cue)

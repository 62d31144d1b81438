"""Each recogniser on what callers say, spoken card numbers over every rendering (hypothesis),
and the near misses each must leave alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_pipeline.redact.engine import find_entities
from qa_pipeline.redact.options import Entity
from qa_pipeline.redact.spoken import digit_runs, luhn_valid, tokenize

UNITS = ["oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"]
TEENS += ["seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def found(text: str, context: str = "") -> list[tuple[str, str]]:
    return [(f.entity.value, text[f.start : f.end]) for f in find_entities(text, context=context)]


def covered(text: str, value: str, entity: Entity, context: str = "") -> bool:
    """True when every letter and digit of ``value`` in ``text`` is inside an entity found."""
    start = text.index(value)
    spans = [(f.start, f.end) for f in find_entities(text, context=context) if f.entity is entity]
    return all(
        any(s <= i < e for s, e in spans)
        for i in range(start, start + len(value))
        if text[i].isalnum()
    )


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("41x1")


@pytest.mark.parametrize(
    ("said", "digits"),
    [
        ("four one one one", "4111"),
        ("forty one eleven", "4111"),
        ("double four oh seven", "4407"),
        ("4111 1111", "41111111"),
        ("four 1 one 1", "4111"),
        ("forty-one, um, eleven", "4111"),
        ("four eight seven seven, no, four oh seven seven", "4077"),
        ("triple one two", "1112"),
    ],
)
def test_spoken_digits(said: str, digits: str) -> None:
    runs = digit_runs(tokenize(said))
    assert [r.digits for r in runs] == [digits]


# Cards -----------------------------------------------------------------------------------


def _pairs(chunk: str) -> str:
    """ "4111" as "forty one eleven"; an odd digit is said first ("206": "two oh six"), as
    "twenty six" would be heard as 26."""
    words = [UNITS[int(chunk[0])]] if len(chunk) % 2 else []
    chunk = chunk[len(chunk) % 2 :]
    for i in range(0, len(chunk), 2):
        pair = chunk[i : i + 2]
        if len(pair) == 1:
            words.append(UNITS[int(pair)])
        elif pair[0] == "0":
            words.append(f"oh {UNITS[int(pair[1])]}")
        elif pair[0] == "1":
            words.append(TEENS[int(pair[1])])
        else:
            unit = "" if pair[1] == "0" else f" {UNITS[int(pair[1])]}"
            words.append(TENS[int(pair[0])] + unit)
    return " ".join(words)


def _render(number: str, styles: list[int], separator: str) -> str:
    """Groups of four, each said as numerals, digit words, pairs or digit by digit."""
    chunks = [number[i : i + 4] for i in range(0, len(number), 4)]
    said = []
    for chunk, style in zip(chunks, styles, strict=False):
        if style == 0:
            said.append(chunk)
        elif style == 1:
            said.append(" ".join(UNITS[int(d)] for d in chunk))
        elif style == 2:
            said.append(_pairs(chunk))
        else:
            said.append(" ".join(chunk))
    text = said[0]
    for before, after in zip(said, said[1:], strict=False):
        # "...twenty" then "six" runs together as 26 when said without a pause; a speaker
        # pauses there, and the transcript shows it with a comma.
        ambiguous = before.split()[-1] in TENS and after.split()[0] in UNITS[1:]
        text += (", " if ambiguous and separator == " " else separator) + after
    return text


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    """Any Luhn-valid number of 13 to 19 digits starting like a card (2-6)."""
    length = draw(st.integers(13, 19))
    first = draw(st.sampled_from("23456"))
    body = draw(st.text("0123456789", min_size=length - 2, max_size=length - 2))
    stem = first + body
    check = next(d for d in "0123456789" if luhn_valid(stem + d))
    return stem + check


@settings(max_examples=150, deadline=None)
@given(
    number=card_numbers(),
    styles=st.lists(st.integers(0, 3), min_size=5, max_size=5),
    separator=st.sampled_from([" ", ", ", " - ", ", um, "]),
    lead=st.sampled_from(["", "yes it's ", "so that's ", "ok "]),
    context=st.sampled_from(["", "Can I take the long card number?", "How are you paying?"]),
)
def test_any_luhn_valid_card_number_spoken_any_way_is_redacted(
    number: str, styles: list[int], separator: str, lead: str, context: str
) -> None:
    said = _render(number, styles, separator)
    text = f"{lead}{said} thanks"
    assert digit_runs(tokenize(said))[0].digits == number
    assert covered(text, said, Entity.CARD, context), (text, found(text, context))


def test_card_read_back_by_the_agent_and_split_over_two_turns() -> None:
    assert found("So I have 4257 9911 3005 5918, is that correct?") == [
        ("CARD", "4257 9911 3005 5918")
    ]
    first = "four nine one six double three eight two"
    assert found(first, "can i take the card number") == [("CARD", first)]
    second = "five five zero one nine seven four six"
    assert found(second, first) == [("CARD", second)]


def test_a_misheard_card_number_after_card_talk_is_still_redacted() -> None:
    misheard = "four one one one one one one one one one one one one one one two"
    assert found(misheard, "what's the card number") == [("CARD", misheard)]
    assert found(misheard.replace("four", "nine", 1), "what's your order number") == []


# Security codes and expiry ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("context", "text", "value"),
    [
        (
            "And the three digits on the back of the card?",
            "Seven three seven.",
            "Seven three seven",
        ),
        ("What's the security code?", "it's 042", "042"),
        ("", "the CVV is nine one two", "nine one two"),
        (
            "the four digit code on the front of the Amex?",
            "three one one four",
            "three one one four",
        ),
    ],
)
def test_security_codes(context: str, text: str, value: str) -> None:
    assert found(text, context) == [("CVV", value)]


@pytest.mark.parametrize(
    ("context", "text", "value"),
    [
        ("When does the card expire?", "Oh nine twenty eight.", "Oh nine twenty eight"),
        ("And the expiry date?", "It's 11/27.", "11/27"),
        ("Expiry?", "March 2029.", "March 2029"),
        ("", "it's valid until twelve slash twenty six", "twelve slash twenty six"),
        ("and the expiry", "april twenty seven", "april twenty seven"),
    ],
)
def test_expiry_dates(context: str, text: str, value: str) -> None:
    assert found(text, context) == [("EXPIRY", value)]


def test_security_code_and_expiry_need_their_cue() -> None:
    assert found("seven three seven") == []
    assert found("ten thirty", "what time suits you?") == []
    assert found("the code you texted me was seven one four two") == []


# National ids, phones -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("context", "text", "value"),
    [
        ("Can I get your social security number?", "Sure, it's 219-09-9999.", "219-09-9999"),
        ("And your social?", "two one nine zero nine nine nine nine nine", None),
        ("What's your national insurance number?", "It's QQ 12 34 56 C.", "QQ 12 34 56 C"),
        ("", "yeah its a b one two three four five six c", None),
    ],
)
def test_national_ids(context: str, text: str, value: str | None) -> None:
    if value is None:  # the NI cue is in the text itself, or the whole text is the value
        value = text if "a b" not in text else "a b one two three four five six c"
        context = context or "can I have your national insurance number"
    assert found(text, context) == [("NATIONAL_ID", value)]


@pytest.mark.parametrize(
    ("context", "text", "value"),
    [
        ("What's the best number to reach you on?", "It's 07700 900461.", "07700 900461"),
        (
            "Can I take a contact number?",
            "oh seven seven double oh, nine double oh, four six one",
            None,
        ),
        (
            "",
            "you can ring me on plus four four seven seven double oh nine double oh one two three",
            "plus four four seven seven double oh nine double oh one two three",
        ),
        ("Phone number?", "(212) 555-0187", "212) 555-0187"),
    ],
)
def test_phone_numbers(context: str, text: str, value: str | None) -> None:
    assert found(text, context) == [("PHONE", value or text)]


@pytest.mark.parametrize(
    ("context", "text"),
    [
        ("Can I take the order number?", "It's 4471 2290 33."),
        ("What's the account number?", "One two three four five six seven eight."),
        ("", "It was forty nine ninety nine for the month."),
        ("", "I pressed option three and then two."),
        ("", "I've been with you since 2009."),
        ("", "The policy number is 4929 1234 5678 9010"),
    ],
)
def test_numbers_that_are_not_personal_data_stay(context: str, text: str) -> None:
    assert found(text, context) == []


# E-mail, dates of birth, addresses, spelled names ---------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "john dot smith at example dot com",
        "sarah_jones82@example.co.uk",
        "j smith at gmail",
        "mary underscore lee at hotmail dot co dot uk",
        "joe full stop bloggs at bt internet dot com",
        "info at my-company dot de",
    ],
)
def test_emails_written_or_spoken(value: str) -> None:
    text = f"my email is {value} thanks"
    assert found(text) == [("EMAIL", value)]


def test_at_and_dot_alone_are_not_an_email() -> None:
    assert found("I'm at home at the moment.") == []
    assert found("go to www dot example dot com slash help") == []


@pytest.mark.parametrize(
    "text",
    [
        # As recognition writes calls: a full stop, a space, the next sentence.
        "Thank you for calling six at home appliances. My name is Tomesh.",
        "One quarter at pickup and the rest at delivery. Can I put you on hold?",
        "Your engineer is booked at noon. Any other questions?",
        "It is Gary at Nationwide. Bye.",
    ],
)
def test_a_sentence_ending_after_at_is_not_an_email(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("context", "text", "value"),
    [
        ("Date of birth?", "03/07/1988", "03/07/1988"),
        ("", "I was born on the second of June 1990", "second of June 1990"),
        ("What's your date of birth?", "twelve oh four seventy one", "twelve oh four seventy one"),
        (
            "And your D.O.B.?",
            "the third of the fourth, eighty five",
            "third of the fourth, eighty five",
        ),
    ],
)
def test_dates_of_birth(context: str, text: str, value: str) -> None:
    assert found(text, context) == [("DOB", value)]


def test_other_dates_are_not_birth_dates() -> None:
    assert found("The fourth of July, if possible.", "When would you like the engineer?") == []
    assert found("the accident happened on the third of May 2021") == []
    assert found("The fourth of July.", "And your date of birth?") == [("DOB", "fourth of July")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("It's 14 Maple Road, Bristol, BS1 4DJ.", "14 Maple Road, Bristol, BS1 4DJ"),
        ("I live at 221 baker street", "221 baker street"),
        ("I live at 123 Main St, Springfield, IL 62701", "123 Main St, Springfield, IL 62701"),
        ("and the postcode is s w one a one a a", "s w one a one a a"),
    ],
)
def test_addresses(text: str, value: str) -> None:
    assert found(text) == [("ADDRESS", value)]


def test_business_addresses_stay() -> None:
    assert found("our local branch is at 4 High Street") == []


@pytest.mark.parametrize(
    ("context", "text", "value"),
    [
        ("Could you spell your surname?", "Yes, it's K O W A L S K I.", "K O W A L S K I"),
        ("", "my name is Siobhan, that's S I O B H A N", "S I O B H A N"),
        ("Can you spell that for me?", "B for bravo, R, O, W, N", "B for bravo, R, O, W, N"),
        ("", "my name's Jo Bloggs, B-L-O-G-G-S", "B-L-O-G-G-S"),
    ],
)
def test_spelled_names(context: str, text: str, value: str) -> None:
    assert found(text, context) == [("PERSON_SPELLED", value)]


def test_names_said_and_letters_that_are_not_names_stay() -> None:
    assert found("My name is John Smith.") == []
    assert found("I'm on flight B A two eight seven") == []
    assert found("Thank you for calling Acme, my name is Priya, how can I help?") == []

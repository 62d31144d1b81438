# ruff: noqa: E501
"""Builds dev.jsonl: the redaction DEVELOPMENT set, the one the recognisers were tuned on.

Written for this project (ids D...) plus real customer utterances from NatCS (ids N..., from
/work/shared/corpora/natcs/development.test-utterances.jsonl, CDLA-Permissive-2.0: the
licence is NATCS_LICENSE.md beside this file), labelled here. Same record format as
eval.jsonl (see EVAL_SUMMARY.md); spans are found by their text, so they cannot drift.

    python tests/data/redaction/build_dev.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

C, A = "customer", "agent"

# (speaker, context, text, [(type, exact substring), ...], note)
OWN: list[tuple[str, str, str, list[tuple[str, str]], str]] = [
    # Cards: digits, groups, words, mixed, read back by the agent, split over turns.
    (
        C,
        "What's the long card number?",
        "Sure it's 4539 1488 0343 6467.",
        [("CARD", "4539 1488 0343 6467")],
        "groups of four",
    ),
    (
        C,
        "and the card number please",
        "four five three nine one four eight eight oh three four three six four six seven",
        [
            (
                "CARD",
                "four five three nine one four eight eight oh three four three six four six seven",
            )
        ],
        "digit words",
    ),
    (
        C,
        "Card number?",
        "Forty five thirty nine, fourteen eighty eight, oh three forty three, sixty four sixty seven.",
        [
            (
                "CARD",
                "Forty five thirty nine, fourteen eighty eight, oh three forty three, sixty four sixty seven",
            )
        ],
        "pairs",
    ),
    (
        C,
        "",
        "my visa is 5555 5555 5555 4444 can you take it",
        [("CARD", "5555 5555 5555 4444")],
        "no question before",
    ),
    (
        A,
        "",
        "Just to confirm, that's 4111 1111 1111 1111?",
        [("CARD", "4111 1111 1111 1111")],
        "agent read-back",
    ),
    (
        C,
        "Go ahead with the card.",
        "um four one one one, one one one one, uh one one one one, one one one one",
        [("CARD", "four one one one, one one one one, uh one one one one, one one one one")],
        "fillers",
    ),
    (
        C,
        "Which card are you paying with?",
        "Amex, 3782 822463 10005.",
        [("CARD", "3782 822463 10005")],
        "amex grouping",
    ),
    (
        C,
        "Can I take the card number?",
        "Yeah, six zero one one, double one one one, one one one one, one one one seven",
        [("CARD", "six zero one one, double one one one, one one one one, one one one seven")],
        "double",
    ),
    (
        C,
        "The long number on the card, please.",
        "5105 1051 0510 5100",
        [("CARD", "5105 1051 0510 5100")],
        "bare",
    ),
    (
        C,
        "Card number please.",
        "4 0 1 2 8 8 8 8 8 8 8 8 1 8 8 1",
        [("CARD", "4 0 1 2 8 8 8 8 8 8 8 8 1 8 8 1")],
        "spaced digits",
    ),
    (
        C,
        "What's the card number?",
        "it's four nine nine two seven three nine eight seven one six",
        [("CARD", "four nine nine two seven three nine eight seven one six")],
        "partial, said after card talk",
    ),
    (
        C,
        "Okay, the first eight digits of the card?",
        "Four four eight five, two two one nine.",
        [("CARD", "Four four eight five, two two one nine")],
        "first half",
    ),
    # Security codes.
    (
        C,
        "And the three digits on the back of the card?",
        "Seven three seven.",
        [("CVV", "Seven three seven")],
        "",
    ),
    (C, "What's the security code?", "it's 042", [("CVV", "042")], ""),
    (C, "CVV please", "nine one two", [("CVV", "nine one two")], ""),
    (C, "", "the security code is four four seven", [("CVV", "four four seven")], "cue in turn"),
    (
        C,
        "And the four digit code on the front of the Amex?",
        "Three one one four.",
        [("CVV", "Three one one four")],
        "amex CID",
    ),
    (
        A,
        "",
        "Thanks, and I have the security code as three eight one.",
        [("CVV", "three eight one")],
        "agent read-back",
    ),
    # Expiry.
    (
        C,
        "When does the card expire?",
        "Oh nine twenty eight.",
        [("EXPIRY", "Oh nine twenty eight")],
        "",
    ),
    (C, "And the expiry date?", "It's 11/27.", [("EXPIRY", "11/27")], ""),
    (C, "Expiry?", "March 2029.", [("EXPIRY", "March 2029")], ""),
    (
        C,
        "",
        "it's valid until twelve slash twenty six",
        [("EXPIRY", "twelve slash twenty six")],
        "",
    ),
    (
        C,
        "What's the expiration date on the card?",
        "zero five twenty seven",
        [("EXPIRY", "zero five twenty seven")],
        "",
    ),
    # National ids.
    (
        C,
        "Can I get your social security number?",
        "Sure, it's 219-09-9999.",
        [("NATIONAL_ID", "219-09-9999")],
        "",
    ),
    (
        C,
        "And your social?",
        "two one nine zero nine nine nine nine nine",
        [("NATIONAL_ID", "two one nine zero nine nine nine nine nine")],
        "digit words",
    ),
    (
        C,
        "What's your national insurance number?",
        "It's QQ 12 34 56 C.",
        [("NATIONAL_ID", "QQ 12 34 56 C")],
        "",
    ),
    (
        C,
        "Last four of your social?",
        "Six seven eight nine.",
        [("NATIONAL_ID", "Six seven eight nine")],
        "",
    ),
    # Phones.
    (
        C,
        "What's the best number to reach you on?",
        "It's 07700 900461.",
        [("PHONE", "07700 900461")],
        "",
    ),
    (
        C,
        "Can I take a contact number?",
        "oh seven seven double oh, nine double oh, four six one",
        [("PHONE", "oh seven seven double oh, nine double oh, four six one")],
        "",
    ),
    (C, "", "my mobile is 020 7946 0123", [("PHONE", "020 7946 0123")], ""),
    (
        C,
        "And a phone number?",
        "five five five, oh one two three",
        [("PHONE", "five five five, oh one two three")],
        "",
    ),
    (
        A,
        "",
        "I'll call you back on 0113 496 0000, is that right?",
        [("PHONE", "0113 496 0000")],
        "agent read-back",
    ),
    (
        C,
        "",
        "you can ring me on plus four four seven seven double oh nine double oh one two three",
        [("PHONE", "plus four four seven seven double oh nine double oh one two three")],
        "international",
    ),
    (C, "Phone number?", "(212) 555-0187", [("PHONE", "(212) 555-0187")], "US format"),
    # E-mails.
    (
        C,
        "And your email address?",
        "it's john dot smith at example dot com",
        [("EMAIL", "john dot smith at example dot com")],
        "",
    ),
    (
        C,
        "",
        "my email is sarah_jones82@example.co.uk",
        [("EMAIL", "sarah_jones82@example.co.uk")],
        "",
    ),
    (C, "Email?", "j smith at gmail dot com", [("EMAIL", "j smith at gmail dot com")], ""),
    (
        C,
        "What email do you have on the account?",
        "mary underscore lee at hotmail dot co dot uk",
        [("EMAIL", "mary underscore lee at hotmail dot co dot uk")],
        "",
    ),
    (
        A,
        "",
        "So that's peter dot parker at example dot org, correct?",
        [("EMAIL", "peter dot parker at example dot org")],
        "agent read-back",
    ),
    (
        C,
        "",
        "send it to d c eleven at outlook dot com please",
        [("EMAIL", "d c eleven at outlook dot com")],
        "",
    ),
    # Dates of birth.
    (
        C,
        "Can I take your date of birth?",
        "Fourteenth of February, nineteen seventy nine.",
        [("DOB", "Fourteenth of February, nineteen seventy nine")],
        "",
    ),
    (C, "Date of birth?", "03/07/1988", [("DOB", "03/07/1988")], ""),
    (C, "", "I was born on the second of June 1990", [("DOB", "second of June 1990")], ""),
    (C, "And your DOB?", "June the third eighty four", [("DOB", "June the third eighty four")], ""),
    (
        C,
        "What's your date of birth?",
        "twelve oh four seventy one",
        [("DOB", "twelve oh four seventy one")],
        "digits",
    ),
    (
        A,
        "",
        "I have your date of birth as the 9th of May 1975.",
        [("DOB", "9th of May 1975")],
        "agent",
    ),
    # Addresses.
    (
        C,
        "What's the address on the account?",
        "It's 14 Maple Road, Bristol, BS1 4DJ.",
        [("ADDRESS", "14 Maple Road, Bristol, BS1 4DJ")],
        "",
    ),
    (C, "", "I live at 221 baker street", [("ADDRESS", "221 baker street")], ""),
    (C, "And the postcode?", "LS6 2QT", [("ADDRESS", "LS6 2QT")], ""),
    (C, "Billing zip code?", "It's 90210.", [("ADDRESS", "90210")], ""),
    (C, "", "flat 3, 27 victoria avenue", [("ADDRESS", "flat 3, 27 victoria avenue")], ""),
    (
        A,
        "",
        "I've updated it to 8 Church Lane, Leeds, LS2 7EW.",
        [("ADDRESS", "8 Church Lane, Leeds, LS2 7EW")],
        "agent",
    ),
    # Spelled names.
    (
        C,
        "Could you spell your surname?",
        "Yes, it's K O W A L S K I.",
        [("PERSON_SPELLED", "K O W A L S K I")],
        "",
    ),
    (C, "", "my name is Siobhan, that's S I O B H A N", [("PERSON_SPELLED", "S I O B H A N")], ""),
    (C, "And your last name?", "Smyth, S M Y T H.", [("PERSON_SPELLED", "S M Y T H")], ""),
    (
        C,
        "Can you spell that for me?",
        "B for bravo, R, O, W, N",
        [("PERSON_SPELLED", "B for bravo, R, O, W, N")],
        "",
    ),
    (C, "", "my name's Jo Bloggs, B-L-O-G-G-S", [("PERSON_SPELLED", "B-L-O-G-G-S")], ""),
    (
        C,
        "How do you spell your surname?",
        "double L, O, Y, D",
        [("PERSON_SPELLED", "double L, O, Y, D")],
        "",
    ),
    # Near misses: numbers, dates and letters that are not personal data.
    (C, "Can I take the order number?", "It's 4471 2290 33.", [], "order number"),
    (C, "", "my order number is 55012345678", [], "order number"),
    (C, "", "It was forty nine ninety nine for the month.", [], "price"),
    (C, "", "I paid £129.99 last week.", [], "price"),
    (
        C,
        "When would you like the engineer?",
        "The fourth of July, if possible.",
        [],
        "appointment date",
    ),
    (C, "When was it delivered?", "the twelfth of March twenty twenty four", [], "delivery date"),
    (C, "", "Can you come at ten thirty?", [], "time"),
    (C, "", "I've been with you since 2009.", [], "year"),
    (C, "", "I'm 42.", [], "age"),
    (C, "", "I pressed option three and then two.", [], "menu"),
    (
        C,
        "What's the account number?",
        "One two three four five six seven eight.",
        [],
        "account number",
    ),
    (C, "", "the reference is AB 12 34 56", [], "reference"),
    (C, "", "I need three of them, maybe four.", [], "quantity"),
    (C, "", "My name is John Smith.", [], "name said, not spelled"),
    (A, "", "Thank you for calling Acme, my name is Priya, how can I help?", [], "agent greeting"),
    (C, "", "I'm at home at the moment.", [], "at"),
    (C, "", "go to www dot example dot com slash help", [], "web address"),
    (
        C,
        "What's the tracking number?",
        "it's one Z nine nine nine A A one oh one two three four five six seven eight four",
        [],
        "tracking",
    ),
    (C, "", "the error code says E four oh four", [], "error code"),
    (C, "", "I'm on flight B A two eight seven", [], "flight"),
    (A, "", "Can I take the long number on the card?", [], "question without a value"),
    (
        A,
        "",
        "I'll just need the three digit security code from the back.",
        [],
        "question without a value",
    ),
    (C, "", "It's a sixteen digit number, isn't it?", [], "digit count"),
    (C, "", "The policy number is 4929 1234 5678 9010", [], "16 digits failing Luhn"),
    (C, "", "our office is at 10 Downing Street", [], "business address"),
    (C, "", "the code you texted me was seven one four two", [], "one-time code"),
    (C, "", "it costs about three hundred and fifty pounds", [], "price"),
    (C, "What date suits you for the call back?", "Monday the fifth of May", [], "callback date"),
    (C, "", "I bought it on 12/01/2024", [], "purchase date"),
    (C, "", "The meter reading is four five six seven eight", [], "meter"),
]


# ASR style: lower case, no punctuation, the way tiny.en and vendor feeds write speech.
OWN += [
    (
        C,
        "can i take the card number please",
        "yeah its four nine one six double three eight two",
        [("CARD", "four nine one six double three eight two")],
        "first half, split over turns",
    ),
    (
        C,
        "yeah its four nine one six double three eight two",
        "then five five zero one nine seven four six",
        [("CARD", "five five zero one nine seven four six")],
        "second half: context has the first half",
    ),
    (
        C,
        "card number",
        "four five five six seven three seven five eight six eight nine nine eight five five, sorry, eight five five",
        [
            (
                "CARD",
                "four five five six seven three seven five eight six eight nine nine eight five five, sorry, eight five five",
            )
        ],
        "self-correction at the end",
    ),
    (
        C,
        "ok and the card",
        "forty five fifty six seventy three seventy five eighty six eighty nine ninety eight fifty five",
        [
            (
                "CARD",
                "forty five fifty six seventy three seventy five eighty six eighty nine ninety eight fifty five",
            )
        ],
        "pairs, no commas",
    ),
    (
        C,
        "",
        "the card number is four triple one one one one one one one one one one one one one",
        [("CARD", "four triple one one one one one one one one one one one one one")],
        "triple",
    ),
    (
        C,
        "and the security code on the back",
        "its uh two nine one",
        [("CVV", "two nine one")],
        "filler",
    ),
    (C, "last three digits on the back please", "oh four nine", [("CVV", "oh four nine")], ""),
    (
        C,
        "and the expiry",
        "end of oh nine twenty six",
        [("EXPIRY", "oh nine twenty six")],
        "lead-in not in span",
    ),
    (
        C,
        "expiry date on the card",
        "its the twelfth month twenty eight",
        [],
        "unusual wording, not labelled: no standard form",
    ),
    (
        C,
        "and your social security number",
        "its one two three four five six seven eight nine",
        [("NATIONAL_ID", "one two three four five six seven eight nine")],
        "",
    ),
    (
        C,
        "can i have your national insurance number",
        "yeah its a b one two three four five six c",
        [("NATIONAL_ID", "a b one two three four five six c")],
        "spoken NI number",
    ),
    (
        C,
        "whats the best number to call you back on",
        "its oh seven nine one one double two three four five six",
        [("PHONE", "oh seven nine one one double two three four five six")],
        "",
    ),
    (
        C,
        "",
        "my phone number is five five five oh one nine nine",
        [("PHONE", "five five five oh one nine nine")],
        "7 digits",
    ),
    (
        C,
        "and your email",
        "its k jones eighty four at yahoo dot com",
        [("EMAIL", "k jones eighty four at yahoo dot com")],
        "",
    ),
    (
        C,
        "",
        "my email address is a dot b dot c at company dot co dot uk",
        [("EMAIL", "a dot b dot c at company dot co dot uk")],
        "",
    ),
    (
        C,
        "and the date of birth",
        "oh three oh four eighty five",
        [("DOB", "oh three oh four eighty five")],
        "digits",
    ),
    (
        C,
        "date of birth please",
        "twenty first of january nineteen ninety",
        [("DOB", "twenty first of january nineteen ninety")],
        "",
    ),
    (
        C,
        "can you confirm your date of birth",
        "yeah its the fifth of november two thousand and one",
        [("DOB", "fifth of november two thousand and one")],
        "",
    ),
    (
        C,
        "and the first line of the address",
        "forty two station road",
        [("ADDRESS", "forty two station road")],
        "",
    ),
    (
        C,
        "",
        "we moved to seventeen the crescent last year",
        [("ADDRESS", "seventeen the crescent")],
        "",
    ),
    (C, "whats your surname", "its patel p a t e l", [("PERSON_SPELLED", "p a t e l")], ""),
    (
        C,
        "how do you spell that",
        "m for mike c d o n a l d",
        [("PERSON_SPELLED", "m for mike c d o n a l d")],
        "",
    ),
    # Near misses in ASR style.
    (C, "", "i was charged forty nine ninety nine twice", [], "price"),
    (
        C,
        "whats the order number",
        "its four five six seven eight nine one two three four",
        [],
        "order number",
    ),
    (C, "", "my account number is one two three four five six seven eight", [], "account number"),
    (C, "when is the delivery", "the third of march", [], "delivery date"),
    (C, "", "i called at three thirty yesterday", [], "time"),
    (C, "", "its about two hundred pounds", [], "price"),
    (C, "", "the reference number is seven seven four one two nine", [], "reference"),
    (C, "", "i have two kids aged seven and nine", [], "ages"),
    (C, "", "press one for billing", [], "menu"),
    (C, "", "send it to the shop at twelve high street", [], "business address"),
    (C, "", "ive been a customer for fifteen years", [], "years"),
    (C, "", "my name is john smith", [], "name said"),
    (C, "", "thats b b c one", [], "letters, not a name"),
    (C, "whats the serial number", "s n four four five one two nine eight", [], "serial"),
    (C, "", "the code you sent me is four eight two nine one six", [], "one-time code"),
]

OWN += [
    (
        C,
        "and the expiry",
        "april twenty seven",
        [("EXPIRY", "april twenty seven")],
        "month and two-digit year",
    ),
    (
        C,
        "and the postcode",
        "its s w one a one a a",
        [("ADDRESS", "s w one a one a a")],
        "spoken postcode",
    ),
    (
        C,
        "",
        "my postcode is m one four five q t",
        [("ADDRESS", "m one four five q t")],
        "spoken postcode",
    ),
    (
        C,
        "",
        "I live at 123 Main St, Springfield, IL 62701",
        [("ADDRESS", "123 Main St, Springfield, IL 62701")],
        "",
    ),
    (C, "Can you spell the surname?", "S. M. I. T. H.", [("PERSON_SPELLED", "S. M. I. T. H")], ""),
    (
        C,
        "",
        "call me on oh one one three, four nine six, oh oh oh oh",
        [("PHONE", "oh one one three, four nine six, oh oh oh oh")],
        "",
    ),
    (C, "date of birth", "03/04/85", [("DOB", "03/04/85")], ""),
]

# Round two: forms the first round's rules did not know (written before measuring again).
OWN += [
    (
        C,
        "",
        "my email is john smith at sign gmail dot com",
        [("EMAIL", "john smith at sign gmail dot com")],
        "'at sign'",
    ),
    (
        C,
        "Email address?",
        "it's info at my-company dot de",
        [("EMAIL", "info at my-company dot de")],
        "hyphen, other TLD",
    ),
    (
        C,
        "Email address?",
        "joe full stop bloggs at bt internet dot com",
        [("EMAIL", "joe full stop bloggs at bt internet dot com")],
        "full stop, two-word domain",
    ),
    (C, "", "it's anna at example dot io", [("EMAIL", "anna at example dot io")], ""),
    (
        C,
        "Can I take your date of birth, day, month and year?",
        "oh three oh four eighty five",
        [("DOB", "oh three oh four eighty five")],
        "day/month/year words in the question",
    ),
    (
        C,
        "And your D.O.B.?",
        "the third of the fourth, eighty five",
        [("DOB", "third of the fourth, eighty five")],
        "ordinal month",
    ),
    (
        C,
        "",
        "I am not sure which card, but the number is four five three nine one four eight eight oh three four three six four six seven",
        [
            (
                "CARD",
                "four five three nine one four eight eight oh three four three six four six seven",
            )
        ],
        "'I am' before",
    ),
    (
        C,
        "What's a good daytime number for you?",
        "oh one six one, four nine six, oh eight one two",
        [("PHONE", "oh one six one, four nine six, oh eight one two")],
        "",
    ),
    (
        C,
        "",
        "my S S N is one two three, four five, six seven eight nine",
        [("NATIONAL_ID", "one two three, four five, six seven eight nine")],
        "spelled cue",
    ),
    (C, "", "my N.I. number is QQ 12 34 56 A", [("NATIONAL_ID", "QQ 12 34 56 A")], ""),
    (C, "And the code on the back?", "four one two", [("CVV", "four one two")], ""),
    (C, "When does it expire?", "June of twenty six", [("EXPIRY", "June of twenty six")], ""),
    (
        C,
        "",
        "our new address is 5 Elm Road, Harrogate.",
        [("ADDRESS", "5 Elm Road, Harrogate")],
        "household 'our'",
    ),
    (
        C,
        "",
        "We live at Rose Cottage, Mill Lane",
        [("ADDRESS", "Mill Lane")],
        "named house: the street only",
    ),
    (
        C,
        "What's the first line of the address?",
        "apt. 4b, 210 west 58th street",
        [("ADDRESS", "apt. 4b, 210 west 58th street")],
        "",
    ),
    (C, "", "the accident happened on the third of May 2021", [], "accident date"),
    (C, "", "I opened the account on the 2nd of January 2019", [], "account date"),
    (C, "", "our local branch is at 4 High Street", [], "branch address"),
]

# Real NatCS customer utterances (development split), labelled here.
NATCS: list[tuple[str, list[tuple[str, str]]]] = [
    ("insurance_0076", [("DOB", "Sep. 20, 1962")]),
    ("insurance_0107", [("ADDRESS", "331 Vine Street")]),
    ("insurance_0118", [("DOB", "02/22/1977"), ("EMAIL", "egdar_not_allenpoe@gmail.com")]),
    ("insurance_0171", []),
    ("insurance_0179", [("DOB", "May 1, 1982")]),
    ("insurance_0193", [("DOB", "Apr 3, 1990")]),
    ("insurance_0200", []),
    ("insurance_0206", [("EMAIL", "madelynn.franecki@yahoo.com")]),
    ("insurance_0217", [("PHONE", "546 158 1578")]),
    ("insurance_0219", []),
    ("insurance_0229", [("EMAIL", "violin_master841@hotmail.com")]),
    ("insurance_0233", [("PHONE", "518-535-2722")]),
    ("insurance_0237", [("EMAIL", "KevinCCC@gmail.com")]),
    ("insurance_0239", []),
    ("insurance_0245", []),
    ("insurance_0252", []),
    ("insurance_0274", [("CARD", "4035 6738 2225 8104"), ("EXPIRY", "06/2026")]),
    ("insurance_0288", []),
    ("insurance_0300", []),
    ("insurance_0325", []),
    ("insurance_0376", [("PHONE", "361-208-9572")]),
    ("insurance_0391", [("CARD", "5445 8595 5625 5525")]),
    ("insurance_0399", [("ADDRESS", "455 Patterson Road, Garden City, NY")]),
    ("insurance_0466", [("ADDRESS", "13409 Ridgeville Rd")]),
    ("insurance_0468", [("PHONE", "251-746-6999")]),
    ("insurance_0507", [("DOB", "July 23rd 1960")]),
    ("insurance_0540", [("ADDRESS", "2609 Ramona Blvd, Portland, OR 88504")]),
    ("insurance_0561", []),
    ("insurance_0568", [("ADDRESS", "4819 Woodey Boulevard, Pittsburgh, PA 49058")]),
    ("insurance_0669", []),
    ("insurance_0715", [("ADDRESS", "3214 Kempwood Drive"), ("NATIONAL_ID", "469-29-9659")]),
    ("insurance_0723", [("PHONE", "415 589 5478"), ("DOB", "october 6th. 1998")]),
    ("insurance_0751", [("ADDRESS", "5158 Peck Ave, carlton, KS 67448")]),
    ("insurance_0799", [("EMAIL", "mazie.boyle@yahoo.com")]),
    ("insurance_0847", [("DOB", "05/29/1976")]),
    ("insurance_0875", []),
]
NATCS_FILE = Path("/work/shared/corpora/natcs/development.test-utterances.jsonl")


def _record(rid: str, speaker: str, context: str, text: str, spans, note: str) -> dict:
    entities = []
    for kind, value in spans:
        start = text.index(value)
        entities.append({"type": kind, "start": start, "end": start + len(value)})
    record = {"id": rid, "speaker": speaker, "context": context, "text": text, "entities": entities}
    if note:
        record["note"] = note
    return record


def main() -> None:
    records = [_record(f"D{n:03d}", *row) for n, row in enumerate(OWN, start=1)]
    utterances = {}
    for line in NATCS_FILE.read_text().splitlines():
        doc = json.loads(line)
        utterances[doc["utterance_id"]] = doc["utterance"]
    for n, (uid, spans) in enumerate(NATCS, start=1):
        records.append(_record(f"N{n:03d}", C, "", utterances[uid], spans, f"NatCS {uid}"))
    out = HERE / "dev.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in records))
    print(f"{len(records)} utterances -> {out}")


if __name__ == "__main__":
    main()

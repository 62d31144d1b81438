# ruff: noqa: E501
"""Builds dev2.jsonl: the second redaction DEVELOPMENT set (ids E...), for generalisation.

Written for this project from how people say these things on the phone (US, UK, Indian,
Australian and non-native English), mostly as ASR output: lowercase, no punctuation, digits as
words, fillers ("uh", "um"), self-corrections ("sorry I mean"), repeats, NATO letters. Each
entity type has near misses (order and reference numbers, prices, times, appointment dates,
tracking numbers, balances, serials, quantities, street names in other contexts). Hand-written
rows plus a few rows rendered from small templates (noted "tpl"). Same record format as
dev.jsonl; spans are found by their text, so they cannot drift. Never tuned on eval.jsonl.

    python tests/data/redaction/build_dev2.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

C, A = "customer", "agent"

# (speaker, context, text, [(type, exact substring), ...], note)
OWN: list[tuple[str, str, str, list[tuple[str, str]], str]] = [
    # --- Dates of birth -------------------------------------------------------------------
    (
        C,
        "can i take your date of birth please",
        "yeah it's the fifteenth of august nineteen eighty two",
        [("DOB", "the fifteenth of august nineteen eighty two")],
        "uk ordinal",
    ),
    (
        C,
        "date of birth",
        "fifteen august eighty two",
        [("DOB", "fifteen august eighty two")],
        "terse",
    ),
    (
        C,
        "and your dob",
        "um it's uh oh eight fifteen eighty two",
        [("DOB", "oh eight fifteen eighty two")],
        "us digits",
    ),
    (
        C,
        "what's your date of birth",
        "august fifteenth nineteen eighty two",
        [("DOB", "august fifteenth nineteen eighty two")],
        "us",
    ),
    (C, "", "my date of birth is 15/08/1982", [("DOB", "15/08/1982")], "written"),
    (
        C,
        "date of birth?",
        "the third of the fourth seventy six",
        [("DOB", "the third of the fourth seventy six")],
        "numeric months",
    ),
    (
        C,
        "could you confirm your date of birth for me",
        "sure twenty second march nineteen ninety",
        [("DOB", "twenty second march nineteen ninety")],
        "",
    ),
    (
        C,
        "and the date of birth on the account",
        "it's twelve twelve two thousand",
        [("DOB", "twelve twelve two thousand")],
        "",
    ),
    (
        C,
        "",
        "i was born on the first of january two thousand and one",
        [("DOB", "the first of january two thousand and one")],
        "born on",
    ),
    (
        C,
        "",
        "born in nineteen sixty seven the ninth of june",
        [("DOB", "nineteen sixty seven the ninth of june")],
        "year first",
    ),
    (
        C,
        "your date of birth",
        "uh nine june sixty seven sorry nine july sixty seven",
        [("DOB", "nine june sixty seven"), ("DOB", "nine july sixty seven")],
        "self-correction",
    ),
    (
        C,
        "what is your birth date",
        "zero three zero four one nine eight eight",
        [("DOB", "zero three zero four one nine eight eight")],
        "eight digits",
    ),
    (
        C,
        "dob please",
        "oh four slash twenty slash nineteen ninety five",
        [("DOB", "oh four slash twenty slash nineteen ninety five")],
        "slash",
    ),
    (
        C,
        "date of birth",
        "it is twenty five of december eighty",
        [("DOB", "twenty five of december eighty")],
        "non-native",
    ),
    (
        C,
        "",
        "my dob is the thirtieth of november nineteen seventy three",
        [("DOB", "the thirtieth of november nineteen seventy three")],
        "",
    ),
    (
        C,
        "",
        "d o b is fourth july ninety nine",
        [("DOB", "fourth july ninety nine")],
        "spelled cue",
    ),
    (
        C,
        "and your date of birth mister shah",
        "twenty sixth jan nineteen eighty five",
        [("DOB", "twenty sixth jan nineteen eighty five")],
        "indian short month",
    ),
    (
        C,
        "date of birth please",
        "second of feb two thousand four",
        [("DOB", "second of feb two thousand four")],
        "",
    ),
    (
        C,
        "",
        "birthday is march the seventh nineteen fifty nine",
        [("DOB", "march the seventh nineteen fifty nine")],
        "birthday",
    ),
    (
        C,
        "can you give me your date of birth",
        "yes it's the eleventh of september nineteen seventy",
        [("DOB", "the eleventh of september nineteen seventy")],
        "",
    ),
    (
        C,
        "date of birth",
        "one one one one nineteen ninety one",
        [("DOB", "one one one one nineteen ninety one")],
        "digits then year",
    ),
    (
        C,
        "",
        "my birthday's the twenty first of october ninety three",
        [("DOB", "the twenty first of october ninety three")],
        "",
    ),
    (
        C,
        "and what's your date of birth",
        "um the sixth of may uh nineteen eighty",
        [("DOB", "the sixth of may uh nineteen eighty")],
        "filler inside",
    ),
    (
        C,
        "date of birth for the policy holder",
        "seventeenth april two thousand and two",
        [("DOB", "seventeenth april two thousand and two")],
        "",
    ),
    (
        C,
        "",
        "i'm born twenty eighth february nineteen sixty",
        [("DOB", "twenty eighth february nineteen sixty")],
        "non-native born",
    ),
    (
        A,
        "",
        "so that's the fifth of march nineteen seventy eight for your date of birth",
        [("DOB", "the fifth of march nineteen seventy eight")],
        "agent read-back",
    ),
    (C, "", "date of birth is 3rd of june 1979", [("DOB", "3rd of june 1979")], "digits"),
    (C, "date of birth", "06 11 1984", [("DOB", "06 11 1984")], "spaced numerals"),
    (C, "", "my date of birth is july 4 1990", [("DOB", "july 4 1990")], ""),
    (
        C,
        "and your birth date",
        "nineteen eighty seven march tenth",
        [("DOB", "nineteen eighty seven march tenth")],
        "year first us",
    ),
    # DOB near misses
    (C, "", "my appointment is on the fifteenth of august", [], "appointment"),
    (A, "", "your next bill is due on the third of march", [], "bill date"),
    (C, "", "i ordered it on the twelfth of june twenty twenty four", [], "order date"),
    (C, "", "the payment went out on the first of may", [], "payment date"),
    (A, "", "we're open till half past five on saturdays", [], "time"),
    (C, "", "it was delivered monday the fourth at three thirty", [], "delivery time"),
    (A, "", "the contract ends thirty first december two thousand twenty six", [], "contract date"),
    (C, "", "i called you on the twenty second and nobody rang back", [], "date"),
    (
        C,
        "",
        "my son was born in twenty nineteen so we need a bigger car",
        [],
        "child born year only",
    ),
    (A, "", "your policy started on the ninth of june twenty twenty two", [], "policy start"),
    (C, "", "the meeting is at ten fifteen on the eighth", [], "meeting"),
    (C, "", "i've been a customer since nineteen ninety eight", [], "since year"),
    # --- Addresses -----------------------------------------------------------------------
    (
        C,
        "and the first line of the address",
        "twenty two acacia avenue",
        [("ADDRESS", "twenty two acacia avenue")],
        "words",
    ),
    (
        C,
        "what's your address",
        "it's forty seven baker street london n w one six x e",
        [("ADDRESS", "forty seven baker street london n w one six x e")],
        "uk postcode",
    ),
    (C, "", "i live at 12 elm road", [("ADDRESS", "12 elm road")], ""),
    (
        C,
        "and your postcode",
        "s w one a one a a",
        [("ADDRESS", "s w one a one a a")],
        "postcode alone",
    ),
    (
        C,
        "postcode please",
        "it's m one four five t y",
        [("ADDRESS", "m one four five t y")],
        "manchester",
    ),
    (C, "postcode", "b s eight one t h", [("ADDRESS", "b s eight one t h")], ""),
    (C, "what's the zip code", "nine oh two one oh", [("ADDRESS", "nine oh two one oh")], "zip"),
    (C, "and the zip", "one zero zero zero one", [("ADDRESS", "one zero zero zero one")], "zip"),
    (
        C,
        "what is the address on the account",
        "flat three twenty one kings road",
        [("ADDRESS", "flat three twenty one kings road")],
        "flat",
    ),
    (
        C,
        "the address",
        "apartment four b one fifty east fifty seventh street",
        [("ADDRESS", "apartment four b one fifty east fifty seventh street")],
        "apartment",
    ),
    (
        C,
        "",
        "send it to p o box four four one two",
        [("ADDRESS", "p o box four four one two")],
        "po box",
    ),
    (
        C,
        "and the mailing address",
        "po box 1187 austin texas",
        [("ADDRESS", "po box 1187 austin texas")],
        "",
    ),
    (
        C,
        "",
        "my address is rural route two box fifty one",
        [("ADDRESS", "rural route two box fifty one")],
        "rural route",
    ),
    (
        C,
        "what's your address",
        "uh three one five maple drive springfield illinois",
        [("ADDRESS", "three one five maple drive springfield illinois")],
        "digits",
    ),
    (
        C,
        "",
        "it's unit five forty two smith street parramatta new south wales",
        [("ADDRESS", "unit five forty two smith street parramatta new south wales")],
        "australian",
    ),
    (C, "postcode", "two one five zero", [("ADDRESS", "two one five zero")], "au postcode"),
    (
        C,
        "your address please",
        "house number forty two sector fifteen noida",
        [("ADDRESS", "house number forty two sector fifteen noida")],
        "indian",
    ),
    (
        C,
        "and the address",
        "flat no two zero one sai residency m g road bangalore",
        [("ADDRESS", "flat no two zero one sai residency m g road bangalore")],
        "indian flat",
    ),
    (
        C,
        "pin code",
        "five six zero zero three four",
        [("ADDRESS", "five six zero zero three four")],
        "indian pin",
    ),
    (C, "", "i moved to nine the crescent", [("ADDRESS", "nine the crescent")], "crescent"),
    (
        C,
        "first line of your address",
        "one hundred and six high street",
        [("ADDRESS", "one hundred and six high street")],
        "",
    ),
    (
        C,
        "",
        "address is 4 rue de la paix sorry 4 church lane",
        [("ADDRESS", "4 church lane")],
        "self-correction",
    ),
    (
        C,
        "what's the house number and street",
        "eighteen wellington way",
        [("ADDRESS", "eighteen wellington way")],
        "way",
    ),
    (C, "and the street", "seven oak close", [("ADDRESS", "seven oak close")], ""),
    (
        C,
        "",
        "we're at two hundred fifty main street apartment six",
        [("ADDRESS", "two hundred fifty main street apartment six")],
        "",
    ),
    (
        C,
        "address please",
        "sixty four birch grove leeds l s six two a b",
        [("ADDRESS", "sixty four birch grove leeds l s six two a b")],
        "",
    ),
    (
        C,
        "",
        "my new address is 33 queen's parade brisbane q l d 4000",
        [("ADDRESS", "33 queen's parade brisbane q l d 4000")],
        "au",
    ),
    (
        C,
        "can i confirm the address",
        "yeah ninety nine pine terrace",
        [("ADDRESS", "ninety nine pine terrace")],
        "terrace",
    ),
    (
        A,
        "",
        "so that's fourteen hill view e c two a four b x",
        [("ADDRESS", "fourteen hill view e c two a four b x")],
        "agent read-back",
    ),
    (
        C,
        "",
        "the house is at five two seven lakeshore boulevard",
        [("ADDRESS", "five two seven lakeshore boulevard")],
        "",
    ),
    (
        C,
        "where do you live",
        "eleven park place cardiff",
        [("ADDRESS", "eleven park place cardiff")],
        "place",
    ),
    (
        C,
        "and the zip code",
        "it's three three one three nine",
        [("ADDRESS", "three three one three nine")],
        "zip",
    ),
    (C, "", "i'm on eighty eight station road", [("ADDRESS", "eighty eight station road")], "on"),
    (
        C,
        "address",
        "the old rectory church lane",
        [("ADDRESS", "the old rectory church lane")],
        "named house",
    ),
    # address near misses
    (C, "", "i usually go to the main street branch", [], "branch"),
    (A, "", "our store on oxford street closes at eight", [], "store"),
    (C, "", "i'm stuck in traffic on the high street", [], "traffic"),
    (C, "", "it costs four pounds fifty a month", [], "price"),
    (C, "", "i bought two boxes of cereal", [], "boxes"),
    (C, "", "i'd like to speak to someone on the second floor", [], "floor"),
    (A, "", "you can drop it at any post office", [], "post office"),
    (C, "", "the parcel is stuck at the depot in leeds", [], "town only"),
    (C, "", "there were twelve people on the road", [], "road"),
    (C, "", "i waited forty five minutes", [], "minutes"),
    (A, "", "turn left at the park and take the third exit", [], "directions"),
    (C, "", "ninety nine problems with this router", [], "number word"),
    # --- National ids --------------------------------------------------------------------
    (
        C,
        "and the last four of your social",
        "uh four four five six",
        [("NATIONAL_ID", "four four five six")],
        "ssn last four",
    ),
    (
        C,
        "social security number please",
        "one two three dash four five dash six seven eight nine",
        [("NATIONAL_ID", "one two three dash four five dash six seven eight nine")],
        "dash",
    ),
    (
        C,
        "",
        "my social is five one two four five six seven eight nine",
        [("NATIONAL_ID", "five one two four five six seven eight nine")],
        "no grouping",
    ),
    (
        C,
        "ssn",
        "four six nine hyphen two nine hyphen nine six five nine",
        [("NATIONAL_ID", "four six nine hyphen two nine hyphen nine six five nine")],
        "hyphen",
    ),
    (
        C,
        "what's your national insurance number",
        "q q one two three four five six c",
        [("NATIONAL_ID", "q q one two three four five six c")],
        "ni",
    ),
    (
        C,
        "national insurance number",
        "a for alpha b as in bravo one two three four five six c for charlie",
        [("NATIONAL_ID", "a for alpha b as in bravo one two three four five six c for charlie")],
        "nato",
    ),
    (
        C,
        "and your ni number",
        "j g one three double five seven nine d",
        [("NATIONAL_ID", "j g one three double five seven nine d")],
        "double",
    ),
    (
        C,
        "",
        "my n i number is a b twelve thirty four fifty six c",
        [("NATIONAL_ID", "a b twelve thirty four fifty six c")],
        "pairs",
    ),
    (
        C,
        "ni number",
        "alpha bravo one two three four five six charlie",
        [("NATIONAL_ID", "alpha bravo one two three four five six charlie")],
        "nato only",
    ),
    (
        C,
        "social security number",
        "it's two one nine oh nine nine nine nine nine",
        [("NATIONAL_ID", "two one nine oh nine nine nine nine nine")],
        "oh",
    ),
    (C, "", "ssn is 078-05-1120", [("NATIONAL_ID", "078-05-1120")], "written"),
    (
        C,
        "",
        "national insurance is qq 12 34 56 c",
        [("NATIONAL_ID", "qq 12 34 56 c")],
        "written spaced",
    ),
    (
        C,
        "can i have your social security number",
        "sure three four five uh six seven sorry three four five six six seven eight eight nine zero",
        [("NATIONAL_ID", "three four five six six seven eight eight nine zero")],
        "self-correction",
    ),
    (
        A,
        "",
        "i have your social as ending in seven seven two one",
        [("NATIONAL_ID", "seven seven two one")],
        "agent last four",
    ),
    (
        C,
        "your ni number please",
        "n e zero one two three four five a",
        [("NATIONAL_ID", "n e zero one two three four five a")],
        "",
    ),
    (
        C,
        "",
        "the last four digits of my social security are nine eight seven six",
        [("NATIONAL_ID", "nine eight seven six")],
        "",
    ),
    # national id near misses
    (C, "", "order number one two three four five six seven eight nine", [], "order number"),
    (A, "", "your reference is a b one two three four five", [], "reference"),
    (
        C,
        "",
        "the tracking number is one z nine nine nine a a one zero one two three four five six seven eight four",
        [],
        "tracking",
    ),
    (C, "", "my account balance is four hundred and twelve dollars", [], "balance"),
    (C, "", "the serial number is s n four five six seven eight nine", [], "serial"),
    (C, "", "i need it for my national insurance letter", [], "ni words"),
    (C, "", "social security sent me a letter last week", [], "ssn words"),
    (A, "", "your case number is seven seven eight three two one", [], "case number"),
    # --- Phones --------------------------------------------------------------------------
    (
        C,
        "what's the best number to reach you",
        "oh seven seven double seven one two three four five six",
        [("PHONE", "oh seven seven double seven one two three four five six")],
        "uk mobile",
    ),
    (
        C,
        "contact number",
        "zero two zero seven nine four six zero treble eight",
        [("PHONE", "zero two zero seven nine four six zero treble eight")],
        "treble",
    ),
    (
        C,
        "",
        "you can call me on plus four four seven nine one one one two three four five six",
        [("PHONE", "plus four four seven nine one one one two three four five six")],
        "country code",
    ),
    (
        C,
        "",
        "my number is five five five eight six seven five three oh nine",
        [("PHONE", "five five five eight six seven five three oh nine")],
        "us",
    ),
    (
        C,
        "a good callback number",
        "four one five five eight nine five four seven eight",
        [("PHONE", "four one five five eight nine five four seven eight")],
        "no cue",
    ),
    (
        C,
        "phone number",
        "nine eight four five double two three three one zero",
        [("PHONE", "nine eight four five double two three three one zero")],
        "indian mobile",
    ),
    (
        C,
        "",
        "my mobile is plus ninety one ninety eight four five zero one two three four five",
        [("PHONE", "plus ninety one ninety eight four five zero one two three four five")],
        "+91",
    ),
    (
        C,
        "best number",
        "oh four one two three four five six seven eight",
        [("PHONE", "oh four one two three four five six seven eight")],
        "au mobile",
    ),
    (C, "", "call me back on 07700 900123", [("PHONE", "07700 900123")], "written uk"),
    (C, "", "my cell is 312 555 0187", [("PHONE", "312 555 0187")], "written us"),
    (
        C,
        "and your phone number",
        "uh two oh one uh five five five uh zero one two three",
        [("PHONE", "two oh one uh five five five uh zero one two three")],
        "fillers",
    ),
    (
        C,
        "what number are you calling from",
        "six one seven sorry six one eight five five five two two two two",
        [("PHONE", "six one eight five five five two two two two")],
        "self-correction",
    ),
    (
        A,
        "",
        "i'll text you on oh seven nine double one two three four five six seven",
        [("PHONE", "oh seven nine double one two three four five six seven")],
        "agent",
    ),
    (
        C,
        "",
        "home phone is area code eight one eight five five five one two one two",
        [("PHONE", "eight one eight five five five one two one two")],
        "area code",
    ),
    (
        C,
        "what's your number",
        "eight hundred five five five one two three four",
        [("PHONE", "eight hundred five five five one two three four")],
        "hundred",
    ),
    (
        C,
        "",
        "ring me on double oh four four two zero seven nine four six zero one two three",
        [("PHONE", "double oh four four two zero seven nine four six zero one two three")],
        "00 prefix",
    ),
    (
        C,
        "phone",
        "oh two nine eight seven six five four three two one",
        [("PHONE", "oh two nine eight seven six five four three two one")],
        "sydney",
    ),
    (
        C,
        "mobile number please",
        "seven three eight two nine one six four five zero",
        [("PHONE", "seven three eight two nine one six four five zero")],
        "",
    ),
    # phone near misses
    (
        C,
        "",
        "the order number is five five five eight six seven five three oh nine",
        [],
        "order number",
    ),
    (A, "", "that comes to one hundred and twenty nine ninety nine", [], "price"),
    (
        C,
        "",
        "the imei is three five two zero nine nine zero zero one seven six one four eight one",
        [],
        "imei",
    ),
    (C, "", "the router model is nine eight seven six five four", [], "model"),
    (C, "", "i've got reference two two four four six six eight eight", [], "reference"),
    (A, "", "you'll need to call oh eight hundred number", [], "freephone words"),
    (C, "", "i paid three hundred and forty five pounds sixty", [], "amount"),
    (C, "", "it happened at eleven forty five this morning", [], "time"),
    # --- E-mails -------------------------------------------------------------------------
    (
        C,
        "and your email address",
        "john dot smith at gmail dot com",
        [("EMAIL", "john dot smith at gmail dot com")],
        "plain",
    ),
    (
        C,
        "email",
        "j o h n underscore s m i t h at hotmail dot co dot uk",
        [("EMAIL", "j o h n underscore s m i t h at hotmail dot co dot uk")],
        "spelled",
    ),
    (
        C,
        "what's the email on the account",
        "it's d for delta a v e at yahoo dot com",
        [("EMAIL", "d for delta a v e at yahoo dot com")],
        "nato",
    ),
    (
        C,
        "",
        "my email is priya dash k at outlook dot com",
        [("EMAIL", "priya dash k at outlook dot com")],
        "dash",
    ),
    (
        C,
        "email address please",
        "rajesh ninety two at rediffmail dot com",
        [("EMAIL", "rajesh ninety two at rediffmail dot com")],
        "indian",
    ),
    (
        C,
        "your email",
        "m c g r a t h at bigpond dot com dot au",
        [("EMAIL", "m c g r a t h at bigpond dot com dot au")],
        "au",
    ),
    (
        C,
        "",
        "email me at sarah dot jones eighty one at gmail dot com",
        [("EMAIL", "sarah dot jones eighty one at gmail dot com")],
        "",
    ),
    (
        C,
        "and the email",
        "it's t as in tango w as in whiskey one two at aol dot com",
        [("EMAIL", "t as in tango w as in whiskey one two at aol dot com")],
        "as in",
    ),
    (
        C,
        "",
        "send it to info at smith plumbing dot co dot uk",
        [("EMAIL", "info at smith plumbing dot co dot uk")],
        "two-word domain",
    ),
    (
        C,
        "email",
        "k e v i n c c c at gmail dot com",
        [("EMAIL", "k e v i n c c c at gmail dot com")],
        "letters",
    ),
    (
        C,
        "what's your email",
        "a n n a double l e at icloud dot com",
        [("EMAIL", "a n n a double l e at icloud dot com")],
        "double l",
    ),
    (C, "", "it's mike at mike's garage dot net", [("EMAIL", "mike at mike's garage dot net")], ""),
    (
        C,
        "email address",
        "uh l dot chen at protonmail dot com sorry proton dot me",
        [("EMAIL", "l dot chen at protonmail dot com"), ("EMAIL", "proton dot me")],
        "self-correction",
    ),
    (
        C,
        "",
        "my email address is tom at example dot org",
        [("EMAIL", "tom at example dot org")],
        "",
    ),
    (
        C,
        "",
        "it's bob underscore seventy seven at hotmail dot com",
        [("EMAIL", "bob underscore seventy seven at hotmail dot com")],
        "",
    ),
    (
        A,
        "",
        "i've got your email as s dot patel at gmail dot com",
        [("EMAIL", "s dot patel at gmail dot com")],
        "agent read-back",
    ),
    (
        C,
        "",
        "the email is jane.doe@example.co.uk",
        [("EMAIL", "jane.doe@example.co.uk")],
        "written",
    ),
    (
        C,
        "email please",
        "w w jones at btinternet dot com",
        [("EMAIL", "w w jones at btinternet dot com")],
        "",
    ),
    (
        C,
        "and the email address",
        "its a b c at the rate gmail dot com",
        [("EMAIL", "a b c at the rate gmail dot com")],
        "indian 'at the rate'",
    ),
    (C, "", "email is mary at live dot com dot au", [("EMAIL", "mary at live dot com dot au")], ""),
    # email near misses
    (C, "", "i looked at gmail and it wasn't there", [], "at gmail"),
    (C, "", "i'm at home all day", [], "at home"),
    (A, "", "you can find it at our website dot com slash help", [], "website"),
    (C, "", "i'll be at work until five", [], "at work"),
    (C, "", "the file is called report dot pdf", [], "file name"),
    (C, "", "i was looking at the price of the dot com deal", [], "dot com"),
    # --- Spelled names -------------------------------------------------------------------
    (C, "can you spell your surname", "it's s m i t h", [("PERSON_SPELLED", "s m i t h")], "plain"),
    (
        C,
        "how do you spell that",
        "w for whiskey i l l i a m s",
        [("PERSON_SPELLED", "w for whiskey i l l i a m s")],
        "nato",
    ),
    (C, "", "my name is anna that's a double n a", [("PERSON_SPELLED", "a double n a")], "double"),
    (
        C,
        "could you spell the last name",
        "k as in kilo o w a l s k i",
        [("PERSON_SPELLED", "k as in kilo o w a l s k i")],
        "as in",
    ),
    (
        C,
        "and the surname",
        "m c d o n a double l",
        [("PERSON_SPELLED", "m c d o n a double l")],
        "double l",
    ),
    (
        C,
        "spell your first name please",
        "p r i y a",
        [("PERSON_SPELLED", "p r i y a")],
        "first name",
    ),
    (C, "", "my surname is patel p a t e l", [("PERSON_SPELLED", "p a t e l")], "after name"),
    (
        C,
        "how is that spelt",
        "charlie hotel echo november",
        [("PERSON_SPELLED", "charlie hotel echo november")],
        "nato only",
    ),
    (
        C,
        "spell the name for me",
        "b r o w n e with an e on the end",
        [("PERSON_SPELLED", "b r o w n e")],
        "",
    ),
    (
        C,
        "",
        "the name's o apostrophe b r i e n",
        [("PERSON_SPELLED", "o apostrophe b r i e n")],
        "apostrophe",
    ),
    (
        C,
        "can you spell that",
        "yeah g u p t a g u p t a",
        [("PERSON_SPELLED", "g u p t a g u p t a")],
        "repeat",
    ),
    (
        C,
        "and the spelling",
        "t h o m p s o n sorry t h o m s o n no p",
        [("PERSON_SPELLED", "t h o m p s o n"), ("PERSON_SPELLED", "t h o m s o n")],
        "self-correction",
    ),
    (C, "spell your name", "it's n g u y e n", [("PERSON_SPELLED", "n g u y e n")], ""),
    (A, "", "so that's r e d d y reddy", [("PERSON_SPELLED", "r e d d y")], "agent read-back"),
    (C, "surname", "h for hotel a r r i s", [("PERSON_SPELLED", "h for hotel a r r i s")], ""),
    (C, "", "my first name is spelled s i o b h a n", [("PERSON_SPELLED", "s i o b h a n")], ""),
    # spelled near misses
    (C, "", "i need a b and b for the weekend", [], "b and b"),
    (C, "", "it's the a t and t bill", [], "brand"),
    (C, "", "my wifi says e r r o r", [], "error"),
    (C, "", "press the a b c button", [], "button"),
    (A, "", "is that a u s or u k plug", [], "us uk"),
    (C, "", "the model is x y z", [], "model"),
    # --- Cards, security codes, expiry ----------------------------------------------------
    (
        C,
        "long card number please",
        "four five three nine uh one four eight eight sorry one four eight eight oh three four three six four six seven",
        [
            (
                "CARD",
                "four five three nine uh one four eight eight sorry one four eight eight oh three four three six four six seven",
            )
        ],
        "repeat group",
    ),
    (
        C,
        "card number",
        "four one one one um one one one one er one one one one one one one one",
        [("CARD", "four one one one um one one one one er one one one one one one one one")],
        "fillers",
    ),
    (
        C,
        "go ahead with the card number",
        "five five five five five five five five five five five five four four four four",
        [
            (
                "CARD",
                "five five five five five five five five five five five five four four four four",
            )
        ],
        "",
    ),
    (
        C,
        "card number",
        "forty one eleven eleven eleven eleven eleven eleven eleven",
        [("CARD", "forty one eleven eleven eleven eleven eleven eleven eleven")],
        "pairs",
    ),
    (
        C,
        "",
        "my card is four five three nine one four eight eight zero three four three six four six seven",
        [
            (
                "CARD",
                "four five three nine one four eight eight zero three four three six four six seven",
            )
        ],
        "",
    ),
    (
        C,
        "long number on the front",
        "three seven eight two eight two two four six three one zero zero zero five",
        [("CARD", "three seven eight two eight two two four six three one zero zero zero five")],
        "amex",
    ),
    (
        C,
        "the card number",
        "five four double four eight five nine five five six two five five five two five",
        [
            (
                "CARD",
                "five four double four eight five nine five five six two five five five two five",
            )
        ],
        "double",
    ),
    (
        C,
        "and the three digits on the back",
        "seven three seven",
        [("CVV", "seven three seven")],
        "cvv",
    ),
    (C, "security code", "uh it's four two oh", [("CVV", "four two oh")], ""),
    (C, "the cvv please", "one two three four", [("CVV", "one two three four")], "amex cvv"),
    (C, "expiry date", "oh six twenty six", [("EXPIRY", "oh six twenty six")], "expiry"),
    (
        C,
        "and when does it expire",
        "december twenty seven",
        [("EXPIRY", "december twenty seven")],
        "",
    ),
    (C, "expiry", "zero nine slash two eight", [("EXPIRY", "zero nine slash two eight")], ""),
    (
        C,
        "card number",
        "it's 4111 1111 sorry 4111 1111 1111 1111",
        [("CARD", "4111 1111 sorry 4111 1111 1111 1111")],
        "written correction",
    ),
    # card near misses
    (C, "", "the order number is four one one one two two two two", [], "order number"),
    (C, "", "i was charged one hundred and eleven dollars eleven", [], "price"),
    (A, "", "your balance is two thousand four hundred and sixty", [], "balance"),
    (C, "", "i have three cards in my wallet", [], "cards"),
    (C, "", "the code on the voucher is five five five", [], "voucher"),
    (C, "", "the parcel weighs two point five kilos", [], "weight"),
    # --- Mixed turns ---------------------------------------------------------------------
    (
        C,
        "can i take your date of birth and postcode",
        "second of may eighty one and it's l s one one u r",
        [("DOB", "second of may eighty one"), ("ADDRESS", "l s one one u r")],
        "two in one",
    ),
    (
        C,
        "",
        "my name is kiran k i r a n and my number is nine eight one one two two three three four four",
        [
            ("PERSON_SPELLED", "k i r a n"),
            ("PHONE", "nine eight one one two two three three four four"),
        ],
        "name and phone",
    ),
    (
        C,
        "email and phone please",
        "dan at gmail dot com and oh seven seven one one two two three three four four",
        [
            ("EMAIL", "dan at gmail dot com"),
            ("PHONE", "oh seven seven one one two two three three four four"),
        ],
        "email and phone",
    ),
    (
        C,
        "",
        "i'm calling about order nine nine eight seven seven for delivery on the fifth of june",
        [],
        "order and date",
    ),
    (
        A,
        "",
        "i'll book the engineer for tuesday the ninth between eight and one",
        [],
        "engineer slot",
    ),
    (C, "", "it's been three weeks and four days", [], "durations"),
    (C, "", "flight b a two four nine leaves at six forty", [], "flight number"),
]


def _dob_rows() -> list[tuple[str, str, str, list[tuple[str, str]], str]]:
    """Birth dates rendered in several spoken forms after a cue (tpl)."""
    days = ["first", "ninth", "twenty third", "thirtieth", "fourteenth", "second"]
    day_n = ["one", "nine", "twenty three", "thirty", "fourteen", "two"]
    months = ["january", "may", "october", "april", "february", "september"]
    years = [
        "nineteen seventy one",
        "eighty eight",
        "two thousand and three",
        "nineteen sixty",
        "ninety four",
        "nineteen fifty five",
    ]
    cues = [
        "date of birth please",
        "and your date of birth",
        "can i have your dob",
        "what's your birth date",
        "date of birth",
        "confirm your date of birth",
    ]
    rows = []
    for i in range(6):
        forms = [
            f"the {days[i]} of {months[i]} {years[i]}",
            f"{months[i]} {days[i]} {years[i]}",
            f"{day_n[i]} {months[i]} {years[i]}",
        ]
        form = forms[i % 3]
        rows.append((C, cues[i], f"yeah it's {form}", [("DOB", form)], "tpl"))
        rows.append(
            (
                C,
                "",
                f"my date of birth is {forms[(i + 1) % 3]}",
                [("DOB", forms[(i + 1) % 3])],
                "tpl",
            )
        )
        rows.append((C, "", f"i have an appointment on {forms[(i + 2) % 3]}", [], "tpl near miss"))
    return rows


def _phone_rows() -> list[tuple[str, str, str, list[tuple[str, str]], str]]:
    """Phone numbers in digit groups after a cue, and the same digits as an order number (tpl)."""
    numbers = [
        "oh seven eight one two three four five six seven eight",
        "two one two five five five oh one nine eight",
        "zero four double one two two three three four four",
        "nine one double six six five four three two one zero",
        "oh one six one four nine six oh treble two",
        "six four six five five five one nine one nine",
    ]
    cues = [
        "my phone number is",
        "you can reach me on",
        "my mobile's",
        "call me on",
        "the number's",
        "my landline is",
    ]
    rows = []
    for i, number in enumerate(numbers):
        rows.append((C, "", f"{cues[i]} {number}", [("PHONE", number)], "tpl"))
        rows.append((C, "", f"the order reference is {number}", [], "tpl near miss"))
    return rows


def _address_rows() -> list[tuple[str, str, str, list[tuple[str, str]], str]]:
    """House number and street after an address cue, and the street alone elsewhere (tpl)."""
    streets = [
        ("forty one", "victoria road"),
        ("seven", "chestnut avenue"),
        ("one two three", "ocean drive"),
        ("nineteen", "mill lane"),
        ("two hundred and five", "king street"),
        ("eight", "the green"),
    ]
    rows = []
    for number, street in streets:
        rows.append(
            (
                C,
                "what's your address",
                f"it's {number} {street}",
                [("ADDRESS", f"{number} {street}")],
                "tpl",
            )
        )
        rows.append((C, "", f"there's roadworks on {street} again", [], "tpl near miss"))
    return rows


def _record(rid: str, speaker: str, context: str, text: str, spans, note: str) -> dict:
    entities = []
    for kind, value in spans:
        if kind == "DOB" and value.startswith("the "):
            value = value[4:]  # dev.jsonl's convention: "the" before a date is not part of it
        start = text.index(value)
        entities.append({"type": kind, "start": start, "end": start + len(value)})
    record = {"id": rid, "speaker": speaker, "context": context, "text": text, "entities": entities}
    if note:
        record["note"] = note
    return record


def main() -> None:
    rows = OWN + _dob_rows() + _phone_rows() + _address_rows()
    records = [_record(f"E{n:03d}", *row) for n, row in enumerate(rows, start=1)]
    out = HERE / "dev2.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in records))
    print(f"{len(records)} utterances -> {out}")


if __name__ == "__main__":
    main()

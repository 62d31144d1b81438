"""Presidio recognisers for what callers say: numbers read out digit by digit or in groups,
e-mail addresses said with "at" and "dot", names spelled letter by letter.

Each recogniser reads the whole window it is given (the turn being redacted and the turns
just before it), so "what's the card number?" from the agent tells it what the customer's
digits are. Numbers are classified by the nearest cue before them ("card", "security code",
"expiry", "phone", "social security", or "order", "account", "reference" ... for numbers that
are not personal data), then by their shape (Luhn, length).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from qa_pipeline.redact.options import Entity
from qa_pipeline.redact.spoken import (
    UNITS,
    DigitRun,
    Token,
    date_spans,
    digit_runs,
    letter_runs,
    luhn_valid,
    tokenize,
)

__all__ = [
    "AddressRecognizer",
    "BirthDateRecognizer",
    "SpelledNameRecognizer",
    "SpokenEmailRecognizer",
    "SpokenNumberRecognizer",
    "own_recognizers",
]

_CUES: dict[str, str] = {
    "card": r"card|visa|mastercard|master card|amex|american express|discover card|long number"
    r"|number on the front|card number|debit|credit",
    "cvv": r"(?<!social )security (code|number|digits?)|cvv2?|cvc|cv2|csc|\bcid\b"
    r"|three digits|3 digits|four digits on the front|verification (code|number|value)"
    r"|back of (the|your|my) card|digit code|code on the back|on the back|signature strip"
    r"|last three|three numbers|three-digit|3-digit",
    "expiry": r"expir\w*|exp date|valid (to|until|till|thru|through)|end date|good (thru|through)"
    r"|until the end of|valid from",
    "phone": r"phone|mobile|cell\b|landline|telephone|contact number|call (you|me|us)\b"
    r"|ring (you|me)|reach (you|me)|best number|call ?back|number to call|whatsapp|\btel\b"
    r"|text (you|me)|on (oh|zero|0)"
    r"|(home|work|daytime|evening|good|direct|personal|callback) number",
    "nid": r"social security|\bs ?s ?n\b|\bsocial\b|national insurance|\bn\.? ?i\b\.?|\bnino\b"
    r"|tax id|taxpayer|\bsin\b|aadhaar|medicare number",
    "dob": r"date of birth|\bborn\b|birthday|\bd\.? ?o\.? ?b\b|birth ?date|\bbirth\b",
    "other": r"order|account|reference|\bref\b|policy|tracking|serial|meter|imei|invoice"
    r"|booking|confirmation|ticket|case|claim|membership|customer (number|id)|passcode|\bpin\b"
    r"|one[- ]time|texted|sent you|sort code|routing|model|flight|price|cost|total|balance"
    r"|pounds|dollars|quid|bucks|euros|pence|cents|[£$€]|percent|press|option|extension|ext\b"
    r"|room|seat|platform|gate|version|error|bank|postcode|zip|house|flat|apartment"
    r"|street|road|avenue|lane|number of|quantity|items|units|deliver|appointment",
    # Dates that are not birth dates: what the date is about, said before it.
    "otherdate": r"deliver|appointment|booking|book|arriv|schedul|visit|renew|contract|due"
    r"|paid|payment|ordered|order|cancel|holiday|flight|travel|moved|insurance|start|expir"
    r"|engineer|install|call ?back|collect|return|refund|charged|bill|statement|meeting"
    r"|opened|joined|since|policy|valid|accident|incident|happened|purchase|bought",
}
_CUE_RE = {name: re.compile(rf"\b(?:{pattern})", re.IGNORECASE) for name, pattern in _CUES.items()}
_AFTER_NOT_PERSONAL = re.compile(
    r"^\W{0,2}(pounds|dollars|quid|bucks|euros|pence|cents|p\b|percent|%|am\b|pm\b|a\.m|p\.m"
    r"|o'?clock|minutes|mins|hours|hrs|days|weeks|months|years|items|gb|mb|kg|miles|km|times"
    r"|st\b|nd\b|rd\b|th\b)",
    re.IGNORECASE,
)
_MONEY_BEFORE = re.compile(
    r"[£$€]\s*$|\b(costs?|price|paid|pay|charged|total|balance) (of |is |was )?$"
)


@dataclass(frozen=True)
class _Parsed:
    text: str
    tokens: tuple[Token, ...]
    runs: tuple[DigitRun, ...]


@lru_cache(maxsize=16)
def _parse(text: str) -> _Parsed:
    tokens = tokenize(text)
    return _Parsed(text, tokens, tuple(digit_runs(tokens)))


def _nearest_cue(text: str, start: int, end: int, window: int, names: Sequence[str]) -> str | None:
    """The cue category named nearest before ``start`` within ``window`` characters (the
    number's own turn first), else the nearest after ``end`` within 40 characters."""
    before = text[max(0, start - window) : start]
    best: tuple[int, str] | None = None
    for name in names:
        for match in _CUE_RE[name].finditer(before):
            if best is None or match.end() > best[0]:
                best = (match.end(), name)
    if best is not None:
        nearest = best[1]
        # "the three digits on the back of the card": the specific cue wins over "card".
        if nearest == "card":
            recent = before[-90:]
            for specific in ("cvv", "expiry", "nid"):
                if specific in names and _CUE_RE[specific].search(recent):
                    return specific
        return nearest
    after = text[end : end + 40].split("\n")[0]
    for match in sorted(
        ((m.start(), name) for name in names for m in _CUE_RE[name].finditer(after)),
    ):
        return match[1]
    return None


def _result(entity: Entity, start: int, end: int, score: float, why: str) -> RecognizerResult:
    return RecognizerResult(entity.value, start, end, score, recognition_metadata={"why": why})


class _Recognizer(EntityRecognizer):
    """A recogniser of ours: English, loads nothing."""

    ENTITIES: tuple[Entity, ...] = ()

    def __init__(self, context_chars: int = 200) -> None:
        self.context_chars = context_chars
        super().__init__(
            supported_entities=[e.value for e in self.ENTITIES],
            name=type(self).__name__,
            supported_language="en",
        )

    def load(self) -> None:
        """Nothing to load: rules only."""


class SpokenNumberRecognizer(_Recognizer):
    """Card numbers, security codes, expiry dates, phone numbers and social security numbers
    said as digits, digit groups, number words or a mix."""

    ENTITIES = (Entity.CARD, Entity.CVV, Entity.EXPIRY, Entity.PHONE, Entity.NATIONAL_ID)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        parsed = _parse(text)
        results = []
        for n, run in enumerate(parsed.runs):
            found = self._classify(parsed, run, parsed.runs[n - 1] if n else None)
            if found is not None and found.entity_type in entities:
                results.append(found)
        results.extend(r for r in self._written_expiry(parsed) if r.entity_type in entities)
        if Entity.NATIONAL_ID.value in entities:
            results.extend(self._ni_numbers(parsed))
        results.extend(r for r in self._month_expiry(parsed) if r.entity_type in entities)
        return results

    def _classify(
        self, parsed: _Parsed, run: DigitRun, previous: DigitRun | None
    ) -> RecognizerResult | None:
        tokens, text = parsed.tokens, parsed.text
        start, end = tokens[run.first].start, tokens[run.last].end
        digits, n = run.digits, len(run.digits)
        cue = _nearest_cue(
            text, start, end, self.context_chars, ("card", "cvv", "expiry", "phone", "nid", "other")
        )
        after = text[end : end + 12]
        if 13 <= n <= 19 and luhn_valid(digits) and digits[0] in "23456":
            # Whatever was said before it: a card number called an order number is still one.
            return _result(Entity.CARD, start, end, 1.0, "Luhn-valid card number")
        if 4 <= n <= 12 and _completes_card(previous, run):
            return _result(Entity.CARD, start, end, 0.95, "completes a card number said before")
        if _AFTER_NOT_PERSONAL.match(after) or _MONEY_BEFORE.search(
            text[max(0, start - 16) : start]
        ):
            return None
        if cue == "card" and 4 <= n <= 19:
            return _result(Entity.CARD, start, end, 0.8, "digits after card talk")
        if cue == "cvv" and 3 <= n <= 4:
            return _result(Entity.CVV, start, end, 0.9, "security code after its cue")
        if cue == "expiry" and (3 <= n <= 4 or n == 6) and _is_expiry(digits):
            return _result(Entity.EXPIRY, start, end, 0.9, "expiry after its cue")
        if cue == "nid" and n in (9, 4):
            return _result(Entity.NATIONAL_ID, start, end, 0.9, "social security number")
        if cue == "phone" and 7 <= n <= 13:
            plus = re.search(r"(\+|\bplus)\s*$", text[:start], re.IGNORECASE)
            start = plus.start() if plus else start
            return _result(Entity.PHONE, start, end, 0.85, "phone number after its cue")
        if cue is None and n == 9 and run.groups == (digits[:3], digits[3:5], digits[5:]):
            return _result(Entity.NATIONAL_ID, start, end, 0.6, "written like an SSN")
        if cue in (None, "phone") and n in (10, 11) and digits[0] == "0":
            return _result(Entity.PHONE, start, end, 0.7, "shaped like a phone number")
        if cue in (None, "phone") and _plus_before(text, start) and 9 <= n <= 13:
            plus = re.search(r"(\+|\bplus)\s*$", text[:start], re.IGNORECASE)
            start = plus.start() if plus else start
            return _result(Entity.PHONE, start, end, 0.7, "international phone number")
        if cue is None and [len(g) for g in run.groups] in ([3, 3, 4], [3, 4]):
            return _result(Entity.PHONE, start, end, 0.6, "grouped like a US phone number")
        return None

    def _written_expiry(self, parsed: _Parsed) -> list[RecognizerResult]:
        """ "04/27", "oh four slash twenty seven" after an expiry cue."""
        found = []
        for match in re.finditer(
            r"\b(0?[1-9]|1[0-2]) ?(/|slash|-) ?(\d\d|20\d\d)\b", parsed.text, re.IGNORECASE
        ):
            cue = _nearest_cue(
                parsed.text,
                match.start(),
                match.end(),
                self.context_chars,
                ("expiry", "dob", "other"),
            )
            if cue == "expiry":
                found.append(_result(Entity.EXPIRY, match.start(), match.end(), 0.9, "MM/YY"))
        for run_a, run_b in zip(parsed.runs, parsed.runs[1:], strict=False):
            between = parsed.text[parsed.tokens[run_a.last].end : parsed.tokens[run_b.first].start]
            if between.strip().lower() in ("slash", "/", "-") and len(run_a.digits) <= 2:
                start, end = parsed.tokens[run_a.first].start, parsed.tokens[run_b.last].end
                cue = _nearest_cue(parsed.text, start, end, self.context_chars, ("expiry", "dob"))
                if cue == "expiry" and len(run_b.digits) in (2, 4):
                    found.append(_result(Entity.EXPIRY, start, end, 0.9, "month slash year"))
        return found

    def _ni_numbers(self, parsed: _Parsed) -> list[RecognizerResult]:
        """UK National Insurance numbers: two letters, six digits, a letter (A-D), written or
        said ("Q Q one two three four five six C"), after a national insurance cue."""
        found = []
        for run in parsed.runs:
            if len(run.digits) != 6:
                continue
            first, last = run.first, run.last
            letters = 0
            while first > 0 and letters < 2 and parsed.tokens[first - 1].text.isalpha():
                size = len(parsed.tokens[first - 1].text)
                if size > 2 or letters + size > 2:
                    break
                letters += size
                first -= 1
            if letters != 2:
                continue
            tokens = parsed.tokens
            suffixed = last + 1 < len(tokens) and re.fullmatch(r"[A-Da-d]", tokens[last + 1].text)
            last += 1 if suffixed else 0
            start, end = tokens[first].start, tokens[last].end
            cue = _nearest_cue(parsed.text, start, end, self.context_chars, ("nid", "other"))
            # Written in full, capitals and all ("QQ 12 34 56 C"), it needs no cue.
            written = suffixed and parsed.text[start:end].isupper() and cue != "other"
            if cue == "nid" or written:
                found.append(_result(Entity.NATIONAL_ID, start, end, 0.95, "NI number"))
        return found

    def _month_expiry(self, parsed: _Parsed) -> list[RecognizerResult]:
        """ "April 2027", "the end of April twenty seven" after an expiry cue."""
        found = []
        for first, last, _has_day in date_spans(parsed.tokens):
            start, end = parsed.tokens[first].start, parsed.tokens[last].end
            cue = _nearest_cue(parsed.text, start, end, self.context_chars, ("expiry", "dob"))
            if cue == "expiry":
                found.append(_result(Entity.EXPIRY, start, end, 0.9, "month and year"))
        return found


def _completes_card(previous: DigitRun | None, run: DigitRun) -> bool:
    """True when the digits said just before (this turn or the last) and these make a
    Luhn-valid card number: the second half of a number split over two turns."""
    if previous is None:
        return False
    digits = previous.digits + run.digits
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_valid(digits)


def _is_expiry(digits: str) -> bool:
    month = int(digits[:-2] if len(digits) in (3, 4) else digits[:2])
    return 1 <= month <= 12


def _plus_before(text: str, start: int) -> bool:
    return bool(re.search(r"(\+|\bplus)\s*$", text[max(0, start - 6) : start], re.IGNORECASE))


class BirthDateRecognizer(_Recognizer):
    """Dates of birth: any date said or written after a birth cue ("date of birth", "born"),
    when no other kind of date (delivery, appointment ...) was asked about since."""

    ENTITIES = (Entity.DOB,)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if Entity.DOB.value not in entities:
            return []
        parsed = _parse(text)
        spans = [
            (parsed.tokens[first].start, parsed.tokens[last].end)
            for first, last, has_day in date_spans(parsed.tokens)
            if has_day
        ]
        for run in parsed.runs:
            if len(run.digits) in (6, 8) and _is_date(run.digits):
                spans.append((parsed.tokens[run.first].start, parsed.tokens[run.last].end))
        results = []
        for start, end in spans:
            cue = _nearest_cue(text, start, end, self.context_chars, ("dob", "otherdate"))
            if cue == "dob":
                results.append(_result(Entity.DOB, start, end, 0.9, "date after a birth cue"))
        return results


def _is_date(digits: str) -> bool:
    a, b = int(digits[:2]), int(digits[2:4])
    return 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TLDS = {
    "com",
    "net",
    "org",
    "uk",
    "io",
    "edu",
    "gov",
    "info",
    "biz",
    "me",
    "us",
    "ie",
    "au",
    "ca",
    "de",
    "fr",
    "in",
    "nz",
    "co",
    "ac",
    "eu",
    "email",
    "online",
}
_MAIL_HOSTS = {"gmail", "hotmail", "yahoo", "outlook", "icloud", "aol", "btinternet", "protonmail"}
_DOT = {"dot", ".", "period", "point"}
_LOCAL_JOINERS = {"dot", ".", "underscore", "_", "dash", "-", "hyphen", "plus"}
_LOCAL_STOP = {
    "is",
    "it's",
    "its",
    "email",
    "e",
    "mail",
    "address",
    "my",
    "me",
    "to",
    "send",
    "that's",
    "thats",
    "on",
    "yes",
    "yeah",
    "ok",
    "okay",
    "so",
    "it",
    "the",
    "your",
    "use",
    "at",
    "was",
    "be",
    "sure",
    "please",
    "just",
    "um",
    "uh",
    "er",
    "and",
    "or",
    "try",
    "have",
    "got",
    "i",
}


class SpokenEmailRecognizer(_Recognizer):
    """E-mail addresses written ("j.smith@example.com") or said ("john dot smith at example
    dot com", "j smith at gmail")."""

    ENTITIES = (Entity.EMAIL,)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if Entity.EMAIL.value not in entities:
            return []
        results = [
            _result(Entity.EMAIL, m.start(), m.end(), 1.0, "written address")
            for m in _EMAIL.finditer(text)
        ]
        tokens = _parse(text).tokens
        for i, tok in enumerate(tokens):
            if tok.lower not in ("at", "@") or i == 0:
                continue
            domain_end = self._domain(tokens, i + 1)
            if domain_end is None:
                continue
            local_start = self._local(tokens, i - 1)
            if local_start is None:
                continue
            start, end = tokens[local_start].start, tokens[domain_end].end
            if "\n" not in text[start:end]:
                results.append(_result(Entity.EMAIL, start, end, 0.95, "address said aloud"))
        return results

    @staticmethod
    def _domain(tokens: Sequence[Token], i: int) -> int | None:
        """The last token of a domain starting at ``i`` ("example dot co dot uk", "my-company
        dot de", "bt internet dot com", "gmail")."""
        i = _skip_words(tokens, i, {"sign", "symbol"})
        label_end = _label(tokens, i)
        if label_end is None:
            return None
        first_label_end, last, dots, j = label_end, label_end, 0, label_end + 1
        while (step := _dot_length(tokens, j)) and (end := _label(tokens, j + step)) is not None:
            last, dots, j = end, dots + 1, end + 1
        tld = tokens[last].lower
        if dots and tld.isalpha() and (tld in _TLDS or 2 <= len(tld) <= 6):
            return last
        if tokens[i].lower in _MAIL_HOSTS:
            return first_label_end
        return None

    @staticmethod
    def _local(tokens: Sequence[Token], i: int) -> int | None:
        """The first token of the part before "at", walking back from ``i``."""
        first = None
        j = i
        while j >= 0 and i - j < 12:
            tok = tokens[j]
            joiner = (
                tok.lower in _LOCAL_JOINERS
                or _dot_length(tokens, j)
                or (tok.lower == "full" and j + 1 <= i and tokens[j + 1].lower == "stop")
            )
            if tok.lower in _LOCAL_STOP or not (tok.text.isalnum() or joiner):
                break
            first = j
            j -= 1
        while (
            first is not None
            and first <= i
            and (tokens[first].lower in _LOCAL_JOINERS or _dot_length(tokens, first))
        ):
            first += _dot_length(tokens, first) or 1
        return first if first is not None and first <= i else None


def _skip_words(tokens: Sequence[Token], i: int, words: set[str]) -> int:
    while i < len(tokens) and tokens[i].lower in words:
        i += 1
    return i


def _dot_length(tokens: Sequence[Token], j: int) -> int:
    """How many tokens say "dot" at ``j``: "dot", ".", "period", "point", "full stop". A "."
    with a space after it ends a sentence ("... at home appliances. My name is ..."), as
    recognition writes it, and is no dot in an address."""
    if j >= len(tokens):
        return 0
    if tokens[j].text == ".":
        return int(j + 1 < len(tokens) and tokens[j + 1].start == tokens[j].end)
    if tokens[j].lower in _DOT:
        return 1
    if tokens[j].lower == "full" and j + 1 < len(tokens) and tokens[j + 1].lower == "stop":
        return 2
    return 0


def _label(tokens: Sequence[Token], i: int) -> int | None:
    """The last token of one domain label at ``i``: one or two words, or words joined by
    hyphens ("my-company", "bt internet")."""
    if i >= len(tokens) or not tokens[i].text.isalnum() or tokens[i].lower in ("the", "a"):
        return None
    last, j = i, i + 1
    while j + 1 < len(tokens) and tokens[j].lower in ("-", "dash", "hyphen"):
        if not tokens[j + 1].text.isalnum():
            break
        last, j = j + 1, j + 2
    nxt = last + 1
    if (
        last == i
        and nxt + 1 < len(tokens)
        and tokens[nxt].text.isalpha()
        and tokens[nxt].lower not in _LOCAL_STOP
        and _dot_length(tokens, nxt + 1)
    ):
        last = nxt  # a two-word label, "bt internet", only when a dot follows
    return last


_NAME_CUE = re.compile(
    r"\b(name|surname|spell\w*|spelt|initials?|that's|thats)\b[^\n]{0,40}$", re.IGNORECASE
)


class SpelledNameRecognizer(_Recognizer):
    """Names spelled letter by letter after a name cue ("my name is Jo, J O", "surname's
    Smith, S M I T H", "s for sugar")."""

    ENTITIES = (Entity.PERSON_SPELLED,)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if Entity.PERSON_SPELLED.value not in entities:
            return []
        tokens = _parse(text).tokens
        results = []
        for first, last in letter_runs(tokens, min_letters=2):
            start, end = tokens[first].start, tokens[last].end
            before = text[max(0, start - self.context_chars) : start]
            if re.search(r"\b(name|surname|spell\w*|spelt)\b", before, re.IGNORECASE):
                results.append(
                    _result(Entity.PERSON_SPELLED, start, end, 0.85, "letters after a name cue")
                )
        return results


_STREET = (
    r"street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|court|ct|crescent|place|pl|terrace"
    r"|grove|gardens|boulevard|blvd|park|square|sq|row|hill|walk|mews|parade|highway|hwy|view"
    r"|rise|green|circle|cir|trail|parkway|pkwy|wharf|quay|yard|vale|heights|meadows?|end|gate"
    r"|croft|chase|grange|fold|mount|circus|embankment|wynd|cottages|villas|approach|broadway"
)
_DIRECTION = r"(?-i:N|S|E|W|NE|NW|SE|SW)"
_NUMBER_WORD = (
    r"(?:\d+[a-z]?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty"
    r"|seventy|eighty|ninety|hundred|oh)"
)
_UK_POSTCODE = r"[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}"
_TOWN_AND_CODE = (
    rf"(?:,?\s+(?:[a-z]+\s+){{0,2}}?[a-z]+,?\s+(?:{_UK_POSTCODE}|[a-z]{{2}}\s+\d{{5}}(?:-\d{{4}})?"
    rf"|\d{{5}}|(?-i:[A-Z]{{2}})\b)"
    # or a capitalised town after a comma, ending the clause
    rf"|,\s+(?-i:[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)(?=\s*(?:[.,!?;]|$)))"
)
_ADDRESS = re.compile(
    rf"\b(?:(?:flat|apartment|apt|unit|suite)\.?\s+{_NUMBER_WORD}(?:\s+{_NUMBER_WORD})*,?\s+)?"
    rf"{_NUMBER_WORD}(?:[\s-]+{_NUMBER_WORD})*,?\s+(?:[a-z0-9']+\s+){{0,3}}(?:{_STREET})\b\.?"
    rf"(?:\s+{_DIRECTION}\b)?{_TOWN_AND_CODE}?",
    re.IGNORECASE,
)
_ADDRESS_NO_NUMBER = re.compile(
    rf"\b(?:live (?:at|on|in)|address is|address's|first line (?:is|of (?:the|my|your) address"
    rf"(?: is)?))\s+((?:[a-z']+,?\s+){{1,3}}(?:{_STREET})\b{_TOWN_AND_CODE}?)",
    re.IGNORECASE,
)
_POSTCODE = re.compile(rf"\b(?:{_UK_POSTCODE}|\d{{5}}(?:-\d{{4}})?)\b", re.IGNORECASE)
_POSTCODE_CUE = re.compile(
    r"\b(post ?code|postal code|zip( code)?|billing|address|live|lives|moved to|postcode)\b",
    re.IGNORECASE,
)
_BUSINESS_CUE = re.compile(
    r"\b(store|branch|depot|office|shop|warehouse|headquarters|showroom|head office)\b",
    re.IGNORECASE,
)


class AddressRecognizer(_Recognizer):
    """Street addresses (a house number, up to three words, a street word, then town and
    postcode when they follow) and postcodes or ZIP codes given as someone's address."""

    ENTITIES = (Entity.ADDRESS,)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if Entity.ADDRESS.value not in entities:
            return []
        results = []
        for match in _ADDRESS.finditer(text):
            start, end = match.start(), match.end()
            while end > start and text[end - 1] in ".,":
                end -= 1
            if "\n" in text[start:end] or _BUSINESS_CUE.search(text[max(0, start - 30) : start]):
                continue
            results.append(_result(Entity.ADDRESS, start, end, 0.8, "street address"))
        results.extend(self._spoken_postcodes(text, results))
        for match in _ADDRESS_NO_NUMBER.finditer(text):
            start, end = match.start(1), match.end(1)
            if not any(r.start < end and start < r.end for r in results):
                results.append(_result(Entity.ADDRESS, start, end, 0.7, "street after 'live at'"))
        for match in _POSTCODE.finditer(text):
            before = text[max(0, match.start() - self.context_chars) : match.start()]
            if not _POSTCODE_CUE.search(before) or _BUSINESS_CUE.search(before[-40:]):
                continue
            if any(r.start <= match.start() < r.end for r in results):
                continue
            results.append(_result(Entity.ADDRESS, match.start(), match.end(), 0.7, "postcode"))
        return results

    def _spoken_postcodes(self, text: str, taken: list[RecognizerResult]) -> list[RecognizerResult]:
        """UK postcodes said letter by letter and digit by digit ("s w one a one a a") after
        a postcode cue."""
        tokens = _parse(text).tokens
        found: list[RecognizerResult] = []
        i = 0
        while i < len(tokens):
            start = tokens[i].start
            before = text[max(0, start - 60) : start]
            if not re.search(r"post ?code|postal code", before, re.IGNORECASE):
                i += 1
                continue
            compact, best = "", None
            for j in range(i, min(i + 9, len(tokens))):
                piece = _postcode_piece(tokens[j])
                if piece is None:
                    break
                compact += piece
                if re.fullmatch(_UK_POSTCODE, compact, re.IGNORECASE) and len(compact) >= 5:
                    best = j
            overlaps = (
                any(r.start < tokens[best].end and start < r.end for r in taken) if best else True
            )
            if best is not None and not overlaps:
                end = tokens[best].end
                found.append(_result(Entity.ADDRESS, start, end, 0.75, "postcode said aloud"))
                i = best + 1
            else:
                i += 1
        return found


def _postcode_piece(token: Token) -> str | None:
    """What one spoken token adds to a postcode: a letter, a digit, or a written chunk."""
    word = token.lower
    if word in UNITS and word not in ("o", "oh"):
        return UNITS[word]
    if re.fullmatch(r"[a-z]{1,2}\d[a-z\d]?|\d[a-z]{2}|[a-z]|\d", word):
        return word
    return None


def own_recognizers(context_chars: int = 200) -> list[EntityRecognizer]:
    """Every recogniser of ours, one instance each."""
    kinds = (
        SpokenNumberRecognizer,
        BirthDateRecognizer,
        SpokenEmailRecognizer,
        SpelledNameRecognizer,
        AddressRecognizer,
    )
    return [kind(context_chars) for kind in kinds]

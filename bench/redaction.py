"""Redaction recall and precision per entity, ours against Presidio's default recognisers.

    python -m bench.redaction            # every labelled set (dev, dev2, eval)
    python -m bench.redaction --set eval # one

Each utterance is read as the pipeline reads a turn: the previous utterance (``context``) is
given for cues, and only spans inside the utterance count. An expected entity is recalled when
every letter and digit of it is redacted (by any type: a card number redacted as a phone
number is still gone); a redacted span is correct when it overlaps an expected entity.
Presidio's defaults run on the same offline blank spaCy pipeline (its default model,
en_core_web_lg, cannot be downloaded here), so its NER-based PERSON/LOCATION/DATE recognisers
find nothing; its pattern recognisers (credit card with Luhn, phone numbers through
phonenumbers, e-mail, SSN, NI number, dates ...) run as shipped.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from qa_pipeline.redact.engine import find_entities, offline_nlp_engine
from qa_pipeline.redact.options import Entity

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "redaction"
SETS = {"dev": DATA / "dev.jsonl", "dev2": DATA / "dev2.jsonl", "eval": DATA / "eval.jsonl"}
TYPES = [e.value for e in Entity]

# Presidio's entity names mapped onto ours, for precision per type.
PRESIDIO_TYPES = {
    "CREDIT_CARD": "CARD",
    "US_SSN": "NATIONAL_ID",
    "UK_NINO": "NATIONAL_ID",
    "US_ITIN": "NATIONAL_ID",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "DATE_TIME": "DOB",
    "LOCATION": "ADDRESS",
    "PERSON": "PERSON_SPELLED",
}

Span = tuple[str, int, int]
Redactor = Callable[[str, str, str], list[Span]]


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def ours(text: str, context: str, speaker: str) -> list[Span]:
    return [(f.entity.value, f.start, f.end) for f in find_entities(text, context=context)]


def presidio_default() -> Redactor:
    """Presidio's AnalyzerEngine with its default registry, offline."""
    import tldextract
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    # Presidio's e-mail check fetches the public suffix list on first use; offline, give it
    # tldextract's bundled snapshot so the baseline does not wait on the network.
    offline = tldextract.TLDExtract(suffix_list_urls=())

    class _Tld:
        extract = staticmethod(offline)

    email_recognizer.tldextract = _Tld
    engine = AnalyzerEngine(nlp_engine=offline_nlp_engine(), supported_languages=["en"])

    def run(text: str, context: str, speaker: str) -> list[Span]:
        prefix = context + "\n" if context else ""
        found = []
        for r in engine.analyze(text=prefix + text, language="en"):
            start, end = r.start - len(prefix), r.end - len(prefix)
            if end > 0:
                found.append((PRESIDIO_TYPES.get(r.entity_type, "OTHER"), max(start, 0), end))
        return found

    return run


def score(records: Iterable[dict], redactor: Redactor) -> tuple[dict, list[str], float]:
    """Per type: expected, recalled, predicted, correct; the misses; seconds per utterance."""
    counts: dict[str, Counter] = {t: Counter() for t in [*TYPES, "OTHER"]}
    misses: list[str] = []
    records = list(records)
    started = time.perf_counter()
    for rec in records:
        text = rec["text"]
        found = redactor(text, rec["context"], rec["speaker"])
        covered = [False] * len(text)
        for _, start, end in found:
            for i in range(start, min(end, len(text))):
                covered[i] = True
        for ent in rec["entities"]:
            counts[ent["type"]]["expected"] += 1
            chars = [i for i in range(ent["start"], ent["end"]) if text[i].isalnum()]
            if all(covered[i] for i in chars):
                counts[ent["type"]]["recalled"] += 1
            else:
                misses.append(
                    f"miss {ent['type']:<14} {rec['id']}: {text[ent['start'] : ent['end']]!r}"
                )
        for kind, start, end in found:
            counts[kind]["predicted"] += 1
            if any(start < e["end"] and e["start"] < end for e in rec["entities"]):
                counts[kind]["correct"] += 1
            else:
                misses.append(f"extra {kind:<13} {rec['id']}: {text[start:end]!r}")
    per_utterance_s = (time.perf_counter() - started) / max(len(records), 1)
    return counts, misses, per_utterance_s


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def report(name: str, records: list[dict], redactors: dict[str, Redactor], show: bool) -> None:
    results = {label: score(records, r) for label, r in redactors.items()}
    print(f"\n## {name}: {len(records)} utterances\n")
    header = "| entity | n |" + "".join(
        f" {label} recall | {label} precision |" for label in results
    )
    print(header)
    print("|" + " --- |" * (2 + 2 * len(results)))
    for kind in [*TYPES, "OTHER"]:
        row = f"| {kind} | {results[next(iter(results))][0][kind]['expected']} |"
        for counts, _, _ in results.values():
            c = counts[kind]
            recall = _ratio(c["recalled"], c["expected"])
            row += f" {recall} | {_ratio(c['correct'], c['predicted'])} ({c['predicted']}) |"
        print(row)
    for label, (counts, misses, per_s) in results.items():
        expected = sum(c["expected"] for c in counts.values())
        recalled = sum(c["recalled"] for c in counts.values())
        predicted = sum(c["predicted"] for c in counts.values())
        correct = sum(c["correct"] for c in counts.values())
        print(
            f"\n{label}: all entities recall {_ratio(recalled, expected)}, precision "
            f"{_ratio(correct, predicted)}; {per_s * 1000:.1f} ms per utterance"
        )
        if show:
            print("\n".join(f"  {m}" for m in misses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all", "both"], default="all")
    parser.add_argument("--misses", action="store_true", help="list every miss and extra")
    parser.add_argument("--ours-only", action="store_true")
    args = parser.parse_args()
    redactors: dict[str, Redactor] = {"ours": ours}
    if not args.ours_only:
        redactors["presidio"] = presidio_default()
    for name, path in SETS.items():
        if args.set in (name, "all") or (args.set == "both" and name != "dev2"):
            report(name, load(path), redactors, args.misses)
    print(f"\nloading Presidio and our recognisers, once per process: {load_s():.1f} s")
    print("\nredaction time against turn length (one speaker, no pause, numbers and cues mixed):")
    times = {n: turn_s(n) for n in (1000, 4000, 16000)}
    for n, seconds in times.items():
        ratio = seconds / times[1000]
        print(f"  {n:>6} words: {seconds:.2f} s ({ratio:.1f}x the 1000-word turn's time)")


_TURN_WORDS = (
    "one two three four five oh double my card number is at dot com the road street lane close "
    "flat 12 4111 and date of birth born s m i t h spell name phone"
)


def turn_s(words: int) -> float:
    """Seconds to redact one turn of ``words`` words drawn from numbers, cues and fillers."""
    import random

    from qa_pipeline.records import Speaker, Word
    from qa_pipeline.redact.words import redact_words

    vocab = _TURN_WORDS.split()
    rng = random.Random(1)
    said = [
        Word(i * 0.3, i * 0.3 + 0.25, rng.choice(vocab), 0.9, Speaker.CUSTOMER)
        for i in range(words)
    ]
    started = time.perf_counter()
    redact_words(said)
    return time.perf_counter() - started


def load_s() -> float:
    """Seconds a fresh process takes to import Presidio and build our analyzer."""
    code = (
        "import time; t = time.perf_counter(); "
        "from qa_pipeline.redact.engine import analyzer; analyzer(); "
        "print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


if __name__ == "__main__":
    main()

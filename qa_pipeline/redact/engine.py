"""Presidio, offline: an analyzer with our recognisers on a blank spaCy pipeline.

Presidio's default engine loads (and downloads) a spaCy model at run time; ours builds
``spacy.blank("en")`` in memory from spaCy's own language data, so nothing is fetched and
nothing needs installing. Our recognisers are rules over the text (no NER); Presidio's own
pattern recognisers for written SSNs, UK NI numbers and card numbers run beside them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    UkNinoRecognizer,
    UsSsnRecognizer,
)
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig
from presidio_anonymizer.entities import RecognizerResult as AnonymizerResult

from qa_pipeline.redact.options import Entity
from qa_pipeline.redact.recognisers import own_recognizers

__all__ = ["Found", "analyzer", "find_entities", "offline_nlp_engine", "tagged"]


@dataclass(frozen=True)
class Found:
    """An entity found in a text: its type and character span (end exclusive)."""

    entity: Entity
    start: int
    end: int
    score: float


class _BlankSpacyEngine(SpacyNlpEngine):
    """Presidio's spaCy engine on ``spacy.blank("en")``: a tokenizer, no model, no download."""

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": "en", "model_name": "blank:en"}])

    def load(self) -> None:
        import spacy

        self.nlp = {"en": spacy.blank("en")}


def offline_nlp_engine() -> SpacyNlpEngine:
    """An NLP engine that needs nothing from the network or the disk."""
    engine = _BlankSpacyEngine()
    engine.load()
    return engine


@lru_cache(maxsize=4)
def analyzer(context_chars: int = 200) -> AnalyzerEngine:
    """The analyzer with our recognisers, built once per process."""
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in own_recognizers(context_chars):
        registry.add_recognizer(recognizer)
    registry.add_recognizer(CreditCardRecognizer(supported_entity=Entity.CARD.value))
    registry.add_recognizer(UsSsnRecognizer(supported_entity=Entity.NATIONAL_ID.value))
    registry.add_recognizer(UkNinoRecognizer(supported_entity=Entity.NATIONAL_ID.value))
    return AnalyzerEngine(
        registry=registry, nlp_engine=offline_nlp_engine(), supported_languages=["en"]
    )


_MIN_SCORE = 0.5
"""Presidio's pattern recognisers score written SSNs and NI numbers without context low
(0.05-0.5); below this they are not taken."""


def find_entities(
    text: str,
    entities: Sequence[Entity] = tuple(Entity),
    context: str = "",
    context_chars: int = 200,
) -> list[Found]:
    """The entities in ``text``, non-overlapping, in order.

    Args:
        context: what was said just before (the previous turns), read for cues only.
    """
    if not entities or not text.strip():
        return []
    prefix = context[-context_chars:] + "\n" if context else ""
    results = analyzer(context_chars).analyze(
        text=prefix + text, language="en", entities=[e.value for e in entities]
    )
    chosen: list[Found] = []  # in order of start, never overlapping
    starts: list[int] = []
    offset = len(prefix)
    for result in sorted(results, key=_priority):
        start, end = max(result.start, offset) - offset, result.end - offset
        if end <= 0 or result.score < _MIN_SCORE and not _own(result):
            continue
        # The best scored first; one that overlaps a better one already taken is dropped.
        at = bisect.bisect_left(starts, start)
        before = chosen[at - 1] if at else None
        after = chosen[at] if at < len(chosen) else None
        if (before and before.end > start) or (after and after.start < end):
            continue
        chosen.insert(at, Found(Entity(result.entity_type), start, end, result.score))
        starts.insert(at, start)
    return chosen


def _own(result: RecognizerResult) -> bool:
    return "why" in (result.recognition_metadata or {})


def _priority(result: RecognizerResult) -> tuple[float, int]:
    return (-result.score, -(result.end - result.start))


@lru_cache(maxsize=1)
def _anonymizer() -> AnonymizerEngine:
    return AnonymizerEngine()


def tagged(text: str, found: Sequence[Found]) -> str:
    """``text`` with each entity found (offsets into ``text``, clipped to it) replaced by its
    tag, by Presidio's anonymizer."""
    results = [
        AnonymizerResult(f.entity.value, max(f.start, 0), min(f.end, len(text)), f.score)
        for f in found
    ]
    operators = {
        f.entity.value: OperatorConfig("replace", {"new_value": f.entity.tag}) for f in found
    }
    return _anonymizer().anonymize(text=text, analyzer_results=results, operators=operators).text

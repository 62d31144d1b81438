"""The rubric engine: applies a rubric to a transcript and returns verdicts with evidence.

Pure: a Transcript and a Rubric in, a CallScore out. Each item is N/A when its applies_when
condition does not hold, else pass or fail by its detector tree. The call's score is
100 x points earned / weight of the items that applied, zero when a critical item fails.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from qa_pipeline.bulk import paused_gc
from qa_pipeline.records import (
    CallScore,
    Evidence,
    ItemResult,
    SentenceActs,
    SentenceEmbeddings,
    Speaker,
    Transcript,
    Turn,
    TurnMatch,
    Verdict,
)
from qa_pipeline.scoring.detectors import timing
from qa_pipeline.scoring.detectors.acts import (
    ActHit,
    ActModel,
    CallActs,
    Passing,
    act_rows_of_calls,
    embed_sentences,
)
from qa_pipeline.scoring.detectors.text import (
    SemanticModel,
    TextDetector,
    WordOffsets,
    content_words,
    normalised,
)
from qa_pipeline.scoring.patterns import AnyPattern
from qa_pipeline.scoring.rubric import (
    ACT_LEAVES,
    TEXT_LEAVES,
    WEIGHED,
    Item,
    Node,
    Rubric,
    Scope,
    load_rubric,
)
from qa_pipeline.speech.turns import nontalk_gaps

__all__ = ["RubricScorer", "score_call", "scorer_for"]

_COMBINATORS = frozenset(("all_of", "any_of", "none_of", "sequence"))
_ANY_SPEAKER = Scope(speaker="any")
"""An applies_when condition's default scope. One object: scoped turns are cached by the
scope's identity, and every other scope is a rubric's own, alive as long as its scorer."""


class _Result(NamedTuple):
    """What a detector node found: whether it holds, the evidence, and what was missing.
    (A named tuple: a call builds dozens, and a frozen dataclass costs three times more.)"""

    satisfied: bool
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass
class _Call:
    """One call's turns and the facts derived from them, computed once per call."""

    transcript: Transcript
    rubric: Rubric
    acts: CallActs | None = None
    holds: list[timing.Hold] = field(default_factory=list)
    end_s: float = 0.0
    by_speaker: dict[str, list[Turn]] = field(default_factory=dict)
    """A scope's speaker ("any", "agent", "customer") -> that speaker's turns, in order."""
    scoped: dict[tuple[int, tuple[float, float] | None, int], list[Turn]] = field(
        default_factory=dict
    )
    """The turns in a scope, by (scope, anchor, hold): an item's leaves mostly share one."""
    matches: list[TurnMatch] = field(default_factory=list)
    """Every leaf's matches, in the order the leaves ran (repeats removed at the end)."""
    word_offsets: dict[int, WordOffsets] = field(default_factory=dict)
    """Each turn's word offsets, by turn index, once the first text leaf matched in it."""
    texts: dict[int, str] = field(default_factory=dict)
    """A scope's turns' words as text detectors read them, one turn a line, by the identity
    of the scoped list (kept in ``scoped`` for the call's lifetime)."""

    def __post_init__(self) -> None:
        turns = self.transcript.turns
        self.end_s = max((t.end_s for t in turns), default=0.0)
        self.by_speaker = {"any": list(turns)}
        for t in turns:
            self.by_speaker.setdefault(t.speaker.value, []).append(t)
        h = self.rubric.holds
        self.holds = timing.find_holds(
            turns, h.announce, h.min_silence_s, h.announced_min_silence_s
        )

    def text_of(self, turns: list[Turn]) -> str:
        """The scoped turns' normalised words, one turn a line (see TextDetector.find_in)."""
        text = self.texts.get(id(turns))
        if text is None:
            text = self.texts[id(turns)] = "\n".join([normalised(t.text) for t in turns])
        return text


class RubricScorer:
    """Scores transcripts against one rubric; text detectors are compiled once.

    Args:
        rubric: a validated rubric.
        semantic: the embedding model for similar_to detectors (loaded on first use).
        acts: the act embedder and classifier for act detectors (by default, one with the
            rubric's examples, loaded on first use).
    """

    def __init__(
        self, rubric: Rubric, semantic: SemanticModel | None = None, acts: ActModel | None = None
    ) -> None:
        self.rubric = rubric
        self._semantic = semantic
        self.acts = (acts or ActModel(rubric.examples)) if rubric.acts else None
        self._excludes: dict[int, AnyPattern] = {}
        # Per act leaf, its acts and threshold; per leaf, its result when it finds nothing
        # (most leaves in most calls): worked out once, not once per call.
        self._act_keys: dict[int, tuple[tuple[str, ...], float | None, float | None]] = {}
        self._nothing: dict[int, _Result] = {}
        # Keyed by node identity: two leaves may share an id and phrases yet differ in excludes.
        # The rubric, held by self.rubric, keeps every node alive for the scorer's lifetime.
        self._detectors: dict[int, TextDetector] = {}
        for item in rubric.items:
            for root in (item.applies_when, item.pass_when):
                if root is not None:
                    self._compile(root)

    def _compile(self, node: Node) -> None:
        self._nothing[id(node)] = _Result(False, (), (node.id,))
        if node.kind in ACT_LEAVES:
            self._excludes[id(node)] = AnyPattern(node.exclude)
            limit = node.params.get("min_confidence")
            turn_limit = node.params.get("min_turn_confidence")
            self._act_keys[id(node)] = (
                tuple(node.values),
                None if limit is None else float(limit),
                None if turn_limit is None else float(turn_limit),
            )
        if node.kind in TEXT_LEAVES:
            self._detectors[id(node)] = TextDetector(
                node.kind,
                node.values,
                node.exclude,
                float(node.params.get("min_similarity", 0.6)),
                self._semantic if node.kind == "similar_to" else None,
            )
        for child in node.children:
            self._compile(child)

    def __call__(
        self, transcript: Transcript, sentences: SentenceEmbeddings | None = None
    ) -> tuple[CallScore, ...]:
        """The Scorer interface of qa_pipeline.batch.process: one score, for this rubric."""
        return (self.score(transcript, sentences),)

    def embed(
        self, transcript: Transcript, stored: SentenceEmbeddings | None = None
    ) -> SentenceEmbeddings | None:
        """The transcript's sentence embeddings for act detectors, reusing ``stored`` where it
        holds the same sentences from the same model; None when the rubric names no act."""
        if self.acts is None:
            return None
        return embed_sentences(transcript, self.acts, stored)

    def score(
        self, transcript: Transcript, sentences: SentenceEmbeddings | None = None
    ) -> CallScore:
        """Scores one transcript.

        Args:
            sentences: its sentence embeddings (from ``embed`` or the store); embedded here
                when missing and the rubric names acts.
        """
        return self.score_many([(transcript, sentences)])[0]

    def score_many(
        self, calls: Sequence[tuple[Transcript, SentenceEmbeddings | None]]
    ) -> list[CallScore]:
        """Scores many transcripts, as ``score`` does each, with one pass of the act
        classifier over all their sentences (what rescoring a chunk of calls uses)."""
        return [score for score, _ in self.score_read([(t, e, None) for t, e in calls])]

    def score_read(
        self, calls: Sequence[tuple[Transcript, SentenceEmbeddings | None, SentenceActs | None]]
    ) -> list[tuple[CallScore, SentenceActs | None]]:
        """``score_many``, reusing act probabilities read before: the classifier reads only
        the calls that come without their own under this rubric's reading
        (``ActModel.reading_id``) for the very sentences given. Returns each call's score
        with the probabilities its acts were read with (the given ones when taken; None when
        the rubric names no act), for the store to keep."""
        with paused_gc():  # many short-lived, acyclic results: see paused_gc
            if self.acts is None:
                return [(self._score(transcript, None), None) for transcript, _, _ in calls]
            embedded = [self.embed(transcript, sentences) for transcript, sentences, _ in calls]
            # Probabilities read before stand only for the very sentences they were read
            # from: a call whose sentences had to be embedded again is read again.
            known = [
                (e, read if e is given else None)
                for e, (_, given, read) in zip(embedded, calls, strict=True)
                if e is not None
            ]
            acts = iter(act_rows_of_calls([e for e, _ in known], self.acts, [r for _, r in known]))
            reading = self.acts.reading_id
            scored: list[tuple[CallScore, SentenceActs | None]] = []
            for (transcript, _, _), e in zip(calls, embedded, strict=True):
                call_acts = next(acts) if e is not None else None
                read = (
                    None
                    if call_acts is None
                    else call_acts.taken or SentenceActs(reading, call_acts.probabilities)
                )
                scored.append((self._score(transcript, call_acts), read))
            return scored

    def _score(self, transcript: Transcript, acts: CallActs | None) -> CallScore:
        call = _Call(transcript, self.rubric, acts)
        items = tuple([self._item(call, item) for item in self.rubric.items])
        possible = sum(i.max_points for i in items if i.verdict is not Verdict.NA)
        earned = sum(i.points for i in items)
        critical_failed = any(i.critical and i.verdict is Verdict.FAIL for i in items)
        score = None if possible == 0 else (0.0 if critical_failed else 100.0 * earned / possible)
        return CallScore(
            rubric=self.rubric.ref,
            score=score,
            band=self.rubric.band_for(score),
            points_earned=0.0 if critical_failed else earned,
            points_possible=possible,
            critical_failed=critical_failed,
            items=items,
            matches=tuple(dict.fromkeys(call.matches)),
        )

    def _item(self, call: _Call, item: Item) -> ItemResult:
        anchor: tuple[float, float] | None = None
        if item.applies_when is not None:
            applies = self._node(call, item, item.applies_when, _ANY_SPEAKER, None)
            if not applies.satisfied:
                reason = f"not applicable: {', '.join(applies.missing) or item.applies_when.id}"
                return self._result(call, item, Verdict.NA, reason, ())
            first = min(applies.evidence, key=lambda e: e.start_s, default=None)
            if first is not None:
                # From the start of the turn it began to apply in: an agent's "so sorry the
                # line's been down" mid-turn shows the problem, and the turn is after it.
                turn = _turn_at(call, first)
                anchor = (min(first.start_s, turn.start_s) if turn else first.start_s, first.end_s)
        found = self._node(call, item, item.pass_when, item.scope, anchor)
        if found.satisfied:
            verdict, reason = Verdict.PASS, "found: " + _describe(found.evidence)
        else:
            verdict, reason = Verdict.FAIL, "missing: " + ", ".join(found.missing or ("match",))
        return self._result(call, item, verdict, reason, found.evidence)

    def _result(
        self, call: _Call, item: Item, verdict: Verdict, reason: str, evidence: Sequence[Evidence]
    ) -> ItemResult:
        return ItemResult(
            item_id=item.id,
            verdict=verdict,
            points=item.weight if verdict is Verdict.PASS else 0.0,
            max_points=item.weight,
            confidence=_confidence(call.transcript.turns, evidence),
            critical=item.critical,
            reason=reason,
            evidence=tuple(evidence),
        )

    def _node(
        self,
        call: _Call,
        item: Item,
        node: Node,
        scope: Scope,
        anchor: tuple[float, float] | None,
        hold: timing.Hold | None = None,
    ) -> _Result:
        scope = node.scope or scope
        if hold is None and len(call.holds) > 1 and "hold" in (scope.after, scope.before):
            # Etiquette is owed for every hold, not only the first: the part holds when it
            # holds around each of them.
            return _every_hold(
                [self._node(call, item, node, scope, anchor, h) for h in call.holds], call.holds
            )
        kind = node.kind
        if kind in _COMBINATORS:
            children = [self._node(call, item, c, scope, anchor, hold) for c in node.children]
            return _combine(node, children)
        if kind == WEIGHED:
            return self._weighed(call, item, node, scope, anchor, hold)
        if kind in ACT_LEAVES:
            assert call.acts is not None  # built in score() whenever the rubric names an act
            passing = call.acts.passing(*self._act_keys[id(node)])
            if not passing:
                return self._nothing[id(node)]  # most act leaves: no sentence passes
            found = self._act(call, node, _in_scope(call, scope, anchor, hold), passing)
        elif kind in TEXT_LEAVES:
            found = self._text(call, node, _in_scope(call, scope, anchor, hold))
        else:
            return _fact(call, node, scope, _in_scope(call, scope, anchor, hold))
        if scope.first_s is not None and scope.first_turns is None:
            found = _said_in_time(found, scope.first_s)
        if not found:
            return self._nothing[id(node)]
        call.matches += [
            TurnMatch(e.turn_index, item.id, node.id, e.start_s, e.end_s, e.text)
            for e in found
            if e.turn_index is not None  # always, for a text or act leaf
        ]
        return _Result(True, tuple(found))

    def _weighed(
        self,
        call: _Call,
        item: Item,
        node: Node,
        scope: Scope,
        anchor: tuple[float, float] | None,
        hold: timing.Hold | None,
    ) -> _Result:
        """Holds when ``bias + sum(weight * probability)`` of its terms, through the logistic
        function, reaches ``min_probability``; a term's probability is that of its likeliest
        sentence in its scope. Evidence: the sentences of its ``evidence`` terms reaching
        ``evidence_min_confidence`` for their act, else the likeliest of them."""
        hits = self._term_hits(call, node, scope, anchor, hold)
        total = node.params["bias"] + sum(
            term.params["weight"] * hit.confidence for term, hit in hits if hit is not None
        )
        probability = 1.0 / (1.0 + math.exp(-total))
        if probability < node.params["min_probability"]:
            return _Result(False, (), (f"{node.id} ({probability:.2f})",))
        # The sentences of its evidence terms likely enough to do their act, in call order
        # (the earliest is where the item's anchor, ``after: applies``, falls); when none
        # is, the likeliest sentence among those terms.
        shown = [(t, h) for t, h in hits if t.id in node.params["evidence"] and h is not None]
        found: dict[tuple[int | None, int | None], Evidence] = {}
        limit = node.params["evidence_min_confidence"]
        for term, _ in shown:
            turn_limit = limit if term.params["read"] == "turn" else None
            passing = call.acts.passing(term.values, limit, turn_limit)
            turns = _in_scope(call, term.scope or scope, anchor, hold)
            for e in self._act(call, term, turns, passing):
                found.setdefault((e.turn_index, e.sentence_index), e)
        if not found and shown:
            term, hit = max(shown, key=lambda th: th[1].confidence)
            found[(hit.sentence.turn_index, hit.sentence.sentence_index)] = _act_evidence(
                hit, term.id
            )
        evidence = sorted(found.values(), key=lambda e: e.start_s)
        call.matches += [
            TurnMatch(e.turn_index, item.id, e.detector, e.start_s, e.end_s, e.text)
            for e in evidence
        ]
        return _Result(True, tuple(evidence))

    def _term_hits(
        self,
        call: _Call,
        node: Node,
        scope: Scope,
        anchor: tuple[float, float] | None,
        hold: timing.Hold | None = None,
    ) -> list[tuple[Node, ActHit | None]]:
        """Each term of a weighed node with its likeliest sentence (None: none in scope)."""
        assert call.acts is not None  # built in score() whenever the rubric names an act
        found = []
        for term in node.children:
            excludes = self._excludes[id(term)]
            hit = call.acts.strongest(
                _in_scope(call, term.scope or scope, anchor, hold),
                term.values,
                term.params["read"] == "turn",
                excludes.search if excludes else None,
            )
            found.append((term, hit))
        return found

    def weighed_terms(self, transcript: Transcript) -> dict[str, tuple[float, ...]]:
        """For each item whose ``applies_when`` is a weighed node: what each of its terms read
        on this call (its likeliest sentence's probability; 0 for none), in order. What
        ``python -m bench.fit_weighed`` fits the weights on."""
        if self.acts is None:
            return {}
        call = _Call(transcript, self.rubric, CallActs(self.embed(transcript), self.acts))
        return {
            item.id: tuple(
                0.0 if hit is None else hit.confidence
                for _, hit in self._term_hits(call, item.applies_when, _ANY_SPEAKER, None)
            )
            for item in self.rubric.items
            if item.applies_when is not None and item.applies_when.kind == WEIGHED
        }

    def _act(
        self, call: _Call, node: Node, turns: Sequence[Turn], passing: Passing
    ) -> list[Evidence]:
        assert call.acts is not None  # built in score() whenever the rubric names an act
        hits = call.acts.find(turns, node.values, passing)
        excludes = self._excludes[id(node)]
        found = []
        for hit in hits:
            # Read with the fragment it was cut from ("we do apologise for any | inconvenience").
            if excludes and excludes.search(call.acts.read_on(hit).lower()):
                continue
            found.append(_act_evidence(hit, node.id))
        return found

    def _text(self, call: _Call, node: Node, turns: list[Turn]) -> list[Evidence]:
        found = self._detectors[id(node)].find_in(turns, call.text_of(turns), call.word_offsets)
        repeats = node.params.get("repeats_words")
        if repeats is not None:
            found = [(t, m) for t, m in found if _repeated_words(call, t, m.text) >= repeats]
        return [
            Evidence(turn.index, turn.speaker, m.start_s, m.end_s, m.text, node.id)
            for turn, m in found
        ]


def score_call(transcript: Transcript, rubric: Rubric) -> CallScore:
    """Scores one transcript against one rubric (compiles the rubric each time)."""
    return RubricScorer(rubric).score(transcript)


def _act_evidence(hit: ActHit, detector: str) -> Evidence:
    """An act hit as evidence: its sentence's turn, times and words, the act and probability."""
    s = hit.sentence
    return Evidence(
        s.turn_index,
        s.speaker,
        s.start_s,
        s.end_s,
        s.text,
        detector,
        act=hit.act,
        act_confidence=round(hit.confidence, 4),
        sentence_index=s.sentence_index,
    )


def _combine(node: Node, children: list[_Result]) -> _Result:
    kind = node.kind
    if kind == "all_of":
        ok = all(c.satisfied for c in children)
        missing = tuple(m for c in children if not c.satisfied for m in c.missing)
        return _Result(ok, tuple(e for c in children for e in c.evidence), missing)
    if kind == "any_of":
        hits = [c for c in children if c.satisfied]
        evidence = tuple(e for c in hits for e in c.evidence)
        return _Result(bool(hits), evidence, () if hits else (node.id,))
    if kind == "none_of":
        hits = [c for c in children if c.satisfied]
        # The evidence of a none_of that fails is what it should not have found.
        evidence = tuple(e for c in hits for e in c.evidence)
        return _Result(not hits, evidence, (f"no {node.id}",) if hits else ())
    # sequence: each child must be found after the previous child's earliest evidence.
    after_s, found = -1.0, []
    for child, result in zip(node.children, children, strict=True):
        later = [e for e in result.evidence if e.start_s > after_s]
        if not result.satisfied or not later:
            return _Result(False, tuple(found), (f"{child.id} (in order)",))
        first = min(later, key=lambda e: e.start_s)
        found.append(first)
        after_s = first.start_s
    return _Result(True, tuple(found))


def _fact(call: _Call, node: Node, scope: Scope, turns: Sequence[Turn]) -> _Result:
    p, all_turns = node.params, call.transcript.turns
    if node.kind == "interruptions":
        in_scope = {t.index for t in turns}
        found = [
            i
            for i in timing.interruptions(all_turns, float(p.get("min_overlap_s", 1.0)))
            if i.turn.index in in_scope
        ]
        evidence = tuple(
            Evidence(
                i.turn.index,
                i.turn.speaker,
                i.turn.start_s,
                i.turn.end_s,
                i.turn.text,
                f"{node.id} (overlaps customer by {i.overlap_s:.1f} s)",
            )
            for i in found
        )
        ok = len(found) <= int(p.get("max_count", 0))
        return _Result(ok, evidence, () if ok else (f"{node.id}: {len(found)} interruptions",))
    if node.kind in ("hold", "hold_length"):
        holds = call.holds
        evidence = tuple(_hold_evidence(h, node.id) for h in holds)
        if node.kind == "hold":
            return _Result(bool(holds), evidence, () if holds else (node.id,))
        max_s = float(p.get("max_s", 120.0))
        excused = bool(p.get("unless_checked_in", True))
        long = [h for h in holds if h.duration_s > max_s and not (excused and h.checked_in)]
        return _Result(
            not long, evidence, (f"{node.id}: hold of {long[0].duration_s:.0f} s",) if long else ()
        )
    if node.kind == "gap":
        gaps = nontalk_gaps(all_turns, float(p.get("min_s", 20.0)))
        evidence = tuple(
            Evidence(None, None, g.start_s, g.end_s, f"(silence {g.duration_s:.1f} s)", node.id)
            for g in gaps
        )
        return _Result(bool(gaps), evidence, () if gaps else (node.id,))
    speaker = Speaker.AGENT if scope.speaker == "any" else Speaker(scope.speaker)
    if node.kind == "talk_ratio":
        value, label = timing.talk_ratio(all_turns, speaker), "talk ratio"
    else:
        value, label = timing.speaking_rate_wpm(all_turns, speaker), "words per minute"
    low = float(p.get("min", p.get("min_wpm", float("-inf"))))
    high = float(p.get("max", p.get("max_wpm", float("inf"))))
    ok = low <= value <= high
    evidence = (
        Evidence(None, speaker, 0.0, call.end_s, f"({speaker} {label} {value:.2f})", node.id),
    )
    return _Result(ok, evidence, () if ok else (f"{node.id}: {label} {value:.2f}",))


def _hold_evidence(hold: timing.Hold, detector: str) -> Evidence:
    notes = [f"hold {hold.duration_s:.0f} s"]
    if hold.announced_by is not None:
        notes.append("announced")
    if hold.checked_in:
        notes.append("checked in")
    return Evidence(None, None, hold.start_s, hold.end_s, f"({', '.join(notes)})", detector)


def _said_in_time(found: list[Evidence], first_s: float) -> list[Evidence]:
    """A leaf's evidence said within a ``first_s`` window: a turn that starts in time can
    run past it (a long recorded notice before the offer of help)."""
    return [e for e in found if e.start_s <= first_s + 0.01]


def _every_hold(results: list[_Result], holds: Sequence[timing.Hold]) -> _Result:
    """One part's results around each hold, as one: it holds when it holds for every hold."""
    missing = tuple(
        f"{m} (hold at {h.start_s:.0f} s)"
        for r, h in zip(results, holds, strict=True)
        if not r.satisfied
        for m in r.missing
    )
    return _Result(
        all(r.satisfied for r in results),
        tuple(dict.fromkeys(e for r in results for e in r.evidence)),
        missing,
    )


def _in_scope(
    call: _Call, scope: Scope, anchor: tuple[float, float] | None, hold: timing.Hold | None = None
) -> list[Turn]:
    # By identity: scopes belong to the rubric (or are _ANY_SPEAKER) and holds to the call,
    # so no key's object can be freed and its id reused while the call is scored.
    key = (id(scope), anchor, id(hold))
    turns = call.scoped.get(key)
    if turns is None:
        turns = call.scoped[key] = _scoped_turns(call, scope, anchor, hold)
    return turns


def _scoped_turns(
    call: _Call, scope: Scope, anchor: tuple[float, float] | None, hold: timing.Hold | None
) -> list[Turn]:
    turns = _windowed(call.by_speaker.get(scope.speaker, []), scope, call.end_s)
    span = _anchor_span(call, scope, anchor, hold)
    if (scope.after or scope.before) and span is None:
        return []
    if scope.after and span is not None:
        turns = [t for t in turns if t.start_s >= span[0] - 0.01]
        if scope.after == "hold":
            turns = [t for t in turns if t.start_s >= span[1] - 0.5]
        if scope.within_s is not None:
            turns = [t for t in turns if t.start_s <= span[1] + scope.within_s]
    if scope.before and span is not None:
        turns = [t for t in turns if t.start_s <= span[0] + 0.01]
        if scope.within_s is not None:
            turns = [t for t in turns if t.end_s >= span[0] - scope.within_s]
    if scope.replying_to_words is not None:
        turns = [t for t in turns if _replied_to_words(call, t) >= scope.replying_to_words]
    return turns


def _turn_at(call: _Call, evidence: Evidence) -> Turn | None:
    turns = call.transcript.turns
    index = evidence.turn_index
    if index is not None and 0 <= index < len(turns) and turns[index].index == index:
        return turns[index]
    return next((t for t in turns if t.index == index), None)


def _replied_to(call: _Call, turn: Turn) -> Turn | None:
    """The other speaker's latest turn starting before ``turn``."""
    before = [
        t
        for t in call.transcript.turns
        if t.speaker is not turn.speaker and t.start_s < turn.start_s
    ]
    return max(before, key=lambda t: t.start_s) if before else None


def _replied_to_words(call: _Call, turn: Turn) -> int:
    """Words in the turn ``turn`` replies to (0 when none)."""
    other = _replied_to(call, turn)
    return len(other.text.split()) if other is not None else 0


def _repeated_words(call: _Call, turn: Turn, text: str) -> int:
    """Content words of ``text`` (said in ``turn``) that the turn it replies to said too."""
    other = _replied_to(call, turn)
    return len(content_words(text) & content_words(other.text)) if other is not None else 0


def _windowed(turns: list[Turn], scope: Scope, end_s: float) -> list[Turn]:
    """The turns inside the scope's windows: each window set keeps a turn inside its time
    or its turn count."""
    first = scope.first_s is not None or scope.first_turns is not None
    last = scope.last_s is not None or scope.last_turns is not None
    if not first and not last:
        return turns  # most leaves: no window to cut
    first_s, first_turns = scope.first_s, scope.first_turns or 0
    last_from_s = end_s - scope.last_s if scope.last_s else None
    last_from = len(turns) - scope.last_turns if scope.last_turns else len(turns)
    return [
        t
        for i, t in enumerate(turns)
        if (not first or (first_s and t.start_s <= first_s) or i < first_turns)
        and (not last or (last_from_s is not None and t.end_s >= last_from_s) or i >= last_from)
    ]


def _anchor_span(
    call: _Call, scope: Scope, anchor: tuple[float, float] | None, hold: timing.Hold | None
) -> tuple[float, float] | None:
    name = scope.after or scope.before
    if name == "applies":
        return anchor
    if name == "hold":
        hold = hold or (call.holds[0] if call.holds else None)
        return (hold.start_s, hold.end_s) if hold else None
    if name == "first_customer_turn":
        customer = call.by_speaker.get(Speaker.CUSTOMER.value)
        return (customer[0].start_s, customer[0].end_s) if customer else None
    return None


def _confidence(turns: Sequence[Turn], evidence: Sequence[Evidence]) -> float:
    """How sure the recogniser was of the words behind a verdict: the mean word probability of
    the turns that carry its evidence, or of the whole call when it rests on an absence."""
    used = {e.turn_index for e in evidence if e.turn_index is not None}
    basis = [t.mean_probability for t in turns if t.index in used] or [
        t.mean_probability for t in turns
    ]
    return float(min(1.0, max(0.0, sum(basis) / len(basis)))) if basis else 1.0


def _describe(evidence: Sequence[Evidence]) -> str:
    shown = [
        f'"{e.text}"' + (f" ({e.act} {e.act_confidence:.2f})" if e.act else "")
        for e in evidence[:3]
    ]
    more = f" (+{len(evidence) - 3} more)" if len(evidence) > 3 else ""
    return ", ".join(shown) + more if shown else "no evidence needed"


_scorers: dict[str, RubricScorer] = {}
_scorers_lock = threading.Lock()


def scorer_for(path: Path | None = None) -> RubricScorer:
    """The scorer for a rubric file (the default rubric when None), built once per process
    and rebuilt when the file changes (a long-lived process may outlive an edit).

    Worker processes build their own from the path: a scorer does not travel between
    processes, as its detectors are keyed by node identity.

    Raises:
        InputError: the rubric is invalid (see qa_pipeline.scoring.rubric.load_rubric).
    """
    key = f"{path.resolve()}@{path.stat().st_mtime_ns}" if path and path.is_file() else str(path)
    with _scorers_lock:
        if key not in _scorers:
            _scorers[key] = RubricScorer(load_rubric(path))
        return _scorers[key]

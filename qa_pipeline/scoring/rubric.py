"""QA forms as data: rubrics/*.yaml read, validated once, and turned into typed records.

A rubric has an id, version, title, score bands and items. An item has a weight, may be
critical (a fail zeroes the call), may apply only when a condition holds (otherwise N/A), and
passes when its detector tree is satisfied. Detector trees combine leaves with ``all_of``,
``any_of``, ``none_of`` and ``sequence``, or weigh act terms in one sum (``weighed``). Leaves read
words (phrases, regexes), timing facts, or what a sentence does (``act: offer_help``: a speech
act, see qa_pipeline.scoring.acts). A rubric
may add example sentences to acts (``examples``) and may ``extends`` another rubric, changing,
adding or removing its items. See README, "Rubrics", for the whole language.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from qa_pipeline.errors import InputError, os_reason
from qa_pipeline.records import RubricRef
from qa_pipeline.resources import data_dir
from qa_pipeline.scoring.patterns import PatternError, compile_pattern

__all__ = [
    "Band",
    "HoldRules",
    "Item",
    "Node",
    "Rubric",
    "Scope",
    "WEIGHED",
    "default_rubric_path",
    "load_rubric",
    "stored_bands",
]

COMBINATORS = ("all_of", "any_of", "none_of", "sequence")
WEIGHED = "weighed"
"""A node that weighs act evidence: holds when its terms' weighted sum says it likely does."""
_WEIGHED_KEYS = {"bias", "min_probability", "evidence", "evidence_min_confidence"}
_TERM_KEYS = {"weight", "read"}
TEXT_LEAVES = ("phrases", "regex", "similar_to")
ACT_LEAVES = ("act",)
FACT_LEAVES = ("interruptions", "gap", "hold", "hold_length", "talk_ratio", "speaking_rate")
_LEAF_KEYS = {
    "phrases": {"repeats_words"},
    "regex": {"repeats_words"},
    "similar_to": {"min_similarity"},
    "act": {"min_confidence", "min_turn_confidence", "examples"},
    "interruptions": {"min_overlap_s", "max_count"},
    "gap": {"min_s"},
    "hold": set(),
    "hold_length": {"max_s", "unless_checked_in"},
    "talk_ratio": {"min", "max"},
    "speaking_rate": {"min_wpm", "max_wpm"},
}
_ANCHORS = ("first_customer_turn", "applies", "hold")
_FIX = "see README, 'Rubrics', for the fields each part takes."
MAX_RUBRIC_BYTES = 1 << 20
MAX_DEPTH = 64
MAX_NODES = 100_000
MAX_NUMBER = 1e9
"""Limits on a rubric file: bytes, nesting, values after aliases, and any number in it."""


def default_rubric_path() -> Path:
    return data_dir("rubrics") / "default.yaml"


@dataclass(frozen=True)
class Scope:
    """Which turns a detector looks at.

    Attributes:
        speaker: ``agent``, ``customer`` or ``any``.
        first_s / last_s: only turns starting in the call's first / last N seconds; with
            first_s (and no first_turns), only sentences and phrases starting by then.
        first_turns / last_turns: only the speaker's first / last N turns. Given with a
            seconds window, a turn in either window counts (``last 60 s or last 3 turns``).
        after / before: only turns after (or before) an anchor: ``first_customer_turn``,
            ``applies`` (the item's applies_when evidence) or ``hold``.
        within_s: with after/before, only turns within N seconds of the anchor.
        replying_to_words: only turns answering a turn of the other speaker's of N words or
            more (their latest turn starting before it): a paraphrase restates what was just
            said, and an agent's "so you're covered" after a customer's "yes please" informs.
    """

    speaker: str = "agent"
    first_s: float | None = None
    last_s: float | None = None
    first_turns: int | None = None
    last_turns: int | None = None
    after: str | None = None
    before: str | None = None
    within_s: float | None = None
    replying_to_words: int | None = None


@dataclass(frozen=True)
class Node:
    """A detector tree node: a combinator over children, or one leaf detector.

    Attributes:
        kind: a combinator (all_of ...) or a leaf kind (phrases, regex, act, interruptions ...).
        id: names the node in evidence and turn matches.
        values: the phrases, patterns or example sentences of a text leaf; the acts of an act
            leaf (any of them will do).
        params: a fact leaf's numbers (``max_count``, ``min_s`` ...); an act leaf's
            ``min_confidence`` when the rubric sets one (else the classifier's threshold), and
            ``min_turn_confidence``: the sentence's whole turn, read as one, must reach it too;
            a phrase or regex leaf's ``repeats_words``: a match counts only when it repeats
            that many content words of the other speaker's turn it replies to.
        exclude: patterns that veto a text match when they match the same sentence.
        scope: overrides the item's scope for this node and its children.
    """

    kind: str
    id: str
    children: tuple[Node, ...] = ()
    values: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    scope: Scope | None = None


@dataclass(frozen=True)
class HoldRules:
    """How holds are found: an agent announcing one, or a long silence."""

    announce: tuple[str, ...] = ()
    min_silence_s: float = 20.0
    announced_min_silence_s: float = 5.0


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    description: str
    weight: float
    critical: bool
    scope: Scope
    pass_when: Node
    applies_when: Node | None = None


@dataclass(frozen=True)
class Band:
    name: str
    min_score: float


@dataclass(frozen=True)
class Rubric:
    """A validated rubric.

    Attributes:
        examples: the rubric's own example sentences per act (its ``examples`` field, its
            parents' and its act leaves'), added to the act classifier's training examples.
        extends: the rubrics it extends, nearest first (their files).
        source_text: the file's text; for a rubric that extends another, the merged rubric as
            YAML (so the stored text, and its hash, change when a parent changes).
    """

    id: str
    version: str
    title: str
    bands: tuple[Band, ...]
    items: tuple[Item, ...]
    holds: HoldRules
    sha256: str
    source_text: str = field(repr=False)
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    extends: tuple[str, ...] = ()

    @property
    def acts(self) -> frozenset[str]:
        """Every act named by an act leaf of the rubric."""
        found: set[str] = set()
        for item in self.items:
            for root in (item.applies_when, item.pass_when):
                stack = [root] if root is not None else []
                while stack:
                    node = stack.pop()
                    stack.extend(node.children)
                    if node.kind in ACT_LEAVES:
                        found.update(node.values)
        return frozenset(found)

    @property
    def ref(self) -> RubricRef:
        return RubricRef(self.id, self.version, self.title, self.sha256, self.source_text)

    def band_for(self, score: float | None) -> str | None:
        """The first band (highest minimum first) whose minimum the score reaches."""
        if score is None:
            return None
        for band in sorted(self.bands, key=lambda b: -b.min_score):
            if score >= band.min_score:
                return band.name
        return None


@functools.lru_cache(maxsize=32)
def stored_bands(source_text: str) -> tuple[tuple[str, float], ...]:
    """A stored rubric's bands as (name, minimum score), highest minimum first.

    The rubric was validated before it was stored; like the loader, no ``bands`` means one
    band, ``pass`` from 0. Cached: rescoring stores its rubric with every chunk of calls,
    and parsing the YAML each time cost a tenth of the command.
    """
    doc = yaml.safe_load(source_text)
    raw = doc.get("bands") if isinstance(doc, dict) else None
    bands = [
        (str(b["name"]), float(b["min_score"])) for b in raw or [{"name": "pass", "min_score": 0}]
    ]
    return tuple(sorted(bands, key=lambda b: -b[1]))


def load_rubric(path: Path | None = None) -> Rubric:
    """Reads and validates a rubric; the default one when ``path`` is None.

    Raises:
        InputError: every problem found, each naming the item and field.
    """
    path = path or default_rubric_path()
    doc, text, chain = _resolved(path, ())
    problems: list[str] = []
    rubric = _Parser(problems).rubric(doc, text)
    if problems or rubric is None:
        raise InputError(path, problems, _FIX)
    return replace(rubric, extends=chain) if chain else rubric


def _document(path: Path) -> tuple[Any, str]:
    text = _read_text(path)
    shape = _yaml_shape_problem(text)
    if shape:
        raise InputError(path, [shape], "write the rubric out plainly; " + _FIX)
    try:
        return yaml.safe_load(text), text
    except (yaml.YAMLError, RecursionError) as exc:
        raise InputError(path, [f"not valid YAML: {exc}"], _FIX) from exc


def _resolved(path: Path, seen: tuple[Path, ...]) -> tuple[Any, str, tuple[str, ...]]:
    """The rubric's document with its parents merged in, the text it is known by, and the
    files it extends (nearest first)."""
    doc, text = _document(path)
    if not isinstance(doc, dict) or "extends" not in doc:
        return doc, text, ()
    name = doc["extends"]
    if not isinstance(name, str) or not name.strip():
        raise InputError(
            path, ["extends: must name a rubric (default, or a file beside this one)"], _FIX
        )
    parent_path = _parent_path(path, name)
    if parent_path is None:
        raise InputError(
            path,
            [f"extends: no rubric {name!r} beside this file or in the bundled rubrics"],
            "name an existing rubric: default, or a .yaml file's name or path beside this one.",
        )
    here = path.resolve()
    if parent_path in (*seen, here):
        cycle = " -> ".join(p.name for p in (*seen, here, parent_path))
        raise InputError(
            path, [f"extends: rubrics extend each other in a cycle ({cycle})"], "break the cycle."
        )
    parent, _, chain = _resolved(parent_path, (*seen, here))
    merged = _merge(parent, doc, path)
    header = f"# {path.name} extends {name} ({parent_path})\n"
    return merged, header + yaml.safe_dump(merged, sort_keys=False), (str(parent_path), *chain)


def _parent_path(path: Path, name: str) -> Path | None:
    candidates = [path.parent / name, path.parent / f"{name}.yaml"]
    if "/" not in name:
        candidates += [data_dir("rubrics") / name, data_dir("rubrics") / f"{name}.yaml"]
    return next((c.resolve() for c in candidates if c.is_file()), None)


def _merge(parent: Any, child: dict[str, Any], path: Path) -> dict[str, Any]:
    """The child's fields over the parent's. Items: a child item whose id is the parent's
    changes that item field by field (a field given replaces the parent's); other child items
    are added; ``remove_items`` drops parent items. ``examples`` add up, act by act."""
    if not isinstance(parent, dict):
        raise InputError(path, ["extends: the parent rubric is not a mapping"], _FIX)
    merged = {k: v for k, v in parent.items() if k != "extends"}
    for key, value in child.items():
        if key not in ("extends", "items", "remove_items", "examples"):
            merged[key] = value
    problems = []
    examples = dict(parent.get("examples") or {})
    child_examples = child.get("examples") or {}
    if not isinstance(child_examples, dict):
        problems.append("examples: must map act names to lists of sentences")
    else:
        for act, sentences in child_examples.items():
            before = examples.get(act) or []
            extra = sentences if isinstance(sentences, list) else [sentences]
            examples[act] = [*before, *extra] if isinstance(before, list) else extra
    if examples:
        merged["examples"] = examples
    items = [dict(i) if isinstance(i, dict) else i for i in parent.get("items") or []]
    by_id = {i.get("id"): n for n, i in enumerate(items) if isinstance(i, dict)}
    remove = child.get("remove_items") or []
    if not isinstance(remove, list):
        problems.append("remove_items: must be a list of item ids")
        remove = []
    for item_id in remove:
        if item_id not in by_id:
            known = ", ".join(str(k) for k in by_id)
            problems.append(f"remove_items: the parent has no item {item_id!r} (items: {known})")
    child_items = child.get("items") or []
    if not isinstance(child_items, list):
        problems.append("items: must be a list of items")
        child_items = []
    for raw in child_items:
        if isinstance(raw, dict) and raw.get("id") in by_id:
            items[by_id[raw["id"]]] = {**items[by_id[raw["id"]]], **raw}
        else:
            items.append(raw)
    if problems:
        raise InputError(path, problems, _FIX)
    merged["items"] = [i for i in items if not (isinstance(i, dict) and i.get("id") in remove)]
    return merged


class _Parser:
    """Builds records from the YAML document, collecting every problem instead of stopping."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def rubric(self, doc: Any, text: str) -> Rubric | None:
        if not isinstance(doc, dict):
            self.fail("rubric", "the file must be a mapping with id, version, title, items")
            return None
        self._keys(
            "rubric",
            doc,
            {"id", "version", "title", "bands", "items", "holds", "examples"},
            required={"id", "version", "title", "items"},
        )
        self.examples: dict[str, list[str]] = {}
        raw_examples = doc.get("examples", {})
        if not isinstance(raw_examples, dict):
            self.fail("rubric.examples", "must map act names to lists of example sentences")
        else:
            for act, sentences in raw_examples.items():
                if self._act_name(f"rubric.examples.{act}", act):
                    self.examples.setdefault(act, []).extend(
                        self._strings(f"rubric.examples.{act}", sentences, non_empty=True)
                    )
        bands = self._bands(doc.get("bands", [{"name": "pass", "min_score": 0}]))
        holds = self._holds(doc.get("holds", {}))
        raw_items = doc.get("items")
        items: list[Item] = []
        if not isinstance(raw_items, list) or not raw_items:
            self.fail("rubric.items", "must be a non-empty list of items")
        else:
            seen: set[str] = set()
            for n, raw in enumerate(raw_items):
                item = self._item(n, raw)
                if item is None:
                    continue
                if item.id in seen:
                    self.fail(f"item {item.id}", "duplicate item id")
                seen.add(item.id)
                items.append(item)
        if self.problems:
            return None
        return Rubric(
            id=str(doc["id"]),
            version=str(doc["version"]),
            title=str(doc["title"]),
            bands=bands,
            items=tuple(items),
            holds=holds,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            source_text=text,
            examples={act: tuple(dict.fromkeys(s)) for act, s in self.examples.items()},
        )

    def _keys(
        self, where: str, doc: dict[str, Any], allowed: set[str], required: set[str] = frozenset()
    ) -> None:
        for key in sorted(set(doc) - allowed):
            self.fail(where, f"unknown field {key!r} (allowed: {', '.join(sorted(allowed))})")
        for key in sorted(required - set(doc)):
            self.fail(where, f"missing field {key!r}")

    def _bands(self, raw: Any) -> tuple[Band, ...]:
        if not isinstance(raw, list) or not raw:
            self.fail("rubric.bands", "must be a list of {name, min_score}")
            return ()
        bands = []
        for n, b in enumerate(raw):
            if not isinstance(b, dict) or set(b) != {"name", "min_score"}:
                self.fail(f"rubric.bands[{n}]", "must be {name: str, min_score: 0-100}")
                continue
            if not _is_number(b["min_score"]) or not 0 <= b["min_score"] <= 100:
                self.fail(f"rubric.bands[{n}].min_score", "must be a number from 0 to 100")
                continue
            bands.append(Band(str(b["name"]), float(b["min_score"])))
        return tuple(bands)

    def _holds(self, raw: Any) -> HoldRules:
        if not isinstance(raw, dict):
            self.fail("rubric.holds", "must be a mapping")
            return HoldRules()
        self._keys("rubric.holds", raw, {"announce", "min_silence_s", "announced_min_silence_s"})
        announce = self._strings("rubric.holds.announce", raw.get("announce", []))
        for key in ("min_silence_s", "announced_min_silence_s"):
            if key in raw and (not _is_number(raw[key]) or raw[key] <= 0):
                self.fail(f"rubric.holds.{key}", "must be a positive number of seconds")
        defaults = HoldRules()
        return HoldRules(
            announce=announce,
            min_silence_s=float(raw.get("min_silence_s", defaults.min_silence_s)),
            announced_min_silence_s=float(
                raw.get("announced_min_silence_s", defaults.announced_min_silence_s)
            ),
        )

    def _item(self, n: int, raw: Any) -> Item | None:
        if not isinstance(raw, dict):
            self.fail(f"items[{n}]", "must be a mapping")
            return None
        item_id = raw.get("id")
        if not isinstance(item_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", item_id):
            self.fail(f"items[{n}].id", "must be a lowercase identifier like active_listening")
            item_id = f"items[{n}]"
        where = f"item {item_id}"
        self._keys(
            where,
            raw,
            {
                "id",
                "title",
                "description",
                "weight",
                "critical",
                "scope",
                "pass_when",
                "applies_when",
            },
            required={"id", "weight", "pass_when"},
        )
        weight = raw.get("weight")
        if not _is_number(weight) or weight <= 0:
            self.fail(f"{where}.weight", f"must be a positive number, not {weight!r}")
            weight = 0
        critical = raw.get("critical", False)
        if not isinstance(critical, bool):
            self.fail(f"{where}.critical", "must be true or false")
        scope = self._scope(f"{where}.scope", raw.get("scope", {}))
        pass_when = self._node(f"{where}.pass_when", raw.get("pass_when"), item_id)
        applies_when = None
        if "applies_when" in raw:
            applies_when = self._node(f"{where}.applies_when", raw["applies_when"], item_id)
        if pass_when is None or scope is None:
            return None
        return Item(
            id=item_id,
            title=str(raw.get("title", item_id)),
            description=str(raw.get("description", "")),
            weight=float(weight),
            critical=bool(critical),
            scope=scope,
            pass_when=pass_when,
            applies_when=applies_when,
        )

    def _scope(self, where: str, raw: Any) -> Scope | None:
        if not isinstance(raw, dict):
            self.fail(where, "must be a mapping")
            return None
        self._keys(where, raw, set(Scope.__dataclass_fields__))
        speaker = raw.get("speaker", "agent")
        if speaker not in ("agent", "customer", "any"):
            self.fail(f"{where}.speaker", f"must be agent, customer or any, not {speaker!r}")
        for key in ("first_s", "last_s", "within_s"):
            if key in raw and (not _is_number(raw[key]) or raw[key] <= 0):
                self.fail(f"{where}.{key}", "must be a positive number of seconds")
        for key in ("first_turns", "last_turns", "replying_to_words"):
            if key in raw and not _is_count(raw[key]):
                self.fail(f"{where}.{key}", "must be a positive whole number")
        for key in ("after", "before"):
            if key in raw and raw[key] not in _ANCHORS:
                self.fail(f"{where}.{key}", f"must be one of {', '.join(_ANCHORS)}")
        try:
            return Scope(**raw)
        except TypeError:
            return None

    def _node(self, where: str, raw: Any, prefix: str) -> Node | None:
        if not isinstance(raw, dict):
            self.fail(where, "must be a mapping with one detector or combinator")
            return None
        known = (*COMBINATORS, WEIGHED, *TEXT_LEAVES, *ACT_LEAVES, *FACT_LEAVES)
        kinds = [k for k in known if k in raw]
        if len(kinds) != 1:
            unknown = sorted(set(raw) - {"id", "scope", "exclude", *_all_params(), *_WEIGHED_KEYS})
            hint = f"; unknown detector {', '.join(unknown)}" if unknown else ""
            self.fail(
                where,
                f"needs exactly one detector or combinator, found {kinds or 'none'}"
                f"{hint} (known: {', '.join(known)})",
            )
            return None
        kind = kinds[0]
        node_id = raw.get("id", f"{prefix}.{kind}")
        scope = self._scope(f"{where}.scope", raw["scope"]) if "scope" in raw else None
        exclude = self._strings(f"{where}.exclude", raw.get("exclude", []))
        if kind == WEIGHED:
            return self._weighed(where, raw, node_id, scope)
        if kind in COMBINATORS:
            self._keys(where, raw, {kind, "id", "scope"})
            raw_children = raw[kind]
            if not isinstance(raw_children, list) or not raw_children:
                self.fail(f"{where}.{kind}", "must be a non-empty list")
                return None
            children = [
                self._node(f"{where}.{kind}[{i}]", c, node_id) for i, c in enumerate(raw_children)
            ]
            if any(c is None for c in children):
                return None
            return Node(kind, node_id, children=tuple(children), scope=scope)  # type: ignore[arg-type]
        allowed = {kind, "id", "scope", "exclude", *_LEAF_KEYS[kind]}
        self._keys(where, raw, allowed)
        values: tuple[str, ...] = ()
        params = {k: raw[k] for k in _LEAF_KEYS[kind] if k in raw}
        if kind in TEXT_LEAVES:
            values = self._strings(f"{where}.{kind}", raw[kind], non_empty=True)
            if kind == "regex":
                for pattern in values:
                    self._regex(f"{where}.regex", pattern)
            if "repeats_words" in params and not _is_count(params["repeats_words"]):
                self.fail(f"{where}.repeats_words", "must be a positive whole number")
            if kind == "similar_to":
                limit = params.get("min_similarity", 0.6)
                if not _is_number(limit) or not 0 < limit < 1:
                    self.fail(f"{where}.min_similarity", "must be a number between 0 and 1")
        elif kind in ACT_LEAVES:
            values = self._acts(f"{where}.act", raw[kind])
            for key in ("min_confidence", "min_turn_confidence"):
                limit = params.get(key, 0.5)
                if not _is_number(limit) or not 0 < limit < 1:
                    self.fail(f"{where}.{key}", "must be a number between 0 and 1")
            if "examples" in params:
                examples = self._strings(f"{where}.examples", params.pop("examples"), True)
                if len(values) != 1:
                    self.fail(f"{where}.examples", "needs one act on the leaf (act: offer_help)")
                else:
                    self.examples.setdefault(values[0], []).extend(examples)
        else:
            params = {**(raw[kind] or {}), **params} if isinstance(raw[kind], dict) else params
            for key in sorted(set(params) - _LEAF_KEYS[kind]):
                self.fail(f"{where}.{kind}", f"unknown parameter {key!r}")
            for key, value in params.items():
                if key != "unless_checked_in" and (not _is_number(value) or value < 0):
                    self.fail(f"{where}.{kind}.{key}", "must be a non-negative number")
        for pattern in exclude:
            self._regex(f"{where}.exclude", pattern)
        return Node(kind, node_id, values=values, params=params, exclude=exclude, scope=scope)

    def _weighed(
        self, where: str, raw: dict[str, Any], node_id: str, scope: Scope | None
    ) -> Node | None:
        """A weighed node: act terms, each with its weight, a bias, the probability the
        weighted sum must reach (``bias + sum(weight * act probability)``, through the
        logistic function), and the terms whose sentences are its evidence (``evidence``;
        by default those with a positive weight) from what probability
        (``evidence_min_confidence``, 0.5)."""
        self._keys(where, raw, {WEIGHED, "id", "scope", *_WEIGHED_KEYS}, required={"bias"})
        bias, limit = raw.get("bias"), raw.get("min_probability", 0.5)
        if not _is_number(bias):
            self.fail(f"{where}.bias", f"must be a number, not {bias!r}")
        if not _is_number(limit) or not 0 < limit < 1:
            self.fail(f"{where}.min_probability", "must be a number between 0 and 1")
        shown_limit = raw.get("evidence_min_confidence", 0.5)
        if not _is_number(shown_limit) or not 0 < shown_limit < 1:
            self.fail(f"{where}.evidence_min_confidence", "must be a number between 0 and 1")
        raw_terms = raw[WEIGHED]
        if not isinstance(raw_terms, list) or not raw_terms:
            self.fail(f"{where}.{WEIGHED}", "must be a non-empty list of act terms")
            return None
        terms = []
        for i, raw_term in enumerate(raw_terms):
            at = f"{where}.{WEIGHED}[{i}]"
            if not isinstance(raw_term, dict) or "act" not in raw_term:
                self.fail(at, "must be an act term: {act: ..., weight: ...}")
                continue
            weight, read = raw_term.get("weight"), raw_term.get("read", "sentence")
            if not _is_number(weight):
                self.fail(f"{at}.weight", f"must be a number, not {weight!r}")
            if read not in ("sentence", "turn"):
                self.fail(f"{at}.read", f"must be sentence or turn, not {read!r}")
            leaf = {k: v for k, v in raw_term.items() if k not in _TERM_KEYS}
            if set(leaf) & {"min_confidence", "min_turn_confidence"}:
                self.fail(at, "a term is weighed by its probability: no min_confidence")
                continue
            term = self._node(at, leaf, node_id)
            if term is not None and _is_number(weight):
                params = {**term.params, "weight": float(weight), "read": read}
                terms.append(replace(term, params=params))
        if len(terms) != len(raw_terms) or not _is_number(bias):
            return None
        shown = self._strings(
            f"{where}.evidence",
            raw.get("evidence", [t.id for t in terms if t.params["weight"] > 0]),
            non_empty=True,
        )
        ids = [t.id for t in terms]
        for name in shown:
            if name not in ids:
                self.fail(f"{where}.evidence", f"no term {name!r} (terms: {', '.join(ids)})")
        params = {
            "bias": float(bias),
            "min_probability": float(limit),
            "evidence": shown,
            "evidence_min_confidence": float(shown_limit) if _is_number(shown_limit) else 0.5,
        }
        return Node(WEIGHED, node_id, children=tuple(terms), params=params, scope=scope)

    def _strings(self, where: str, raw: Any, non_empty: bool = False) -> tuple[str, ...]:
        if isinstance(raw, str):
            raw = [raw]
        if isinstance(raw, list):
            # One level of lists within the list, as YAML aliases compose named lists:
            # exclude: [*hollow_formulas, *not_an_apology].
            raw = [s for part in raw for s in (part if isinstance(part, list) else [part])]
        if not isinstance(raw, list) or not all(isinstance(s, str) and s.strip() for s in raw):
            self.fail(where, "must be a list of non-empty strings")
            return ()
        if non_empty and not raw:
            self.fail(where, "must not be empty")
        return tuple(raw)

    def _acts(self, where: str, raw: Any) -> tuple[str, ...]:
        names = self._strings(where, raw, non_empty=True)
        return tuple(n for n in names if self._act_name(where, n))

    def _act_name(self, where: str, name: Any) -> bool:
        from qa_pipeline.scoring.acts import ACTS

        if name in ACTS:
            return True
        close = difflib.get_close_matches(str(name), ACTS, n=1)
        fix = f"did you mean {close[0]!r}? " if close else ""
        self.fail(where, f"unknown act {name!r}: {fix}known acts: {', '.join(ACTS)}")
        return False

    def _regex(self, where: str, pattern: str) -> None:
        try:
            compile_pattern(pattern)
        except PatternError as exc:
            self.fail(where, f"bad regular expression {pattern!r}: {exc}")


def _all_params() -> set[str]:
    return {p for params in _LEAF_KEYS.values() for p in params}


def _is_count(value: Any) -> bool:
    """A positive whole number. _is_number first: YAML's true is an int to Python (1)."""
    return _is_number(value) and isinstance(value, int) and value > 0


def _is_number(value: Any) -> bool:
    """A finite number: NaN and infinity (YAML's .nan, .inf) would poison every score."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) <= MAX_NUMBER
    )


def _read_text(path: Path) -> str:
    """The rubric's text, or an InputError saying plainly why it cannot be had."""
    if path.is_dir():
        raise InputError(path, ["is a folder, not a rubric file."], "pass the rubric's YAML file.")
    if not path.is_file():
        raise InputError(path, ["the rubric file does not exist."], "check the --rubric path.")
    try:
        size = path.stat().st_size
        if size > MAX_RUBRIC_BYTES:
            raise InputError(
                path,
                [f"is {size} bytes, over the {MAX_RUBRIC_BYTES} byte limit for a rubric."],
                "check that this is the rubric file.",
            )
        raw = path.read_bytes()
    except PermissionError as exc:
        raise InputError(path, ["permission denied."], "make the file readable.") from exc
    except OSError as exc:
        raise InputError(path, [f"cannot be read: {os_reason(exc)}."], "check the file.") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            [f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})."],
            "save the rubric as UTF-8.",
        ) from exc


def _yaml_shape_problem(text: str) -> str | None:
    """Refuses YAML that would take unbounded time or memory to load or walk: nesting deeper
    than MAX_DEPTH, or more than MAX_NODES nodes once aliases are expanded (a few hundred
    bytes of aliases can stand for billions of nodes). One pass over the parser's events, which
    PyYAML produces without recursion; None when the shape is fine."""
    sizes: dict[str, int] = {}
    open_nodes: list[list[Any]] = []  # [anchor, expanded node count] per open collection
    total = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                open_nodes.append([event.anchor, 1])
                if len(open_nodes) > MAX_DEPTH:
                    return f"nested more than {MAX_DEPTH} levels deep"
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, count = open_nodes.pop()
            elif isinstance(event, yaml.ScalarEvent):
                anchor, count = event.anchor, 1
            elif isinstance(event, yaml.AliasEvent):
                anchor, count = None, sizes.get(event.anchor, 1)
            else:
                continue
            if anchor:
                sizes[anchor] = count
            if open_nodes:
                open_nodes[-1][1] += count
            total += count if not open_nodes else 0
            if total > MAX_NODES or (open_nodes and open_nodes[-1][1] > MAX_NODES):
                return f"expands to more than {MAX_NODES} values (through aliases?)"
    except yaml.YAMLError as exc:
        return f"not valid YAML: {exc}"
    return None

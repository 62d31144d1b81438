"""Which diarised speaker is the agent: decided from what each says, and when.

Agents open with a greeting and the company's name, offer help, ask for account details, put
people on hold and close; customers explain why they are calling. Each speaker's words are
scored against both sets of cues (cues in the opening count double, and the first speaker gets
a small nudge, as agents usually answer inbound calls). The margin between the two best
speakers becomes a confidence; below ``min_confidence`` the call is flagged for review rather
than guessed silently. The manifest can force the answer.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa_pipeline.records import RoleAssignment, Word

__all__ = ["AGENT_CUES", "CUSTOMER_CUES", "RoleOptions", "assign_roles", "forced_roles"]

AGENT_CUES: tuple[tuple[str, float], ...] = (
    (r"thanks? (you )?for (calling|contacting|holding|waiting|your patience)", 3.0),
    (r"(welcome to|you'?ve reached|you'?re through to)", 2.0),
    (r"how (can|may|might) (i|we) (help|assist)", 3.0),
    (r"what can i do for you", 2.0),
    (r"my name is", 1.5),
    (r"(this is|it'?s) \w+ (from|at|with|speaking)", 1.5),
    (r"(can|could|may) i (have|take|get|confirm) (your|the)", 2.0),
    (r"(let me|i'?ll|i will) (check|look|pull|see|transfer|put)", 1.0),
    (r"(put|place) you on (a )?(brief |short )?hold", 2.0),
    (r"is there anything else", 2.5),
    (r"have a (great|good|nice|lovely) (day|evening|weekend|one)", 1.0),
    (r"for (security|verification)|verify", 1.5),
    (r"i (do )?apologi[sz]e|sorry (about|for) (that|the)", 0.5),
)
"""Regular expressions (matched on lowercased words) that an agent says, with weights."""

CUSTOMER_CUES: tuple[tuple[str, float], ...] = (
    (r"i'?m calling (about|because|to|regarding)|i'?m ringing", 3.0),
    (r"i (was|got|have been) (charged|billed|told|waiting)", 2.0),
    (r"i (need|want|would like|'d like) to", 1.0),
    (r"(can|could) you help me", 2.0),
    (r"i have a (problem|question|issue|complaint)", 2.0),
    (r"my (card|account|bill|order|payment|phone|internet|parcel|booking)", 1.0),
)
"""Regular expressions that a customer says, with weights."""


@dataclass(frozen=True)
class RoleOptions:
    """How roles are decided.

    Attributes:
        min_confidence: below this the call is flagged for review.
        opening_s: cues within this many seconds of a speaker's first word count double.
        first_speaker_weight: points for speaking first.
        confidence_scale: the margin (in cue points) at which confidence reaches about 0.73.
        company_names: names an agent says when answering; each counts like a greeting.
    """

    min_confidence: float = 0.75
    opening_s: float = 20.0
    first_speaker_weight: float = 1.0
    confidence_scale: float = 2.0
    company_names: tuple[str, ...] = ()


def assign_roles(
    words: Sequence[Word], labels: Sequence[str], options: RoleOptions = RoleOptions()
) -> RoleAssignment:
    """Picks the agent among the diarised speakers of one call.

    Args:
        words: the call's words in time order (their ``speaker`` field is ignored).
        labels: the diarised speaker of each word, same length as ``words``.
    """
    if len(words) != len(labels):
        raise ValueError(f"{len(words)} words but {len(labels)} speaker labels")
    speakers = list(dict.fromkeys(labels))
    if not speakers:
        raise ValueError("no words to decide roles from")
    scores = {s: 0.0 for s in speakers}
    reasons: dict[str, list[str]] = {s: [] for s in speakers}
    scores[speakers[0]] += options.first_speaker_weight
    reasons[speakers[0]].append("spoke first")
    for speaker in speakers:
        spoken = [w for w, label in zip(words, labels, strict=True) if label == speaker]
        for points, cue in _cue_points(spoken, options):
            scores[speaker] += points
            reasons[speaker].append(f"{cue} ({points:+.1f})")
    ranked = sorted(speakers, key=lambda s: -scores[s])
    agent = ranked[0]
    margin = scores[agent] - (scores[ranked[1]] if len(ranked) > 1 else 0.0)
    confidence = 1.0 / (1.0 + math.exp(-margin / options.confidence_scale))
    reason = "; ".join(
        f"{s}: {scores[s]:.1f} ({', '.join(reasons[s]) or 'no cues'})" for s in ranked
    )
    return RoleAssignment(
        agent_label=agent,
        confidence=round(confidence, 3),
        method="phrases",
        reason=reason,
        needs_review=confidence < options.min_confidence or len(speakers) < 2,
    )


def forced_roles(labels: Sequence[str], agent_speaks_first: bool) -> RoleAssignment:
    """The manifest's answer: the agent is the first (or the second) speaker heard."""
    speakers = list(dict.fromkeys(labels))
    index = 0 if agent_speaks_first else 1
    if index >= len(speakers):
        raise ValueError(f"the call has {len(speakers)} speaker(s); no speaker number {index + 1}")
    which = "first" if agent_speaks_first else "second"
    return RoleAssignment(speakers[index], 1.0, "manifest", f"manifest: agent speaks {which}")


def _cue_points(spoken: Sequence[Word], options: RoleOptions) -> list[tuple[float, str]]:
    """(points, cue text) for every agent cue (positive) and customer cue (negative)."""
    if not spoken:
        return []
    opening_end_s = spoken[0].start_s + options.opening_s
    text, starts = _text_with_offsets(spoken)
    cues = list(AGENT_CUES)
    cues += [(re.escape(name.lower()), 2.0) for name in options.company_names]
    cues += [(p, -w) for p, w in CUSTOMER_CUES]
    found = []
    for pattern, weight in cues:
        for match in re.finditer(rf"\b(?:{pattern})\b", text):
            at_s = spoken[bisect.bisect_right(starts, match.start()) - 1].start_s
            points = weight * (2.0 if at_s <= opening_end_s else 1.0)
            found.append((points, f'"{match.group(0)}" at {at_s:.1f}s'))
    return found


def _text_with_offsets(words: Sequence[Word]) -> tuple[str, list[int]]:
    starts, parts, offset = [], [], 0
    for word in words:
        token = re.sub(r"[^\w' ]", "", word.text.lower()).strip()
        starts.append(offset)
        parts.append(token)
        offset += len(token) + 1
    return " ".join(parts), starts

"""Typed records passed between the pipeline's stages.

Every stage takes and returns these frozen records; none of them is mutated after creation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def span_s(start_s: float, end_s: float) -> float:
    """Seconds from ``start_s`` to ``end_s``, to the microsecond: differences of float times
    are not exact (16.4 - 15.4 is 0.9999999999999982), and a rule such as "1 s or more" or
    "a 5 s silence" means the times as written."""
    return round(end_s - start_s, 6)


class Speaker(StrEnum):
    """Who spoke a word or a turn."""

    AGENT = "agent"
    CUSTOMER = "customer"


class Layout(StrEnum):
    """How a recording's channels map to speakers."""

    AGENT_ON_0 = "agent_0"
    AGENT_ON_1 = "agent_1"
    MONO = "mono"

    @property
    def agent_channel(self) -> int | None:
        """The channel index that carries the agent, or None for a mixed recording."""
        return {Layout.AGENT_ON_0: 0, Layout.AGENT_ON_1: 1}.get(self)


class Status(StrEnum):
    """Where a call stands; mirrors the CHECK on calls.status in sql/schema.sql."""

    SCORED = "scored"
    TRANSCRIBED = "transcribed"
    NEEDS_DIARISATION = "needs_diarisation"
    FAILED = "failed"


@dataclass(frozen=True)
class CallMeta:
    """What is known about a call before its audio is heard (from the manifest or the file name).

    Attributes:
        layout: None lets the recording decide: stereo means agent on channel 0, one channel
            means mono.
        agent_speaks_first: for a mono call, forces which diarised speaker is the agent
            (True: the first heard; False: the second); None lets what they say decide.
    """

    call_id: str
    agent_id: str | None = None
    agent_name: str | None = None
    team: str | None = None
    queue: str | None = None
    started_at: datetime | None = None
    layout: Layout | None = None
    agent_speaks_first: bool | None = None


@dataclass(frozen=True)
class DecodedAudio:
    """A recording decoded to 16 kHz float32, one array per channel (one array when mono)."""

    path: Path
    source_sample_rate_hz: int
    duration_s: float
    channels: tuple[np.ndarray, ...]

    @property
    def channel_count(self) -> int:
        return len(self.channels)


@dataclass(frozen=True)
class SpeakerSegment:
    """A stretch of time in which one anonymous speaker talks; segments of two speakers may
    overlap."""

    start_s: float
    end_s: float
    label: str


@dataclass(frozen=True)
class Diarisation:
    """Who spoke when in a mixed recording, before anyone is called agent or customer."""

    segments: tuple[SpeakerSegment, ...]
    backend: str
    options_json: str

    @property
    def labels(self) -> tuple[str, ...]:
        """The speakers, in order of first speech."""
        return tuple(dict.fromkeys(s.label for s in sorted(self.segments, key=_start)))


def _start(segment: SpeakerSegment) -> float:
    return segment.start_s


@dataclass(frozen=True)
class RoleAssignment:
    """Which diarised speaker is the agent, how sure that is, and why.

    Attributes:
        method: ``phrases`` (what and when each speaker said), ``manifest`` (forced) or
            ``channels`` (stereo layout).
        needs_review: the evidence was too thin to trust; a person should check the call.
    """

    agent_label: str
    confidence: float
    method: str
    reason: str
    needs_review: bool = False


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing, confidence and speaker."""

    start_s: float
    end_s: float
    text: str
    probability: float
    speaker: Speaker


@dataclass(frozen=True)
class Turn:
    """A run of one speaker's words with no long pause inside it.

    Turns of different speakers may overlap in time: that is an interruption or a backchannel,
    and the rubrics need to see it.
    """

    index: int
    speaker: Speaker
    start_s: float
    end_s: float
    text: str
    mean_probability: float
    words: tuple[Word, ...] = field(default=(), repr=False)

    @property
    def duration_s(self) -> float:
        return span_s(self.start_s, self.end_s)


@dataclass(frozen=True)
class Transcript:
    """A call's words and turns, plus how they were produced."""

    meta: CallMeta
    duration_s: float
    words: tuple[Word, ...]
    turns: tuple[Turn, ...]
    engine: str
    options_json: str


@dataclass(frozen=True)
class CallSource:
    """Where a call came from: an audio file or an imported transcript."""

    path: Path
    sha256: str
    kind: str  # "audio" or "import"
    channel_count: int | None = None
    source_sample_rate_hz: int | None = None


class Verdict(StrEnum):
    """A rubric item's outcome on one call."""

    PASS = "pass"
    FAIL = "fail"
    NA = "na"


@dataclass(frozen=True)
class Evidence:
    """The words (or the silence) that earned or cost a point.

    Attributes:
        act / act_confidence / sentence_index: for an act detector, the speech act the
            sentence was recognised as, the classifier's probability for it, and the
            sentence's place in its turn (None for other detectors).
    """

    turn_index: int | None
    speaker: Speaker | None
    start_s: float
    end_s: float
    text: str
    detector: str
    act: str | None = None
    act_confidence: float | None = None
    sentence_index: int | None = None


@dataclass(frozen=True)
class Sentence:
    """One sentence of a turn: its words (``turn.words[first_word:end_word]``) and their times."""

    turn_index: int
    sentence_index: int
    speaker: Speaker
    first_word: int
    end_word: int
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True, eq=False)
class SentenceEmbeddings:
    """A call's sentences and one embedding per sentence, from the model named by model_id.

    Attributes:
        vectors: float32 array of shape (len(sentences), dim), rows L2-normalised.
        turns / turn_vectors: the turns read whole as well (a customer's turns of two or more
            sentences: a request's background reads like a fault alone, not with its
            request) and their embeddings, one row per turn in ``turns``' order.
    """

    model_id: str
    sentences: tuple[Sentence, ...]
    vectors: np.ndarray
    turns: tuple[int, ...] = ()
    turn_vectors: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class SentenceActs:
    """The act classifier's reading of a call's sentences, kept so that rescoring under the
    same reading need not run the classifier again.

    Attributes:
        reading_id: what the probabilities depend on besides the sentences (the act head,
            the rubric's examples, the embedding model, the act code): see ActModel.
        probabilities: float32 array of shape (len(sentences), number of acts), rows in the
            order of the call's SentenceEmbeddings.
    """

    reading_id: str
    probabilities: np.ndarray


@dataclass(frozen=True)
class TurnMatch:
    """One detector of one item matching inside one turn, whether or not it decided a verdict."""

    turn_index: int
    item_id: str
    detector: str
    start_s: float
    end_s: float
    matched_text: str


@dataclass(frozen=True)
class ItemResult:
    """A rubric item's verdict on a call, with the points, confidence and evidence behind it."""

    item_id: str
    verdict: Verdict
    points: float
    max_points: float
    confidence: float
    critical: bool
    reason: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class RubricRef:
    """Which rubric, exactly, produced a score: id, version and content hash."""

    rubric_id: str
    version: str
    title: str
    sha256: str
    source_text: str = field(default="", repr=False)


@dataclass(frozen=True)
class CallScore:
    """A call scored against one rubric.

    Attributes:
        score: 0-100, or None when no item applied.
        band: the rubric's band for the score (``pass``, ``coach``, ``flag`` ...).
    """

    rubric: RubricRef
    score: float | None
    band: str | None
    points_earned: float
    points_possible: float
    critical_failed: bool
    items: tuple[ItemResult, ...]
    matches: tuple[TurnMatch, ...] = ()


@dataclass(frozen=True)
class CallOutcome:
    """Everything the store keeps about one processed call, written in one transaction.

    Attributes:
        scores: one entry per rubric the call was scored against (empty when not scored).
        diarisation: who spoke when, for a call split into speakers from one channel.
        roles: which speaker is the agent, for a diarised call.
        sentences: the transcript's sentences and their embeddings (for act detectors),
            stored so that rescoring need not embed them again.
        redacted_audio_path: a copy of the recording with redacted stretches silenced (or a
            tone), when one was asked for; the review app plays it instead of the original.
        acts: the act probabilities the scores read from ``sentences``, stored so that
            rescoring under the same reading need not run the classifier.
    """

    source: CallSource
    meta: CallMeta
    status: Status
    layout: Layout | None = None
    duration_s: float | None = None
    transcript: Transcript | None = None
    error_code: str | None = None
    error: str | None = None
    scores: tuple[CallScore, ...] = ()
    diarisation: Diarisation | None = None
    roles: RoleAssignment | None = None
    sentences: SentenceEmbeddings | None = None
    redacted_audio_path: str | None = None
    acts: SentenceActs | None = None

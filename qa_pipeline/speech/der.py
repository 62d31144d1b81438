"""Diarisation error rate, the standard way: no collar, overlapping speech scored.

DER = (missed speech + false alarm + speaker confusion) / total reference speech, where each
speaker's time counts separately (two people talking for one second is two seconds of
reference), and hypothesis speakers are mapped one-to-one onto reference speakers so as to
maximise their overlap. This is what NIST's md-eval and pyannote.metrics compute with
``collar=0`` and ``skip_overlap=False``; computed exactly over the intervals between segment
boundaries instead of on frames.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa_pipeline.records import SpeakerSegment
from qa_pipeline.speech.diarise.embedding import bridge_pauses, label_runs

__all__ = ["DiarisationError", "diarisation_error", "read_rttm", "reference_from_channels"]


@dataclass(frozen=True)
class DiarisationError:
    """The components of DER in seconds, and the rate itself."""

    missed_s: float
    false_alarm_s: float
    confusion_s: float
    total_s: float
    mapping: tuple[tuple[str, str], ...]

    @property
    def rate(self) -> float:
        """(missed + false alarm + confusion) / total reference speech."""
        if self.total_s == 0:
            return 0.0
        return (self.missed_s + self.false_alarm_s + self.confusion_s) / self.total_s


def read_rttm(path: Path) -> tuple[SpeakerSegment, ...]:
    """Reads the SPEAKER lines of an RTTM file (one recording) as segments.

    Raises:
        ValueError: a SPEAKER line without onset, duration and name, named by line number.
    """
    segments = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0] != "SPEAKER":
            continue
        try:
            start_s, duration_s, label = float(fields[3]), float(fields[4]), fields[7]
        except (IndexError, ValueError) as exc:
            raise ValueError(f"{path}:{number}: not an RTTM SPEAKER line: {line!r}") from exc
        segments.append(SpeakerSegment(start_s, start_s + duration_s, label))
    return tuple(sorted(segments, key=lambda s: (s.start_s, s.label)))


def diarisation_error(
    reference: Sequence[SpeakerSegment], hypothesis: Sequence[SpeakerSegment]
) -> DiarisationError:
    """Scores a hypothesis against a reference (same recording, times in seconds)."""
    bounds = sorted(
        {t for s in itertools.chain(reference, hypothesis) for t in (s.start_s, s.end_s)}
    )
    # Each elementary interval between two boundaries has a fixed set of active speakers.
    intervals = []
    for start_s, end_s in itertools.pairwise(bounds):
        ref = _active(reference, start_s, end_s)
        hyp = _active(hypothesis, start_s, end_s)
        if ref or hyp:
            intervals.append((end_s - start_s, ref, hyp))
    mapping = _best_mapping(intervals)
    missed = false_alarm = confusion = total = 0.0
    for length_s, ref, hyp in intervals:
        n_ref, n_hyp = len(ref), len(hyp)
        correct = sum(1 for h in hyp if mapping.get(h) in ref)
        total += n_ref * length_s
        missed += max(0, n_ref - n_hyp) * length_s
        false_alarm += max(0, n_hyp - n_ref) * length_s
        confusion += (min(n_ref, n_hyp) - correct) * length_s
    return DiarisationError(
        missed, false_alarm, confusion, total, tuple(sorted((h, r) for h, r in mapping.items()))
    )


def _active(segments: Iterable[SpeakerSegment], start_s: float, end_s: float) -> frozenset[str]:
    return frozenset(s.label for s in segments if s.start_s < end_s and s.end_s > start_s)


def _best_mapping(
    intervals: list[tuple[float, frozenset[str], frozenset[str]]],
) -> dict[str, str]:
    """The one-to-one hypothesis -> reference mapping with the most co-occurring time."""
    overlap: dict[tuple[str, str], float] = {}
    for length_s, ref, hyp in intervals:
        for h in hyp:
            for r in ref:
                overlap[h, r] = overlap.get((h, r), 0.0) + length_s
    hyp_labels = sorted({h for _, _, hyp in intervals for h in hyp})
    ref_labels = sorted({r for _, ref, _ in intervals for r in ref})
    if len(hyp_labels) > 7 or len(ref_labels) > 7:
        return _greedy_mapping(overlap)
    best: dict[str, str] = {}
    best_time = -1.0
    # Exhaustive search is exact and cheap for the handful of speakers a call has.
    small, large = sorted((hyp_labels, ref_labels), key=len)
    for chosen in itertools.permutations(large, len(small)):
        pairs = dict(zip(small, chosen, strict=True))
        mapping = pairs if small is hyp_labels else {h: r for r, h in pairs.items()}
        time = sum(overlap.get((h, r), 0.0) for h, r in mapping.items())
        if time > best_time:
            best, best_time = mapping, time
    return best


def _greedy_mapping(overlap: dict[tuple[str, str], float]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for (h, r), _time in sorted(overlap.items(), key=lambda kv: -kv[1]):
        if h not in mapping and r not in mapping.values():
            mapping[h] = r
    return mapping


def reference_from_channels(
    channels: Sequence[np.ndarray],
    labels: Sequence[str],
    sample_rate_hz: int = 16_000,
    threshold_dbfs: float = -45.0,
    bridge_s: float = 0.3,
    frame_s: float = 0.01,
) -> tuple[SpeakerSegment, ...]:
    """Who spoke when, read off a recording with one speaker per clean channel.

    This is the truth for a mono mix of such a recording, known by construction: a channel
    is speaking where its 10 ms frames rise above ``threshold_dbfs``, with pauses shorter
    than ``bridge_s`` (between words and sentences) bridged.
    """
    width = round(sample_rate_hz * frame_s)
    segments = []
    for samples, label in zip(channels, labels, strict=True):
        n = len(samples) // width
        rms = np.sqrt(np.mean(samples[: n * width].reshape(n, width) ** 2, axis=1) + 1e-12)
        active = np.where(20 * np.log10(rms) > threshold_dbfs, 0, -1)
        bridged = bridge_pauses(active, round(bridge_s / frame_s))
        segments += [
            SpeakerSegment(s * frame_s, e * frame_s, label)
            for s, e, on in label_runs(bridged)
            if on == 0
        ]
    return tuple(sorted(segments, key=lambda s: (s.start_s, s.label)))

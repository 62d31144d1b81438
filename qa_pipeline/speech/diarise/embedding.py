"""The offline diariser: speech regions, speaker embeddings, two clusters, smoothed turns.

Nothing comes from a hub. Speech regions are Silero VAD's (shipped inside faster-whisper),
kept where the ASR heard words; embeddings come from Resemblyzer's GE2E voice encoder,
whose weights ship inside its PyPI package; clustering and smoothing are plain numpy.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from qa_pipeline.ingest.options import SAMPLE_RATE_HZ
from qa_pipeline.records import Diarisation, SpeakerSegment, Word
from qa_pipeline.speech.diarise.options import EmbeddingOptions

__all__ = [
    "EmbeddingDiariser",
    "bridge_pauses",
    "cluster",
    "label_runs",
    "smooth_labels",
]

_FRAME_S = 0.01  # the voice encoder's mel hop: one label per 10 ms


_encoder: Any = None
_encoder_lock = threading.Lock()


def load_encoder() -> Any:
    """Resemblyzer's VoiceEncoder on the CPU, loaded at most once per process."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            from resemblyzer import VoiceEncoder

            _encoder = VoiceEncoder("cpu", verbose=False)
        return _encoder


class EmbeddingDiariser:
    """Splits a mono call into speakers with no model from a hub.

    Args:
        options: windowing, clustering and smoothing settings.
        encoder: a loaded resemblyzer VoiceEncoder (shared or for tests); loaded when None.
    """

    name = "embedding"

    def __init__(self, options: EmbeddingOptions = EmbeddingOptions(), encoder: Any = None):
        self.options = options
        self._encoder = encoder

    @property
    def encoder(self) -> Any:
        if self._encoder is None:
            self._encoder = load_encoder()
        return self._encoder

    def diarise(self, samples: np.ndarray, words: Sequence[Word] = ()) -> Diarisation:
        """Who spoke when in ``samples`` (16 kHz mono float32).

        Args:
            words: the ASR's words for the same audio; speech regions with no word in them
                are dropped.
        """
        options = self.options
        n_frames = int(len(samples) / SAMPLE_RATE_HZ / _FRAME_S)
        speech = _speech_mask(samples, words, options, n_frames)
        centres = _window_centres(speech, options)
        if len(centres) == 0:
            return Diarisation((), self.name, options.to_json())
        embeddings = self._embed(self._mel(samples), centres)
        window_labels = cluster(embeddings, options.num_speakers)
        frame_labels = _frame_labels(speech, centres, window_labels)
        frame_labels = smooth_labels(frame_labels, round(options.min_segment_s / _FRAME_S))
        frame_labels = bridge_pauses(frame_labels, round(options.bridge_s / _FRAME_S))
        return Diarisation(_segments(frame_labels), self.name, options.to_json())

    def _mel(self, samples: np.ndarray) -> np.ndarray:
        from resemblyzer.audio import normalize_volume, wav_to_mel_spectrogram

        return wav_to_mel_spectrogram(
            normalize_volume(samples.astype(np.float32), -30, increase_only=True)
        )

    def _embed(self, mel: np.ndarray, centres: np.ndarray) -> np.ndarray:
        """One embedding per window centre, from ``window_s`` of audio around it."""
        import torch

        width = max(1, round(self.options.window_s / _FRAME_S))
        if len(mel) < width:
            mel = np.pad(mel, ((0, width - len(mel)), (0, 0)))
        # Windows keep their full width at the edges of the call by sliding inwards.
        starts = np.clip(centres - width // 2, 0, len(mel) - width)
        batches = []
        with torch.no_grad():
            for chunk in np.array_split(starts, max(1, len(starts) // 64)):
                mels = np.stack([mel[s : s + width] for s in chunk]).astype(np.float32)
                batches.append(self.encoder(torch.from_numpy(mels)).numpy())
        return np.concatenate(batches)


def cluster(
    embeddings: np.ndarray, num_speakers: int = 2, restarts: int = 8, iterations: int = 30
) -> np.ndarray:
    """Groups embeddings into ``num_speakers`` clusters by cosine similarity (spherical k-means).

    One start is seeded with the mutually farthest embeddings (the two voices), the others
    at random (seeded, so results repeat); the grouping whose members sit closest to their
    centroids wins, since one unlucky start can split a call along something other than the
    voice. Labels are numbered by first appearance.
    """
    n = len(embeddings)
    if n <= num_speakers:
        return np.arange(n)
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    similarity = unit @ unit.T
    seeds = [int(np.argmin(similarity.sum(axis=1)))]
    while len(seeds) < num_speakers:  # ends: one seed more each time, n > num_speakers
        seeds.append(int(np.argmin(similarity[seeds].max(axis=0))))
    rng = np.random.default_rng(0)
    starts = [seeds] + [
        list(rng.choice(n, num_speakers, replace=False)) for _ in range(restarts - 1)
    ]
    best, best_fit = np.zeros(n, dtype=int), -np.inf
    for start in starts:
        labels, fit = _kmeans(unit, unit[start].copy(), iterations)
        if fit > best_fit + 1e-9:
            best, best_fit = labels, fit
    _, first = np.unique(best, return_index=True)
    order = {old: new for new, old in enumerate(best[np.sort(first)])}
    return np.array([order[x] for x in best])


def _kmeans(unit: np.ndarray, centroids: np.ndarray, iterations: int) -> tuple[np.ndarray, float]:
    """Spherical k-means from ``centroids``: (labels, summed similarity to own centroid)."""
    labels = np.argmax(unit @ centroids.T, axis=1)
    for _ in range(iterations):
        for k in range(len(centroids)):
            members = unit[labels == k]
            if len(members):
                mean = members.mean(axis=0)
                centroids[k] = mean / np.linalg.norm(mean)
        new = np.argmax(unit @ centroids.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    fit = float(np.sum(unit * centroids[labels]))
    return labels, fit


def smooth_labels(labels: np.ndarray, min_run: int) -> np.ndarray:
    """Removes speaker flips shorter than ``min_run`` frames (-1 marks non-speech).

    A short run inside speech takes the label of its longer speech neighbour (the earlier one
    on a tie), shortest run first; non-speech is kept. Each relabelling merges a run into a
    neighbour, so the number of runs falls every time and the loop ends after at most as many
    steps as there are runs: neighbouring short runs can never swap labels back and forth.
    """
    runs = label_runs(labels)
    starts = [r[0] for r in runs]
    ends = [r[1] for r in runs]
    marks = [r[2] for r in runs]
    prev = list(range(-1, len(runs) - 1))
    nxt = list(range(1, len(runs) + 1))
    nxt[-1:] = [-1] if runs else []
    alive = [True] * len(runs)
    heap = [(e - s, s, i) for i, (s, e, label) in enumerate(runs) if label >= 0 and e - s < min_run]
    heapq.heapify(heap)
    while heap:  # ends: each pop removes an entry; a push follows only a merge (< len(runs))
        length, _, i = heapq.heappop(heap)
        if not alive[i] or ends[i] - starts[i] != length or length >= min_run:
            continue  # stale entry: the run has merged or grown since it was queued
        sides = [j for j in (prev[i], nxt[i]) if j >= 0 and marks[j] >= 0]
        if not sides:
            continue  # between silences: a short turn of its own stays
        longest = max(sides, key=lambda j: ends[j] - starts[j])
        marks[i] = marks[longest]
        # Fold equal-labelled neighbours into run i: the run count falls by one or two.
        for j in (prev[i], nxt[i]):
            if j >= 0 and marks[j] == marks[i]:
                starts[i], ends[i] = min(starts[i], starts[j]), max(ends[i], ends[j])
                alive[j] = False
                if j == prev[i]:
                    prev[i] = prev[j]
                    if prev[j] >= 0:
                        nxt[prev[j]] = i
                else:
                    nxt[i] = nxt[j]
                    if nxt[j] >= 0:
                        prev[nxt[j]] = i
        if ends[i] - starts[i] < min_run:
            heapq.heappush(heap, (ends[i] - starts[i], starts[i], i))
    out = labels.copy()
    for i in range(len(runs)):
        if alive[i]:
            out[starts[i] : ends[i]] = marks[i]
    return out


def bridge_pauses(labels: np.ndarray, max_gap: int) -> np.ndarray:
    """Fills non-speech gaps shorter than ``max_gap`` frames that one speaker has on both
    sides."""
    out = labels.copy()
    runs = label_runs(labels)
    for i in range(1, len(runs) - 1):
        start, end, label = runs[i]
        if label < 0 and end - start < max_gap and runs[i - 1][2] == runs[i + 1][2] >= 0:
            out[start:end] = runs[i - 1][2]
    return out


def label_runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """(start, end, label) of each run of equal labels in a frame array."""
    if len(labels) == 0:
        return []
    edges = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate(([0], edges))
    ends = np.concatenate((edges, [len(labels)]))
    return [(int(s), int(e), int(labels[s])) for s, e in zip(starts, ends, strict=True)]


def _speech_mask(
    samples: np.ndarray, words: Sequence[Word], options: EmbeddingOptions, n_frames: int
) -> np.ndarray:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(
        min_silence_duration_ms=options.vad_min_silence_ms, speech_pad_ms=options.vad_pad_ms
    )
    mask = np.zeros(n_frames, dtype=bool)
    per_frame = SAMPLE_RATE_HZ * _FRAME_S
    for region in get_speech_timestamps(samples, vad):
        mask[int(region["start"] / per_frame) : int(np.ceil(region["end"] / per_frame))] = True
    mask = _trim_quiet_edges(mask, _frame_db(samples, n_frames), options)
    if words:
        mask = _keep_regions_with_words(mask, words)
    return mask


def _keep_regions_with_words(mask: np.ndarray, words: Sequence[Word]) -> np.ndarray:
    """Drops speech regions in which the ASR heard no word (hold music, line noise).

    Whisper's word times are too loose to mark speech themselves (they stretch over pauses),
    but a region with no word near it is not talk the rubric can use.
    """
    heard = np.zeros_like(mask)
    slack = round(0.2 / _FRAME_S)
    for word in words:
        start = max(0, int(word.start_s / _FRAME_S) - slack)
        heard[start : int(np.ceil(word.end_s / _FRAME_S)) + slack] = True
    out = mask.copy()
    for start, end, on in label_runs(mask.astype(int)):
        if on and not heard[start:end].any():
            out[start:end] = False
    return out


def _frame_db(samples: np.ndarray, n_frames: int) -> np.ndarray:
    width = round(SAMPLE_RATE_HZ * _FRAME_S)
    frames = samples[: n_frames * width].reshape(n_frames, width)
    return 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)


def _trim_quiet_edges(
    mask: np.ndarray, frame_db: np.ndarray, options: EmbeddingOptions
) -> np.ndarray:
    """Shrinks each speech region to the span between its first and last loud frame."""
    floor_db = float(np.percentile(frame_db, 10))
    out = mask.copy()
    for start, end, on in label_runs(mask.astype(int)):
        if not on:
            continue
        region = frame_db[start:end]
        threshold_db = min(
            floor_db + options.edge_margin_db, region.max() - options.edge_headroom_db
        )
        loud = np.flatnonzero(region > threshold_db)
        out[start:end] = False
        out[start + loud[0] : start + loud[-1] + 1] = True
    return out


def _window_centres(speech: np.ndarray, options: EmbeddingOptions) -> np.ndarray:
    step = max(1, round(options.step_s / _FRAME_S))
    frames = np.flatnonzero(speech)
    if len(frames) == 0:
        return frames
    # Every speech region gets at least one window, however short it is.
    region_starts = frames[np.concatenate(([True], np.diff(frames) > 1))]
    on_grid = frames[frames % step == 0]
    return np.unique(np.concatenate((on_grid, region_starts)))


def _frame_labels(speech: np.ndarray, centres: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each speech frame takes the label of the nearest window centre; -1 elsewhere."""
    out = np.full(len(speech), -1, dtype=int)
    frames = np.flatnonzero(speech)
    if len(centres) == 1:
        out[frames] = labels[0]
        return out
    nearest = np.clip(np.searchsorted(centres, frames), 1, len(centres) - 1)
    left = centres[nearest - 1]
    right = centres[nearest]
    pick = np.where(frames - left <= right - frames, nearest - 1, nearest)
    out[frames] = labels[pick]
    return out


def _segments(frame_labels: np.ndarray) -> tuple[SpeakerSegment, ...]:
    return tuple(
        SpeakerSegment(round(start * _FRAME_S, 2), round(end * _FRAME_S, 2), f"S{label}")
        for start, end, label in label_runs(frame_labels)
        if label >= 0
    )

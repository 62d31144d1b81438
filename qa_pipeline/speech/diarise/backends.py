"""Who spoke when: the diariser backends behind one interface, and words given to speakers.

Backends, picked with ``--diarizer``:

- ``channels``: a stereo call already has one speaker per channel; nothing to diarise.
- ``pyannote``: pyannote.audio's speaker-diarization pipeline (the ``pyannote`` install step),
  from a local folder or, for users who are online, from the hub with a token.
- ``embedding``: offline, nothing from a hub (qa_pipeline.speech.diarise.embedding).
- ``auto``: channels for stereo; pyannote when a pipeline is configured; else embedding.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from qa_pipeline.errors import ConfigError
from qa_pipeline.records import Diarisation, SpeakerSegment, Word
from qa_pipeline.speech.diarise.embedding import EmbeddingDiariser
from qa_pipeline.speech.diarise.options import Backend, DiariseOptions
from qa_pipeline.speech.diarise.pyannote import PyannoteDiariser

__all__ = [
    "Diariser",
    "backend_for",
    "check_available",
    "get_diariser",
    "speakers_of",
]


class Diariser(Protocol):
    """Splits one mono channel (16 kHz float32) into anonymous speakers."""

    name: str

    def diarise(self, samples: np.ndarray, words: Sequence[Word] = ()) -> Diarisation: ...


def backend_for(options: DiariseOptions, channel_count: int) -> Backend | None:
    """The backend that handles a call with ``channel_count`` channels.

    Returns:
        CHANNELS, PYANNOTE or EMBEDDING; None when the call is mono and ``channels`` was
        forced, so it cannot be split into speakers in this run.
    """
    choice = options.diarizer
    if choice is Backend.AUTO:
        if channel_count == 2:
            return Backend.CHANNELS
        return Backend.PYANNOTE if options.pyannote.configured else Backend.EMBEDDING
    if choice is Backend.CHANNELS and channel_count != 2:
        return None
    return choice


def check_available(options: DiariseOptions) -> None:
    """Fails before any call is processed when the chosen backend cannot run here.

    Raises:
        ConfigError: pyannote chosen with no pipeline, or a backend's packages missing;
            the message says in one line how to fix it.
    """
    choice = options.diarizer
    if choice is Backend.PYANNOTE or (choice is Backend.AUTO and options.pyannote.configured):
        options.pyannote.check()
    if choice is Backend.EMBEDDING or (choice is Backend.AUTO and not options.pyannote.configured):
        _check_embedding(required=choice is Backend.EMBEDDING)


def _check_embedding(required: bool) -> None:
    try:
        import resemblyzer  # noqa: F401
        import torch  # noqa: F401
    except ImportError as exc:
        if required:
            raise ConfigError(
                "the embedding diarizer needs the diarize extra: run setup.sh, or "
                "pip install torch==2.13.0 && pip install -e '.[diarize]' && "
                f"pip install --no-deps resemblyzer==0.1.4 ({exc})"
            ) from exc


_diarisers: dict[tuple[Backend, str], Diariser] = {}
_diarisers_lock = threading.Lock()


def get_diariser(backend: Backend, options: DiariseOptions) -> Diariser:
    """The diariser for ``backend``, built at most once per process and options."""
    key = (backend, options.to_json())
    with _diarisers_lock:
        if key not in _diarisers:
            if backend is Backend.PYANNOTE:
                _diarisers[key] = PyannoteDiariser(options.pyannote)
            elif backend is Backend.EMBEDDING:
                _diarisers[key] = EmbeddingDiariser(options.embedding)
            else:
                raise ValueError(f"{backend} does not diarise a mixed channel")
        return _diarisers[key]


def speakers_of(words: Sequence[Word], segments: Sequence[SpeakerSegment]) -> tuple[str, ...]:
    """The speaker label of each word: the segment it overlaps most in time.

    A word that overlaps no segment (the diariser heard silence where the ASR heard a word)
    takes the nearest segment's speaker, so every word has a speaker.
    """
    if not segments:
        raise ValueError("no speaker segments to assign words to")
    starts = np.array([s.start_s for s in segments])
    ends = np.array([s.end_s for s in segments])
    labels = []
    for word in words:
        overlap = np.minimum(ends, word.end_s) - np.maximum(starts, word.start_s)
        best = int(np.argmax(overlap))
        if overlap[best] <= 0:
            distance = np.maximum(starts - word.end_s, word.start_s - ends)
            best = int(np.argmin(distance))
        labels.append(segments[best].label)
    return tuple(labels)

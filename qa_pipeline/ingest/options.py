"""What ingest accepts: the audio limits and formats, importable without loading a decoder."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AUDIO_SUFFIXES", "SAMPLE_RATE_HZ", "AudioOptions"]

SAMPLE_RATE_HZ = 16_000
"""The rate Whisper and the VAD expect; every decoded channel is at this rate."""

AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac"})


@dataclass(frozen=True)
class AudioOptions:
    """Limits applied to every recording before it is transcribed.

    Attributes:
        max_duration_s: longer recordings are refused (default 4 h) before they are decoded.
        silence_peak_dbfs: a recording whose loudest sample is below this is too quiet to
            transcribe.
        digital_silence_dbfs: ... and below this, it is all silence (nothing was recorded).
    """

    max_duration_s: float = 4 * 3600.0
    silence_peak_dbfs: float = -60.0
    digital_silence_dbfs: float = -90.0

"""The one module that reads audio files: probe, validate, decode to 16 kHz float32 per channel.

Decoding uses faster-whisper's PyAV decoder, so wav, flac, mp3, ogg, m4a and anything else
FFmpeg reads work at any sample rate, 8 kHz telephony included.
"""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
from faster_whisper.audio import decode_audio

from qa_pipeline.errors import CallError
from qa_pipeline.ingest.options import SAMPLE_RATE_HZ, AudioOptions
from qa_pipeline.records import DecodedAudio

__all__ = ["decode", "mix_down", "write_wav"]


def decode(path: Path, options: AudioOptions = AudioOptions()) -> DecodedAudio:
    """Validates and decodes one recording.

    Args:
        path: an audio file.
        options: duration and silence limits.

    Returns:
        The recording at 16 kHz, one float32 array per channel (mono or stereo).

    Raises:
        CallError: the file is unreadable, empty, has no audio stream, more than two channels,
            is longer than ``options.max_duration_s`` or is all silence.
    """
    if not path.is_file():
        raise CallError("missing", path, "the file does not exist.", "check the path.")
    if path.stat().st_size == 0:
        raise CallError(
            "empty",
            path,
            "the file is zero bytes long.",
            "re-export the recording from the source.",
        )
    source_rate_hz, channel_count = _probe(path, options)
    try:
        decoded = decode_audio(str(path), SAMPLE_RATE_HZ, split_stereo=channel_count == 2)
    except (av.FFmpegError, ValueError, RuntimeError) as exc:
        raise CallError(
            "unreadable",
            path,
            f"the audio stream could not be decoded ({exc}).",
            "the file is corrupt or truncated; re-export it from the recorder.",
        ) from exc
    channels = decoded if isinstance(decoded, tuple) else (decoded,)
    samples = channels[0].shape[0]
    if samples == 0:
        raise CallError(
            "empty", path, "the audio stream holds no samples.", "re-export the recording."
        )
    duration_s = samples / SAMPLE_RATE_HZ
    if duration_s > options.max_duration_s:
        # Containers can under-declare their length; the decoded length is the truth.
        raise _too_long(path, duration_s, options)
    peak = max(float(np.max(np.abs(c))) for c in channels)
    peak_dbfs = 20 * np.log10(peak) if peak > 0 else float("-inf")
    if peak_dbfs < options.silence_peak_dbfs:
        raise CallError(
            "silent",
            path,
            f"the recording is all silence (peak {peak_dbfs:.0f} dBFS, limit "
            f"{options.silence_peak_dbfs:.0f} dBFS).",
            "check the recorder's input levels or that the right file was exported.",
        )
    return DecodedAudio(
        path=path,
        source_sample_rate_hz=source_rate_hz,
        duration_s=duration_s,
        channels=tuple(np.ascontiguousarray(c) for c in channels),
    )


def mix_down(audio: DecodedAudio) -> np.ndarray:
    """The average of a recording's channels: what a mono recorder would have captured."""
    if audio.channel_count == 1:
        return audio.channels[0]
    return np.mean(np.stack(audio.channels), axis=0, dtype=np.float32)


def write_wav(path: Path, data: np.ndarray, rate_hz: int) -> Path:
    """Writes float samples, shaped (channels, samples) or (samples,), as 16-bit PCM wav."""
    data = np.atleast_2d(data).astype(np.float32)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(data.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes((np.clip(data, -1, 1) * 32767).astype("<i2").T.tobytes())
    return path


def _probe(path: Path, options: AudioOptions) -> tuple[int, int]:
    """Reads the container header (source rate, channel count) and refuses what it can early."""
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            streams = container.streams.audio
            if not streams:
                raise CallError(
                    "no_audio_stream",
                    path,
                    "the file has no audio stream.",
                    "export the call's audio track (e.g. ffmpeg -i FILE -vn out.wav).",
                )
            stream = streams[0]
            rate_hz = int(stream.sample_rate or stream.codec_context.sample_rate or 0)
            channel_count = int(stream.channels or stream.codec_context.channels or 0)
            declared_s = None
            if stream.duration is not None and stream.time_base is not None:
                declared_s = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                declared_s = container.duration / av.time_base
    except CallError:
        raise
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise CallError(
            "unreadable",
            path,
            f"not a readable audio file ({exc}).",
            "the file is corrupt or not audio; re-export it as wav, flac, mp3, ogg or m4a.",
        ) from exc
    if channel_count > 2:
        raise CallError(
            "too_many_channels",
            path,
            f"the recording has {channel_count} channels; qa-pipeline reads mono or stereo.",
            "extract the agent/customer pair, e.g. ffmpeg -i FILE -ac 2 out.wav.",
        )
    if channel_count < 1 or rate_hz <= 0:
        raise CallError(
            "unreadable",
            path,
            "the audio stream declares no channels or sample rate.",
            "re-export the recording.",
        )
    if declared_s is not None and declared_s > options.max_duration_s:
        raise _too_long(path, declared_s, options)
    return rate_hz, channel_count


def _too_long(path: Path, duration_s: float, options: AudioOptions) -> CallError:
    return CallError(
        "too_long",
        path,
        f"the recording lasts {duration_s / 3600:.2f} h, over the limit of "
        f"{options.max_duration_s / 3600:.2f} h.",
        "split the recording, or raise the limit with --max-duration-s.",
    )

"""The one module that reads audio files: probe, validate, decode to 16 kHz float32 per channel.

Decoding uses PyAV (FFmpeg), as faster-whisper does, so wav, flac, mp3, ogg, m4a and anything
else FFmpeg reads work at any sample rate, 8 kHz telephony included. A recording cut short is
refused as ``truncated``: its declared length against what decodes, a decoder error at the tail,
a wav header promising more bytes than the file has, an Ogg stream with no end.
"""

from __future__ import annotations

import struct
import wave
from collections.abc import Sequence
from pathlib import Path

import av
import av.audio.resampler
import numpy as np

from qa_pipeline.errors import CallError, os_reason
from qa_pipeline.ingest.options import SAMPLE_RATE_HZ, AudioOptions
from qa_pipeline.records import DecodedAudio

__all__ = ["decode", "masked", "mix_down", "write_wav"]


def decode(path: Path, options: AudioOptions = AudioOptions()) -> DecodedAudio:
    """Validates and decodes one recording.

    Args:
        path: an audio file.
        options: duration and silence limits.

    Returns:
        The recording at 16 kHz, one float32 array per channel (mono or stereo).

    Raises:
        CallError: the file is unreadable (or not readable by this user), empty, has no audio
            stream, more than two channels, is longer than ``options.max_duration_s``, is cut
            short (``truncated``), is all silence or too quiet to transcribe.
    """
    _check_readable(path)
    source_rate_hz, channel_count, declared_s = _probe(path, options)
    try:
        channels, stopped_by = _decode(path, channel_count == 2)
    except (av.FFmpegError, ValueError, RuntimeError) as exc:
        raise CallError(
            "unreadable",
            path,
            f"the audio stream could not be decoded ({_reason(exc)}).",
            "the file is corrupt or truncated; re-export it from the recorder.",
        ) from exc
    samples = channels[0].shape[0]
    if samples == 0:
        raise CallError(
            "empty", path, "the audio stream holds no samples.", "re-export the recording."
        )
    duration_s = samples / SAMPLE_RATE_HZ
    if duration_s > options.max_duration_s:
        # Containers can under-declare their length; the decoded length is the truth.
        raise _too_long(path, duration_s, options)
    _check_whole(path, duration_s, declared_s, stopped_by)
    peak = max(float(np.max(np.abs(c))) for c in channels)
    peak_dbfs = 20 * np.log10(peak) if peak > 0 else float("-inf")
    if peak_dbfs < options.digital_silence_dbfs:
        raise CallError(
            "silent",
            path,
            "the recording is all silence (every sample is zero or next to it).",
            "check that the right file was exported and that the recorder captured audio.",
        )
    if peak_dbfs < options.silence_peak_dbfs:
        raise CallError(
            "too_quiet",
            path,
            f"the recording is too quiet to transcribe (peak {peak_dbfs:.0f} dBFS, under "
            f"the {options.silence_peak_dbfs:.0f} dBFS limit).",
            "raise the recorder's input gain, or amplify the file (e.g. ffmpeg -i FILE "
            "-af loudnorm out.wav).",
        )
    return DecodedAudio(
        path=path,
        source_sample_rate_hz=source_rate_hz,
        duration_s=duration_s,
        channels=tuple(np.ascontiguousarray(c) for c in channels),
    )


def _check_readable(path: Path) -> None:
    """Refuses what is not a readable, non-empty file, saying which it is."""
    try:
        if path.is_dir():
            raise CallError(
                "not_a_file", path, "is a folder, not a recording.", "pass audio files."
            )
        if not path.is_file():
            raise CallError("missing", path, "the file does not exist.", "check the path.")
        with path.open("rb"):
            pass
    except PermissionError as exc:
        raise CallError(
            "permission_denied",
            path,
            "permission denied: the file cannot be opened for reading.",
            "make the file readable by the user that runs qa-pipeline.",
        ) from exc
    except OSError as exc:
        raise CallError(
            "unreadable", path, f"the file cannot be opened ({os_reason(exc)}).", "check it."
        ) from exc
    if path.stat().st_size == 0:
        raise CallError(
            "empty",
            path,
            "the file is zero bytes long.",
            "re-export the recording from the source.",
        )


def _decode(path: Path, split_stereo: bool) -> tuple[tuple[np.ndarray, ...], str | None]:
    """The recording at 16 kHz, one float32 array per channel, and the decoder error that
    ended the stream early (None when it ran to the end). PyAV ends decoding at the first bad
    packet, so an error here means the rest of the file was lost."""
    resampler = av.audio.resampler.AudioResampler(
        format="s16", layout="stereo" if split_stereo else "mono", rate=SAMPLE_RATE_HZ
    )
    chunks: list[np.ndarray] = []
    stopped_by = None
    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        frames = container.decode(audio=0)
        while True:  # ends: the decoder yields each frame once, then stops or raises
            try:
                frame = next(frames)
            except StopIteration:
                break
            except av.error.InvalidDataError as exc:
                stopped_by = (exc.strerror or "invalid data").lower()
                break
            chunks.extend(out.to_ndarray() for out in resampler.resample(frame))
        chunks.extend(out.to_ndarray() for out in resampler.resample(None))
    pcm = np.concatenate([c.reshape(-1) for c in chunks]) if chunks else np.zeros(0, np.int16)
    audio = pcm.astype(np.float32) / 32768.0
    if split_stereo:
        return (audio[0::2], audio[1::2]), stopped_by
    return (audio,), stopped_by


def _check_whole(
    path: Path, decoded_s: float, declared_s: float | None, stopped_by: str | None
) -> None:
    """Refuses a recording cut short (a partial copy, an upload that stopped): scored, it would
    lose its closing and score as a worse call than it was."""
    missing = None
    if stopped_by is not None:
        missing = f"decoding stopped at {decoded_s:.1f} s on a damaged packet ({stopped_by})"
    elif declared_s is not None and decoded_s < declared_s - max(0.5, 0.005 * declared_s):
        missing = f"it declares {declared_s:.1f} s but only {decoded_s:.1f} s could be decoded"
    else:
        missing = _wav_shortfall(path) or _ogg_unfinished(path)
    if missing:
        raise CallError(
            "truncated",
            path,
            f"the recording is cut short: {missing}.",
            "copy or export the whole recording again from the recorder.",
        )


def _wav_shortfall(path: Path) -> str | None:
    """For a RIFF wav whose data chunk declares more bytes than the file holds, what is
    missing; None otherwise (and for streams written with an unknown length)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if handle.read(12)[8:] != b"WAVE":
            return None
        byte_rate, offset = 0, 12
        while offset + 8 <= size:  # ends: each step moves past one chunk of >= 8 bytes
            handle.seek(offset)
            chunk_id, chunk_size = struct.unpack("<4sI", handle.read(8))
            if chunk_id == b"fmt ":
                byte_rate = struct.unpack("<I", handle.read(16)[8:12])[0]
            if chunk_id == b"data":
                present = size - offset - 8
                unknown = chunk_size in (0, 0xFFFFFFFF)  # a recorder that never finalised
                if unknown or byte_rate == 0 or present >= chunk_size:
                    return None
                return (
                    f"its header declares {chunk_size / byte_rate:.1f} s of audio, the file "
                    f"holds {present / byte_rate:.1f} s"
                )
            offset += 8 + chunk_size + (chunk_size & 1)
    return None


def _ogg_unfinished(path: Path) -> str | None:
    """For an Ogg file (opus, vorbis), whether its last page is cut off or is not the end of
    the stream; a whole Ogg stream ends with a page flagged end-of-stream."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if handle.read(4) != b"OggS":
            return None
        handle.seek(max(0, size - 65_536))
        tail = handle.read()
    at = tail.rfind(b"OggS")
    if at < 0 or len(tail) - at < 27 or tail[at + 4] != 0:
        return None
    segments = tail[at + 26]
    table = tail[at + 27 : at + 27 + segments]
    if len(table) < segments or at + 27 + segments + sum(table) > len(tail):
        return "its last Ogg page is cut off"
    if not tail[at + 5] & 0x04:
        return "its last Ogg page is not the end of the stream"
    return None


def mix_down(audio: DecodedAudio) -> np.ndarray:
    """The average of a recording's channels: what a mono recorder would have captured."""
    if audio.channel_count == 1:
        return audio.channels[0]
    return np.mean(np.stack(audio.channels), axis=0, dtype=np.float32)


def masked(
    samples: np.ndarray,
    spans_s: Sequence[tuple[float, float]],
    rate_hz: int = SAMPLE_RATE_HZ,
    tone_hz: float = 0.0,
    pad_s: float = 0.15,
) -> np.ndarray:
    """A copy of ``samples`` with each span (seconds, widened by ``pad_s`` on both sides, as
    word times are estimates) replaced by silence, or by a tone at -20 dBFS when ``tone_hz``
    is set: what redaction leaves of a recording."""
    out = np.array(samples, dtype=np.float32, copy=True)
    for start_s, end_s in spans_s:
        first = max(int((start_s - pad_s) * rate_hz), 0)
        last = min(int(np.ceil((end_s + pad_s) * rate_hz)), out.shape[-1])
        if last <= first:
            continue
        if tone_hz > 0:
            t = np.arange(first, last, dtype=np.float32) / rate_hz
            out[..., first:last] = 0.1 * np.sin(2 * np.pi * tone_hz * t)
        else:
            out[..., first:last] = 0.0
    return out


def write_wav(path: Path, data: np.ndarray, rate_hz: int) -> Path:
    """Writes float samples, shaped (channels, samples) or (samples,), as 16-bit PCM wav."""
    data = np.atleast_2d(data).astype(np.float32)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(data.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes((np.clip(data, -1, 1) * 32767).astype("<i2").T.tobytes())
    return path


def _probe(path: Path, options: AudioOptions) -> tuple[int, int, float | None]:
    """Reads the container header (source rate, channel count, and the declared length when
    the container records it, rather than guessing it from the bit rate) and refuses what it
    can early."""
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
            recorded = _length_is_recorded(path, container.format.name)
    except CallError:
        raise
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise CallError(
            "unreadable",
            path,
            f"not a readable audio file ({_reason(exc)}).",
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
    return rate_hz, channel_count, declared_s if recorded else None


def _length_is_recorded(path: Path, format_name: str) -> bool:
    """Whether the container states its length (flac's sample count, mp4's, an mp3's Xing,
    Info or VBRI header) rather than FFmpeg estimating it from the bit rate and file size.
    Wav and Ogg are checked from their own headers (see _check_whole)."""
    if format_name == "flac" or "mp4" in format_name:
        return True
    if format_name == "mp3":
        with path.open("rb") as handle:
            head = handle.read(16_384)
        return any(tag in head for tag in (b"Xing", b"Info", b"VBRI"))
    return False


def _reason(exc: Exception) -> str:
    """FFmpeg's words for an error, without PyAV's raw ``[Errno N]`` prefix."""
    strerror = getattr(exc, "strerror", None)
    return strerror.lower() if isinstance(strerror, str) and strerror else str(exc)


def _too_long(path: Path, duration_s: float, options: AudioOptions) -> CallError:
    return CallError(
        "too_long",
        path,
        f"the recording lasts {duration_s / 3600:.2f} h, over the limit of "
        f"{options.max_duration_s / 3600:.2f} h.",
        "split the recording, or raise the limit with --max-duration-s.",
    )

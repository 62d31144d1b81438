"""Writes audio fixtures in any container PyAV can encode, from float arrays."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np

from qa_pipeline.ingest.audio import write_wav

_CODECS = {
    ".flac": ("flac", "s16"),
    ".mp3": ("libmp3lame", "fltp"),
    ".ogg": ("libopus", "flt"),
    ".m4a": ("aac", "fltp"),
}


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """(channels, samples) float32 and the rate of a 16-bit PCM wav."""
    with wave.open(str(path)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        data = pcm.reshape(-1, w.getnchannels()).T.astype(np.float32) / 32768.0
        return data, w.getframerate()


def write_audio(path: Path, data: np.ndarray, rate_hz: int) -> Path:
    """Writes ``data`` (channels, samples) to ``path``; the suffix picks the codec."""
    if path.suffix == ".wav":
        return write_wav(path, data, rate_hz)
    data = np.atleast_2d(data).astype(np.float32)
    codec, fmt = _CODECS[path.suffix]
    layout = "stereo" if data.shape[0] == 2 else "mono"
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate_hz, layout=layout)
        frame_size = 960 if codec == "libopus" else 1024
        for start in range(0, data.shape[1], frame_size):
            chunk = data[:, start : start + frame_size]
            if fmt == "s16":
                chunk = (np.clip(chunk, -1, 1) * 32767).astype(np.int16)
            if fmt in ("s16", "flt"):
                chunk = np.ascontiguousarray(chunk.T).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(chunk), format=fmt, layout=layout
            )
            frame.sample_rate = rate_hz
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def write_video_only(path: Path) -> Path:
    """A short video file with no audio stream at all."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(10):
            img = np.full((48, 64, 3), i * 20, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path

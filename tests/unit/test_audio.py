"""Decoding every supported container and refusing each kind of bad recording."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa_pipeline.errors import CallError
from qa_pipeline.ingest.audio import decode
from qa_pipeline.ingest.options import SAMPLE_RATE_HZ, AudioOptions
from tests.support.audio_files import read_wav, write_audio, write_video_only
from tests.support.paths import ROOT, SAMPLES

SAMPLE = SAMPLES / "call_02_rude_greeting.wav"


@pytest.fixture(scope="module")
def sample_pcm() -> tuple[np.ndarray, int]:
    return read_wav(SAMPLE)


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".mp3", ".ogg", ".m4a"])
def test_every_container_decodes_to_16k_stereo(tmp_path: Path, sample_pcm, suffix: str) -> None:
    data, rate_hz = sample_pcm
    path = write_audio(tmp_path / f"call{suffix}", data, rate_hz)
    decoded = decode(path)
    assert decoded.channel_count == 2
    # Opus always decodes at 48 kHz, whatever rate went in.
    assert decoded.source_sample_rate_hz == (48000 if suffix == ".ogg" else rate_hz)
    expected_s = data.shape[1] / rate_hz
    # Lossy codecs pad a few frames at the ends (AAC's priming is the longest, ~0.25 s at 8 kHz).
    assert decoded.duration_s == pytest.approx(expected_s, abs=0.3)
    for channel in decoded.channels:
        assert channel.dtype == np.float32
        assert channel.shape[0] == decoded.duration_s * SAMPLE_RATE_HZ
    # Channels stay apart: the agent (left) speaks first, the customer (right) is quiet then.
    first_s = slice(0, 2 * SAMPLE_RATE_HZ)
    assert (
        np.abs(decoded.channels[0][first_s]).max() > 10 * np.abs(decoded.channels[1][first_s]).max()
    )


@pytest.mark.parametrize("rate_hz", [8000, 11025, 22050, 44100, 48000])
def test_any_sample_rate_mono(tmp_path: Path, rate_hz: int) -> None:
    t = np.arange(int(1.5 * rate_hz)) / rate_hz
    tone = 0.3 * np.sin(2 * np.pi * 440 * t)
    decoded = decode(write_audio(tmp_path / "tone.wav", tone, rate_hz))
    assert decoded.channel_count == 1
    assert decoded.source_sample_rate_hz == rate_hz
    assert decoded.duration_s == pytest.approx(1.5, abs=0.01)
    assert np.abs(decoded.channels[0]).max() == pytest.approx(0.3, abs=0.02)


def _bad_files(tmp: Path) -> dict[str, tuple[Path, AudioOptions]]:
    """One file for each way a recording can be refused, with the code it must get."""
    rate = 8000
    noise = np.random.default_rng(0).normal(0, 0.1, (2, rate * 3))
    truncated = write_audio(tmp / "truncated_src.mp3", noise, rate).read_bytes()
    (tmp / "truncated.mp3").write_bytes(truncated[:200])
    (tmp / "garbage.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really a wav file" * 4)
    (tmp / "empty.wav").write_bytes(b"")
    return {
        "unreadable": (tmp / "garbage.wav", AudioOptions()),
        "unreadable_truncated": (tmp / "truncated.mp3", AudioOptions()),
        "empty": (tmp / "empty.wav", AudioOptions()),
        "no_audio_stream": (write_video_only(tmp / "video.mp4"), AudioOptions()),
        "silent": (write_audio(tmp / "silent.wav", np.zeros((2, rate * 5)), rate), AudioOptions()),
        "too_long": (write_audio(tmp / "long.flac", noise, rate), AudioOptions(max_duration_s=2.0)),
        "too_many_channels": (
            write_audio(tmp / "six.wav", np.tile(noise[:1], (6, 1)), rate),
            AudioOptions(),
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "unreadable",
        "unreadable_truncated",
        "empty",
        "no_audio_stream",
        "silent",
        "too_long",
        "too_many_channels",
    ],
)
def test_bad_recordings_are_refused_with_a_named_error(tmp_path: Path, case: str) -> None:
    path, options = _bad_files(tmp_path)[case]
    with pytest.raises(CallError) as caught:
        decode(path, options)
    error = caught.value
    expected = case.removesuffix("_truncated")
    if case == "unreadable_truncated":
        # A cut-off mp3 is either unreadable or decodes to nothing; both are refusals by name.
        assert error.code in {"unreadable", "empty"}
    else:
        assert error.code == expected
    assert str(path) in str(error)
    assert "Fix:" in str(error) and error.fix


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".mp3", ".ogg"])
@pytest.mark.parametrize("kept", [0.5, 0.7, 0.95])
def test_a_recording_cut_short_is_truncated_not_scored(
    tmp_path: Path, sample_pcm, suffix: str, kept: float
) -> None:
    data, rate_hz = sample_pcm
    whole = write_audio(tmp_path / f"whole{suffix}", data, rate_hz)
    assert decode(whole).duration_s > 10  # the whole file is fine
    cut = tmp_path / f"cut{suffix}"
    raw = whole.read_bytes()
    cut.write_bytes(raw[: int(len(raw) * kept)])
    with pytest.raises(CallError) as caught:
        decode(cut)
    assert caught.value.code == "truncated", caught.value
    assert str(cut) in str(caught.value) and "cut short" in str(caught.value)


def test_quiet_speech_is_too_quiet_not_silence(tmp_path: Path, sample_pcm) -> None:
    data, rate_hz = sample_pcm
    quiet = data / np.abs(data).max() * 10 ** (-61 / 20)  # speech peaking at -61 dBFS
    with pytest.raises(CallError) as caught:
        decode(write_audio(tmp_path / "quiet.flac", quiet, rate_hz))
    assert caught.value.code == "too_quiet" and "-61 dBFS" in str(caught.value)
    assert "silence" not in str(caught.value)


def test_unreadable_files_and_folders_say_what_they_are(tmp_path: Path) -> None:
    with pytest.raises(CallError) as caught:
        decode(tmp_path)
    assert caught.value.code == "not_a_file" and "is a folder" in str(caught.value)
    # Permission denied, as an ordinary user sees it: root reads any file, so as root the
    # subprocess runs without the capabilities that let it (setpriv, from util-linux).
    locked = tmp_path / "locked.wav"
    locked.write_bytes(SAMPLE.read_bytes())
    locked.chmod(0)
    code = (
        "import sys; from pathlib import Path; from qa_pipeline.ingest.audio import decode\n"
        "from qa_pipeline.errors import CallError\n"
        "try: decode(Path(sys.argv[1]))\n"
        "except CallError as e: print(e.code, '|', e)"
    )
    prefix = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("root without setpriv cannot be denied a file")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    done = subprocess.run(
        [*prefix, sys.executable, "-c", code, str(locked)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.stdout.startswith("permission_denied |"), done.stdout + done.stderr
    assert "permission denied" in done.stdout and "corrupt" not in done.stdout

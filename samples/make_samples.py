"""Regenerates the sample calls from their scripts: `python samples/make_samples.py`.

Each script in samples/scripts/ is a call: header lines `# key: value` (call_id, agent_id,
agent_name, team, queue, started_at, agent_voice, customer_voice), then one line per utterance:

    agent: Thank you for calling Harbor Bank ...
    customer -1.5: starts 1.5 s before the previous line ends (an interruption)
    agent +3: starts 3 s after the previous line ends
    silence 25          (nobody speaks for 25 s: a hold)

Speech is synthesised with Debian's flite, resampled to 8 kHz and laid out as stereo, agent on
channel 0 (left), customer on channel 1. Beside each call it writes the ground truth as an
importable transcript (samples/truth/CALL.json), and samples/manifest.csv for all calls.
Needs: apt-get install flite.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import tempfile
import wave
import zlib
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

HERE = Path(__file__).resolve().parent
RATE_HZ = 8_000
DEFAULT_GAP_S = 0.6
_LINE = re.compile(r"^(agent|customer)\s*([+-]\d+(?:\.\d+)?)?\s*:\s*(.+)$")
_SILENCE = re.compile(r"^silence\s+(\d+(?:\.\d+)?)$")
MANIFEST_COLUMNS = (
    "call_id",
    "file",
    "agent_id",
    "agent_name",
    "team",
    "queue",
    "started_at",
    "agent_channel",
)


@dataclass(frozen=True)
class Line:
    speaker: str
    gap_s: float
    text: str


def parse_script(path: Path) -> tuple[dict[str, str], list[Line | float]]:
    """The script's header fields and its timeline: Lines, and floats for silences."""
    header: dict[str, str] = {}
    timeline: list[Line | float] = []
    for n, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            header[key.strip()] = value.strip()
        elif m := _SILENCE.match(line):
            timeline.append(float(m.group(1)))
        elif m := _LINE.match(line):
            gap = float(m.group(2)) if m.group(2) else DEFAULT_GAP_S
            timeline.append(Line(m.group(1), gap, m.group(3).strip()))
        else:
            sys.exit(f"{path}:{n}: cannot parse {line!r}")
    return header, timeline


def synthesise(text: str, voice: str, stretch: float = 1.0) -> np.ndarray:
    """flite speech for ``text`` as float32 at RATE_HZ; ``stretch`` below 1 speaks faster."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "line.wav"
        command = ["flite", "-voice", voice, "-t", text, "-o", str(wav)]
        if stretch != 1.0:
            command += ["--setf", f"duration_stretch={stretch:.3f}"]
        subprocess.run(command, check=True)
        with av.open(str(wav)) as container:
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE_HZ)
            chunks = [
                f.to_ndarray().reshape(-1)
                for frame in container.decode(audio=0)
                for f in resampler.resample(frame)
            ]
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(chunks).astype(np.float32) / 32768.0


def render(script: Path, out_dir: Path) -> dict[str, str]:
    header, timeline = parse_script(script)
    call_id = header["call_id"]
    voices = {"agent": header["agent_voice"], "customer": header["customer_voice"]}
    placed: list[tuple[str, float, np.ndarray, str]] = []
    cursor_s = 0.5  # a little line noise before anyone speaks, like a real recording
    for entry in timeline:
        if isinstance(entry, float):
            cursor_s += entry
            continue
        speech = synthesise(entry.text, voices[entry.speaker])
        start_s = max(0.0, cursor_s + entry.gap_s)
        placed.append((entry.speaker, start_s, speech, entry.text))
        cursor_s = max(cursor_s, start_s + len(speech) / RATE_HZ)
    total = int((cursor_s + 1.0) * RATE_HZ)
    stereo = np.zeros((2, total), dtype=np.float32)
    segments = []
    for speaker, start_s, speech, text in placed:
        channel = 0 if speaker == "agent" else 1
        first = int(start_s * RATE_HZ)
        stereo[channel, first : first + len(speech)] += speech
        segments.append(
            {
                "speaker": speaker,
                "start": round(start_s, 3),
                "end": round(start_s + len(speech) / RATE_HZ, 3),
                "text": text,
            }
        )
    # Faint noise keeps the line from being digital silence, as on a real phone line.
    rng = np.random.default_rng(zlib.crc32(call_id.encode()))
    stereo += rng.normal(0, 2e-4, stereo.shape).astype(np.float32)
    pcm = (np.clip(stereo, -1, 1) * 32767).astype("<i2").T.copy()
    with wave.open(str(out_dir / f"{call_id}.wav"), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(RATE_HZ)
        wav.writeframes(pcm.tobytes())
    truth = {
        "call_id": call_id,
        **{
            k: header[k]
            for k in ("agent_id", "agent_name", "team", "queue", "started_at")
            if k in header
        },
        "segments": segments,
    }
    (out_dir / "truth").mkdir(exist_ok=True)
    (out_dir / "truth" / f"{call_id}.json").write_text(json.dumps(truth, indent=1) + "\n")
    return {
        "call_id": call_id,
        "file": f"{call_id}.wav",
        "agent_id": header.get("agent_id", ""),
        "agent_name": header.get("agent_name", ""),
        "team": header.get("team", ""),
        "queue": header.get("queue", ""),
        "started_at": header.get("started_at", ""),
        "agent_channel": "0",
    }


def main() -> None:
    rows = [render(script, HERE) for script in sorted((HERE / "scripts").glob("*.txt"))]
    with (HERE / "manifest.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} calls to {HERE}")


if __name__ == "__main__":
    main()

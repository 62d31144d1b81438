"""Builds an evaluation set's speech-recognised third: `python tests/eval/voice.py [SET [ID...]]`.

SET `eval` (the default): every third call of tests/eval/text (E001, E004, ... E199: 67
calls, none of them the ASR-style text calls). SETs `eval2` to `eval13`: every second call
among those of tests/eval2/text (H003, H006, ...: 49 calls), tests/eval3/text (K003, ...),
tests/eval4/text (M003, ...), tests/eval5/text (N003, ...), tests/eval6/text (Q003, ...),
tests/eval7/text (R003, ...), tests/eval8/text (T003, ...), tests/eval9/text (V003, ...),
tests/eval10/text (V003, ...), tests/eval11/text (Y003, ...), tests/eval12/text (Z003, ...)
or tests/eval13/text (G003, ...) written normally (the other third of those sets is written
as ASR-style text).
SET `dev`: the same for the development set (D003, ...: tuned on, like its text); SETs
`dev2` to `dev6`: every call written normally of those tuning sets (tuned on too). Each is
voiced with flite, agent and customer on their own channel of a stereo 8 kHz recording, each
line starting exactly where the script puts it and spoken at the pace that fills its slot
(so the labels' timing facts hold: greeting window, holds, overlaps), then transcribed by the
pipeline (faster-whisper tiny.en, the default) and kept as a transcript in the import format
in the set's asr/json/, with the labels in asr/expected.csv. The recordings are not kept
(200 MB); running this again makes them again. Given call IDs after SET, only those calls are
voiced again and the set's other transcripts stay as they are. Needs flite (apt-get install flite).
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import wave
import zlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "samples"))

from make_samples import RATE_HZ, synthesise  # noqa: E402

from qa_pipeline.batch.options import PipelineOptions  # noqa: E402
from qa_pipeline.batch.process import process_audio  # noqa: E402
from qa_pipeline.ingest.discover import file_sha256  # noqa: E402
from qa_pipeline.records import CallMeta, Layout  # noqa: E402
from qa_pipeline.scoring.labelled import script_segments  # noqa: E402
from qa_pipeline.speech.transcribe import Transcriber  # noqa: E402

ITEMS = ("greeting", "active_listening", "hold_etiquette", "apology", "closing")
VOICES = (("slt", "awb"), ("rms", "kal16"), ("awb", "slt"), ("kal16", "rms"))
"""(agent, customer) flite voices, taken in turn."""


def every_third(calls: list[tuple[str, dict, list[dict]]]) -> list[str]:
    """Every third call, starting with the first: E001, E004, ..."""
    return [c[0] for c in calls if int(c[0][1:]) % 3 == 1]


def every_second_written(calls: list[tuple[str, dict, list[dict]]]) -> list[str]:
    """Every second call among those written normally (with capitals), not as ASR-style text."""
    return every_written(calls)[1::2]


def every_written(calls: list[tuple[str, dict, list[dict]]]) -> list[str]:
    """Every call written normally (with capitals), not as ASR-style text: a tuning set's
    voiced share can be as large as it likes."""
    return [c[0] for c in calls if any(s["text"] != s["text"].lower() for s in c[2])]


SETS = {
    "eval": (HERE, "eval_*.txt", every_third),
    "eval2": (ROOT / "tests" / "eval2", "eval2_*.txt", every_second_written),
    "eval3": (ROOT / "tests" / "eval3", "eval3_*.txt", every_second_written),
    "eval4": (ROOT / "tests" / "eval4", "eval4_*.txt", every_second_written),
    "eval5": (ROOT / "tests" / "eval5", "eval5_*.txt", every_second_written),
    "eval6": (ROOT / "tests" / "eval6", "eval6_*.txt", every_second_written),
    "eval7": (ROOT / "tests" / "eval7", "eval7_*.txt", every_second_written),
    "eval8": (ROOT / "tests" / "eval8", "eval8_*.txt", every_second_written),
    "eval9": (ROOT / "tests" / "eval9", "eval9_*.txt", every_second_written),
    "eval10": (ROOT / "tests" / "eval10", "eval10_*.txt", every_second_written),
    "eval11": (ROOT / "tests" / "eval11", "eval11_*.txt", every_second_written),
    "eval12": (ROOT / "tests" / "eval12", "eval12_*.txt", every_second_written),
    "eval13": (ROOT / "tests" / "eval13", "eval13_*.txt", every_second_written),
    # The development set's voiced calls are tuned on, like its text.
    "dev": (ROOT / "tests" / "dev", "dev_*.txt", every_second_written),
    "dev2": (ROOT / "tests" / "dev2", "dev2_*.txt", every_written),
    "dev3": (ROOT / "tests" / "dev3", "dev3_*.txt", every_written),
    "dev4": (ROOT / "tests" / "dev4", "dev4_*.txt", every_written),
    "dev5": (ROOT / "tests" / "dev5", "dev5_*.txt", every_written),
    "dev6": (ROOT / "tests" / "dev6", "dev6_*.txt", every_written),
}
"""Set name: (its folder, its scripts under text/, which calls to voice)."""


def fill(text: str, voice: str, slot_s: float) -> np.ndarray:
    """flite speech for one line, sped up or slowed down to fill its scripted slot: the labels
    read the script's timing (a customer cut off at 1.2 s of overlap must still be speaking
    when the agent cuts in, not have finished early at flite's own pace)."""
    stretch = 1.0
    for _ in range(3):  # flite's duration_stretch is not exactly proportional: correct twice
        speech = _trimmed(synthesise(text, voice, stretch))
        ratio = slot_s * RATE_HZ / max(len(speech), 1)
        if abs(ratio - 1.0) <= 0.03:
            break
        stretch = min(max(stretch * ratio, 0.4), 2.5)
    return speech[: int(slot_s * RATE_HZ)]


def _trimmed(speech: np.ndarray, floor: float = 0.01) -> np.ndarray:
    """Speech without flite's leading and trailing silence."""
    loud = np.flatnonzero(np.abs(speech) > floor)
    return speech[loud[0] : loud[-1] + 1] if len(loud) else speech


def render(call_id: str, segments: list[dict], out: Path) -> None:
    """A stereo recording of the call, each line placed at its scripted start."""
    agent_voice, customer_voice = VOICES[int(call_id[1:]) // 3 % len(VOICES)]
    placed = []
    for seg in segments:
        voice = agent_voice if seg["speaker"] == "agent" else customer_voice
        speech = fill(seg["text"], voice, seg["end"] - seg["start"])
        placed.append((0 if seg["speaker"] == "agent" else 1, seg["start"], speech))
    end_s = max(start + len(s) / RATE_HZ for _, start, s in placed) + 1.0
    stereo = np.zeros((2, int(end_s * RATE_HZ)), dtype=np.float32)
    for channel, start_s, speech in placed:
        first = int(start_s * RATE_HZ)
        stereo[channel, first : first + len(speech)] += speech
    rng = np.random.default_rng(zlib.crc32(call_id.encode()))
    stereo += rng.normal(0, 2e-4, stereo.shape).astype(np.float32)
    pcm = (np.clip(stereo, -1, 1) * 32767).astype("<i2").T.copy()
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(RATE_HZ)
        handle.writeframes(pcm.tobytes())


def set_calls(name: str) -> tuple[list[tuple[str, dict, list[dict]]], set[str]]:
    """A set's scripted calls, (call id, labels, lines), and the ids of those it voices."""
    folder, pattern, pick = SETS[name]
    scripts = sorted((folder / "text").glob(pattern))
    calls = [c for path in scripts for c in script_segments(path, gap_s=0.0)]
    return calls, set(pick(calls))


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "eval"
    if name not in SETS:
        sys.exit(f"voice.py: unknown set {name!r}; use one of {', '.join(SETS)}")
    folder = SETS[name][0]
    calls, chosen = set_calls(name)
    out = folder / "asr"
    rows = []
    if again := set(sys.argv[2:]):
        # Some calls voiced again (after a change that only touches them); the rest are kept.
        if stray := sorted(again - chosen):
            sys.exit(f"voice.py: {', '.join(stray)} not among the calls of set {name}")
        with (out / "expected.csv").open(newline="") as handle:
            rows = [row for row in csv.DictReader(handle) if row["call_id"] not in again]
        chosen = again
    (out / "json").mkdir(parents=True, exist_ok=True)
    transcriber = Transcriber()
    with tempfile.TemporaryDirectory() as tmp:
        for call_id, expected, segments in calls:
            if call_id not in chosen:
                continue
            wav = Path(tmp) / f"{call_id}.wav"
            render(call_id, segments, wav)
            meta = CallMeta(call_id=call_id, agent_id="eval", layout=Layout.AGENT_ON_0)
            outcome = process_audio(wav, meta, file_sha256(wav), transcriber, PipelineOptions())
            if outcome.transcript is None:
                sys.exit(f"{call_id}: transcription failed: {outcome.error}")
            turns = [
                {
                    "speaker": t.speaker.value,
                    "start": round(t.start_s, 2),
                    "end": round(t.end_s, 2),
                    "text": t.text,
                }
                for t in outcome.transcript.turns
            ]
            doc = {"call_id": call_id, "agent_id": "eval", "segments": turns}
            (out / "json" / f"{call_id}.json").write_text(json.dumps(doc, indent=1) + "\n")
            rows.append({"call_id": call_id, **expected})
            print(f"{call_id}: {outcome.duration_s:.0f} s, {len(turns)} turns", flush=True)
    with (out / "expected.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=("call_id", *ITEMS))
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda row: row["call_id"]))
    print(f"wrote {len(rows)} transcribed calls to {out}")


if __name__ == "__main__":
    main()

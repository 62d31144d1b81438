"""Diarisation error rate and speed of each available backend, on real and synthetic calls.

    python bench/diarise.py [--pyannote-pipeline DIR]

Data:
- pyannote.audio's own sample (30 s of a real phone call, 2 speakers, with its RTTM), read
  from the installed pyannote.audio, or from its wheel (``pip download --no-deps``).
- Mono mixes of the stereo sample calls, where the truth is known by construction: each
  channel carries one speaker, so its speech activity is the reference.

DER is the standard one (no collar, overlapping speech scored; qa_pipeline.speech.der).
The ASR words of each call are given to the embedding backend, as in the pipeline. Role
assignment is right when the speaker picked as agent maps (under DER's speaker mapping)
onto the agent channel.
Real-time factor is diarisation time / audio time, models loaded beforehand.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from qa_pipeline.errors import ConfigError
from qa_pipeline.ingest import audio
from qa_pipeline.ingest.options import SAMPLE_RATE_HZ
from qa_pipeline.records import Speaker
from qa_pipeline.resources import pyannote_sample
from qa_pipeline.speech.der import diarisation_error, read_rttm, reference_from_channels
from qa_pipeline.speech.diarise.backends import Diariser, check_available, get_diariser, speakers_of
from qa_pipeline.speech.diarise.options import (
    PIPELINE_ENV,
    Backend,
    DiariseOptions,
    PyannoteOptions,
)
from qa_pipeline.speech.roles import assign_roles
from qa_pipeline.speech.transcribe import Transcriber

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def backends(pipeline: str | None) -> list[tuple[Backend, DiariseOptions]]:
    """The backends that can run here; the others are named with the reason."""
    found = []
    for backend in (Backend.PYANNOTE, Backend.EMBEDDING):
        options = DiariseOptions(diarizer=backend, pyannote=PyannoteOptions(pipeline=pipeline))
        try:
            check_available(options)
        except ConfigError as exc:
            print(f"{backend}: not run: {exc}")
            continue
        found.append((backend, options))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyannote-pipeline", default=os.environ.get(PIPELINE_ENV))
    args = parser.parse_args()
    transcriber = Transcriber()
    cases = []
    wav, rttm = pyannote_sample()
    decoded = audio.decode(wav)
    cases.append(("pyannote sample.wav", decoded.channels[0], read_rttm(rttm), None))
    for path in sorted(SAMPLES.glob("*.wav")):
        decoded = audio.decode(path)
        reference = reference_from_channels(decoded.channels, ["agent", "customer"])
        cases.append((f"mix {path.stem}", audio.mix_down(decoded), reference, "agent"))
    words = {name: transcriber.words(samples, Speaker.AGENT) for name, samples, _, _ in cases}
    for backend, options in backends(args.pyannote_pipeline):
        diariser: Diariser = get_diariser(backend, options)
        diariser.diarise(cases[0][1][: 16000 * 5])  # load the model outside the timing
        print(f"\n{backend}")
        print(f"{'call':40} {'DER':>6} {'miss':>6} {'FA':>6} {'conf':>6} {'RTF':>6}  roles")
        pooled = [0.0, 0.0, 0.0, 0.0]
        for name, samples, reference, agent_truth in cases:
            began = time.perf_counter()
            hypothesis = diariser.diarise(samples, words[name])
            rtf = (time.perf_counter() - began) / (len(samples) / SAMPLE_RATE_HZ)
            error = diarisation_error(reference, hypothesis.segments)
            roles = assign_roles(words[name], speakers_of(words[name], hypothesis.segments))
            picked = dict(error.mapping).get(roles.agent_label)
            verdict = "review" if roles.needs_review else f"agent={picked}"
            if agent_truth is not None:
                verdict += (
                    " right" if picked == agent_truth and not roles.needs_review else " WRONG"
                )
                pooled = [
                    a + b
                    for a, b in zip(  # noqa: B905 (both have four fields)
                        pooled,
                        (error.missed_s, error.false_alarm_s, error.confusion_s, error.total_s),
                    )
                ]
            print(
                f"{name:40} {error.rate:6.3f} {error.missed_s / error.total_s:6.3f} "
                f"{error.false_alarm_s / error.total_s:6.3f} "
                f"{error.confusion_s / error.total_s:6.3f} {rtf:6.3f}  "
                f"{verdict} ({roles.confidence:.2f})"
            )
        print(f"{'all synthetic mixes (pooled)':40} {sum(pooled[:3]) / pooled[3]:6.3f}")


if __name__ == "__main__":
    main()

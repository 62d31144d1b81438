"""A call of a labelled script set voiced as the voiced sets are (flite, each line where its
script puts it), for tests that run the real model on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from qa_pipeline.batch.options import PipelineOptions
from qa_pipeline.ingest import audio
from qa_pipeline.scoring.labelled import script_segments
from tests.support.paths import ROOT


def voiced_call(script: str, call_id: str, folder: Path) -> tuple[list[dict], np.ndarray]:
    """The call's script segments and its agent channel as the pipeline decodes it (16 kHz).

    Args:
        script: the script file under tests/, e.g. "dev3/text/dev3_b.txt".
        call_id: the call in it, e.g. "U070".
        folder: where the recording is written.
    """
    if shutil.which("flite") is None:
        pytest.skip("flite is not installed (setup.sh installs it)")
    from tests.eval.voice import render

    calls = script_segments(ROOT / "tests" / script, gap_s=0.0)
    (segments,) = [segments for found, _, segments in calls if found == call_id]
    wav = folder / f"{call_id}.wav"
    render(call_id, segments, wav)
    return segments, audio.decode(wav, PipelineOptions().audio).channels[0]

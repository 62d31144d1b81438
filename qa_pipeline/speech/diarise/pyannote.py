"""pyannote.audio's speaker-diarization pipeline behind a thin adapter.

The pipeline loads from a local folder (``config.yaml`` with its checkpoints) or, for users who
are online, from the hub with a token (``HF_TOKEN``). Audio is handed over in memory as a
waveform tensor, so pyannote never decodes files itself (its decoder, torchcodec, is not part
of the CPU install; see README "Mono calls").
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from qa_pipeline.errors import ConfigError
from qa_pipeline.ingest.options import SAMPLE_RATE_HZ
from qa_pipeline.records import Diarisation, SpeakerSegment, Word
from qa_pipeline.speech.diarise.options import (
    HOW_TO_CONFIGURE,
    PyannoteOptions,
    import_pyannote_pipeline,
)

__all__ = ["PyannoteDiariser"]


class PyannoteDiariser:
    """Runs a pyannote.audio diarization pipeline on in-memory audio.

    Args:
        options: where the pipeline comes from and the speaker count.
        pipeline: an already loaded pyannote Pipeline (shared, or built in tests); loaded
            from ``options.pipeline`` when None.
    """

    name = "pyannote"

    def __init__(self, options: PyannoteOptions = PyannoteOptions(), pipeline: Any = None):
        self.options = options
        self._pipeline = pipeline

    @property
    def pipeline(self) -> Any:
        if self._pipeline is None:
            self.options.check()
            Pipeline = import_pyannote_pipeline()
            loaded = Pipeline.from_pretrained(
                self.options.pipeline, token=os.environ.get("HF_TOKEN")
            )
            if loaded is None:
                raise ConfigError(
                    f"pyannote could not load {self.options.pipeline}: {HOW_TO_CONFIGURE}."
                )
            self._pipeline = loaded
        return self._pipeline

    def diarise(self, samples: np.ndarray, words: Sequence[Word] = ()) -> Diarisation:
        """Who spoke when in ``samples`` (16 kHz mono float32); ``words`` are not needed."""
        import torch

        waveform = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32))[None]
        output = self.pipeline(
            {"waveform": waveform, "sample_rate": SAMPLE_RATE_HZ}, **self.options.call_kwargs()
        )
        # pyannote.audio 4 returns a DiarizeOutput; 3.x returned the Annotation itself.
        annotation = getattr(output, "speaker_diarization", output)
        segments = tuple(
            SpeakerSegment(round(float(turn.start), 3), round(float(turn.end), 3), str(label))
            for turn, _track, label in annotation.itertracks(yield_label=True)
        )
        options_json = json.dumps(asdict(self.options), sort_keys=True)
        return Diarisation(segments, self.name, options_json)

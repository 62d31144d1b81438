"""The diarisers' options: which backend, and each backend's settings.

Kept apart from the backends so the CLI and the flow parameters can name them without loading
numpy, torch or pyannote.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from qa_pipeline.errors import ConfigError

__all__ = [
    "HOW_TO_CONFIGURE",
    "PIPELINE_ENV",
    "Backend",
    "DiariseOptions",
    "EmbeddingOptions",
    "PyannoteOptions",
    "import_pyannote_pipeline",
]

PIPELINE_ENV = "QA_PIPELINE_PYANNOTE"
"""Environment variable naming the pipeline when ``--pyannote-pipeline`` is not given."""

HOW_TO_CONFIGURE = (
    "pass --pyannote-pipeline DIR (a folder with config.yaml and its checkpoints) or set "
    f"{PIPELINE_ENV}; online users can name a hub pipeline such as "
    "pyannote/speaker-diarization-community-1 with HF_TOKEN set"
)


@dataclass(frozen=True)
class PyannoteOptions:
    """Which pyannote pipeline, and how many speakers to ask it for.

    Attributes:
        pipeline: a local folder or config.yaml, or a hub name; None means not configured.
        num_speakers: exact speaker count (a call has two); None to let min/max bound it.
    """

    pipeline: str | None = None
    num_speakers: int | None = 2
    min_speakers: int | None = None
    max_speakers: int | None = None

    @property
    def configured(self) -> bool:
        return bool(self.pipeline)

    def check(self) -> None:
        """Raises ConfigError in one line when this backend cannot run here."""
        if not self.pipeline:
            raise ConfigError(
                f"the pyannote diarizer has no pipeline configured: {HOW_TO_CONFIGURE}."
            )
        local = Path(self.pipeline)
        if (self.pipeline.startswith((".", "/")) or local.suffix == ".yaml") and not (
            local.is_dir() or local.is_file()
        ):
            raise ConfigError(
                f"pyannote pipeline {self.pipeline} does not exist: {HOW_TO_CONFIGURE}."
            )
        try:
            import_pyannote_pipeline()
        except ImportError as exc:
            raise ConfigError(
                "the pyannote diarizer needs pyannote.audio: run bash setup.sh --with-pyannote "
                f"(README, Mono calls) ({exc})"
            ) from exc

    def call_kwargs(self) -> dict[str, int]:
        if self.num_speakers is not None:
            return {"num_speakers": self.num_speakers}
        bounds = {"min_speakers": self.min_speakers, "max_speakers": self.max_speakers}
        return {k: v for k, v in bounds.items() if v is not None}


@dataclass(frozen=True)
class EmbeddingOptions:
    """How the offline diariser cuts, embeds, clusters and smooths.

    Attributes:
        window_s: audio behind each embedding; shorter places speaker changes better,
            longer gives steadier voices (GE2E was trained on 1.6 s windows, and 1.6 s
            scores best on the benchmark calls).
        step_s: distance between embedding windows.
        min_segment_s: a speaker run shorter than this is a flip, and joins its neighbours.
        vad_min_silence_ms: Silero VAD's minimum silence between speech regions.
        vad_pad_ms: padding Silero adds around each speech region.
        edge_margin_db: speech-region edges quieter than the noise floor plus this, or than
            the region's peak less ``edge_headroom_db`` if that is lower, are trimmed
            (Silero's regions run on past the last syllable).
        edge_headroom_db: keeps the trim from eating into speech on noisy lines.
        bridge_s: pauses shorter than this inside one speaker's speech are bridged, as in
            NIST's reference segmentation.
        num_speakers: speakers to find (a call has two).
    """

    window_s: float = 1.6
    step_s: float = 0.1
    min_segment_s: float = 0.4
    vad_min_silence_ms: int = 150
    vad_pad_ms: int = 30
    edge_margin_db: float = 24.0
    edge_headroom_db: float = 20.0
    bridge_s: float = 0.3
    num_speakers: int = 2

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


class Backend(StrEnum):
    """The ``--diarizer`` choices."""

    AUTO = "auto"
    CHANNELS = "channels"
    PYANNOTE = "pyannote"
    EMBEDDING = "embedding"


@dataclass(frozen=True)
class DiariseOptions:
    """Which diariser runs, and its settings; stored as JSON beside each diarised call."""

    diarizer: Backend = Backend.AUTO
    pyannote: PyannoteOptions = PyannoteOptions()
    embedding: EmbeddingOptions = EmbeddingOptions()

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, default=str)


def import_pyannote_pipeline() -> Any:
    """pyannote.audio's Pipeline class, imported quietly (raises ImportError when absent)."""
    # pyannote warns at import that torchcodec is missing; audio goes over in memory, so
    # that decoder is never needed. No usage metrics leave the machine either.
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"(?s).*torchcodec")
        from pyannote.audio import Pipeline
    return Pipeline

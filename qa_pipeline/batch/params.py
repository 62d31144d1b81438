"""A scoring run's parameters, as the CLI and the score-calls flow take them, and their checks.

``ScoreParams`` is the flow's one typed parameter (pydantic, so Prefect validates it and shows
its schema); ``check`` validates everything that can be checked before any call starts.
"""

from __future__ import annotations

import glob
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from qa_pipeline.batch.budget import CallBudget
from qa_pipeline.batch.options import DEFAULT_MAX_ATTEMPTS, PipelineOptions
from qa_pipeline.batch.plan import assign_ids
from qa_pipeline.ingest.discover import find_files
from qa_pipeline.ingest.manifest import load_manifest
from qa_pipeline.ingest.options import AudioOptions
from qa_pipeline.redact.options import RedactOptions
from qa_pipeline.scoring.engine import RubricScorer, scorer_for
from qa_pipeline.speech.diarise.backends import check_available
from qa_pipeline.speech.diarise.options import Backend, DiariseOptions, PyannoteOptions
from qa_pipeline.speech.transcribe import TranscribeOptions

__all__ = ["ScoreParams", "check", "scorer_of"]


class ScoreParams(BaseModel):
    """What to score, where to store it, and how.

    Attributes:
        inputs: audio files, folders (searched recursively) or glob patterns.
        db: the DuckDB file.
        manifest: CSV or JSON-lines call metadata.
        rubric: rubric YAML (the default rubric when None).
        model: tiny.en (bundled), a CTranslate2 model folder, or a hub name.
        diarizer: auto, channels, pyannote or embedding (for mono calls).
        pyannote_pipeline: a local pyannote pipeline folder, or a hub name (with HF_TOKEN).
        workers: calls processed at once (worker processes, or Dask workers for ``local``).
        dask_address: a Dask scheduler address, or ``local`` for a LocalCluster of processes;
            None for a process pool on this machine.
        force: reprocess calls even when their content is unchanged, and replace a call
            stored from another recording.
        retry_failed: try again calls that failed max_attempts times from the same bytes.
        max_attempts: how many times a call is tried from the same bytes, over runs.
        call_timeout_s: one time budget for every call; None scales it to each call's length
            (5 minutes plus 3 s per second of audio).
        redact: what redaction removes: ``all``, ``off``, or entity names separated by commas
            (see qa_pipeline.redact.options.RedactOptions.parse).
        redacted_audio: a folder for a copy of each recording with its redacted stretches
            silenced (None: no copy).
        reports_dir: after the batch, write every team's and agent's coaching report (and
            the review queue) for the last ``report_days`` days to ``reports_dir/<date>/``
            (None: no reports).
        report_days: the days the nightly reports cover, ending on the run's date.
    """

    model_config = ConfigDict(frozen=True)

    inputs: list[str]
    db: str = "qa.duckdb"
    manifest: str | None = None
    rubric: str | None = None
    model: str = TranscribeOptions.model
    beam_size: int = Field(TranscribeOptions.beam_size, ge=1)
    diarizer: Backend = Backend.AUTO
    pyannote_pipeline: str | None = None
    num_speakers: int | None = Field(2, ge=1)
    min_speakers: int | None = Field(None, ge=1)
    max_speakers: int | None = Field(None, ge=1)
    max_duration_s: float = Field(AudioOptions.max_duration_s, gt=0)
    workers: int = Field(2, ge=1)
    dask_address: str | None = None
    force: bool = False
    retry_failed: bool = False
    max_attempts: int = Field(DEFAULT_MAX_ATTEMPTS, ge=1)
    call_timeout_s: float | None = Field(None, gt=0)
    redact: str = "all"
    redacted_audio: str | None = None
    reports_dir: str | None = None
    report_days: int = Field(7, ge=1, le=3660)

    @field_validator("redact")
    @classmethod
    def _known_entities(cls, value: str) -> str:
        RedactOptions.parse(value)
        return value

    def pipeline_options(self, cpu_threads: int = 0) -> PipelineOptions:
        """These parameters as the pipeline's typed options."""
        pyannote = PyannoteOptions(
            pipeline=self.pyannote_pipeline,
            num_speakers=self.num_speakers,
            min_speakers=self.min_speakers,
            max_speakers=self.max_speakers,
        )
        return PipelineOptions(
            audio=AudioOptions(max_duration_s=self.max_duration_s),
            transcribe=TranscribeOptions(
                model=self.model, beam_size=self.beam_size, cpu_threads=cpu_threads
            ),
            diarise=DiariseOptions(diarizer=self.diarizer, pyannote=pyannote),
            force=self.force,
            retry_failed=self.retry_failed,
            max_attempts=self.max_attempts,
            call_budget=CallBudget(fixed_s=self.call_timeout_s),
            redact=replace(RedactOptions.parse(self.redact), audio_dir=self.redacted_audio),
        )

    def expanded_inputs(self) -> list[Path]:
        """Glob patterns become the paths they match; plain paths stay as given."""
        paths: list[Path] = []
        for item in self.inputs:
            if any(ch in item for ch in "*?["):
                paths.extend(Path(p) for p in sorted(glob.glob(item, recursive=True)))
            else:
                paths.append(Path(item))
        return paths


def scorer_of(params: ScoreParams) -> RubricScorer:
    """The run's rubric scorer, built once per process.

    Raises:
        InputError: the rubric is invalid.
    """
    return scorer_for(Path(params.rubric) if params.rubric else None)


def check(params: ScoreParams) -> None:
    """Everything that can be checked before a run starts: diariser, rubric, manifest, inputs.

    Raises:
        ConfigError: the chosen diariser cannot run here.
        InputError: the rubric or the manifest is unusable, or two recordings map to one
            call id.
        FileNotFoundError: an input that does not exist, or no input at all.
    """
    check_available(params.pipeline_options().diarise)
    scorer_of(params)
    manifest = load_manifest(Path(params.manifest) if params.manifest else None)
    inputs = params.expanded_inputs()
    missing = [str(p) for p in inputs if not p.exists()]
    if missing or not inputs:
        raise FileNotFoundError(
            f"no such file or folder: {', '.join(missing) or ' '.join(params.inputs)}"
        )
    assign_ids(find_files(inputs), manifest)

"""The options of every stage of one run, gathered in one frozen record."""

from __future__ import annotations

from dataclasses import dataclass

from qa_pipeline.batch.budget import CallBudget
from qa_pipeline.ingest.options import AudioOptions
from qa_pipeline.redact.options import RedactOptions
from qa_pipeline.speech.diarise.options import DiariseOptions
from qa_pipeline.speech.roles import RoleOptions
from qa_pipeline.speech.transcribe import TranscribeOptions
from qa_pipeline.speech.turns import TurnOptions

__all__ = ["DEFAULT_MAX_ATTEMPTS", "PipelineOptions"]

DEFAULT_MAX_ATTEMPTS = 3
"""A call that failed this many times from the same bytes is not tried again unless asked."""


@dataclass(frozen=True)
class PipelineOptions:
    """Options for every stage of one run; stored per call as JSON by the stages that use them.

    Attributes:
        force: process calls even when stored unchanged, or stored from another recording.
        retry_failed: try again calls that failed ``max_attempts`` times from the same bytes.
        call_budget: how long one call may take before it fails with code ``timeout``.
    """

    audio: AudioOptions = AudioOptions()
    transcribe: TranscribeOptions = TranscribeOptions()
    turns: TurnOptions = TurnOptions()
    diarise: DiariseOptions = DiariseOptions()
    roles: RoleOptions = RoleOptions()
    redact: RedactOptions = RedactOptions()
    force: bool = False
    retry_failed: bool = False
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    call_budget: CallBudget = CallBudget()

"""Errors that name the file, what is wrong with it, and how to fix it."""

from __future__ import annotations

from pathlib import Path


class QAPipelineError(Exception):
    """Base class of every error the pipeline raises on purpose."""


class CallError(QAPipelineError):
    """One call cannot be processed. It is stored on the call; the batch goes on.

    Attributes:
        code: a short stable tag (``unreadable``, ``empty``, ``no_audio_stream``, ``silent``,
            ``too_long``, ``bad_transcript`` ...) that reports can group by.
        path: the file at fault.
        fix: what the user can do about it.
    """

    def __init__(self, code: str, path: Path | str, problem: str, fix: str) -> None:
        self.code = code
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{self.path}: {problem} Fix: {fix}")


class InputError(QAPipelineError):
    """A whole input (manifest, rubric, options) is unusable; nothing has been processed."""

    def __init__(self, path: Path | str, problems: list[str], fix: str) -> None:
        self.path = Path(path)
        self.problems = problems
        self.fix = fix
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{self.path}:\n{listed}\nFix: {fix}")


class ConfigError(QAPipelineError):
    """A chosen stage cannot run on this machine as configured; the one-line message says how
    to configure it. Raised before any call is processed."""


def os_reason(exc: OSError) -> str:
    """An OSError in words, without the raw ``[Errno N]`` code: "permission denied",
    "no space left on device" ..."""
    reason = exc.strerror or exc.__class__.__name__
    return reason[:1].lower() + reason[1:]

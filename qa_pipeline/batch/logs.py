"""Prefect's log lines to a file instead of the terminal (``run`` without ``--verbose``).

A run prints one progress bar and its summary; the flow's and tasks' log lines (a handful per
call) go to a log file, and to the Prefect API as always. Worker processes read the file's
path from ``ENV`` and append to it too (``worker_setup`` calls ``follow_run_log``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

__all__ = ["ENV", "follow_run_log", "log_to_file"]

ENV = "QA_PIPELINE_LOG_FILE"

# Prefect reads PREFECT_LOGGING_<path in its logging.yml> when it sets up logging: this one
# mutes its console handler in processes that start after it is set (the workers).
_CONSOLE_LEVEL_ENV = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"
_SILENT = logging.CRITICAL  # a level by name: Prefect's config refuses a bare number
_FORMAT = "%(asctime)s %(levelname)-7s %(processName)s %(name)s - %(message)s"


def log_to_file(path: Path) -> None:
    """Sends this process's and its workers' Prefect log lines to ``path`` (appended),
    and none to the terminal."""
    os.environ[_CONSOLE_LEVEL_ENV] = logging.getLevelName(_SILENT)
    os.environ[ENV] = str(path)
    follow_run_log()


def follow_run_log() -> None:
    """In a process of a run that logs to a file: mutes Prefect's console handlers (already
    set up when Prefect was imported) and appends log lines to the run's file."""
    path = os.environ.get(ENV)
    if not path:
        return
    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, PrefectConsoleHandler):
                handler.setLevel(_SILENT)
    root = logging.getLogger()
    if any(getattr(h, "baseFilename", None) == str(Path(path).resolve()) for h in root.handlers):
        return
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)

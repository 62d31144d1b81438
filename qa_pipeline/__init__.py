"""qa-pipeline: score contact-centre calls against QA rubrics, with evidence for every point.

The stages, one module each: ``audio`` (decode), ``transcribe`` (faster-whisper), ``turns``,
``store`` (DuckDB), ``importer`` (transcripts from elsewhere), and ``pipeline``, which runs them
for one call or a batch. ``cli`` is the ``qa-pipeline`` command.
"""

__version__ = "0.1.0"

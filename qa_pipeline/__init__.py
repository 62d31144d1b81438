"""qa-pipeline: score contact-centre calls against QA rubrics, with evidence for every point.

One folder per stage: ``ingest`` (files, manifests, audio, transcripts from elsewhere),
``speech`` (transcribe, diarise, roles, turns), ``scoring`` (rubrics, engine, detectors),
``store`` (DuckDB), ``batch`` (plan -> process -> store), ``reports`` (views of stored calls)
and ``cli`` (the ``qa-pipeline`` command). ``records`` holds the typed records between them.
"""

__version__ = "0.1.0"

"""`python -m qa_pipeline` is the `qa-pipeline` command."""

from qa_pipeline.cli import app

app(prog_name="qa-pipeline")

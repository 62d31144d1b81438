"""`python -m qa_pipeline` is the `qa-pipeline` command."""

from qa_pipeline.cli import main

main()

"""Prefect flows: they only orchestrate qa_pipeline functions."""

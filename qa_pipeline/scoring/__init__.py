"""Rubrics to verdicts with evidence: the rubric model, the engine, its detectors."""

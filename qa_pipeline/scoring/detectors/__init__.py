"""Detectors: text (phrases, regexes, similar_to) and timing facts (holds, interruptions)."""

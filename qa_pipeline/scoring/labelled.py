"""A labelled set on disk (``expected.csv`` beside ``json/``) and a rubric's verdicts on it.

The set's layout: ``expected.csv`` has a ``call_id`` column and one column per item with the
verdict a human gave; ``json/<call_id>.json`` is each call in the native import format.
"""

from __future__ import annotations

import csv
from pathlib import Path

from qa_pipeline.ingest.transcripts.native import read_transcript
from qa_pipeline.scoring.engine import RubricScorer
from qa_pipeline.scoring.rubric import load_rubric

__all__ = ["labelled_verdicts"]


def labelled_verdicts(
    folder: Path, rubric_path: Path | None = None
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """(expected, predicted): call id -> item id -> verdict, for the labelled set in ``folder``.

    Args:
        folder: holds expected.csv and json/.
        rubric_path: the rubric to score with (the default rubric when None).
    """
    with (folder / "expected.csv").open() as handle:
        expected = {row.pop("call_id"): row for row in csv.DictReader(handle)}
    scorer = RubricScorer(load_rubric(rubric_path))
    predicted = {}
    for call_id in expected:
        _, transcript = read_transcript(folder / "json" / f"{call_id}.json")
        score = scorer.score(transcript)
        predicted[call_id] = {i.item_id: i.verdict.value for i in score.items}
    return expected, predicted

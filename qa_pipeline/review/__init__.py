"""The QA review web app (``qa-pipeline review``): the calls list, a call with its recording,
transcript, verdicts and evidence, reviewers' overrides, agents' coaching reports and
calibration. Routes in app.py, what pages show in pages.py, who may use it in auth.py."""

from qa_pipeline.review.app import ReviewRefused, create_app
from qa_pipeline.review.options import ReviewOptions

__all__ = ["ReviewOptions", "ReviewRefused", "create_app"]

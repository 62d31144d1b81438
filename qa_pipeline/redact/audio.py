"""A redacted copy of a recording: every stretch whose words were redacted is silenced (or
replaced by a tone) on every channel, as the large contact-centre platforms do, so the review
app can play it and the original can go by the retention policy."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa_pipeline.ingest.audio import masked, write_wav
from qa_pipeline.ingest.options import SAMPLE_RATE_HZ
from qa_pipeline.records import DecodedAudio, Word
from qa_pipeline.redact.options import RedactOptions
from qa_pipeline.redact.words import redacted_spans

__all__ = ["redacted_audio_path", "write_redacted_audio"]


def redacted_audio_path(folder: Path, call_id: str) -> Path:
    """Where a call's redacted copy goes: one wav per call, the id made safe as a file name
    (``day1/c1`` is ``day1__c1.wav``)."""
    safe = "__".join(re.sub(r"[^A-Za-z0-9._-]", "_", part) for part in call_id.split("/"))
    return folder / f"{safe.lstrip('.') or 'call'}.wav"


def write_redacted_audio(
    decoded: DecodedAudio, words: Sequence[Word], call_id: str, options: RedactOptions
) -> Path | None:
    """Writes the redacted copy (16 kHz wav, the recording's channels) when
    ``options.audio_dir`` is set; a stretch said on one channel is silenced on both, as it
    may be heard on the other too.

    Returns:
        The file written, or None when no copy is asked for.
    """
    if options.audio_dir is None:
        return None
    spans = [(s.start_s, s.end_s) for s in redacted_spans(words)]
    channels = [
        masked(c, spans, SAMPLE_RATE_HZ, options.audio_tone_hz, options.audio_pad_ms / 1000)
        for c in decoded.channels
    ]
    folder = Path(options.audio_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return write_wav(redacted_audio_path(folder, call_id), np.stack(channels), SAMPLE_RATE_HZ)

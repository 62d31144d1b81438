"""Transcripts made elsewhere, one module per format, mapped onto the same records."""

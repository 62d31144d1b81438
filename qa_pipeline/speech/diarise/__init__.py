"""Who spoke when: the backends (channels, pyannote, embedding), their options, and the
choice between them (``backends``)."""

"""What comes in: recordings found and hashed, manifests, audio decoded, transcripts read."""

"""Audio to timed words, to who said them, to turns."""

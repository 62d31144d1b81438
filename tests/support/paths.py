"""Where the test data is."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
LABELLED = ROOT / "tests" / "labelled"

"""Where the project and its test data are, wherever a test file sits under tests/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project (the clone's top folder)
DATA = ROOT / "tests" / "data"  # the sample exports and fixtures the tests read

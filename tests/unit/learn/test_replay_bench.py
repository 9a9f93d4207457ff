"""bench/bench_replay.py runs from a clone as the suite runs it (its smoke mode): a tiny
demo replayed five times by the real command line in fresh processes (first, unchanged,
after a day's order, in full, and after the days to the next Sunday), each time beside the
first, and the next day's figures equal to the full replay's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_replay_bench_adds_a_day_with_the_full_replays_figures() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCOUNT_RADAR_")}
    done = subprocess.run(
        [sys.executable, "bench/bench_replay.py", "--smoke"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert re.search(
        r"^40-customer demo workspace as on Wed \d{4}-\d\d-\d\d, 4 weeks; a day's order added, "
        r"then the days to Sunday \d{4}-\d\d-\d\d:",
        out,
        re.M,
    ), out
    for run in ("first", "unchanged", "next day", "full", "next week"):
        assert re.search(rf"^{run} +[\d.]+ +[\d.]+ ", out, re.M), (run, out)
    assert "next day's figures and the full replay's: identical" in out

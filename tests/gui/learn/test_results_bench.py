"""bench/bench_results.py runs from a clone as the suite runs it (its smoke mode): a tiny
scored demo, the Results pane opened in a fresh process, every section shown twice, and
each figure printed beside the yardstick measured in the same run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_results_bench_prints_each_figure_beside_its_yardstick() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCOUNT_RADAR_")}
    done = subprocess.run(
        [sys.executable, "bench/bench_results.py", "--smoke"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "40-customer demo workspace, 1 run(s)" in out
    assert re.search(r"^yardstick \(the pane, no workspace\) +[\d,]+ ms$", out, re.M)
    figure = r" +[\d,]+ ms +[\d.]+x the yardstick +target [\d,]+ ms: (met|NOT met)$"
    assert re.search(r"^headline shown" + figure, out, re.M)
    for title in ("Renewals", "Retention", "Who to contact"):
        for when in ("first shown", "shown again"):
            assert re.search(rf"^{title}: {when}" + figure, out, re.M), (title, when, out)
    assert "every target met" in out or "a target is missed" in out

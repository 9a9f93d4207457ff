"""bench/bench_edges.py runs from a clone as the suite runs it (its smoke mode): a tiny
demo workspace, the real app started once, and every figure printed beside its
yardstick."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_edges_bench_prints_each_figure_beside_its_yardstick() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCOUNT_RADAR_")}
    done = subprocess.run(
        [sys.executable, "bench/bench_edges.py", "--smoke"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "40-customer demo workspace, 1 run(s) each" in out
    for label in ("Settings shown", "theme changed", "quit: hidden", "quit: exited"):
        line = next(line for line in out.splitlines() if line.startswith(label))
        app_ms, bare_ms = (float(part.split()[0]) for part in line[16:].split(" ms")[:2])
        assert app_ms >= 0
        assert bare_ms >= 0
    assert "every target met" in out or "a target is missed" in out

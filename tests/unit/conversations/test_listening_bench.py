"""The listening benches run from a clone as the suite runs them (their smoke modes): the
evaluation prints every figure it promises, and the fit runs to its thresholds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_evaluation_prints_every_figure_on_three_conversations() -> None:
    out = _run("bench/listening_eval.py", "--smoke")
    assert "== the reading on this computer: 3 conversations" in out
    for kind in ("cancellation", "competitor", "budget_cut", "price_complaint",
                 "champion_leaving", "micro"):  # fmt: skip
        assert f"\n{kind:18} " in out
    said = (
        "confusion (rows: labelled, columns: found)",
        "promises: precision",
        "sentiment sign agrees:",
        "placed at their own sentence:",
        "targets: ",
    )
    for words in said:
        assert words in out


def test_the_fit_runs_to_a_threshold_per_kind() -> None:
    out = _run("bench/listening_train.py", "--smoke")
    assert "fitted on " in out
    assert out.count(" threshold ") == 7  # five kinds of risk, two of complaint


def test_a_corpus_folder_that_is_not_one_is_said_plainly(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "bench/listening_eval.py", "--corpus", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "holds no corpus files" in done.stderr


def test_the_transcript_bench_prints_each_size_against_its_yardstick() -> None:
    out = _run("bench/bench_transcripts.py", "--smoke")
    assert "yardstick: 200 cues" in out
    rows = [line.split() for line in out.splitlines() if line.strip().startswith(("200 ", "800 "))]
    assert [row[0] for row in rows] == ["200", "800"]
    assert float(rows[0][-1]) == 1.0  # the yardstick against itself
    assert float(rows[1][-1]) > 0
    assert "target: CPU per cue within 1.5x the yardstick at every size:" in out

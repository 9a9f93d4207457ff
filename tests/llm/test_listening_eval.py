"""The listening bench's model path on the real local model tier: the configured model reads
the first labelled conversations of the evaluation corpus through the app's own request
and parser (bench/listening_eval.py --with-model), and the bench prints its figures. A
135M model's reading is not judged here: that every figure is printed, and that whatever
it kept passed the parser's check (each risk's quote is words the customer said)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.llm.conftest import MODEL_NAME

ROOT = Path(__file__).resolve().parents[2]
CONVERSATIONS = 2


def test_the_bench_measures_the_local_models_reading(llama_server: str) -> None:
    done = subprocess.run(
        [sys.executable, "bench/listening_eval.py", "--with-model", "--base-url", llama_server,
         "--model", MODEL_NAME, "--limit", str(CONVERSATIONS), "--max-tokens", "512"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    # The model path's table, kept where the tier's other outputs go (build/ is not kept).
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "listening-eval-model.txt").write_text(out, encoding="utf-8")
    assert f"== the model {MODEL_NAME} at {llama_server}: {CONVERSATIONS} conversations" in out
    for said in ("\nmicro ", "promises: precision", "sentiment sign agrees:",
                 "placed at their own sentence:"):  # fmt: skip
        assert said in out
    # Each risk the parser kept is the customer's own words: placed at its own sentence.
    placed = out.split("placed at their own sentence: ", 1)[1].split("\n", 1)[0]
    assert placed.startswith(("1.000", "  -  "))

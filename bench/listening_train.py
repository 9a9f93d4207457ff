"""Fit the trained part of the offline reading on the training part of the labelled
listening corpus and keep it in resources/listening/model.json
(services/conversations/sentence_training.py says how).

    .venv/bin/python bench/listening_train.py            # fit, print each kind's threshold
    .venv/bin/python bench/listening_train.py --write    # ... and keep the model
    .venv/bin/python bench/listening_train.py --smoke    # a fit on 20 conversations (the suite)

Then ``bench/listening_eval.py --write`` measures the reading on the evaluation part, which
the fit never sees, and keeps the figures the app gates on.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.conversations.measure import load_corpus  # noqa: E402
from services.conversations.sentence_model import model_path  # noqa: E402
from services.conversations.sentence_training import corpus_digest, train  # noqa: E402

TRAIN = ROOT / "tests" / "data" / "listening" / "train"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="keep the model for the app")
    parser.add_argument("--smoke", action="store_true",
                        help="fit on 20 conversations only, keep nothing (the suite)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.smoke and args.write:
        raise SystemExit("--smoke fits on a part of the corpus: it keeps nothing")
    began = time.perf_counter()
    cases = load_corpus(TRAIN)
    if args.smoke:
        cases = cases[:10] + cases[-10:]
    data = train(cases)
    data["trained_on"]["corpus"] = "tests/data/listening/train"
    data["trained_on"]["digest"] = corpus_digest(TRAIN)
    print(
        f"fitted on {data['trained_on']['customer_sentences']} customer sentences "
        f"({len(data['features'])} features) in {time.perf_counter() - began:.1f} s"
    )
    for kind, threshold in data["thresholds"].items():
        print(f"  {kind:18} threshold {threshold:.4f}")
    if args.write:
        path = model_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"kept in {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

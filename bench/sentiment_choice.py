"""Which sentiment library Account Radar uses, by measurement: each candidate that can
run on a laptop with no download beyond PyPI (no model hub), scored against the 200
hand-labelled texts in tests/data/sentiment_labels.csv (demo tickets, reviews and notes;
the samples' Zendesk subjects, Mailchimp reasons and Shopify notes).

Run it in a throwaway environment that has the candidates:

    python3 -m venv /tmp/sentenv
    /tmp/sentenv/bin/pip install vaderSentiment==3.3.2 textblob==0.20.1 afinn==0.1 \
        SQLAlchemy==2.1.9
    /tmp/sentenv/bin/python bench/sentiment_choice.py

Each library's score is cut at its documented thresholds (VADER: compound >= 0.05
positive, <= -0.05 negative; TextBlob polarity and AFINN sums: > 0 positive, < 0
negative) and at the cut-offs the app uses (services/listen/sentiment.py).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path

LABELS = Path(__file__).resolve().parent.parent / "tests" / "data" / "sentiment_labels.csv"
CLASSES = ("negative", "neutral", "positive")


def scores(labels: list[str], guesses: list[str]) -> tuple[float, float]:
    """Accuracy and macro-F1."""
    right = sum(a == b for a, b in zip(labels, guesses, strict=True))
    f1s = []
    for c in CLASSES:
        tp = sum(a == c and b == c for a, b in zip(labels, guesses, strict=True))
        fp = sum(a != c and b == c for a, b in zip(labels, guesses, strict=True))
        fn = sum(a == c and b != c for a, b in zip(labels, guesses, strict=True))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return right / len(labels), sum(f1s) / len(f1s)


def cut(value: float, low: float, high: float) -> str:
    return "negative" if value <= low else "positive" if value >= high else "neutral"


def candidates() -> dict[str, tuple[Callable[[str], float], float, float]]:
    found: dict[str, tuple[Callable[[str], float], float, float]] = {}
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
        found["vaderSentiment 3.3.2"] = (
            lambda t: vader.polarity_scores(t)["compound"], -0.05, 0.05)  # fmt: skip
    except ImportError:
        print("vaderSentiment: not installed")
    try:
        import sys

        sys.path.insert(0, str(LABELS.parents[2]))
        from services.listen.sentiment import NEGATIVE, POSITIVE, score_text

        found["VADER + shop lexicon (the app)"] = (score_text, NEGATIVE, POSITIVE)
    except ImportError as exc:
        print(f"the app's sentiment: not importable here ({exc})")
    try:
        from textblob import TextBlob

        found["TextBlob (pattern lexicon)"] = (
            lambda t: TextBlob(t).sentiment.polarity, -1e-9, 1e-9)  # fmt: skip
    except ImportError:
        print("textblob: not installed")
    try:
        from afinn import Afinn

        afinn = Afinn(language="en")
        found["AFINN"] = (afinn.score, -0.5, 0.5)
    except ImportError:
        print("afinn: not installed")
    return found


def main() -> None:
    with LABELS.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts = [r["text"] for r in rows]
    labels = [r["label"] for r in rows]
    print(f"{len(rows)} texts: " + ", ".join(f"{labels.count(c)} {c}" for c in CLASSES))
    samples = [i for i, r in enumerate(rows) if r["source"].endswith("sample")]
    print(f"({len(samples)} of them from the sample exports, the rest from the demo)")
    print(f"{'library':32} {'accuracy':>9} {'macro-F1':>9} {'samples acc':>12} "
          f"{'samples F1':>11} {'ms/1000 texts':>14}")  # fmt: skip
    for name, (score, low, high) in candidates().items():
        started = time.perf_counter()
        values = [score(t) for t in texts * 5]
        elapsed = (time.perf_counter() - started) / 5 / len(texts) * 1000 * 1000
        guesses = [cut(v, low, high) for v in values[: len(texts)]]
        accuracy, macro = scores(labels, guesses)
        s_acc, s_f1 = scores([labels[i] for i in samples], [guesses[i] for i in samples])
        print(f"{name:32} {accuracy:9.3f} {macro:9.3f} {s_acc:12.3f} {s_f1:11.3f} "
              f"{elapsed:14.0f}")  # fmt: skip


if __name__ == "__main__":
    main()

"""Fitting the trained part of the offline reading (services/conversations/sentence_model.py)
on the training part of the labelled listening corpus.

- **Risk kinds and complaints**: one logistic regression per kind of risk and per kind of
  complaint (delivery, quality) (scikit-learn, L2, ``C``), on the
  customer's sentences only (our side never raises a risk), each sentence's features
  (sentence_features.py) valued 1, VADER's three scores as numbers.
- **Each kind's threshold**: out-of-fold chances from cross-validation that holds out one
  writer's files at a time (the corpus files of one prefix, "voice-c", "text-d", ...), so
  the threshold is set on sentences written by someone the fit never saw (with fewer than
  three writers, five folds of conversations); the threshold is
  the one of highest F1 among those whose findings were at least ``TARGET_PRECISION``
  right, never below 0.15. Where the offline rules (risk_cues.py) find the kind as well,
  a second, lower threshold chosen the same way among those sentences alone: the rules'
  finding and the model's chance together are right more often than either alone.
- **The feeling**: a multinomial logistic regression over negative, neutral and positive,
  on every sentence labelled with a sentiment.

Deterministic (lbfgs, no random draws): the same corpus gives the same weights, which
``model_data`` keeps, rounded, with the digest of the corpus it was fitted on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from services.conversations.measure import Case, Labelled
from services.conversations.sentence_features import VADER_FEATURES, features
from services.conversations.sentence_model import HEADS
from services.listen.proven_risks import RISK_KINDS
from services.listen.sentiment import vader_scores

C_KINDS = 0.5
C_SENTIMENT = 0.5
TARGET_PRECISION = 0.92  # the micro precision the reading is held to
MIN_THRESHOLD = 0.15
MIN_WRITERS = 3  # fewer writers than this: folds of conversations instead
MIN_COUNT = 3  # a feature seen in fewer sentences is left out (2 keeps 3.6 times as many, 28 MB)
DECIMALS = 4
SMALLEST = 0.002  # a feature whose every weight is smaller than this is left out


def corpus_digest(folder: Path) -> str:
    """The SHA-256 of the corpus files' names and bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.json")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _writer(case: Case) -> str:
    """The writer of a case: its file's prefix ("voice-c" of "voice-c-03.json")."""
    return case.conversation.file.rsplit("-", 1)[0]


def _matrix(sentences: Sequence[Labelled], vocabulary: dict[str, int]) -> Any:  # a scipy CSR matrix
    from scipy.sparse import csr_matrix

    rows, cols, values = [], [], []
    width = len(vocabulary)
    for r, s in enumerate(sentences):
        for name in features(s.text):
            k = vocabulary.get(name)
            if k is not None:
                rows.append(r)
                cols.append(k)
                values.append(1.0)
        for k, value in enumerate(vader_scores(s.text)):
            rows.append(r)
            cols.append(width + k)
            values.append(value)
    return csr_matrix((values, (rows, cols)), shape=(len(sentences), width + 3))


def _vocabulary(sentences: Sequence[Labelled]) -> dict[str, int]:
    seen: dict[str, int] = {}
    for s in sentences:
        for name in features(s.text):
            seen[name] = seen.get(name, 0) + 1
    kept = sorted(name for name, n in seen.items() if n >= MIN_COUNT)
    return {name: k for k, name in enumerate(kept)}


def _fit_binary(x: Any, y: npt.NDArray[np.int64]) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C_KINDS, max_iter=5000)
    model.fit(x, y)
    return model


def _threshold(chances: npt.NDArray[np.float64], truth: npt.NDArray[np.int64]) -> float:
    """The threshold of highest F1 whose findings are at least TARGET_PRECISION right."""
    best, best_f1 = 1.0, -1.0
    positives = int(truth.sum())
    for t in sorted(set(np.round(chances, 4).tolist()) | {MIN_THRESHOLD}):
        if t < MIN_THRESHOLD:
            continue
        found = chances >= t
        hits = int((found & (truth == 1)).sum())
        n = int(found.sum())
        if n == 0 or hits / n < TARGET_PRECISION:
            continue
        recall = hits / positives if positives else 0.0
        f1 = 2 * (hits / n) * recall / ((hits / n) + recall) if recall else 0.0
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return best


def train(cases: Sequence[Case]) -> dict[str, Any]:
    """The model's data, fitted on ``cases`` (the module's docstring)."""
    from sklearn.linear_model import LogisticRegression

    customer = [s for case in cases for s in case.sentences if s.customer]
    groups = np.array([_writer(case) for case in cases for s in case.sentences if s.customer])
    if len(set(groups.tolist())) < MIN_WRITERS:  # too few writers: five folds of conversations
        folds = {case.conversation.key: k % 5 for k, case in enumerate(cases)}
        groups = np.array([f"fold {folds[case.conversation.key]}" for case in cases
                           for s in case.sentences if s.customer])  # fmt: skip
    felt = [s for case in cases for s in case.sentences if s.sentiment in (-1, 0, 1)]
    vocabulary = _vocabulary([*customer, *felt])
    x = _matrix(customer, vocabulary)
    heads = len(HEADS)
    weights = np.zeros((len(vocabulary) + 3, heads + 3))
    bias = np.zeros(heads + 3)
    thresholds: dict[str, float] = {}
    confirmed: dict[str, float] = {}
    writers = sorted(set(groups.tolist()))
    for k, kind in enumerate(HEADS):
        y = np.array([int(kind in s.kinds or kind == s.complaint) for s in customer],
                     dtype=np.int64)  # fmt: skip
        model = _fit_binary(x, y)
        weights[:, k] = model.coef_[0]
        bias[k] = float(model.intercept_[0])
        chances = np.zeros(len(customer))
        for writer in writers:
            held = groups == writer
            if y[~held].sum() == 0 or y[~held].sum() == (~held).sum():
                chances[held] = 0.0
                continue
            chances[held] = _fit_binary(x[~held], y[~held]).predict_proba(x[held])[:, 1]
        thresholds[kind] = round(_threshold(chances, y), 4)
        if kind in RISK_KINDS:  # the lower threshold where the rules find the kind too
            ruled = np.array([f"rule:{kind}" in features(s.text) for s in customer])
            if y[ruled].sum():
                confirmed[kind] = round(min(_threshold(chances[ruled], y[ruled]),
                                            thresholds[kind]), 4)  # fmt: skip
    xs = _matrix(felt, vocabulary)
    ys = np.array([int(s.sentiment) for s in felt], dtype=np.int64)  # type: ignore[arg-type]
    feeling = LogisticRegression(C=C_SENTIMENT, max_iter=5000, class_weight="balanced")
    feeling.fit(xs, ys)
    order = [list(feeling.classes_).index(c) for c in (-1, 0, 1)]
    n = heads
    weights[:, n : n + 3] = feeling.coef_[order].T
    bias[n : n + 3] = feeling.intercept_[order]
    data = _data(vocabulary, weights, bias, thresholds, len(customer), len(felt), writers)
    data["rule_thresholds"] = confirmed
    return data


def _data(
    vocabulary: dict[str, int],
    weights: npt.NDArray[np.float64],
    bias: npt.NDArray[np.float64],
    thresholds: dict[str, float],
    customer: int,
    felt: int,
    writers: list[str],
) -> dict[str, Any]:
    names = [*vocabulary, *VADER_FEATURES]
    rounded = np.round(weights, DECIMALS)
    keep = np.flatnonzero(np.abs(rounded).max(axis=1) >= SMALLEST)
    return {
        "features": [names[i] for i in keep],
        "weights": [[float(w) for w in rounded[i]] for i in keep],
        "bias": [round(float(b), DECIMALS) for b in bias],
        "thresholds": thresholds,
        "columns": [*HEADS, "negative", "neutral", "positive"],
        "trained_on": {
            "customer_sentences": customer,
            "sentiment_sentences": felt,
            "writers": writers,
        },
    }

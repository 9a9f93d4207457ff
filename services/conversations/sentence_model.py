"""The trained part of the offline reading: per kind of risk, the chance a customer's
sentence raises it, and the sentence's feeling, from its features
(services/conversations/sentence_features.py).

The weights are logistic regressions fitted by scikit-learn on the training part of the
labelled listening corpus (``tests/data/listening/train``, never the part the reading is
measured on: services/conversations/sentence_training.py), kept as plain JSON in
``resources/listening/model.json`` with each kind's decision threshold (the lowest chance
at which, in cross-validation by writer, the findings stayed at least 92 % right). Scoring
a sentence is a sum of the weights of the features it has: no scikit-learn at run time.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from services.conversations.sentence_features import VADER_FEATURES, features
from services.core.safe_read import BadFile, read_json
from services.listen.proven_risks import RISK_KINDS
from services.listen.sentiment import vader_scores

MODEL_LIMIT = 30_000_000
SENTIMENT_CLASSES = (-1, 0, 1)
# The complaints read beside the risks: about deliveries, and about the product's quality.
COMPLAINTS = ("delivery", "quality")
HEADS = (*RISK_KINDS, *COMPLAINTS)


@lru_cache(maxsize=1)
def model_path() -> Path:
    """resources/listening/model.json, in the clone or the frozen bundle (worked out once:
    every sentence read asks for the model)."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[2]))
    return base / "resources" / "listening" / "model.json"


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@dataclass(frozen=True, eq=False)
class SentenceModel:
    """The kept weights: per feature, the weight of each kind and of each feeling."""

    # feature -> (each of HEADS, then negative, neutral, positive)
    weights: dict[str, tuple[float, ...]]
    bias: tuple[float, ...]
    thresholds: dict[str, float]
    trained_on: dict[str, Any]
    # kind -> the lower threshold that holds where the offline rules find the kind too
    rule_thresholds: dict[str, float] = field(default_factory=dict)

    def _sums(self, text: str) -> list[float]:
        sums = list(self.bias)
        active: list[tuple[str, float]] = [(name, 1.0) for name in features(text)]
        vader = vader_scores(text)
        active += [(name, vader[k]) for k, name in enumerate(VADER_FEATURES)]
        for name, value in active:
            row = self.weights.get(name)
            if row is not None:
                for k, w in enumerate(row):
                    sums[k] += w * value
        return sums

    @lru_cache(maxsize=8192)  # noqa: B019 - the model lives as long as the process
    def read(self, text: str) -> tuple[dict[str, float], float]:
        """The chance of each kind of risk and complaint (HEADS), and the feeling (-1..1:
        the chance of positive less the chance of negative; inside VADER's neutral band
        when neutral is likelier than either)."""
        sums = self._sums(text)
        n = len(HEADS)
        chances = {kind: _sigmoid(sums[k]) for k, kind in enumerate(HEADS)}
        logits = sums[n : n + 3]
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        negative, neutral, positive = (e / total for e in exps)
        feeling = positive - negative
        if self._raised(text, chances):
            # A risk or a complaint is said with a negative feeling, whatever the words.
            feeling = min(-0.05, feeling)
        elif neutral >= max(negative, positive):
            feeling = max(-0.04, min(0.04, feeling))
        elif positive > negative:
            feeling = max(0.05, feeling)
        else:
            feeling = min(-0.05, feeling)
        return chances, round(feeling, 3)

    def _raised(self, text: str, chances: dict[str, float]) -> list[str]:
        """The kinds of risk and complaint whose chance is at or over the kind's threshold,
        or over its lower threshold where the offline rules find the kind too."""
        ruled = {name[5:] for name in features(text) if name.startswith("rule:")}
        return [
            k for k in HEADS
            if chances[k] >= self.thresholds.get(k, 1.0)
            or (k in ruled and chances[k] >= self.rule_thresholds.get(k, 1.0))
        ]  # fmt: skip

    def kinds(self, text: str) -> list[str]:
        """The kinds of risk the sentence raises (``_raised``)."""
        chances, _ = self.read(text)
        raised = self._raised(text, chances)
        return [k for k in RISK_KINDS if k in raised]

    def complaints(self, text: str) -> list[str]:
        """The complaints the sentence makes (delivery, quality)."""
        chances, _ = self.read(text)
        return [k for k in COMPLAINTS if chances[k] >= self.thresholds.get(k, 1.0)]


def from_data(data: dict[str, Any]) -> SentenceModel:
    """The model kept as ``data`` (what sentence_training.model_data makes)."""
    names: list[str] = list(data["features"])
    rows = data["weights"]
    weights = {name: tuple(float(w) for w in row) for name, row in zip(names, rows, strict=True)}
    return SentenceModel(
        weights=weights,
        bias=tuple(float(b) for b in data["bias"]),
        thresholds={str(k): float(v) for k, v in data["thresholds"].items()},
        trained_on=dict(data.get("trained_on") or {}),
        rule_thresholds={str(k): float(v) for k, v in (data.get("rule_thresholds") or {}).items()},
    )


@lru_cache(maxsize=2)
def _load(path: Path) -> SentenceModel | None:
    try:
        data = read_json(path, MODEL_LIMIT)
        return from_data(data) if isinstance(data, dict) else None
    except (OSError, BadFile, KeyError, TypeError, ValueError):
        return None


def sentence_model(path: Path | None = None) -> SentenceModel | None:
    """The kept model; None when it is missing or unreadable (the rules then read alone)."""
    return _load(path or model_path())

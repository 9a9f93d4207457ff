"""The churn model's parts: label windows, the horizon bridge, backtest metrics, the
model choice and the calibrated classifier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from services.scoring.churn import (
    _choose,
    bridge,
    evaluate,
    label_window,
    one_thread,
    train_classifier,
)
from services.scoring.features import MODEL_FEATURES


def test_label_window_is_the_horizon_when_the_history_allows_it() -> None:
    assert label_window(90, 1095) == 90
    # 273 days ahead with 272 days of history: two windows and a third of the history.
    assert label_window(273, 272) == 90
    # Three years of history, 500 days ahead: 365-day windows after 365 days of history.
    assert label_window(500, 1095) == 365
    assert label_window(90, 40) < 14  # too short for any window


def test_bridge_keeps_the_ranking_and_meets_the_longer_horizons_level() -> None:
    rng = np.random.default_rng(1)
    p_short = rng.uniform(0.05, 0.95, 500)
    q_long = np.clip(p_short * 0.7 + rng.normal(0, 0.05, 500), 0.01, 0.99)
    rows = np.ones(500, dtype=bool)
    rows[:50] = False  # population-model customers do not set the level
    bridged, shift = bridge(p_short, q_long, rows)
    assert shift < 0
    assert np.mean(bridged[rows]) == pytest.approx(np.mean(q_long[rows]), abs=1e-5)
    assert (np.argsort(bridged) == np.argsort(p_short)).all()
    assert np.allclose(logit(bridged) - logit(p_short), shift)
    # A longer horizon never raises the chance of no order: no upward shift.
    same, zero = bridge(q_long * 0.5, q_long, rows)
    assert zero == 0
    assert np.array_equal(same, q_long * 0.5)


def test_evaluate_auc_brier_lift_and_calibration_by_hand() -> None:
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], dtype=bool)
    predicted = np.array([0.95, 0.85, 0.55, 0.35, 0.45, 0.25, 0.15, 0.12, 0.05, 0.02])
    m = evaluate(labels, predicted)
    # 24 ordered pairs of 24 correct but one (0.35 < 0.45): AUC 23/24.
    assert m["auc"] == pytest.approx(23 / 24)
    assert m["brier"] == pytest.approx(np.mean((predicted - labels) ** 2))
    # The top decile (1 customer) churned; base rate 0.4: lift 2.5.
    assert m["lift_top_decile"] == pytest.approx(2.5)
    assert m["churn_rate"] == pytest.approx(0.4)
    assert m["customers"] == 10
    bins = m["calibration"]
    assert sum(b["count"] for b in bins) == 10
    assert bins[0] == {"predicted": pytest.approx(0.035), "observed": 0.0, "count": 2}
    assert bins[-1] == {"predicted": 0.95, "observed": 1.0, "count": 1}
    # Another ranking (recency) for the AUC and the lift; the Brier stays on predictions.
    m2 = evaluate(labels, predicted, ranking=-predicted)
    assert m2["auc"] == pytest.approx(1 / 24)
    assert m2["brier"] == m["brier"]
    assert evaluate(np.ones(3, dtype=bool), np.full(3, 0.5))["auc"] is None


def test_the_model_with_the_lowest_backtest_brier_wins_and_says_why() -> None:
    metrics = {
        "gbm": {"brier": 0.13},
        "bgnbd": {"brier": 0.17},
        "blend": {"brier": 0.14},
        "recency": {"brier": 0.01},  # a baseline, never chosen
    }
    chosen, reason = _choose(metrics)
    assert chosen == "gbm"
    assert reason == "lowest backtest Brier score, 0.1300 (vs BG/NBD 0.1700, the blend 0.1400)."
    chosen, _ = _choose(metrics | {"bgnbd": {"brier": 0.12}})
    assert chosen == "bgnbd"


def _frame(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    data = {name: rng.normal(size=n) for name in MODEL_FEATURES}
    data["recency_days"] = rng.uniform(0, 400, n)
    data["nps_last"] = np.full(n, np.nan)  # an empty column is left out, not an error
    churn = rng.random(n) < expit((data["recency_days"] - 150) / 40)
    return pd.DataFrame(data), churn


@pytest.mark.parametrize("rows", [600, 24_000])
def test_the_classifier_is_calibrated_deterministic_and_learns(rows: int) -> None:
    frame, labels = _frame(rows, 3)
    test, truth = _frame(4000, 4)
    with one_thread():
        model = train_classifier(frame, labels)
        again = train_classifier(frame, labels)
        p = model.predict(test)
    assert np.array_equal(p, again.predict(test))
    assert "nps_last" not in model.columns
    assert "recency_days" in model.columns
    metrics = evaluate(truth, p)
    assert metrics["auc"] > 0.85
    # Calibrated: the mean prediction is close to the churn rate, and so is each bin.
    assert abs(p.mean() - truth.mean()) < 0.03
    tolerance = 0.15 if rows < 1000 else 0.08  # a few hundred rows calibrate loosely
    for b in metrics["calibration"]:
        if b["count"] > 200:
            assert abs(b["predicted"] - b["observed"]) < tolerance
    summary = model.summary()
    assert summary["training_rows"] == rows
    # The feature that decides churn here carries most of the trees' gain.
    importance = summary["importance"]
    assert next(iter(importance)) == "recency_days"
    assert importance["recency_days"] > 0.5
    assert sum(importance.values()) <= 1.0 + 1e-6
    assert ("held-out" in summary["calibration"]) == (rows >= 20_000)


def test_the_calibration_keeps_the_classifier_ranking() -> None:
    # Isotonic steps would tie customers the trees ranked apart; the interpolated curve
    # keeps every distinct score distinct (inside the fitted range), keeps the order, and
    # is as calibrated as the steps: its mean matches the labels' rate.
    from services.scoring.churn import MonotoneCalibration

    rng = np.random.default_rng(3)
    scores = rng.random(5000)
    labels = (rng.random(5000) < scores**2).astype(np.int64)
    calibrate = MonotoneCalibration(scores, labels)
    inside = (scores > calibrate.centres[0]) & (scores < calibrate.centres[-1])
    out = calibrate(scores)
    assert np.unique(out[inside]).size == np.unique(scores[inside]).size
    order = np.argsort(scores[inside])
    assert np.all(np.diff(out[inside][order]) > 0)
    assert out.mean() == pytest.approx(labels.mean(), abs=0.01)
    # Squared scores in, the curve follows s**2 closely.
    grid = np.linspace(0.2, 0.9, 8)
    assert calibrate(grid) == pytest.approx(grid**2, abs=0.06)
    assert np.all((out >= 0) & (out <= 1))

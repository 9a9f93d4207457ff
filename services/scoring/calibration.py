"""Probabilities that mean what they say: the classifier's calibration (keeping its
ranking), and one log-odds shift that carries a risk's level over to a longer horizon
(services/scoring/churn.py uses both)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class MonotoneCalibration:
    """Isotonic calibration that keeps the classifier's ranking.

    Plain isotonic regression is a step function: customers the trees rank apart share
    one probability (on CDNOW, 6,149 distinct scores became 132), and tied risks rank no
    one (ROC AUC 0.7622 against the raw scores' 0.7648). Here the isotonic fit is
    interpolated linearly between the centres of its steps, so it is strictly increasing
    between the first and the last centre and as calibrated as the steps are.
    """

    def __init__(self, scores: FloatArray, labels: npt.NDArray[np.int64]) -> None:
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        fitted = iso.fit(scores, labels).predict(scores)
        levels, block = np.unique(fitted, return_inverse=True)
        centres = np.bincount(block, weights=scores) / np.bincount(block)
        order = np.argsort(centres, kind="stable")
        self.centres: FloatArray = centres[order]
        self.levels: FloatArray = levels[order]

    def __call__(self, scores: FloatArray) -> FloatArray:
        out: FloatArray = np.interp(scores, self.centres, self.levels)
        return out


class PlattCalibration:
    """A logistic curve on the log-odds of the score (small workspaces: few rows)."""

    def __init__(self, scores: FloatArray, labels: npt.NDArray[np.int64]) -> None:
        from sklearn.linear_model import LogisticRegression

        self.model = LogisticRegression(C=1e6).fit(_log_odds(scores)[:, None], labels)

    def __call__(self, scores: FloatArray) -> FloatArray:
        out: FloatArray = self.model.predict_proba(_log_odds(scores)[:, None])[:, 1]
        return out


def _log_odds(p: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    out: FloatArray = np.log(q / (1 - q))
    return out


def bridge(p_short: FloatArray, q_long: FloatArray, rows: BoolArray) -> tuple[FloatArray, float]:
    """Carry P(no order in h) over to a longer horizon H with one log-odds shift.

    The shift (at most 0: no order in H is never likelier than no order in h) makes the
    mean over ``rows`` equal BG/NBD's mean P(no order in H) there. It keeps the
    classifier's ranking of customers, which backtests better than rescaling each
    customer by BG/NBD's own ratio (on CDNOW: AUC 0.761 against 0.758 at 273 days).
    """
    from scipy.optimize import brentq
    from scipy.special import expit, logit

    eps = 1e-6
    odds = logit(np.clip(p_short, eps, 1 - eps))
    target = float(np.nanmean(q_long[rows])) if rows.any() else float("nan")
    if not np.isfinite(target):
        return p_short, 0.0

    def gap(shift: float) -> float:
        return float(np.mean(expit(odds[rows] + shift))) - target

    if gap(0.0) <= 0:
        return p_short, 0.0
    shift = float(brentq(gap, -30.0, 0.0, xtol=1e-6))
    out: FloatArray = expit(odds + shift)
    return out, shift


def level(p: FloatArray, q: FloatArray, rows: BoolArray) -> tuple[FloatArray, float]:
    """Shift ``p``'s log-odds by one constant so that its mean over ``rows`` equals
    ``q``'s there (either way): the ranking stays, the level becomes ``q``'s."""
    from scipy.optimize import brentq
    from scipy.special import expit, logit

    target = float(np.nanmean(q[rows])) if rows.any() else float("nan")
    if not np.isfinite(target) or not 0.0 < target < 1.0:
        return p, 0.0
    odds = logit(np.clip(p, 1e-6, 1 - 1e-6))

    def gap(shift: float) -> float:
        return float(np.mean(expit(odds[rows] + shift))) - target

    if abs(gap(0.0)) < 1e-9:
        return p, 0.0
    shift = float(brentq(gap, -30.0, 30.0, xtol=1e-6))
    out: FloatArray = expit(odds + shift)
    return out, shift

"""The uplift model (a T-learner) and the Qini curve, over plain arrays.

Two regularised logistic regressions, one fitted on the contacted exposures and one on
the held-out, each predicting a return within the window from the features; a customer's
uplift is the difference of the two chances. Features are log-scaled where they are
counts or amounts, missing values take the training median, and every column is
standardised on the training rows. Everything is deterministic: Newton steps have no randomness,
folds come from the customers' stable hashes, and the bootstrap from a fixed seed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from services.learn.uplift_records import QiniCurve

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

FOLDS = 5
RESAMPLES = 40
QINI_RESAMPLES = 200
SEED = 0
_C = 0.05  # the L2 penalty's inverse: small groups (the held-out) need the shrinkage

# Asked between refits: True once the user no longer waits for the fit (the window
# closed, another workspace opened). A fit at a million customers takes minutes.
Cancelled = Callable[[], bool]


class UpliftCancelled(Exception):
    """The fit was stopped before it ended (see :data:`Cancelled`); nothing is kept."""


def stop_if(cancelled: Cancelled | None) -> None:
    """Raise UpliftCancelled when ``cancelled`` says so (None: never)."""
    if cancelled is not None and cancelled():
        raise UpliftCancelled


def qini_curve(score: FloatArray, contacted: BoolArray, returned: BoolArray) -> QiniCurve:
    """The Qini curve of ranking the exposures by ``score`` (biggest first; the given
    order breaks ties, so pass the rows in a stable order)."""
    n = len(score)
    if n == 0:
        return QiniCurve((0.0,), (0.0,), 0.0)
    order = np.argsort(-np.asarray(score, dtype=np.float64), kind="stable")
    t = np.asarray(contacted, dtype=bool)[order]
    y = np.asarray(returned, dtype=bool)[order]
    n_t = np.concatenate([[0.0], np.cumsum(t)])
    n_c = np.concatenate([[0.0], np.cumsum(~t)])
    r_t = np.concatenate([[0.0], np.cumsum(t & y)])
    r_c = np.concatenate([[0.0], np.cumsum(~t & y)])
    scaled = np.divide(r_c * n_t, n_c, out=np.zeros(n + 1), where=n_c > 0)
    gains = (r_t - scaled) / n
    shares = np.arange(n + 1) / n
    above = gains - shares * gains[-1]
    coefficient = float(np.sum((above[1:] + above[:-1]) / 2.0) / n)
    return QiniCurve(tuple(shares.tolist()), tuple(gains.tolist()), coefficient)


def prepare(features: FloatArray, logged: BoolArray) -> FloatArray:
    """Counts and amounts on a log scale (signed), the rest as they are."""
    x = np.array(features, dtype=np.float64, copy=True)
    x[:, logged] = np.sign(x[:, logged]) * np.log1p(np.abs(x[:, logged]))
    return x


class _Scaler:
    """Median for the missing values and standardisation, learnt on the training rows."""

    def __init__(self, x: FloatArray) -> None:
        with np.errstate(all="ignore"):
            median = np.nanmedian(np.where(np.isfinite(x), x, np.nan), axis=0)
        self.median = np.nan_to_num(median)
        filled = self._fill(x)
        self.mean = filled.mean(axis=0)
        std = filled.std(axis=0)
        self.std = np.where(std > 1e-9, std, 1.0)

    def _fill(self, x: FloatArray) -> FloatArray:
        return np.where(np.isfinite(x), x, self.median)

    def __call__(self, x: FloatArray) -> FloatArray:
        out: FloatArray = (self._fill(x) - self.mean) / self.std
        return out


def _chance_model(x: FloatArray, y: BoolArray) -> tuple[_Scaler, LogisticRegression | float]:
    scaler = _Scaler(x)
    if y.all() or not y.any():
        return scaler, float(y.mean()) if len(y) else 0.0
    model = LogisticRegression(C=_C, solver="newton-cholesky", max_iter=100)
    model.fit(scaler(x), y)
    return scaler, model


def _chance(fitted: tuple[_Scaler, LogisticRegression | float], x: FloatArray) -> FloatArray:
    scaler, model = fitted
    if isinstance(model, float):
        return np.full(len(x), model)
    out: FloatArray = model.predict_proba(scaler(x))[:, 1]
    return out


def fit_predict(
    x: FloatArray, contacted: BoolArray, returned: BoolArray, new: FloatArray
) -> FloatArray:
    """The T-learner fitted on (x, contacted, returned): the uplift of the rows ``new``."""
    treated = _chance_model(x[contacted], returned[contacted])
    control = _chance_model(x[~contacted], returned[~contacted])
    return _chance(treated, new) - _chance(control, new)


def cross_fitted(
    x: FloatArray,
    contacted: BoolArray,
    returned: BoolArray,
    folds: IntArray,
    cancelled: Cancelled | None = None,
) -> FloatArray:
    """Each row's uplift from the models fitted on the other folds."""
    out = np.zeros(len(x))
    for k in np.unique(folds).tolist():
        stop_if(cancelled)
        held = folds == k
        out[held] = fit_predict(x[~held], contacted[~held], returned[~held], x[held])
    return out


def bootstrap_band(
    x: FloatArray,
    contacted: BoolArray,
    returned: BoolArray,
    new: FloatArray,
    cancelled: Cancelled | None = None,
) -> tuple[FloatArray, FloatArray]:
    """The 5th and 95th percentiles of each new row's uplift over refits on resamples
    drawn within each group (the groups keep their sizes)."""
    rng = np.random.default_rng(SEED)
    groups = [np.flatnonzero(contacted), np.flatnonzero(~contacted)]
    draws = np.empty((RESAMPLES, len(new)))
    for b in range(RESAMPLES):
        stop_if(cancelled)
        rows = np.concatenate([g[rng.integers(0, len(g), len(g))] for g in groups])
        draws[b] = fit_predict(x[rows], contacted[rows], returned[rows], new)
    return np.percentile(draws, 5, axis=0), np.percentile(draws, 95, axis=0)


def qini_band(
    score: FloatArray,
    contacted: BoolArray,
    returned: BoolArray,
    cancelled: Cancelled | None = None,
) -> tuple[float, float]:
    """The 5th and 95th percentiles of the Qini coefficient of these scores over
    resamples of the exposures drawn within each group (the outcomes' chance alone: the
    scores are not fitted again)."""
    rng = np.random.default_rng(SEED)
    groups = [np.flatnonzero(contacted), np.flatnonzero(~contacted)]
    values = np.empty(QINI_RESAMPLES)
    for b in range(QINI_RESAMPLES):
        if b % 20 == 0:
            stop_if(cancelled)
        rows = np.sort(np.concatenate([g[rng.integers(0, len(g), len(g))] for g in groups]))
        values[b] = qini_curve(score[rows], contacted[rows], returned[rows]).coefficient
    return float(np.percentile(values, 5)), float(np.percentile(values, 95))

"""The uplift model (a T-learner), its shrinkage and the Qini curve, over plain arrays.

Two regularised logistic regressions, one fitted on the contacted exposures and one on
the held-out, each predicting a return within the window from the features; the model's
score for a customer is the difference of the two chances. Features are log-scaled where
they are counts or amounts, missing values take the training median, and every column is
standardised on the training rows.

The raw score is not the estimate: on a few hundred exposures (and a held-out group a
tenth of them) it spreads far wider than the true differences between customers. The
estimate starts from what the data measures directly and only moves as far as the data
supports (``shrunk_estimates``):

- the pooled lift, the contacted's return rate minus the held-out's over the same past
  exposures (Newcombe's interval), is every customer's starting point;
- a customer's deviation is their score minus the mean score of the past exposures;
  features are kept within their range over the past exposures (no extrapolation beyond
  the most extreme one);
- the deviation is multiplied by the calibration slope: on the cross-fitted scores (each
  past exposure scored by models that never saw it), how much one point of score
  difference changes the return rate of the contacted, minus how much it changes the
  held-out's (the slope of the true uplift on the score). A score that tracks nothing
  gets a slope near 0 and every customer the pooled lift; one that tracks the truth
  fully gets 1. The slope used is kept within 0 to 1.
- the scores are only checked on past customers, and today's may look unlike most of
  them (on the demo, today's alerts are far more recent buyers than the past ones, and
  the raw scores averaged three times the measured lift): a group's estimates (today's
  customers with an alert) are moved together, as little as needed, so that their
  average stays within the measured lift's interval. The model says who is above or
  below the average; only the data says how large the average may be.
- the band adds five uncertainties: the pooled lift's interval, the slope's standard
  error times the deviation, the deviation's own refitting noise (the spread of the
  customer's deviation over refits on resamples drawn within each group), what the
  shrunk score leaves unknown about the customer's own uplift (empirical Bayes: the
  scores' true spread, slope x their variance, times the share given up, 1 - slope),
  and the model's misfit: the past exposures in five groups by cross-fitted score, each group's
  measured lift against its estimates' mean, the squared gaps beyond what the groups'
  sampling noise explains (0 when the noise explains them). A smooth model of a sharp
  effect (outreach moves one kind of customer and not the next) is wrong near the edge
  whatever the sample size, and the band says so.

Everything is deterministic: Newton steps have no randomness, folds come from the
customers' stable hashes, and the bootstrap from a fixed seed.
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
Z90 = 1.6448536269514722  # a 90% band's half-width, in standard errors

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


def within_range(x: FloatArray, new: FloatArray) -> FloatArray:
    """The rows ``new`` with each feature kept within its range over the rows ``x``: the
    model says nothing of a customer unlike every past one beyond what it says of the
    nearest (missing values stay missing)."""
    with np.errstate(all="ignore"):
        low = np.nanmin(np.where(np.isfinite(x), x, np.nan), axis=0)
        high = np.nanmax(np.where(np.isfinite(x), x, np.nan), axis=0)
    out: FloatArray = np.where(np.isfinite(low) & np.isfinite(new), np.clip(new, low, high), new)
    return out


def deviation_noise(
    x: FloatArray,
    contacted: BoolArray,
    returned: BoolArray,
    new: FloatArray,
    cancelled: Cancelled | None = None,
) -> FloatArray:
    """The variance of each new row's deviation (its score minus the mean score of the
    rows ``x``) over refits on resamples drawn within each arm (the arms keep their
    sizes)."""
    rng = np.random.default_rng(SEED)
    arms = [np.flatnonzero(contacted), np.flatnonzero(~contacted)]
    both = np.concatenate([x, new])
    draws = np.empty((RESAMPLES, len(new)))
    for b in range(RESAMPLES):
        stop_if(cancelled)
        rows = np.concatenate([g[rng.integers(0, len(g), len(g))] for g in arms])
        scores = fit_predict(x[rows], contacted[rows], returned[rows], both)
        draws[b] = scores[len(x) :] - scores[: len(x)].mean()
    out: FloatArray = draws.var(axis=0, ddof=1)
    return out


def calibration_slope(
    scores: FloatArray, contacted: BoolArray, returned: BoolArray
) -> tuple[float, float]:
    """How much the true uplift moves per point of (cross-fitted) score, and its standard
    error: the slope of the return on the score among the contacted minus that among the
    held out (least squares within each group, robust standard errors). 0 when the
    scores do not vary."""
    slopes, variances = [], []
    for arm in (np.asarray(contacted, bool), ~np.asarray(contacted, bool)):
        d = scores[arm] - scores[arm].mean()
        y = returned[arm].astype(np.float64)
        spread = float(np.sum(d * d))
        if spread <= 1e-12:
            return 0.0, 0.0
        slope = float(np.sum(d * (y - y.mean())) / spread)
        rest = y - y.mean() - slope * d
        slopes.append(slope)
        variances.append(float(np.sum(d * d * rest * rest)) / spread**2)
    return slopes[0] - slopes[1], float(np.sqrt(sum(variances)))


MISFIT_GROUPS = 5


def misfit_variance(
    scores: FloatArray, contacted: BoolArray, returned: BoolArray, estimates: FloatArray
) -> float:
    """How far the estimates miss the lift measured within groups of the past exposures
    (MISFIT_GROUPS, by cross-fitted score): the mean squared gap between a group's
    measured lift and its estimates' mean, less the measured lift's sampling variance,
    floored at 0."""
    order = np.argsort(scores, kind="stable")
    excess = []
    for rows in np.array_split(order, MISFIT_GROUPS):
        t, y = contacted[rows], returned[rows]
        n1, n0 = int(t.sum()), int((~t).sum())
        if n1 < 2 or n0 < 2:
            continue
        p1, p0 = float(y[t].mean()), float(y[~t].mean())
        noise = p1 * (1 - p1) / (n1 - 1) + p0 * (1 - p0) / (n0 - 1)
        excess.append((p1 - p0 - float(estimates[rows].mean())) ** 2 - noise)
    return max(float(np.mean(excess)), 0.0) if excess else 0.0


def shrunk_estimates(
    x: FloatArray,
    contacted: BoolArray,
    returned: BoolArray,
    scores: FloatArray,
    pooled: tuple[float, float, float],
    new: FloatArray,
    groups: IntArray | None = None,
    cancelled: Cancelled | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, float, float]:
    """Each new row's uplift, shrunk toward the pooled lift (see the module's words), and
    its 90% band: (uplift, low, high, slope used, the slope's standard error).

    ``scores``: the rows' cross-fitted scores; ``pooled``: the measured lift over the
    rows and its 90% interval (low, high); ``groups``: which group each new row belongs
    to (None: one), each group's estimates moved together so that their average stays
    within that interval."""
    lift, lift_low, lift_high = pooled
    groups = np.zeros(len(new), np.int64) if groups is None else np.asarray(groups, np.int64)
    measured, slope_se = calibration_slope(scores, contacted, returned)
    slope = min(max(measured, 0.0), 1.0)
    new = within_range(x, new)
    both = fit_predict(x, contacted, returned, np.concatenate([x, new]))
    deviation = both[len(x) :] - both[: len(x)].mean()
    noise = deviation_noise(x, contacted, returned, new, cancelled)
    uplift = lift + slope * deviation
    past = lift + slope * (both[: len(x)] - both[: len(x)].mean())
    misfit = misfit_variance(scores, contacted, returned, past)
    for g in np.unique(groups).tolist():
        members = groups == g
        mean = float(uplift[members].mean())
        uplift[members] += min(max(mean, lift_low), lift_high) - mean
    # What the shrunk score leaves unknown about a customer's own uplift (empirical
    # Bayes: the true spread among the scores, slope x their variance, times the share
    # the shrinkage gives up, 1 - slope).
    unknown = slope * (1.0 - slope) * float(np.var(scores))
    spread = Z90**2 * (deviation**2 * slope_se**2 + slope**2 * noise + misfit + unknown)
    low = uplift - np.sqrt((lift - lift_low) ** 2 + spread)
    high = uplift + np.sqrt((lift_high - lift) ** 2 + spread)
    return uplift, low, high, slope, slope_se


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

"""BG/NBD and Gamma-Gamma models: maximum-likelihood fits and per-customer predictions.

BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way") models repeat
purchases: while alive a customer buys at a Poisson rate lambda ~ Gamma(r, alpha), and
after each purchase drops out with probability p ~ Beta(a, b). Gamma-Gamma (Fader,
Hardie & Lee 2005, "RFM and CLV: using iso-value curves"; Hardie's note 025) models the
mean value of a customer's repeat orders.

Inputs follow the literature: frequency x = number of REPEAT purchase days (distinct
purchase days - 1), recency t_x = time from the first to the last purchase, T = time from
the first purchase to the as-of date, all in one time unit chosen by the caller (the
pipeline uses weeks). Everything is vectorised over numpy arrays; the special functions
that depend only on x are evaluated once per distinct x. Fits maximise the weighted mean
log-likelihood over log-parameters with L-BFGS-B and analytic gradients (Nelder-Mead as
a fallback), so a fit on 100,000 customers takes a fraction of a second.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import optimize, special

from models.errors import UserFacingError

log = logging.getLogger(__name__)

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

# A fit needs this many customers, and this many of them with a repeat purchase day:
# below that the four BG/NBD parameters (three Gamma-Gamma ones) are not identified.
MIN_CUSTOMERS = 20
MIN_REPEAT_CUSTOMERS = 5
# Log-parameter box: every parameter stays within [6e-6, 1.2e6].
_LOG_BOUND = (-12.0, 14.0)
# Near a = 1 the conditional expectation is 0/0; it is evaluated on both sides instead.
_A_NEAR_ONE = 1e-5


class ModelFitError(UserFacingError):
    """A model cannot be fitted: too little data, or no convergence (said in plain words)."""


@dataclass(frozen=True)
class BGNBDParams:
    """Fitted BG/NBD parameters: purchase rate ~ Gamma(r, alpha), dropout ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def to_dict(self) -> dict[str, float]:
        """The parameters by name, e.g. for storing with a scoring run."""
        return {k: float(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters of the mean repeat-order value (p, q, v)."""

    p: float
    q: float
    v: float

    def to_dict(self) -> dict[str, float]:
        """The parameters by name, e.g. for storing with a scoring run."""
        return {k: float(v) for k, v in asdict(self).items()}


# --- input handling ---------------------------------------------------------------------


def _as_float(values: Any, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim > 1:
        raise ValueError(f"{name} must be one-dimensional")
    return np.atleast_1d(array)


def _summary(
    frequency: Any, recency: Any, T: Any, t: Any = 0.0
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Validated, broadcast (x, t_x, T, t) arrays; a bad summary is a caller's bug."""
    x, tx, big_t, t_arr = (
        np.array(a, dtype=np.float64)
        for a in np.broadcast_arrays(
            _as_float(frequency, "frequency"),
            _as_float(recency, "recency"),
            _as_float(T, "T"),
            _as_float(t, "t"),
        )
    )
    if not all(np.all(np.isfinite(a)) for a in (x, tx, big_t, t_arr)):
        raise ValueError("frequency, recency, T and t must be finite")
    if np.any(x < 0) or np.any(tx < 0) or np.any(tx > big_t * (1 + 1e-9) + 1e-12):
        raise ValueError("need frequency >= 0 and 0 <= recency <= T")
    if np.any((x > 0) & (tx <= 0)):
        raise ValueError("a customer with repeat purchases needs recency > 0")
    if np.any(t_arr < 0):
        raise ValueError("the prediction horizon t must be non-negative")
    return x, tx, big_t, t_arr


def _weights(weights: Any, n: int) -> FloatArray:
    if weights is None:
        return np.ones(n)
    w = np.broadcast_to(_as_float(weights, "weights"), (n,)).astype(np.float64)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    return w


def _minimize(
    objective: Callable[[FloatArray], tuple[float, FloatArray]],
    start: FloatArray,
    value_of: Callable[[FloatArray], float] | None = None,
) -> tuple[FloatArray, float, bool]:
    """Minimise a smooth objective (value, gradient) in the log-parameter box;
    ``value_of``: the value alone, where the gradient costs more than the value (the
    Nelder-Mead polish asks only for values)."""
    bounds = [_LOG_BOUND] * start.size
    with np.errstate(all="ignore"):
        result = optimize.minimize(
            objective,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 1000, "ftol": 1e-12, "gtol": 1e-7},
        )
        theta = np.asarray(result.x, dtype=np.float64)
        value = float(result.fun)
        # L-BFGS-B may stop in its line search right next to the optimum (float noise);
        # accept that when the gradient is small, else polish with Nelder-Mead.
        grad_ok = bool(np.all(np.abs(np.asarray(result.jac)) < 1e-4))
        if not (result.success or grad_ok) or not np.isfinite(value):
            log.info("L-BFGS-B stopped (%s); polishing with Nelder-Mead", result.message)
            polished = optimize.minimize(
                value_of if value_of is not None else (lambda t: objective(t)[0]),
                theta if np.isfinite(value) else start,
                method="Nelder-Mead",
                bounds=bounds,
                options={"maxiter": 4000, "xatol": 1e-8, "fatol": 1e-12},
            )
            if np.isfinite(polished.fun) and (not np.isfinite(value) or polished.fun <= value):
                theta, value = np.asarray(polished.x, dtype=np.float64), float(polished.fun)
            ok = bool(polished.success) and np.isfinite(value)
        else:
            ok = True
    return theta, value, ok


def _at_bound(theta: FloatArray) -> np.ndarray[Any, np.dtype[np.bool_]]:
    low, high = _LOG_BOUND
    return (theta <= low + 1e-3) | (theta >= high - 1e-3)


@dataclass(frozen=True)
class _FitData:
    """A repeat-purchase fit's data: the rows of weight above zero, with times in units of
    the mean T (``scale``), so that the rate parameters are near 1 whatever unit the
    caller uses (days, weeks) and the penalty means the same; they scale back at the end."""

    x: FloatArray
    tx: FloatArray
    big_t: FloatArray
    w: FloatArray
    scale: float
    mean_rate: float  # the weighted mean of x + 1 (alpha starts at its inverse)


def _fit_data(
    frequency: Any, recency: Any, T: Any, weights: Any, penalizer: float, model: str
) -> _FitData:
    """BG/NBD's and Pareto/NBD's fits' set-up: the summary checked, the weights applied,
    and a ModelFitError naming ``model`` when the data are too thin."""
    x, tx, big_t, _ = _summary(frequency, recency, T)
    w = _weights(weights, x.size)
    if penalizer < 0 or not math.isfinite(penalizer):
        raise ValueError("penalizer must be a non-negative number")
    keep = w > 0
    x, tx, big_t, w = x[keep], tx[keep], big_t[keep], w[keep]
    customers = float(w.sum())
    repeaters = float(w[x > 0].sum())
    if customers < MIN_CUSTOMERS or repeaters < MIN_REPEAT_CUSTOMERS:
        raise ModelFitError(
            f"Too little purchase history to fit the {model}: it needs at least "
            f"{MIN_CUSTOMERS} customers, {MIN_REPEAT_CUSTOMERS} of them with orders on two or "
            f"more days (there are {customers:,.0f} customers, {repeaters:,.0f} with a repeat "
            "order). Import more order history, or choose a later as-of date."
        )
    scale = _dot(w, big_t) / customers
    mean_rate = _dot(w, x + 1) / customers
    return _FitData(x, tx / scale, big_t / scale, w, scale, mean_rate)


def _check_converged(theta: FloatArray, value: float, ok: bool, model: str) -> None:
    """A ModelFitError naming ``model`` unless the fit converged inside the box."""
    if not ok or not np.isfinite(value) or np.any(_at_bound(theta[:2])):
        raise ModelFitError(
            f"The {model} did not converge on this order history (too few or too uniform "
            "orders). Import more order history or choose another as-of date."
        )


# --- BG/NBD -----------------------------------------------------------------------------


def _bgnbd_terms(
    params: BGNBDParams, x: FloatArray, tx: FloatArray, big_t: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The log-likelihood pieces: A (no T dependence), log term "alive at T", log term
    "dropped out after the last purchase" (-inf where x == 0)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    xu, inv = np.unique(x, return_inverse=True)
    g_ab_x = special.gammaln(a + b + xu)
    a_part = (
        special.gammaln(r + xu) - special.gammaln(r) + r * math.log(alpha) - special.betaln(a, b)
    )
    alive_part = special.gammaln(a) + special.gammaln(b + xu) - g_ab_x
    with np.errstate(invalid="ignore", divide="ignore"):
        dead_part = np.where(
            xu > 0, special.gammaln(a + 1) + special.gammaln(b + xu - 1) - g_ab_x, -np.inf
        )
    rx = r + x
    log_alive = alive_part[inv] - rx * np.log(alpha + big_t)
    with np.errstate(invalid="ignore"):
        log_dead = np.where(x > 0, dead_part[inv] - rx * np.log(alpha + tx), -np.inf)
    return a_part[inv], log_alive, log_dead


def bgnbd_log_likelihood(params: BGNBDParams, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """Each customer's log-likelihood under the BG/NBD model."""
    x, tx, big_t, _ = _summary(frequency, recency, T)
    a_part, log_alive, log_dead = _bgnbd_terms(params, x, tx, big_t)
    result: FloatArray = a_part + np.logaddexp(log_alive, log_dead)
    return result


def _dot(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    """sum(a * b) without BLAS: on a busy machine OpenBLAS's threads make the many small
    dot products of a fit ten times slower than this plain loop."""
    return float(np.multiply(a, b).sum())


def _compress(
    columns: tuple[FloatArray, ...], w: FloatArray
) -> tuple[tuple[FloatArray, ...], FloatArray]:
    """Identical rows merged into one with the summed weight."""
    if not columns[0].size:
        return columns, w
    stacked = np.column_stack(columns)
    unique, inv = np.unique(stacked, axis=0, return_inverse=True)
    summed: FloatArray = np.bincount(inv.ravel(), weights=w, minlength=len(unique)).astype(
        np.float64
    )
    return tuple(np.ascontiguousarray(unique[:, i]) for i in range(len(columns))), summed


def _softplus_and_expit(d: FloatArray) -> tuple[FloatArray, FloatArray]:
    """log(1 + e^d) and 1 / (1 + e^-d), sharing one exponential (stable for any d).

    |d| is capped at 700 so that e^-|d| stays a normal float: subnormal results would
    slow every later multiplication by them a hundredfold, and change nothing visible.
    """
    e = np.exp(-np.minimum(np.abs(d), 700.0))
    softplus: FloatArray = np.maximum(d, 0.0) + np.log1p(e)
    expit: FloatArray = np.where(d >= 0, 1.0, e) / (1.0 + e)
    return softplus, expit


def _bgnbd_objective(
    x: FloatArray, tx: FloatArray, big_t: FloatArray, w: FloatArray, penalizer: float
) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """Negative weighted mean log-likelihood and its gradient in log-parameters.

    A customer's log-likelihood is A(x) + C(x) - (r+x) log(alpha+T) + softplus(d), with
    d = log(a / (b+x-1)) + (r+x) log((alpha+T) / (alpha+t_x)) the log-odds of having
    dropped out (no d term where x == 0). Terms in x alone are summed per distinct x with
    the total weight of that x; customers without a repeat purchase depend on T only and
    are merged per distinct T; the others are merged per distinct (x, t_x, T).
    """
    total = float(w.sum())
    xu, x_inv = np.unique(x, return_inverse=True)
    weight_x = np.bincount(x_inv.ravel(), weights=w, minlength=xu.size)
    zero = x == 0
    (t0,), w0 = _compress((big_t[zero],), w[zero])
    (x1, tx1, t1), w1 = _compress((x[~zero], tx[~zero], big_t[~zero]), w[~zero])
    x1u, inv1 = np.unique(x1, return_inverse=True)
    wx1 = w1 * x1

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = (float(v) for v in np.exp(theta))
        log_alpha = math.log(alpha)
        psi_ab = special.digamma(a + b)
        # Per distinct x.
        g_ab_x = special.gammaln(a + b + xu)
        psi_ab_x = special.digamma(a + b + xu)
        per_x_ll = (
            special.gammaln(r + xu)
            - special.gammaln(r)
            + r * log_alpha
            - special.betaln(a, b)
            + special.gammaln(a)
            + special.gammaln(b + xu)
            - g_ab_x
        )
        c_r = special.digamma(r + xu) - special.digamma(r) + log_alpha
        c_a = psi_ab - psi_ab_x
        c_b = psi_ab - special.digamma(b) + special.digamma(b + xu) - psi_ab_x
        inv_b1 = 1.0 / (b + x1u - 1)
        odds_const = math.log(a) + np.log(inv_b1)

        # Customers without a repeat purchase.
        lat0 = np.log(alpha + t0)
        ll = _dot(weight_x, per_x_ll) - r * _dot(w0, lat0)
        g_r = _dot(weight_x, c_r) - _dot(w0, lat0)
        g_alpha = total * r / alpha - r * _dot(w0, 1.0 / (alpha + t0))
        g_a = _dot(weight_x, c_a)
        g_b = _dot(weight_x, c_b)

        # Customers with repeat purchases.
        lat = np.log(alpha + t1)
        diff = lat - np.log(alpha + tx1)
        rx = r + x1
        softplus, s_dead = _softplus_and_expit(odds_const[inv1] + rx * diff)
        ll += _dot(w1, softplus) - r * _dot(w1, lat) - _dot(wx1, lat)
        g_r += _dot(w1, s_dead * diff - lat)
        g_alpha -= _dot(w1 * rx, (1.0 - s_dead) / (alpha + t1) + s_dead / (alpha + tx1))
        ws = w1 * s_dead
        g_a += float(ws.sum()) / a
        g_b -= _dot(ws, inv_b1[inv1])

        value = -ll / total + penalizer * _dot(theta, theta)
        if not math.isfinite(value):
            return math.inf, np.zeros(4)
        natural = np.array([g_r, g_alpha, g_a, g_b]) / total
        grad = -natural * np.array([r, alpha, a, b]) + 2.0 * penalizer * theta
        return value, grad

    return objective


def fit_bgnbd(
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    weights: Any = None,
    penalizer: float = 0.0,
) -> BGNBDParams:
    """Fit BG/NBD by maximum likelihood.

    ``weights`` are optional counts of identical (x, t_x, T) rows, so that a caller can
    compress its summary first. ``penalizer`` adds penalizer * sum(log(param)**2) to the
    negative mean log-likelihood, with alpha measured in units of the mean T (a small
    value such as 0.001 keeps thin data finite). The fit does not depend on the unit of
    time: alpha comes back in the caller's unit.
    Raises ModelFitError when the data are too thin or the fit does not converge.
    """
    data = _fit_data(frequency, recency, T, weights, penalizer, "repeat-purchase model")
    # Starting values: r = 1, alpha from the mean purchase rate, a Beta(1, 3) dropout.
    start = np.log(np.array([1.0, 1.0 / data.mean_rate, 1.0, 3.0]))
    start = np.clip(start, _LOG_BOUND[0] + 1, _LOG_BOUND[1] - 1)
    objective = _bgnbd_objective(data.x, data.tx, data.big_t, data.w, penalizer)
    theta, value, ok = _minimize(objective, start)
    _check_converged(theta, value, ok, "repeat-purchase model")
    r, alpha, a, b = (float(v) for v in np.exp(theta))
    return BGNBDParams(r=r, alpha=alpha * data.scale, a=a, b=b)


def p_alive(params: BGNBDParams, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """P(the customer is still alive at T | x, t_x, T); 1 for customers with no repeat."""
    x, tx, big_t, _ = _summary(frequency, recency, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds_dead = (
            math.log(a)
            - np.log(np.maximum(b + x - 1, 1e-300))
            + (r + x) * (np.log(alpha + big_t) - np.log(alpha + tx))
        )
    result: FloatArray = np.where(x > 0, special.expit(-log_odds_dead), 1.0)
    return result


def _scaled_no_purchase(a: float, b: float, r: float, x: FloatArray, z: FloatArray) -> FloatArray:
    """(1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z), via Euler's transformation
    (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): stable for large x and z near 1."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        result: FloatArray = np.exp((a - 1) * np.log1p(-z)) * special.hyp2f1(
            a + b - 1 - r, a - 1, a + b + x - 1, z
        )
    return result


def _expected_given_alive(
    r: float, alpha: float, a: float, b: float, t: FloatArray, x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """(a+b+x-1)/(a-1) [1 - (1-z)^(r+x) 2F1(...)]: expected purchases in t if alive at T."""
    z = t / (alpha + big_t + t)
    if abs(a - 1) < _A_NEAR_ONE:
        # Removable singularity at a = 1: average the two sides (error O(eps^2)).
        low = _expected_given_alive(r, alpha, 1 - 2 * _A_NEAR_ONE, b, t, x, big_t)
        high = _expected_given_alive(r, alpha, 1 + 2 * _A_NEAR_ONE, b, t, x, big_t)
        return 0.5 * (low + high)
    result: FloatArray = (a + b + x - 1) / (a - 1) * (1 - _scaled_no_purchase(a, b, r, x, z))
    return result


def expected_purchases(
    params: BGNBDParams, t: Any, frequency: Any, recency: Any, T: Any
) -> FloatArray:
    """E[X(T, T+t] | x, t_x, T]: expected purchases (purchase days) in the next t."""
    x, tx, big_t, t_arr = _summary(frequency, recency, T, t)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    given_alive = _expected_given_alive(r, alpha, a, b, t_arr, x, big_t)
    result: FloatArray = np.maximum(given_alive * p_alive(params, x, tx, big_t), 0.0)
    return result


def expected_purchases_new(params: BGNBDParams, t: Any) -> FloatArray:
    """E[X(t)]: expected repeat purchases in t by a customer who has just made a first one."""
    t_arr = _as_float(t, "t")
    zeros = np.zeros_like(t_arr)
    return expected_purchases(params, t_arr, zeros, zeros, zeros)


def prob_no_purchase(
    params: BGNBDParams, t: Any, frequency: Any, recency: Any, T: Any
) -> FloatArray:
    """P(no purchase in (T, T+t] | x, t_x, T).

    A customer alive at T makes no purchase in the next t with probability exp(-lambda t)
    (dropout happens only right after a purchase), so the answer is the likelihood with
    T replaced by T+t in the "alive" term, divided by the likelihood.
    """
    x, tx, big_t, t_arr = _summary(frequency, recency, T, t)
    _, log_alive, log_dead = _bgnbd_terms(params, x, tx, big_t)
    log_alive_later = log_alive - (params.r + x) * (
        np.log(params.alpha + big_t + t_arr) - np.log(params.alpha + big_t)
    )
    result: FloatArray = np.clip(
        np.exp(np.logaddexp(log_alive_later, log_dead) - np.logaddexp(log_alive, log_dead)),
        0.0,
        1.0,
    )
    return result


# --- Gamma-Gamma ------------------------------------------------------------------------


def _gg_data(frequency: Any, monetary_value: Any) -> tuple[FloatArray, FloatArray]:
    x, m = np.broadcast_arrays(
        _as_float(frequency, "frequency"), _as_float(monetary_value, "monetary_value")
    )
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(m))) or np.any(x < 0):
        raise ValueError("frequency must be >= 0 and monetary values finite")
    return x, m


def _gamma_gamma_objective(
    x: FloatArray, m: FloatArray, w: FloatArray, penalizer: float
) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """Negative weighted mean log-likelihood of the mean repeat-order values, and its
    gradient in (log p, log(q-1), log v): q > 1 keeps the population mean finite.

    The density of a mean value m of x orders is
    Gamma(px+q) / (Gamma(px) Gamma(q)) v^q m^(px-1) x^px / (v + x m)^(px+q); terms in x
    alone are summed per distinct x, and the sums over m that do not involve the
    parameters are taken once.
    """
    total = float(w.sum())
    xu, inv = np.unique(x, return_inverse=True)
    weight_x = np.bincount(inv.ravel(), weights=w, minlength=xu.size)
    log_m = np.log(m)
    wx = w * x
    s_xlogm = _dot(wx, log_m)
    s_logm = _dot(w, log_m)
    s_xlogx = _dot(wx, np.log(x))

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        p, q_minus_1, v = (float(t) for t in np.exp(theta))
        q = 1.0 + q_minus_1
        log_v = math.log(v)
        px = p * xu
        psi_pxq = special.digamma(px + q)
        per_x = special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * log_v
        log_vxm = np.log(v + x * m)
        recip = 1.0 / (v + x * m)
        wx_l, w_l = _dot(wx, log_vxm), _dot(w, log_vxm)
        ll = _dot(weight_x, per_x) + p * (s_xlogm + s_xlogx) - s_logm - p * wx_l - q * w_l
        g_p = _dot(weight_x, xu * (psi_pxq - special.digamma(px))) + s_xlogm + s_xlogx - wx_l
        g_q = _dot(weight_x, psi_pxq - special.digamma(q) + log_v) - w_l
        g_v = total * q / v - p * _dot(wx, recip) - q * _dot(w, recip)
        value = -ll / total + penalizer * _dot(theta, theta)
        if not math.isfinite(value):
            return math.inf, np.zeros(3)
        natural = np.array([g_p, g_q, g_v]) / total
        grad = -natural * np.array([p, q_minus_1, v]) + 2.0 * penalizer * theta
        return value, grad

    return objective


def fit_gamma_gamma(
    frequency: Any,
    monetary_value: Any,
    *,
    weights: Any = None,
    penalizer: float = 0.0,
) -> GammaGammaParams:
    """Fit Gamma-Gamma by maximum likelihood on customers with frequency > 0.

    ``monetary_value`` is each customer's mean repeat-order value; rows with no repeat
    purchase or a non-positive mean are left out. q is kept above 1 so that the
    population mean order value p v / (q - 1) exists. ``penalizer`` works as in
    fit_bgnbd, with v measured in units of the mean value; v comes back in the
    caller's currency unit.
    """
    x, m = _gg_data(frequency, monetary_value)
    w = _weights(weights, x.size)
    if penalizer < 0 or not math.isfinite(penalizer):
        raise ValueError("penalizer must be a non-negative number")
    keep = (x > 0) & (m > 0) & (w > 0)
    x, m, w = x[keep], m[keep], w[keep]
    if float(w.sum()) < MIN_REPEAT_CUSTOMERS:
        raise ModelFitError(
            f"Too few repeat orders with a value to fit the order-value model: it needs at "
            f"least {MIN_REPEAT_CUSTOMERS} customers with a paid repeat order "
            f"(there are {float(w.sum()):,.0f})."
        )
    if float(np.ptp(m)) <= 1e-9 * float(np.max(m)):
        raise ModelFitError(
            "Every repeat order has the same value, so the order-value model has nothing "
            "to learn; import orders with their amounts."
        )
    # Values in units of their mean, so that v is near 1 whatever the currency unit
    # (dollars, cents) and the penalty means the same; v scales back at the end.
    scale = _dot(w, m) / float(w.sum())
    m = m / scale
    # Start at p = 2, q = 3 and v = 1, so that p v / (q - 1) is the mean value.
    start = np.log(np.array([2.0, 2.0, 1.0]))
    start = np.clip(start, _LOG_BOUND[0] + 1, _LOG_BOUND[1] - 1)
    theta, value, ok = _minimize(_gamma_gamma_objective(x, m, w, penalizer), start)
    if not ok or not np.isfinite(value) or np.any(_at_bound(theta)):
        raise ModelFitError(
            "The order-value model did not converge on these order amounts (too few or too "
            "uniform repeat orders). Import more order history or choose another as-of date."
        )
    p, q_minus_1, v = (float(t) for t in np.exp(theta))
    return GammaGammaParams(p=p, q=1.0 + q_minus_1, v=v * scale)


def gamma_gamma_log_likelihood(
    params: GammaGammaParams, frequency: Any, monetary_value: Any
) -> FloatArray:
    """Each customer's log-likelihood of the mean repeat-order value (needs x > 0, m > 0)."""
    x, m = _gg_data(frequency, monetary_value)
    p, q, v = params.p, params.q, params.v
    result: FloatArray = (
        special.gammaln(p * x + q)
        - special.gammaln(p * x)
        - special.gammaln(q)
        + q * math.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(v + x * m)
    )
    return result


def expected_order_value(
    params: GammaGammaParams, frequency: Any, monetary_value: Any
) -> FloatArray:
    """E[order value | x, mean value]: the population mean p v / (q - 1) shrunk towards the
    customer's own mean by the weight p x / (p x + q - 1); the population mean where x == 0."""
    x, m = _gg_data(frequency, monetary_value)
    p, q, v = params.p, params.q, params.v
    if q <= 1:
        raise ValueError("q must exceed 1 for a finite mean order value")
    population = p * v / (q - 1)
    own = np.where(x > 0, m, 0.0)
    weight = p * x / (p * x + q - 1)
    result: FloatArray = (1 - weight) * population + weight * own
    return result


# --- parameter uncertainty (Laplace approximation) --------------------------------------

# A direction of the log-parameters with less curvature than this in the total
# log-likelihood (a flat or not positive-definite Hessian) gets variance 1 at most.
_MIN_CURVATURE = 1.0
_HESSIAN_STEP = 1e-4


def _covariance(
    objective: Callable[[FloatArray], tuple[float, FloatArray]], theta: FloatArray, total: float
) -> FloatArray:
    """Inverse Hessian of ``total`` x objective at theta, by central differences of the
    analytic gradient; eigenvalues below _MIN_CURVATURE are raised to it."""
    n = theta.size
    hessian = np.empty((n, n))
    with np.errstate(all="ignore"):
        for i in range(n):
            step = np.zeros(n)
            step[i] = _HESSIAN_STEP
            hessian[i] = (objective(theta + step)[1] - objective(theta - step)[1]) / (
                2 * _HESSIAN_STEP
            )
    hessian = 0.5 * (hessian + hessian.T) * total
    if not np.all(np.isfinite(hessian)):
        return np.eye(n) / _MIN_CURVATURE
    eigenvalues, vectors = np.linalg.eigh(hessian)
    eigenvalues = np.maximum(eigenvalues, _MIN_CURVATURE)
    result: FloatArray = (vectors / eigenvalues) @ vectors.T
    return result


def bgnbd_covariance(
    params: BGNBDParams,
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    weights: Any = None,
    penalizer: float = 0.0,
) -> FloatArray:
    """Covariance of log(r, alpha, a, b) at a fit, by the Laplace approximation.

    The inverse Hessian of the total weighted negative log-likelihood (with the fit's
    penalty) in log-parameters; a direction the data barely constrain gets variance 1.
    """
    x, tx, big_t, _ = _summary(frequency, recency, T)
    w = _weights(weights, x.size)
    keep = w > 0
    x, tx, big_t, w = x[keep], tx[keep], big_t[keep], w[keep]
    total = float(w.sum())
    if total <= 0:
        return np.eye(4) / _MIN_CURVATURE
    scale = _dot(w, big_t) / total
    theta = np.log([params.r, params.alpha / scale, params.a, params.b])
    objective = _bgnbd_objective(x, tx / scale, big_t / scale, w, penalizer)
    return _covariance(objective, theta, total)


def gamma_gamma_covariance(
    params: GammaGammaParams,
    frequency: Any,
    monetary_value: Any,
    *,
    weights: Any = None,
    penalizer: float = 0.0,
) -> FloatArray:
    """Covariance of (log p, log(q - 1), log v) at a Gamma-Gamma fit (Laplace), on the
    customers the fit used (frequency > 0, positive mean value)."""
    x, m = _gg_data(frequency, monetary_value)
    w = _weights(weights, x.size)
    keep = (x > 0) & (m > 0) & (w > 0)
    x, m, w = x[keep], m[keep], w[keep]
    total = float(w.sum())
    if total <= 0 or params.q <= 1:
        return np.eye(3) / _MIN_CURVATURE
    scale = _dot(w, m) / total
    theta = np.log([params.p, params.q - 1.0, params.v / scale])
    objective = _gamma_gamma_objective(x, m / scale, w, penalizer)
    return _covariance(objective, theta, total)

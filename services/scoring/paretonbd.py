"""Pareto/NBD model: maximum-likelihood fit, per-customer predictions, fit covariance.

Pareto/NBD (Schmittlein, Morrison & Colombo 1987) models repeat purchases: while alive a
customer buys at a Poisson rate lambda ~ Gamma(r, alpha), and the lifetime is exponential
with rate mu ~ Gamma(s, beta), so that a customer may drop out at any moment (BG/NBD only
lets them drop out right after a purchase). Published fit on the CDNOW 1/10 sample, in
weeks: r=0.55, alpha=10.58, s=0.61, beta=11.67 (Fader, Hardie & Lee 2005, "Counting your
customers the easy way").

Inputs are those of services/scoring/bgnbd.py: frequency x = number of repeat purchase
days, recency t_x = time from the first to the last purchase, T = time from the first
purchase to the as-of date, all in one time unit chosen by the caller (weeks in the
pipeline). Everything is vectorised over numpy arrays.

The likelihood (Fader & Hardie 2005, "A note on deriving the Pareto/NBD model and
related expressions") is

    L = Gamma(r+x) alpha^r beta^s / Gamma(r) * [ (alpha+T)^-(r+x) (beta+T)^-s
        + s * integral_{t_x}^{T} (alpha+u)^-(r+x) (beta+u)^-(s+1) du ],

the first term "still alive at T", the second "dropped out at some u after the last
purchase". The note writes the integral with the Gaussian hypergeometric function,
2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+y)) when alpha >= beta and
2F1(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+y)) when alpha < beta. Here each is taken
through Euler's transformation to 2F1(1, r+x; r+s+x+1; .) and 2F1(1, s+1; r+s+x+1; .):
both lie between 1 and 1/(1-z), so nothing overflows however large x is (the note's form
grows like ((beta+y)/(alpha+y))^(r+x) when alpha < beta), and all the rest is in logs.
scipy's 2F1 is used only where z <= 0.7 (a series there, under a microsecond a value
whatever the parameters); where t_x is nearer the singularity, the integral from t_x to
T is summed by Gauss-Legendre over that interval of the data, so that a fit costs what
its data cost wherever the optimiser wanders (scipy's 2F1 near z = 1 takes from a
microsecond to half a millisecond a value depending on the parameters).

The fit maximises the weighted mean log-likelihood over log-parameters with L-BFGS-B
(Nelder-Mead as a fallback, both shared with bgnbd.py); the gradient is by central
differences, since the derivatives of 2F1 in its parameters have no closed form. The
2F1 terms are evaluated once per distinct (x, t_x) and (x, T), so a fit on full CDNOW
takes a fraction of a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import special

from services.scoring.bgnbd import (
    FloatArray,
    ModelFitError,
    _check_converged,
    _dot,
    _fit_data,
    _minimize,
    _summary,
    _weights,
)

__all__ = [
    "ModelFitError",
    "ParetoNBDParams",
    "expected_purchases",
    "fit_covariance",
    "fit_paretonbd",
    "p_alive",
    "paretonbd_log_likelihood",
    "prob_no_purchase",
]

# Central-difference steps in log-parameters: for the fit's gradient (error ~1e-10 on a
# mean log-likelihood of order 1) and for the Hessian of the covariance.
_GRADIENT_STEP = 1e-5
_HESSIAN_STEP = 1e-4
# Fits with more distinct (x, t_x) and (x, T) pairs than this run on rounded times first
# (grid in units of the mean T), then take Newton steps on the exact data until the
# gradient is below _NEWTON_GTOL (L-BFGS-B's own tolerance).
_EXACT_LIMIT = 20_000
_ROUNDING_GRID = 1.0 / 128
_NEWTON_STEPS = 6
_NEWTON_GTOL = 1e-7
# Near s = 1 the conditional expectation's (1 - q^(s-1)) / (s-1) is 0/0; its series is used.
_S_NEAR_ONE = 1e-8
# scipy's 2F1 where its argument is at most _SERIES_Z (there it sums the series, each
# term at most _SERIES_Z times the one before: some 100 terms, under a microsecond);
# above it, Gauss-Legendre nodes per panel, at most this many panels.
_SERIES_Z = 0.7
_QUADRATURE_NODES = 10
_MAX_PANELS = 64
_LEGENDRE = np.polynomial.legendre.leggauss(_QUADRATURE_NODES)


@dataclass(frozen=True)
class ParetoNBDParams:
    """Fitted Pareto/NBD parameters: purchase rate ~ Gamma(r, alpha), dropout rate ~
    Gamma(s, beta) (rates per unit of time; alpha and beta in that unit)."""

    r: float
    alpha: float
    s: float
    beta: float

    def to_dict(self) -> dict[str, float]:
        """The parameters by name, e.g. for storing with a scoring run."""
        return {k: float(v) for k, v in asdict(self).items()}


# --- the likelihood -----------------------------------------------------------------------


def _series_start(alpha: float, beta: float) -> float:
    """The y from which the 2F1 argument |alpha-beta| / (max(alpha,beta)+y) is at most
    _SERIES_Z."""
    return max(abs(alpha - beta) / _SERIES_Z - max(alpha, beta), 0.0)


def _log_tail(y: FloatArray, big_r: FloatArray, s: float, alpha: float, beta: float) -> FloatArray:
    """log of (r+s+x) * integral_y^inf (alpha+u)^-R (beta+u)^-(s+1) du, with R = r+x, for
    y >= _series_start(alpha, beta) (NaN before it).

    The note's 2F1(R+s, .; R+s+1; z) / (max(alpha,beta)+y)^(R+s), after Euler's
    transformation: for alpha >= beta,
        (alpha+y)^-R (beta+y)^-s 2F1(1, R; R+s+1; (alpha-beta)/(alpha+y)),
    for alpha < beta,
        (alpha+y)^-(R-1) (beta+y)^-(s+1) 2F1(1, s+1; R+s+1; (beta-alpha)/(beta+y)).
    At alpha = beta both give (alpha+y)^-(R+s). With z <= 0.7 scipy sums the series,
    each term at most z times the one before ((b+n)/(c+n) < 1), so some 100 terms reach
    machine precision whatever R and s (a test checks it against the series). Nearer 1,
    scipy's 2F1 costs from a microsecond to a millisecond a value depending on the
    parameters, and fails in places: _log_dead_by_quadrature is used there.
    """
    y, big_r = np.broadcast_arrays(np.asarray(y, dtype=np.float64), big_r)
    far = y >= _series_start(alpha, beta)
    y, big_r = y[far], big_r[far]
    log_a = np.log(alpha + y)
    log_b = np.log(beta + y)
    c = big_r + s + 1.0
    z = abs(alpha - beta) / (max(alpha, beta) + y)
    with np.errstate(all="ignore"):
        if alpha >= beta:
            hyp = special.hyp2f1(1.0, big_r, c, z)
            tail = -big_r * log_a - s * log_b + np.log(hyp)
        else:
            hyp = special.hyp2f1(1.0, s + 1.0, c, z)
            tail = -(big_r - 1.0) * log_a - (s + 1.0) * log_b + np.log(hyp)
    result: FloatArray = np.full(far.shape, np.nan)
    result[far] = tail
    return result


def _pieces(
    lo: FloatArray, hi: FloatArray, big_r: FloatArray, s: float, alpha: float, beta: float
) -> FloatArray:
    """integral_lo^hi (alpha+u)^-R (beta+u)^-(s+1) du / the integrand at lo, by Gauss-Legendre.

    On panels that double in width from u = lo, clipped at hi: the first is no longer than
    every scale on which the integrand changes at lo ((alpha+lo)/R and (beta+lo)/(s+1)),
    and each is no wider than its distance from the singularities at u = -alpha, -beta, so
    each is integrated to near machine precision. A piece has as many panels as doublings
    from the first width to hi - lo (at most _MAX_PANELS, the last reaching hi).
    """
    nodes, weights = _LEGENDRE
    big_a, big_b = alpha + lo, beta + lo
    width0 = np.minimum(big_a / big_r, big_b / (s + 1.0))
    span = hi - lo
    with np.errstate(all="ignore"):
        doublings = np.nan_to_num(np.ceil(np.log2(span / width0 + 1.0)), nan=1.0)
    counts = np.clip(doublings, 1, _MAX_PANELS).astype(np.intp)
    # Each piece its own number of panels: the pieces' panels one after another.
    row = np.repeat(np.arange(lo.size), counts)
    k = np.arange(row.size) - np.repeat(np.cumsum(counts) - counts, counts)
    last = k == counts[row] - 1
    left = np.minimum(width0[row] * (2.0**k - 1.0), span[row])
    right = np.where(last, span[row], np.minimum(width0[row] * (2.0 ** (k + 1.0) - 1.0), span[row]))
    half = 0.5 * (right - left)
    w = (left + half)[:, None] + half[:, None] * nodes  # u - lo, panels x nodes
    log_f = np.log1p(w * (1.0 / big_a)[row, None])
    log_f *= -big_r[row, None]
    w *= (1.0 / big_b)[row, None]
    log_f -= (s + 1.0) * np.log1p(w, out=w)
    area = np.bincount(row, weights=(np.exp(log_f, out=log_f) @ weights) * half, minlength=lo.size)
    return np.asarray(area, dtype=np.float64)


def _log_dead_by_quadrature(
    tx: FloatArray, big_t: FloatArray, big_r: FloatArray, s: float, alpha: float, beta: float
) -> FloatArray:
    """log of s * integral_{t_x}^{T} (alpha+u)^-R (beta+u)^-(s+1) du, by quadrature.

    Rows with the same R and t_x (all one-time buyers share t_x = 0) are taken in order of
    T: each row's integral is the previous row's plus the piece between the two Ts, and
    short pieces need one panel. The cost is that of the data's intervals, whatever the
    parameters; the sums (of positive pieces, each relative to the integrand at t_x, the
    largest value) are done within each run of rows by doubling steps.
    """
    order = np.lexsort((big_t, tx, big_r))
    tx_o, t_o, r_o = tx[order], big_t[order], big_r[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = (tx_o[1:] != tx_o[:-1]) | (r_o[1:] != r_o[:-1])
    lo = tx_o.copy()
    lo[~first] = t_o[:-1][~first[1:]]
    log_f_tx = -r_o * np.log(alpha + tx_o) - (s + 1.0) * np.log(beta + tx_o)
    log_f_lo = -r_o * np.log(alpha + lo) - (s + 1.0) * np.log(beta + lo)
    total = _pieces(lo, t_o, r_o, s, alpha, beta) * np.exp(log_f_lo - log_f_tx)
    run = np.cumsum(first)
    longest = int(np.max(np.diff(np.append(np.flatnonzero(first), order.size))))
    shift = 1
    while shift < longest:
        same = run[shift:] == run[:-shift]
        total[shift:] += np.where(same, total[:-shift], 0.0)
        shift *= 2
    result = np.empty(order.size)
    with np.errstate(divide="ignore"):
        result[order] = math.log(s) + log_f_tx + np.log(total)
    return result


def _log_dead(
    s: float, big_r: FloatArray, log_tail_tx: FloatArray, log_tail_t: FloatArray
) -> FloatArray:
    """log of s * integral_{t_x}^{T} ...: the tails' difference, in logs; -inf at t_x = T."""
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.minimum(log_tail_t - log_tail_tx, 0.0)
        result: FloatArray = math.log(s) - np.log(big_r + s) + log_tail_tx + np.log(-np.expm1(gap))
    return result


def _log_dead_rows(
    params: ParetoNBDParams,
    big_r: FloatArray,
    tx: FloatArray,
    big_t: FloatArray,
    log_tail_tx: FloatArray,
    log_tail_t: FloatArray,
) -> FloatArray:
    """_log_dead from the tails where t_x is past _series_start, by quadrature before it."""
    log_dead = _log_dead(params.s, big_r, log_tail_tx, log_tail_t)
    near = tx < _series_start(params.alpha, params.beta)
    if np.any(near):
        log_dead[near] = _log_dead_by_quadrature(
            tx[near], big_t[near], big_r[near], params.s, params.alpha, params.beta
        )
    return log_dead


def _log_terms(
    params: ParetoNBDParams, x: FloatArray, tx: FloatArray, big_t: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The log-likelihood pieces: the constant in x, log "alive at T", log "dropped out
    between t_x and T" (up to the constant)."""
    r, alpha, s, beta = params.r, params.alpha, params.s, params.beta
    big_r = r + x
    const = special.gammaln(big_r) - special.gammaln(r) + r * math.log(alpha) + s * math.log(beta)
    log_alive = -big_r * np.log(alpha + big_t) - s * np.log(beta + big_t)
    tx, big_t = np.broadcast_arrays(tx, big_t)
    log_dead = _log_dead_rows(
        params,
        np.broadcast_to(big_r, tx.shape),
        tx,
        big_t,
        _log_tail(tx, big_r, s, alpha, beta),
        _log_tail(big_t, big_r, s, alpha, beta),
    )
    return const, log_alive, log_dead


def paretonbd_log_likelihood(
    params: ParetoNBDParams, frequency: Any, recency: Any, T: Any
) -> FloatArray:
    """Each customer's log-likelihood under the Pareto/NBD model."""
    x, tx, big_t, _ = _summary(frequency, recency, T)
    const, log_alive, log_dead = _log_terms(params, x, tx, big_t)
    result: FloatArray = const + np.logaddexp(log_alive, log_dead)
    return result


def _group(
    *columns: FloatArray,
) -> tuple[tuple[FloatArray, ...], np.ndarray[Any, np.dtype[np.intp]]]:
    """The distinct rows of the columns (sorted) and each row's index among them: what
    np.unique(axis=0) gives, by one lexsort (several times faster on 100,000 rows)."""
    order = np.lexsort(columns[::-1])
    changed = np.zeros(order.size, dtype=bool)
    changed[:1] = True
    for column in columns:
        ordered = column[order]
        changed[1:] |= ordered[1:] != ordered[:-1]
    firsts = order[changed]
    inverse = np.empty(order.size, dtype=np.intp)
    inverse[order] = np.cumsum(changed) - 1
    return tuple(np.ascontiguousarray(column[firsts]) for column in columns), inverse


def _mean_log_likelihood(
    x: FloatArray, tx: FloatArray, big_t: FloatArray, w: FloatArray
) -> tuple[Callable[[FloatArray], float], int]:
    """The weighted mean log-likelihood as a function of the log-parameters, and the
    number of distinct 2F1 terms it evaluates.

    Rows are merged per distinct (x, t_x, T); the 2F1 tails are evaluated once per
    distinct (x, t_x) and once per distinct (x, T), the constant once per distinct x.
    """
    total = float(w.sum())
    (x, tx, big_t), inverse = _group(x, tx, big_t)
    w = np.bincount(inverse, weights=w, minlength=x.size).astype(np.float64)
    xu, x_inv = np.unique(x, return_inverse=True)
    weight_x = np.bincount(x_inv.ravel(), weights=w, minlength=xu.size)
    (x_tx, tx_u), tx_inv = _group(x, tx)
    (x_t, t_u), t_inv = _group(x, big_t)

    def mean_ll(theta: FloatArray) -> float:
        r, alpha, s, beta = (float(v) for v in np.exp(theta))
        with np.errstate(all="ignore"):
            const = (
                special.gammaln(r + xu)
                - special.gammaln(r)
                + r * math.log(alpha)
                + s * math.log(beta)
            )
            tail_tx = _log_tail(tx_u, r + x_tx, s, alpha, beta)[tx_inv]
            tail_t = _log_tail(t_u, r + x_t, s, alpha, beta)[t_inv]
            big_r = r + x
            log_alive = -big_r * np.log(alpha + big_t) - s * np.log(beta + big_t)
            params = ParetoNBDParams(r=r, alpha=alpha, s=s, beta=beta)
            log_dead = _log_dead_rows(params, big_r, tx, big_t, tail_tx, tail_t)
            ll = _dot(weight_x, const) + _dot(w, np.logaddexp(log_alive, log_dead))
        value = ll / total
        return value if math.isfinite(value) else -math.inf

    return mean_ll, tx_u.size + t_u.size


def _central_gradient(f: Callable[[FloatArray], float], theta: FloatArray, f0: float) -> FloatArray:
    grad = np.zeros(theta.size)
    for i in range(theta.size):
        step = np.zeros(theta.size)
        step[i] = _GRADIENT_STEP
        up, down = f(theta + step), f(theta - step)
        if not (math.isfinite(up) and math.isfinite(down)):
            # At the edge of the finite region: one-sided, or give up (L-BFGS-B backs off).
            up, down = (up, f0) if math.isfinite(up) else (f0, down)
            grad[i] = (up - down) / _GRADIENT_STEP if math.isfinite(up - down) else 0.0
        else:
            grad[i] = (up - down) / (2 * _GRADIENT_STEP)
    return grad


def _objective(
    mean_ll: Callable[[FloatArray], float], penalizer: float
) -> tuple[Callable[[FloatArray], tuple[float, FloatArray]], Callable[[FloatArray], float]]:
    """Negative mean log-likelihood plus the penalty, and its gradient (central
    differences: eight more likelihoods); then the value alone."""

    def penalised(theta: FloatArray) -> float:
        return -mean_ll(theta) + penalizer * _dot(theta, theta)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        value = penalised(theta)
        if not math.isfinite(value):
            return math.inf, np.zeros(theta.size)
        return value, _central_gradient(penalised, theta, value)

    def value_only(theta: FloatArray) -> float:
        value = penalised(theta)
        return value if math.isfinite(value) else math.inf

    return objective, value_only


def fit_paretonbd(
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    weights: Any = None,
    penalizer: float = 0.0,
) -> ParetoNBDParams:
    """Fit Pareto/NBD by maximum likelihood.

    ``weights`` are optional counts of identical (x, t_x, T) rows. ``penalizer`` adds
    penalizer * sum(log(param)**2) to the negative mean log-likelihood, with alpha and
    beta measured in units of the mean T (as in fit_bgnbd). The fit does not depend on
    the unit of time: alpha and beta come back in the caller's unit.
    Raises ModelFitError when the data are too thin or the fit does not converge.
    """
    model = "Pareto/NBD repeat-purchase model"
    data = _fit_data(frequency, recency, T, weights, penalizer, model)
    # Start: r = 1, alpha from the mean purchase rate, a mean lifetime of about T (s=1, beta=1).
    start = np.log(np.array([1.0, 1.0 / data.mean_rate, 1.0, 1.0]))
    theta, value, ok = _fit_theta(data.x, data.tx, data.big_t, data.w, penalizer, start)
    _check_converged(theta, value, ok, model)
    r, alpha, s, beta = (float(v) for v in np.exp(theta))
    return ParetoNBDParams(r=r, alpha=alpha * data.scale, s=s, beta=beta * data.scale)


def _hessian(f: Callable[[FloatArray], float], theta: FloatArray) -> FloatArray:
    """The Hessian of f at theta by central differences."""
    h = _HESSIAN_STEP
    n = theta.size
    eye = np.eye(n) * h
    f0 = f(theta)
    hessian = np.zeros((n, n))
    for i in range(n):
        hessian[i, i] = (f(theta + eye[i]) - 2 * f0 + f(theta - eye[i])) / h**2
        for j in range(i):
            hessian[i, j] = hessian[j, i] = (
                f(theta + eye[i] + eye[j])
                - f(theta + eye[i] - eye[j])
                - f(theta - eye[i] + eye[j])
                + f(theta - eye[i] - eye[j])
            ) / (4 * h**2)
    return hessian


def _fit_theta(
    x: FloatArray,
    tx: FloatArray,
    big_t: FloatArray,
    w: FloatArray,
    penalizer: float,
    start: FloatArray,
) -> tuple[FloatArray, float, bool]:
    """The penalised maximum-likelihood log-parameters (time in units of the mean T).

    With many distinct histories (continuous times) each likelihood costs tens of
    milliseconds, and L-BFGS-B with a differenced gradient needs some 200 of them. Then
    the fit runs first on t_x and T rounded to a fine grid (a few thousand distinct
    2F1 terms), and is finished on the exact data by Newton steps with the rounded
    data's Hessian (the two differ by the rounding only, so one or two steps reach
    the exact optimum); L-BFGS-B on the exact data is the fallback.
    """
    exact_ll, distinct = _mean_log_likelihood(x, tx, big_t, w)
    exact, exact_value = _objective(exact_ll, penalizer)
    if distinct <= _EXACT_LIMIT:
        return _minimize(exact, start, exact_value)
    grid = _ROUNDING_GRID
    rounded_ll, _ = _mean_log_likelihood(
        x, np.round(tx / grid) * grid, np.round(big_t / grid) * grid, w
    )
    rounded, rounded_value = _objective(rounded_ll, penalizer)
    theta, _, ok = _minimize(rounded, start, rounded_value)
    if ok:
        hessian = _hessian(lambda t: -rounded_ll(t) + penalizer * _dot(t, t), theta)
        value, grad = exact(theta)
        if np.all(np.isfinite(hessian)) and np.all(np.linalg.eigvalsh(hessian) > 0):
            for _ in range(_NEWTON_STEPS):
                if not math.isfinite(value):
                    break
                if float(np.max(np.abs(grad))) < _NEWTON_GTOL:
                    return theta, value, True
                trial = theta - np.linalg.solve(hessian, grad)
                trial_value, trial_grad = exact(trial)
                if not trial_value <= value + 1e-12:
                    break
                theta, value, grad = trial, trial_value, trial_grad
    return _minimize(exact, theta if ok else start, exact_value)


def fit_covariance(
    params: ParetoNBDParams, frequency: Any, recency: Any, T: Any, weights: Any = None
) -> FloatArray:
    """Covariance of the fitted log-parameters (log r, log alpha, log s, log beta).

    The inverse of the observed information: minus the Hessian of the total (weighted
    sum, unpenalised) log-likelihood in log-parameters, by central differences at
    ``params``. For a maximum-likelihood fit this is the Laplace (normal) approximation
    of the parameters' uncertainty: log-parameters ~ Normal(log(params), covariance),
    e.g. to draw parameter sets for intervals. Pass the data and weights of the fit.
    It does not depend on the time unit (alpha and beta rescale, their logs shift).
    Raises ModelFitError when the likelihood is not curved at ``params`` (not a maximum).
    """
    x, tx, big_t, _ = _summary(frequency, recency, T)
    w = _weights(weights, x.size)
    keep = w > 0
    x, tx, big_t, w = x[keep], tx[keep], big_t[keep], w[keep]
    total = float(w.sum())
    if total <= 0:
        raise ValueError("fit_covariance needs customers with a positive weight")
    scale = _dot(w, big_t) / total
    mean_ll, _ = _mean_log_likelihood(x, tx / scale, big_t / scale, w)
    theta = np.log([params.r, params.alpha / scale, params.s, params.beta / scale])
    hessian = _hessian(mean_ll, theta)
    information = -hessian * total
    if not np.all(np.isfinite(information)) or np.any(np.linalg.eigvalsh(information) <= 0):
        raise ModelFitError(
            "The Pareto/NBD fit's uncertainty cannot be estimated at these parameters (the "
            "likelihood is not at a clear maximum). Refit the model on this order history."
        )
    inverse = np.linalg.inv(information)
    covariance: FloatArray = np.asarray(0.5 * (inverse + inverse.T), dtype=np.float64)
    return covariance


# --- predictions --------------------------------------------------------------------------


def _log_odds_alive(
    params: ParetoNBDParams, x: FloatArray, tx: FloatArray, big_t: FloatArray
) -> FloatArray:
    _, log_alive, log_dead = _log_terms(params, x, tx, big_t)
    with np.errstate(invalid="ignore"):
        result: FloatArray = log_alive - log_dead
    return result


def p_alive(params: ParetoNBDParams, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """P(the customer is still alive at T | x, t_x, T)."""
    x, tx, big_t, _ = _summary(frequency, recency, T)
    result: FloatArray = special.expit(_log_odds_alive(params, x, tx, big_t))
    return result


def expected_purchases(
    params: ParetoNBDParams, t: Any, frequency: Any, recency: Any, T: Any
) -> FloatArray:
    """E[X(T, T+t] | x, t_x, T]: expected purchases (purchase days) in the next t.

    Alive at T, lambda ~ Gamma(r+x, alpha+T) and mu ~ Gamma(s, beta+T) a posteriori, and
    E[lambda / mu (1 - e^(-mu t))] = (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T) /
    (beta+T+t))^(s-1)] (Schmittlein, Morrison & Colombo 1987); times P(alive).
    """
    x, tx, big_t, t_arr = _summary(frequency, recency, T, t)
    r, alpha, s, beta = params.r, params.alpha, params.s, params.beta
    # (1 - q^(s-1)) / (s-1) with log q = -log(1 + t/(beta+T)), also at s = 1.
    log_q = -np.log1p(t_arr / (beta + big_t))
    eps = s - 1.0
    if abs(eps) < _S_NEAR_ONE:
        factor = -log_q * (1.0 + 0.5 * eps * log_q)
    else:
        factor = -np.expm1(eps * log_q) / eps
    given_alive = (r + x) * (beta + big_t) / (alpha + big_t) * factor
    result: FloatArray = np.maximum(given_alive * p_alive(params, x, tx, big_t), 0.0)
    return result


def prob_no_purchase(
    params: ParetoNBDParams, t: Any, frequency: Any, recency: Any, T: Any
) -> FloatArray:
    """P(no purchase in (T, T+t] | x, t_x, T).

    "x purchases, the last at t_x, none after it until T+t" is the event whose likelihood
    is L(x, t_x, T+t), whether the customer dies before T, between T and T+t or lives on,
    so the answer is L(x, t_x, T+t) / L(x, t_x, T). Equivalently (tests check both)
    1 - P(alive) + P(alive) E[(mu + lambda e^(-(lambda+mu) t)) / (lambda+mu)] over the
    posterior given alive at T: silent if dead already, or dying before the next purchase.
    """
    x, tx, big_t, t_arr = _summary(frequency, recency, T, t)
    const, log_alive, log_dead = _log_terms(params, x, tx, big_t)
    _, log_alive_later, log_dead_later = _log_terms(params, x, tx, big_t + t_arr)
    log_now = np.logaddexp(log_alive, log_dead)
    log_later = np.logaddexp(log_alive_later, log_dead_later)
    result: FloatArray = np.clip(np.exp(log_later - log_now), 0.0, 1.0)
    return result

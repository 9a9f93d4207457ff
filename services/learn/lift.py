"""Lift of the contacted over the held-out: rates, revenue, and what was won back.

- Re-engagement rates: the difference p1 - p0 (contacted minus held out) with Newcombe's
  hybrid score interval (Newcombe 1998, Statistics in Medicine 17:873-890, method 10):
  each rate gets its Wilson score interval (l, u), and

      low  = d - sqrt((p1 - l1)^2 + (u0 - p0)^2)
      high = d + sqrt((u1 - p1)^2 + (p0 - l0)^2)

  It stays inside [-1, 1], behaves at rates near 0 or 1, and covers close to its
  nominal level at the sizes a book of accounts gives, where the plain Wald interval
  does not.
- Revenue: the difference of the mean revenue per customer (re-engaged or not), with a
  studentised (bootstrap-t) interval. Revenue is skewed: most customers order nothing and
  a few spend a great deal, so a small held-out group's mean rests on a handful of orders,
  and a sample that happens to lack a big spender looks both better and surer than it is.
  Resampling the held out alone cannot show that (their sample has no big spender to
  draw), which is why the plain percentile bootstrap covers the truth well under its
  stated rate (a 95% interval held the true lift 82-90% of the time in
  bench/roi_coverage.py; this one 94-97%).
  So the resampling world (``HeldOutWorld``) keeps the held out's chance of ordering, but
  draws their order values from every customer who ordered in either group (one
  population, split at random), and each resample's lift is divided by its own standard
  error, the held out's taken from the resample's order count and those pooled values.
  The contacted are resampled from their own customers. The interval is

      [d - q_high x se, d - q_low x se]

  with q the resamples' quantiles of (d* - d~) / se* (d~ the lift of the resampling world).
  Seeded, so the same data always gives the same interval.
- Won back: the revenue of the contacted customers who re-engaged, and the incremental
  revenue, defined once: the revenue lift per customer (above) x the contacted customers,
  with the same bootstrap interval scaled alike (the revenue the outreach caused, beyond
  what the held-out say would have come anyway). Every surface (the report, Results, the
  exports) shows this one figure, so the per-customer lift times the contacted count is
  the incremental revenue.

"Not enough data yet" (``enough`` False): fewer than ``MIN_GROUP_SIZE`` (30) customers
in either group, or fewer than ``MIN_EVENTS`` (5) re-engaged in both groups together, or
fewer than 5 not re-engaged. The figures are still computed when they can be (they are
None only when a group is empty), for a view that wants to show them greyed out.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

MIN_GROUP_SIZE = 30
MIN_EVENTS = 5
DEFAULT_CONFIDENCE = 0.95
DEFAULT_RESAMPLES = 2000
# Resamples are drawn in blocks of about this many indices, to bound memory on big books.
_BLOCK_ELEMENTS = 2_000_000

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ProportionLift:
    """Re-engagement of the contacted (1) against the held out (0), with the lift's interval."""

    contacted_n: int
    contacted_reengaged: int
    holdout_n: int
    holdout_reengaged: int
    contacted_rate: float | None
    holdout_rate: float | None
    lift: float | None
    low: float | None
    high: float | None
    confidence: float
    enough: bool


@dataclass(frozen=True)
class RevenueLift:
    """Mean revenue per customer in the window, contacted against held out, bootstrapped."""

    contacted_n: int
    holdout_n: int
    contacted_mean_cents: float | None
    holdout_mean_cents: float | None
    lift_cents: float | None
    low_cents: float | None
    high_cents: float | None
    confidence: float
    resamples: int
    enough: bool


@dataclass(frozen=True)
class WonBack:
    """Revenue of the re-engaged contacted customers and the part the outreach added."""

    reengaged_customers: int
    revenue_cents: int
    average_cents: float | None
    incremental_customers: float | None
    incremental_cents: float | None
    incremental_low_cents: float | None
    incremental_high_cents: float | None
    enough: bool


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1: {confidence}")
    # The standard library's normal quantile (Wichura's AS241, exact to float precision):
    # scipy.stats takes a second to import, which Results' headline would wait for.
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson_interval(
    x: npt.ArrayLike, n: npt.ArrayLike, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval (no continuity correction) of x successes in n, elementwise."""
    z = _z(confidence)
    xs = np.asarray(x, dtype=np.float64)
    ns = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        denominator = ns + z * z
        centre = (xs + z * z / 2.0) / denominator
        half = z * np.sqrt(xs * (ns - xs) / ns + z * z / 4.0) / denominator
    return centre - half, centre + half


def newcombe_interval(
    x1: npt.ArrayLike,
    n1: npt.ArrayLike,
    x0: npt.ArrayLike,
    n0: npt.ArrayLike,
    confidence: float = DEFAULT_CONFIDENCE,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """p1 - p0 and Newcombe's hybrid score interval (method 10), elementwise over arrays."""
    a1 = np.asarray(x1, dtype=np.float64)
    m1 = np.asarray(n1, dtype=np.float64)
    a0 = np.asarray(x0, dtype=np.float64)
    m0 = np.asarray(n0, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1 = a1 / m1
        p0 = a0 / m0
    l1, u1 = wilson_interval(a1, m1, confidence)
    l0, u0 = wilson_interval(a0, m0, confidence)
    d = p1 - p0
    low = d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return d, low, high


def enough_data(n1: int, n0: int, events: int) -> bool:
    """Whether two groups of n1 and n0 customers with this many re-engaged are enough."""
    return (
        min(n1, n0) >= MIN_GROUP_SIZE and events >= MIN_EVENTS and (n1 + n0 - events) >= MIN_EVENTS
    )


def proportion_lift(
    x1: int, n1: int, x0: int, n0: int, confidence: float = DEFAULT_CONFIDENCE
) -> ProportionLift:
    """Re-engagement rates of x1/n1 contacted and x0/n0 held out, and the lift's interval."""
    for x, n in ((x1, n1), (x0, n0)):
        if n < 0 or not 0 <= x <= n:
            raise ValueError(f"need 0 <= re-engaged <= customers, got {x} of {n}")
    _z(confidence)
    rate1 = x1 / n1 if n1 else None
    rate0 = x0 / n0 if n0 else None
    lift = low = high = None
    if n1 and n0:
        d, lo, hi = newcombe_interval(x1, n1, x0, n0, confidence)
        lift, low, high = float(d), float(lo), float(hi)
    return ProportionLift(
        contacted_n=n1,
        contacted_reengaged=x1,
        holdout_n=n0,
        holdout_reengaged=x0,
        contacted_rate=rate1,
        holdout_rate=rate0,
        lift=lift,
        low=low,
        high=high,
        confidence=confidence,
        enough=enough_data(n1, n0, x1 + x0),
    )


def _bootstrap_moments(
    values: FloatArray, resamples: int, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Means and mean squares of ``resamples`` resamples with replacement of ``values``.

    Most customers bring no revenue, and a zero adds nothing to a sum: how many of a
    resample's n picks land on the k non-zero values is Binomial(n, k/n), and those picks
    are uniform over them. Drawing just those (about k per resample, not n) gives exactly
    the same distribution of resample sums, several times faster on a typical book."""
    n = len(values)
    nonzero = values[values != 0]
    k = len(nonzero)
    if k == 0:
        return np.zeros(resamples), np.zeros(resamples)
    hits = rng.binomial(n, k / n, size=resamples)
    return _sums_of_picks(nonzero, hits, n, rng)


def _sums_of_picks(
    pool: FloatArray, hits: npt.NDArray[np.int64], n: int, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Per resample, ``hits`` values drawn uniformly from ``pool``: their sum and sum of
    squares, each over ``n`` (the means and mean squares of resamples of n customers)."""
    resamples = len(hits)
    means, squares = np.empty(resamples), np.empty(resamples)
    block = max(1, _BLOCK_ELEMENTS // max(len(pool), 1))
    for first in range(0, resamples, block):
        part = hits[first : first + block]
        picks = pool[rng.integers(0, len(pool), size=int(part.sum()))]
        rows = np.repeat(np.arange(len(part)), part)
        means[first : first + len(part)] = np.bincount(rows, picks, minlength=len(part)) / n
        squares[first : first + len(part)] = (
            np.bincount(rows, picks * picks, minlength=len(part)) / n
        )
    return means, squares


def _variance(mean: FloatArray | float, square: FloatArray | float, n: int) -> FloatArray:
    """The sample variance (n - 1) of n values from their mean and mean square."""
    spread = np.asarray(square, dtype=np.float64) - np.asarray(mean, dtype=np.float64) ** 2
    return np.asarray(np.maximum(spread, 0.0) * n / max(n - 1, 1), dtype=np.float64)


@dataclass(frozen=True)
class HeldOutWorld:
    """The held out's revenue as the interval resamples it: their own chance of ordering,
    the order values of everyone who ordered in either group."""

    n: int
    mean: float  # the held out's own mean revenue
    variance: float  # its variance per customer in this world
    world_mean: float  # the mean revenue per customer of this world
    means: FloatArray  # per resample
    variances: FloatArray  # per resample, per customer


def held_out_world(
    held: FloatArray, contacted: FloatArray, resamples: int, rng: np.random.Generator
) -> HeldOutWorld:
    """Resample the held out's revenue: an order count ~ Binomial(n, their share who
    ordered), its values drawn from the pooled non-zero revenues of both groups."""
    n = len(held)
    pool = np.concatenate([contacted[contacted != 0], held[held != 0]])
    share = np.count_nonzero(held) / n
    if not len(pool):
        zeros = np.zeros(resamples)
        return HeldOutWorld(n, float(held.mean()), 0.0, 0.0, zeros, zeros)
    first, second = float(pool.mean()), float((pool * pool).mean())
    hits = rng.binomial(n, share, size=resamples)
    means, _ = _sums_of_picks(pool, hits, n, rng)
    shares = hits / n
    return HeldOutWorld(
        n=n,
        mean=float(held.mean()),
        variance=float(_variance(share * first, share * second, n)),
        world_mean=share * first,
        means=means,
        variances=_variance(shares * first, shares * second, n),
    )


def studentised_interval(
    estimate: float,
    se: float,
    world_estimate: float,
    estimates: FloatArray,
    ses: FloatArray,
    confidence: float,
) -> tuple[float, float]:
    """The bootstrap-t interval: ``estimate`` less the resamples' quantiles of
    (estimate* - world_estimate) / se*, in units of ``se``. Resamples without spread
    (se* of 0) say nothing about the pivot's spread and are left out."""
    spread = ses > 0
    if se <= 0 or not spread.any():
        return estimate, estimate
    pivots = (estimates[spread] - world_estimate) / ses[spread]
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(pivots, [tail, 1.0 - tail])
    return estimate - float(high) * se, estimate - float(low) * se


def bootstrap_revenue_lift(
    revenue1: npt.ArrayLike,
    revenue0: npt.ArrayLike,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int | np.random.Generator = 0,
) -> RevenueLift:
    """Mean revenue per contacted minus per held-out customer, with its bootstrap-t
    interval (the module's docstring)."""
    r1, r0, n1, n0, rng = _two_groups(revenue1, revenue0, confidence, resamples, seed)
    lift = low = high = None
    if n1 and n0:
        held = held_out_world(r0, r1, resamples, rng)
        means1, squares1 = _bootstrap_moments(r1, resamples, rng)
        variance1 = float(_variance(r1.mean(), float((r1 * r1).mean()), n1))
        lift = float(r1.mean() - r0.mean())
        se = float(np.sqrt(variance1 / n1 + held.variance / n0))
        ses = np.sqrt(_variance(means1, squares1, n1) / n1 + held.variances / n0)
        low, high = studentised_interval(
            lift, se, float(r1.mean()) - held.world_mean, means1 - held.means, ses, confidence
        )
    return _revenue_lift(r1, r0, lift, low, high, confidence, resamples)


def bootstrap_mean_difference(
    values1: npt.ArrayLike,
    values0: npt.ArrayLike,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int | np.random.Generator = 0,
) -> RevenueLift:
    """Mean of ``values1`` minus mean of ``values0`` with a percentile bootstrap interval,
    each group resampled on its own: for measures that are not revenue (a change in a
    satisfaction score), where no order values are shared between the groups."""
    r1, r0, n1, n0, rng = _two_groups(values1, values0, confidence, resamples, seed)
    lift = low = high = None
    if n1 and n0:
        diffs = (
            _bootstrap_moments(r1, resamples, rng)[0] - _bootstrap_moments(r0, resamples, rng)[0]
        )
        tail = (1.0 - confidence) / 2.0
        lo, hi = np.quantile(diffs, [tail, 1.0 - tail])
        lift, low, high = float(r1.mean() - r0.mean()), float(lo), float(hi)
    return _revenue_lift(r1, r0, lift, low, high, confidence, resamples)


def _two_groups(
    values1: npt.ArrayLike,
    values0: npt.ArrayLike,
    confidence: float,
    resamples: int,
    seed: int | np.random.Generator,
) -> tuple[FloatArray, FloatArray, int, int, np.random.Generator]:
    _z(confidence)
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1: {resamples}")
    r1 = np.asarray(values1, dtype=np.float64)
    r0 = np.asarray(values0, dtype=np.float64)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return r1, r0, len(r1), len(r0), rng


def _revenue_lift(
    r1: FloatArray,
    r0: FloatArray,
    lift: float | None,
    low: float | None,
    high: float | None,
    confidence: float,
    resamples: int,
) -> RevenueLift:
    n1, n0 = len(r1), len(r0)
    return RevenueLift(
        contacted_n=n1,
        holdout_n=n0,
        contacted_mean_cents=float(r1.mean()) if n1 else None,
        holdout_mean_cents=float(r0.mean()) if n0 else None,
        lift_cents=lift,
        low_cents=low,
        high_cents=high,
        confidence=confidence,
        resamples=resamples,
        enough=enough_data(n1, n0, int(np.count_nonzero(r1) + np.count_nonzero(r0))),
    )


def won_back(
    revenue_contacted: npt.ArrayLike,
    reengaged_contacted: npt.ArrayLike,
    lift: ProportionLift,
    revenue_lift: RevenueLift,
) -> WonBack:
    """Won-back revenue of the contacted, and the incremental revenue with its interval.

    Incremental revenue = the revenue lift per customer x contacted customers, its
    interval the bootstrap interval of the revenue lift x contacted customers; negative
    when the contacted spent less than the held out. Incremental customers = the
    re-engagement lift x contacted customers.
    """
    revenue = np.asarray(revenue_contacted, dtype=np.int64)
    reengaged = np.asarray(reengaged_contacted, dtype=bool)
    if revenue.shape != reengaged.shape:
        raise ValueError("revenue and re-engaged flags must have one entry per customer")
    if len(revenue) != lift.contacted_n:
        raise ValueError(
            f"{len(revenue)} contacted customers given, the lift counts {lift.contacted_n}"
        )
    if revenue_lift.contacted_n != lift.contacted_n:
        raise ValueError(
            f"the revenue lift counts {revenue_lift.contacted_n} contacted customers, "
            f"the lift {lift.contacted_n}"
        )
    count = int(reengaged.sum())
    total = int(revenue[reengaged].sum())
    average = total / count if count else None

    def scaled(per_customer: float | None) -> float | None:
        return None if per_customer is None else per_customer * lift.contacted_n

    incremental_customers = None if lift.lift is None else lift.lift * lift.contacted_n
    return WonBack(
        reengaged_customers=count,
        revenue_cents=total,
        average_cents=average,
        incremental_customers=incremental_customers,
        incremental_cents=scaled(revenue_lift.lift_cents),
        incremental_low_cents=scaled(revenue_lift.low_cents),
        incremental_high_cents=scaled(revenue_lift.high_cents),
        enough=revenue_lift.enough,
    )

"""The demo's true effect of outreach, varying by customer in a known way.

Each past alert i has a true chance ``baseline_i`` that its customer orders within the
window when not contacted, and a true uplift ``uplift_i`` (how much an email raises that
chance): the contacted arm's chance is ``baseline_i + uplift_i`` (times the strategy's
multiplier when the demo simulates strategies; 1 otherwise). Both depend on what the
customer looked like when the alert was raised:

- the uplift is largest for recent repeat buyers (quiet for 60 to about 120 days, several
  orders before), falls with the days since the last order, and is close to zero, or a
  little negative, for customers quiet most of a year with only two orders;
- the baseline is a little higher for frequent buyers, whatever their recency.

Both are scaled so that their means over the alerts are the demo's arm rates as before
(``BASELINE_RATE`` and ``CONTACTED_RATE - BASELINE_RATE``): the arms' mean true rates do
not move, and the Learn tests that recover them still hold.

The draw keeps "exactly the true share of each arm re-engages" (services/demo/outreach.py)
and adds "who, by their own chance": systematic sampling with inclusion probabilities
proportional to each member's chance (Madow's method, the members in a random order)
picks exactly the arm's share, and each member is picked with its own chance (rescaled by
the arm's few-percent difference between the share and the mean chance). Each alert's
``uplift_i`` is kept in the demo's ``outreach`` truth (``uplift``), so a test can
score a ranking against the truth.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_RECENT_DAYS = 60.0  # the alert's earliest quiet spell (services/demo/outreach.py)
_FADE_DAYS = 120.0  # the uplift's shape: halves about every 120 quiet days beyond 60
_NEGATIVE_FROM = 0.05  # the last bit of the shape is below zero (annoyed, not moved)


def true_effects(
    quiet_days: IntArray, orders_before: IntArray, baseline_rate: float, contacted_rate: float
) -> tuple[FloatArray, FloatArray]:
    """Each alert's true (baseline, uplift): means ``baseline_rate`` and
    ``contacted_rate - baseline_rate`` over the alerts."""
    m = len(quiet_days)
    if m == 0:
        return np.zeros(0), np.zeros(0)
    quiet = np.asarray(quiet_days, dtype=np.float64)
    orders = np.asarray(orders_before, dtype=np.float64)
    fade = np.exp(-np.maximum(quiet - _RECENT_DAYS, 0.0) / _FADE_DAYS * np.log(2.0))
    loyalty = np.minimum(orders - 1.0, 5.0) / 5.0  # 0 for two orders, 1 for six or more
    shape = fade * (0.4 + 0.6 * loyalty) - _NEGATIVE_FROM
    lift = contacted_rate - baseline_rate
    uplift = shape * (lift / shape.mean()) if shape.mean() > 0 else np.full(m, lift)
    base_shape = 0.8 + 0.4 * loyalty
    baseline = base_shape * (baseline_rate / base_shape.mean())
    # The contacted chance stays a chance (it does on the demo's shapes: at most ~0.45).
    uplift = np.clip(baseline + uplift, 0.0, 1.0) - baseline
    return baseline, uplift


def draw_share(
    rng: np.random.Generator, members: IntArray, chance: FloatArray, rate: float
) -> IntArray:
    """Exactly ``round(len(members) × rate)`` of the members, each picked with about its
    own ``chance`` (rescaled so the chances sum to that count): systematic sampling over
    the members in a random order."""
    n = len(members)
    k = int(np.floor(n * rate + 0.5))
    if k == 0 or n == 0:
        return members[:0]
    weights = np.clip(np.asarray(chance, dtype=np.float64), 1e-9, None)
    p = weights * (k / weights.sum())
    # A chance above one cannot be rescaled into a probability: cap it and spread the
    # rest over the others (a few passes settle it on any demo).
    for _ in range(20):
        over = p > 1.0
        if not over.any():
            break
        p[over] = 1.0
        rest = ~over
        p[rest] *= (k - over.sum()) / p[rest].sum()
    order = rng.permutation(n)
    edges = np.concatenate([[0.0], np.cumsum(p[order])])
    points = rng.random() + np.arange(k)
    hit = np.searchsorted(edges, points, side="right") - 1
    picked = order[np.clip(hit, 0, n - 1)]
    return np.sort(members[np.unique(picked)])

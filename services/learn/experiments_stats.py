"""The statistics of a strategy experiment: each strategy against the holdout
and against each other, with intervals adjusted for the number of comparisons.

- Each strategy's re-engagement rate x/n (the contacted customers given it) with its
  Wilson interval; its lift over the held-out customers of the same rules and bands, and
  each pair's difference, with Newcombe's hybrid score interval (services/learn/lift.py:
  the same intervals as every other lift in Learn).
- Bonferroni's adjustment: with k strategies there are m = k + k(k-1)/2 comparisons (each
  against the holdout, each pair), and every interval is drawn at 1 - alpha/m instead of
  1 - alpha (95% -> 99.17% for two strategies against a holdout: m = 3). So the chance
  that any of the intervals misses its true value, and so of naming a false winner, stays
  at or under alpha. Simpler than Holm's step-down and a little more cautious; with the
  few comparisons of an experiment the difference is small.
- A winner is named only when every strategy has enough data (services/learn/lift.py's
  ``enough_data`` for each pair) and one strategy's adjusted interval against every other
  lies above zero. Otherwise "No winner yet", saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from services.core.formatting import format_percent
from services.learn.claims import LIFT_NO_EFFECT, claim, why_unclear
from services.learn.lift import (
    DEFAULT_CONFIDENCE,
    MIN_GROUP_SIZE,
    enough_data,
    newcombe_interval,
    wilson_interval,
)


@dataclass(frozen=True)
class StrategyCounts:
    """One strategy's contacted customers and how many re-engaged."""

    key: str
    label: str
    n: int
    reengaged: int


@dataclass(frozen=True)
class StrategyFigures:
    """One strategy's rate, and its lift over the holdout, with adjusted intervals."""

    key: str
    label: str
    n: int
    reengaged: int
    rate: float | None
    rate_low: float | None
    rate_high: float | None
    lift: float | None  # rate minus the holdout's rate
    lift_low: float | None
    lift_high: float | None


@dataclass(frozen=True)
class PairFigures:
    """The difference of two strategies' rates (first minus second), adjusted interval."""

    first: str
    second: str
    difference: float | None
    low: float | None
    high: float | None
    enough: bool


@dataclass(frozen=True)
class Comparison:
    """Every strategy against the holdout and against each other, and the verdict."""

    strategies: tuple[StrategyFigures, ...]
    pairs: tuple[PairFigures, ...]
    holdout_n: int
    holdout_reengaged: int
    holdout_rate: float | None
    comparisons: int  # m: Bonferroni's divisor
    confidence: float  # the family's (95%)
    adjusted_confidence: float  # each interval's: 1 - (1 - confidence) / m
    winner: str | None  # the key of the winning strategy
    verdict: str  # "Warm tone wins: …" or "No winner yet: …"

    @property
    def method(self) -> str:
        """The adjustment in words."""
        return (
            f"Intervals adjusted by Bonferroni for {self.comparisons} comparisons (each at "
            f"{self.adjusted_confidence * 100:.2f}%), so the chance of a false winner stays "
            f"at or under {(1 - self.confidence) * 100:.0f}%."
        )


def comparisons(strategies: int) -> int:
    """m: each strategy against the holdout, and each pair."""
    return strategies + strategies * (strategies - 1) // 2


def adjusted(confidence: float, m: int) -> float:
    """Bonferroni: each of m intervals at 1 - alpha / m."""
    return 1.0 - (1.0 - confidence) / max(m, 1)


def _figures(c: StrategyCounts, x0: int, n0: int, level: float) -> StrategyFigures:
    rate = low = high = lift = lift_low = lift_high = None
    if c.n:
        rate = c.reengaged / c.n
        lo, hi = wilson_interval(c.reengaged, c.n, level)
        low, high = float(lo), float(hi)
    if c.n and n0:
        d, lo, hi = newcombe_interval(c.reengaged, c.n, x0, n0, level)
        lift, lift_low, lift_high = float(d), float(lo), float(hi)
    return StrategyFigures(
        c.key, c.label, c.n, c.reengaged, rate, low, high, lift, lift_low, lift_high
    )


def _pair(a: StrategyCounts, b: StrategyCounts, level: float) -> PairFigures:
    ok = enough_data(a.n, b.n, a.reengaged + b.reengaged)
    if not (a.n and b.n):
        return PairFigures(a.key, b.key, None, None, None, ok)
    d, lo, hi = newcombe_interval(a.reengaged, a.n, b.reengaged, b.n, level)
    return PairFigures(a.key, b.key, float(d), float(lo), float(hi), ok)


def winner_of(keys: list[str], pairs: tuple[PairFigures, ...]) -> str | None:
    """The strategy whose adjusted interval lies above zero against every other one."""
    for key in keys:
        beats = 0
        for p in pairs:
            if not p.enough or p.low is None or p.high is None:
                return None
            if (p.first == key and p.low > 0) or (p.second == key and p.high < 0):
                beats += 1
        if beats == len(keys) - 1:
            return key
    return None


def compare(
    counts: list[StrategyCounts],
    holdout: tuple[int, int],
    confidence: float = DEFAULT_CONFIDENCE,
) -> Comparison:
    """Each strategy against the holdout ((re-engaged, customers)) and the others."""
    x0, n0 = holdout
    m = comparisons(len(counts))
    level = adjusted(confidence, m)
    figures = tuple(_figures(c, x0, n0, level) for c in counts)
    pairs = tuple(_pair(a, b, level) for a, b in combinations(counts, 2))
    winner = winner_of([c.key for c in counts], pairs) if len(counts) >= 2 else None
    return Comparison(
        strategies=figures,
        pairs=pairs,
        holdout_n=n0,
        holdout_reengaged=x0,
        holdout_rate=x0 / n0 if n0 else None,
        comparisons=m,
        confidence=confidence,
        adjusted_confidence=level,
        winner=winner,
        verdict=_verdict(figures, pairs, winner, level),
    )


def _points(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100 + 0.0:+.1f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else format_percent(value)


def _verdict(
    figures: tuple[StrategyFigures, ...],
    pairs: tuple[PairFigures, ...],
    winner: str | None,
    level: float,
) -> str:
    """The verdict in words: the winner, led by "No clear effect yet" when even its lift
    over the holdout may be zero (it beat the others, not necessarily doing nothing)."""
    by_key = {f.key: f for f in figures}
    if winner is not None:
        best = by_key[winner]
        others = ", ".join(f"{f.label} {_pct(f.rate)}" for f in figures if f.key != winner)
        against = f"{_pct(best.rate)} re-engaged against {others}"
        lift = "no held-out customers to compare with"
        if best.lift is not None:
            lift = (
                f"re-engagement {best.lift * 100:+.1f} points against the holdout "
                f"({level * 100:.2f}% CI {_points(best.lift_low)} to {_points(best.lift_high)}, "
                f"{why_unclear('zero')})"
            )
        return claim(
            f"{best.label} wins: {against}, and the adjusted intervals agree.",
            best.lift_low,
            best.lift_high,
            LIFT_NO_EFFECT,
            unclear=f"{best.label} did best ({against}), but {lift}.",
        )
    small = [f.label for f in figures if f.n < MIN_GROUP_SIZE]
    if small:
        return (
            f"No winner yet: fewer than {MIN_GROUP_SIZE} customers counted with {', '.join(small)}."
        )
    if any(not p.enough for p in pairs):
        return "No winner yet: too few customers came back to tell the strategies apart."
    return "No winner yet: the adjusted intervals overlap; the strategies may do as well."

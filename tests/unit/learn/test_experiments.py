"""Results of the strategy experiments (services/learn/experiments*.py): every figure
against a direct computation on a small hand-made book, and an A/A experiment that names a
winner no more often than the stated rate."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import norm
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from app.workspace import open_workspace, to_url
from models.schema import Alert, Customer, Order, Outreach
from services.alerts.experiments import ExperimentSpec, Strategy, draw, start_experiment
from services.learn.claims import NO_CLEAR_EFFECT
from services.learn.experiments import experiments_report
from services.learn.experiments_stats import StrategyCounts, compare
from tests.unit.alerts.test_alerts_rules import NOW, at

TWO = (Strategy("warm", "Warm tone", "warm"), Strategy("concise", "Concise tone", "concise"))


def wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def newcombe(x1: int, n1: int, x0: int, n0: int, z: float) -> tuple[float, float, float]:
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson(x1, n1, z)
    l0, u0 = wilson(x0, n0, z)
    d = p1 - p0
    return d, d - math.hypot(p1 - l1, u0 - p0), d + math.hypot(u1 - p1, p0 - l0)


@contextlib.contextmanager
def workspace(tmp_path: Path) -> Iterator[Any]:
    ws = open_workspace(to_url(str(tmp_path / "book.radar.sqlite")), backup=False)
    try:
        yield ws
    finally:
        ws.close()


def book(engine: Any, contacted: int, held: int) -> None:
    """``contacted`` customers of the outreach arm and ``held`` held out, one alert each
    (medium band, raised 40 days ago); every customer whose number is a multiple of 3
    orders 30 days ago (inside the window of an email sent 39 days ago, or of the alert)."""
    with Session(engine) as s, s.begin():
        for k in range(contacted + held):
            s.add(Customer(source="t", external_id=f"K{k:03d}", name=f"K{k}", email=f"k{k}@x.io"))
    with engine.begin() as conn:
        ids = [int(i) for i in conn.execute(text("SELECT id FROM customers ORDER BY id")).scalars()]
        conn.execute(
            insert(Alert),
            [
                {
                    "customer_id": c,
                    "rule_key": "gone_quiet",
                    "severity": "warning",
                    "status": "open",
                    "reason": "test",
                    "created_at": at(40),
                    "holdout": k >= contacted,
                    "holdout_band": "medium",
                }
                for k, c in enumerate(ids)
            ],
        )
        conn.execute(
            insert(Order),
            [
                {
                    "customer_id": c,
                    "external_id": f"O{c}",
                    "source": "t",
                    "order_date": at(30),
                    "amount_cents": 5000,
                    "status": "paid",
                }
                for k, c in enumerate(ids)
                if k % 3 == 0
            ],
        )


def email_everyone(engine: Any) -> None:
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT customer_id, id FROM alerts WHERE NOT holdout")).all()
        conn.execute(
            insert(Outreach),
            [
                {
                    "customer_id": c,
                    "alert_id": a,
                    "status": "sent",
                    "subject": "Hi",
                    "body": "Hello",
                    "created_at": at(39),
                    "sent_at": at(39),
                }
                for c, a in rows
            ],
        )


def test_each_figure_matches_a_direct_computation(tmp_path: Path) -> None:
    with workspace(tmp_path) as ws:
        book(ws.engine, contacted=90, held=45)
        spec = ExperimentSpec("Tone test", "tone", TWO, ("gone_quiet",), ("medium",), seed=3)
        start_experiment(ws.engine, spec, now=at(41))
        email_everyone(ws.engine)
        report = experiments_report(ws.engine, NOW)
        with ws.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT x.strategy, c.external_id FROM experiment_assignments x "
                    "JOIN customers c ON c.id = x.customer_id"
                )
            ).all()
    (result,) = report.experiments
    by_strategy: dict[str, list[int]] = {"warm": [], "concise": []}
    for strategy, external in rows:
        by_strategy[strategy].append(int(external[1:]))
    x = {s: sum(1 for k in ks if k % 3 == 0) for s, ks in by_strategy.items()}
    n = {s: len(ks) for s, ks in by_strategy.items()}
    x0, n0 = sum(1 for k in range(90, 135) if k % 3 == 0), 45
    comparison = result.comparison
    assert comparison.holdout_n == n0
    assert comparison.holdout_reengaged == x0
    assert comparison.comparisons == 3  # two against the holdout, one pair
    z = float(norm.ppf(1 - 0.05 / 3 / 2))  # Bonferroni: each interval at 1 - 0.05 / 3
    for figures in comparison.strategies:
        key = figures.key
        assert (figures.n, figures.reengaged) == (n[key], x[key])
        assert figures.rate == pytest.approx(x[key] / n[key])
        d, low, high = newcombe(x[key], n[key], x0, n0, z)
        assert figures.lift == pytest.approx(d)
        assert figures.lift_low == pytest.approx(low)
        assert figures.lift_high == pytest.approx(high)
        assert (figures.rate_low, figures.rate_high) == pytest.approx(wilson(x[key], n[key], z))
    (pair,) = comparison.pairs
    d, low, high = newcombe(x["warm"], n["warm"], x["concise"], n["concise"], z)
    assert (pair.difference, pair.low, pair.high) == pytest.approx((d, low, high))
    # The same share of each came back: no winner, and the words say why.
    assert comparison.winner is None
    assert comparison.verdict.startswith("No winner yet: ")
    assert "Bonferroni for 3 comparisons" in comparison.method
    assert sum(s.assigned for s in result.strategies) == 90
    assert len(result.holdout_ids) == 45


def test_a_winner_is_named_only_when_the_adjusted_interval_supports_it() -> None:
    clear = compare(
        [StrategyCounts("a", "A", 400, 120), StrategyCounts("b", "B", 400, 50)], (20, 200)
    )
    assert clear.winner == "a"
    assert clear.verdict.startswith("A wins: 30% re-engaged against B 12%")
    close = compare(
        [StrategyCounts("a", "A", 400, 106), StrategyCounts("b", "B", 400, 80)], (20, 200)
    )
    # Unadjusted, a 95% interval would exclude zero here; adjusted for 3 comparisons not.
    d, low95, _ = newcombe(106, 400, 80, 400, float(norm.ppf(0.975)))
    assert low95 > 0
    assert close.winner is None
    assert close.pairs[0].low is not None
    assert close.pairs[0].low < 0
    small = compare([StrategyCounts("a", "A", 20, 15), StrategyCounts("b", "B", 20, 1)], (2, 40))
    assert small.winner is None
    assert "fewer than 30 customers" in small.verdict


def test_an_a_a_experiment_names_a_false_winner_at_no_more_than_the_stated_rate() -> None:
    """Two identical strategies on one hand-made book of 600 contacted customers (a fixed
    outcome each, 20% re-engaged, in three bands): the experiment's real draw, run with
    400 seeds, names a winner in at most alpha (5%) of them plus the sampling margin."""
    rng = np.random.default_rng(40)
    bands = rng.choice(["low", "medium", "high"], 600).tolist()
    came_back = rng.random(600) < 0.2
    runs, winners = 400, 0
    for seed in range(runs):
        chosen, _blocks, _positions, _after = draw(bands, seed, 2, {})
        group = np.asarray(chosen)
        counts = [
            StrategyCounts(k, k, int((group == i).sum()), int(came_back[group == i].sum()))
            for i, k in enumerate(("same", "again"))
        ]
        winners += compare(counts, (25, 150)).winner is not None
    alpha = 0.05
    margin = 2 * math.sqrt(alpha * (1 - alpha) / runs)
    assert winners / runs <= alpha + margin


def test_a_winner_no_better_than_the_holdout_leads_with_no_clear_effect() -> None:
    # A beats B clearly, but against a holdout doing as well as A its lift may be zero.
    unclear = compare(
        [StrategyCounts("a", "A", 400, 120), StrategyCounts("b", "B", 400, 50)], (30, 100)
    )
    assert unclear.winner == "a"
    assert unclear.verdict.startswith(f"{NO_CLEAR_EFFECT}: A did best (30% re-engaged against B")
    assert "the interval includes zero" in unclear.verdict
    clear = compare(
        [StrategyCounts("a", "A", 400, 120), StrategyCounts("b", "B", 400, 50)], (20, 200)
    )
    assert NO_CLEAR_EFFECT not in clear.verdict

"""The demo's strategy experiment (services/demo/strategies.py): two tones of different
true effects, assigned by the app's own draw within the risk bands, and Results'
comparison finds the one the marker says is better."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import text

from app.workspace import Workspace
from services.demo.strategies import NAME, STRATEGIES
from services.learn.experiments import experiments_report
from tests.unit.demo.test_demo_outreach import MIDNIGHT, _truths, default_demo

__all__ = ["default_demo"]  # the module's demo, used by name


def test_the_demo_experiment_finds_the_true_winner(default_demo: Workspace) -> None:
    truth = _truths(default_demo)["outreach"]["experiment"]
    assert truth["name"] == NAME
    assert truth["winner"] == "warm"
    rates = {s["key"]: s["true_rate"] for s in truth["strategies"]}
    assert rates["warm"] > rates["concise"]
    # The multipliers average 1: the contacted arm's mean true rate is unchanged.
    assert sum(m for *_r, m in STRATEGIES) / len(STRATEGIES) == 1.0
    report = experiments_report(default_demo.engine, MIDNIGHT.to_pydatetime())
    (result,) = [r for r in report.experiments if r.name == NAME]
    assert result.comparison.winner == truth["winner"]
    assert result.comparison.verdict.startswith("Warm tone wins: ")
    warm, concise = result.comparison.strategies
    assert warm.n >= 200
    assert concise.n >= 200
    # Each strategy's measured rate sits near its true one (exact shares are drawn).
    for figures in (warm, concise):
        assert abs(figures.rate - rates[figures.key]) < 0.03  # type: ignore[operator]


def test_the_assignment_is_stored_stratified_and_outside_the_holdout(
    default_demo: Workspace,
) -> None:
    with default_demo.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT x.strategy, x.band, a.holdout, o.tone FROM experiment_assignments x "
                "JOIN alerts a ON a.id = x.alert_id "
                "LEFT JOIN outreach o ON o.alert_id = a.id"
            )
        ).all()
        arm = conn.execute(
            text("SELECT COUNT(*) FROM alerts WHERE NOT holdout AND holdout_band IS NOT NULL")
        ).scalar_one()
    assert len(rows) == arm  # every past alert of the outreach arm, once
    assert not any(held for _s, _b, held, _t in rows)
    for band in ("low", "medium", "high"):
        split = Counter(s for s, b, _h, _t in rows if b == band)
        assert abs(split["warm"] - split["concise"]) <= 2  # blocks of 4
    # Each email was written in its strategy's tone.
    assert all(t == s for s, _b, _h, t in rows if t is not None)

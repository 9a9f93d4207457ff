"""The health score per stage and its backtest against one profile.

Two hand-made books of 120 customers scored on 2025-01-01 (horizon 90 days), with only the
recency and product usage components (weights 30 and 15): 60 onboarding (first order 20
days before) and 60 mature (six orders from 2023). Who churned (no order by 2025-04-01) is
planted:

- "stages differ": the mature churn when their recency sub-score is low, the onboarding
  when their product usage is low (their recency is noise). An onboarding profile that
  weighs recency 0 ranks them by usage alone: stage profiles must win.
- "stages alike": churn is a coin toss for everyone; the same profile must not win, and
  the words must say so first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Customer, Order, ScoreSnapshot, ScoringRun
from services.lifecycle.health import (
    StageCheck,
    check_words,
    health_with,
    profile_weights,
    stage_check,
    sub_scores,
)
from services.settings.store import set_setting

T = dt.date(2025, 1, 1)
WEIGHTS = {"recency": 30.0, "product_usage": 15.0}
ONBOARDING_PROFILE = {"onboarding": {"recency": 0}}


def _write_book(engine: Engine, differ: bool, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    with Session(engine) as s, s.begin():
        run = ScoringRun(as_of=T, horizon_days=90, status="finished", customers=120,
                         params={"health_weights": WEIGHTS})  # fmt: skip
        s.add(run)
        s.flush()
        orders, snapshots = [], []
        for i in range(120):
            onboarding = i % 2 == 0
            customer = Customer(name=f"C{i}", source="test", external_id=str(i))
            s.add(customer)
            s.flush()
            days = [T - dt.timedelta(days=20)] if onboarding else [
                dt.date(2023, m, 1) for m in (1, 3, 5, 7, 9, 11)
            ]  # fmt: skip
            recency, usage = float(rng.uniform(0, 100)), float(rng.uniform(0, 100))
            signal = usage if onboarding else recency
            churn = signal < 50 if differ else bool(rng.random() < 0.5)
            if not churn:
                days.append(T + dt.timedelta(days=30))
            orders += [{"customer_id": customer.id, "source": "test",
                        "external_id": f"{i}-{n}", "amount_cents": 1000, "status": "paid",
                        "order_date": dt.datetime.combine(d, dt.time(12))}
                       for n, d in enumerate(days)]  # fmt: skip
            points = {"recency": round(30 * recency / 45, 2),
                      "product_usage": round(15 * usage / 45, 2), "frequency": None}  # fmt: skip
            snapshots.append({"customer_id": customer.id, "as_of": T, "horizon_days": 90,
                              "scoring_run_id": run.id, "churn_risk": 0.2,
                              "health_score": sum(v for v in points.values() if v),
                              "components": {"health": points}})  # fmt: skip
        s.execute(insert(Order), orders)
        s.execute(insert(ScoreSnapshot), snapshots)
        set_setting(s, "scoring.health_weights", WEIGHTS)


@pytest.fixture
def engine(workspace_url: str) -> Iterator[Engine]:
    ws = open_workspace(workspace_url, backup=False)
    yield ws.engine
    ws.close()


def _profiles(engine: Engine, value: dict[str, dict[str, int]]) -> None:
    with Session(engine) as s, s.begin():
        set_setting(s, "lifecycle.health_profiles", value)


def test_sub_scores_are_read_back_from_the_points_and_blended_again() -> None:
    points = {"recency": 30 * 80 / 45, "product_usage": 15 * 20 / 45, "frequency": None}
    parts = sub_scores(points, {**WEIGHTS, "frequency": 20.0})
    assert parts == pytest.approx({"recency": 80.0, "product_usage": 20.0})
    assert health_with(parts, WEIGHTS) == pytest.approx((30 * 80 + 15 * 20) / 45)
    assert health_with(parts, {"recency": 0.0, "product_usage": 15.0}) == pytest.approx(20.0)
    assert health_with({}, WEIGHTS) is None


def test_a_stage_s_profile_is_its_own_weights_over_the_one_profile() -> None:
    weights = profile_weights(WEIGHTS, ONBOARDING_PROFILE, "onboarding")
    assert weights["recency"] == 0.0
    assert weights["product_usage"] == 15.0
    assert profile_weights(WEIGHTS, ONBOARDING_PROFILE, "mature")["recency"] == 30.0


def test_without_profiles_one_profile_is_said(engine: Engine) -> None:
    check = stage_check(engine)
    assert check.verdict == "no_profiles"
    assert not check.stage_profiles_rank
    assert "every stage's health uses the one profile" in check_words(check)


def test_stage_profiles_win_where_stages_truly_differ(engine: Engine) -> None:
    _write_book(engine, differ=True)
    _profiles(engine, ONBOARDING_PROFILE)
    check = stage_check(engine)
    assert check.verdict == "better", check_words(check)
    assert check.stage_profiles_rank
    assert check.customers == 120
    assert check.auc_stage is not None
    assert check.auc_single is not None
    assert check.auc_stage > check.auc_single
    assert check.low is not None
    assert check.low > 0
    assert check_words(check).startswith("Stage health profiles rank who churned better")


def test_one_profile_is_kept_where_stages_do_not_differ(engine: Engine) -> None:
    _write_book(engine, differ=False)
    _profiles(engine, ONBOARDING_PROFILE)
    check = stage_check(engine)
    assert check.verdict == "no_difference", check_words(check)
    assert not check.stage_profiles_rank
    assert check.low is not None
    assert check.high is not None
    assert check.low <= 0 <= check.high
    words = check_words(check)
    assert words.startswith("No measurable difference")
    assert words.endswith("One profile ranks until they beat it.")


def test_too_few_customers_are_said(engine: Engine) -> None:
    words = check_words(StageCheck("too_few", T, 90, 12, 3))
    assert words.startswith("Too few customers to check the stage health profiles (12 followed")


def test_the_verdict_is_kept_and_closes_the_run_s_notes(engine: Engine) -> None:
    from models.schema import ScoringRun
    from services.lifecycle.health import kept_check, record_stage_check

    assert record_stage_check(engine) == ""  # no stage profile: nothing to say
    _write_book(engine, differ=False)
    _profiles(engine, ONBOARDING_PROFILE)
    with Session(engine) as s:
        run_id = s.query(ScoringRun.id).scalar()
    words = record_stage_check(engine, run_id)
    assert words.startswith("No measurable difference")
    with Session(engine) as s:
        assert s.get(ScoringRun, run_id).notes == words  # type: ignore[union-attr]
        assert kept_check(s) == (False, words)


def test_once_stage_profiles_win_the_run_s_health_follows_them(engine: Engine) -> None:
    from models.schema import ScoringRun
    from services.lifecycle.health import parts_of, record_stage_check

    _write_book(engine, differ=True)
    _profiles(engine, ONBOARDING_PROFILE)
    with Session(engine) as s:
        run_id = s.query(ScoringRun.id).scalar()
        before = _health(s)
    words = record_stage_check(engine, run_id)
    assert words.startswith("Stage health profiles rank who churned better")
    with Session(engine) as s:
        after = _health(s)
    changed = [c for c in after if after[c][1].get("health_stage")]
    assert len(changed) == 60  # the onboarding half; the mature keep one profile's
    for cid in changed:
        usage = parts_of(before[cid][1], WEIGHTS)["product_usage"]
        assert after[cid][0] == pytest.approx(usage, abs=0.05)  # recency weighs 0 now
        points = after[cid][1]["health"]
        assert sum(v for v in points.values() if v) == pytest.approx(after[cid][0], abs=0.05)
        # read back under the weights kept with them, the sub-scores are unchanged
        assert parts_of(after[cid][1], WEIGHTS)["product_usage"] == pytest.approx(usage, abs=0.05)
    unchanged = [c for c in after if c not in changed]
    assert all(after[c][0] == before[c][0] for c in unchanged)
    # The next backtest reads the rewritten run the same way: still the same verdict.
    assert record_stage_check(engine, None) == words


def _health(s: Session) -> dict[int, tuple[float, dict[str, object]]]:
    """Each customer's stored health and components."""
    rows = s.query(ScoreSnapshot.customer_id, ScoreSnapshot.health_score,
                   ScoreSnapshot.components)  # fmt: skip
    return {int(c): (float(h), dict(comp)) for c, h, comp in rows}

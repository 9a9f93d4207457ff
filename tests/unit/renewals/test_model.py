"""The renewal model on generated histories (tests/support/renewals_book.py): it forecasts
when the outcome follows the usage, falls back when the outcomes are noise or too few, and
a forecast as of a past date reads nothing dated after it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import (
    Customer,
    Interaction,
    ScoreSnapshot,
    ScoringRun,
    Subscription,
    UsageDay,
)
from models.schema.renewals import Contract, RenewalForecast
from services.renewals.book import read_book
from services.renewals.features import TREND_DAYS, usage_figure
from services.renewals.model import RISK_BASELINE_MISSING, forecast
from services.renewals.records import COLD_START, FITTED, MIN_RENEWALS, Forecast
from services.renewals.store import store_forecasts
from tests.support.renewals_book import fill_history

TODAY = dt.date(2026, 1, 15)


def _engine(tmp_path: Path, name: str) -> Engine:
    return open_workspace(f"sqlite:///{tmp_path / name}", backup=False).engine


def _forecast(engine: Engine, day: dt.date):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return forecast(read_book(session, day))


def test_a_model_that_beats_its_baselines_forecasts(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "signal.db")
    fill_history(engine, 160, signal=True)
    forecasts, test = _forecast(engine, TODAY)
    assert test.beats
    assert test.kind in ("logistic", "boosting")
    assert test.held_out == 80
    assert test.renewals == 160
    assert test.auc is not None
    assert test.auc > 0.75
    assert test.brier is not None
    assert test.rate_brier is not None
    assert test.brier < test.rate_brier
    assert test.verdict.startswith("The model forecasts")
    assert {f.model for f in forecasts} == {FITTED}
    # No scoring existed before these renewals: "one minus the churn risk" ranks nothing,
    # so it is not computed (no AUC of 0.50 shown as a result) and the verdict says so.
    assert test.risk_auc is None
    assert test.risk_brier is None
    assert RISK_BASELINE_MISSING in test.verdict
    # The customers whose usage fell over the quarter are forecast lower than the others.
    with Session(engine) as session:
        book = read_book(session, TODAY)
    trend = {f.customer_id: usage_figure(book, f.customer_id, TODAY, TREND_DAYS) for f in forecasts}
    changes = {c: u.change for c, u in trend.items() if u is not None}
    falling = [f for f in forecasts if (changes.get(f.customer_id) or 0.0) < -0.3]
    steady = [f for f in forecasts if f not in falling]
    assert falling
    assert steady

    def mean(found: list[Forecast]) -> float:
        return sum(f.likelihood for f in found) / len(found)

    assert mean(falling) < mean(steady) - 0.2


def test_scores_from_before_the_renewals_make_the_risk_baseline(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "scored.db")
    fill_history(engine, 160, signal=True)
    with Session(engine) as s, s.begin():
        first = s.scalar(select(func.min(Contract.start_date)))
        assert first is not None
        run = ScoringRun(as_of=first, horizon_days=90, status="finished")
        s.add(run)
        s.flush()
        outcomes = s.execute(select(Contract.customer_id, Contract.outcome)).all()
        # A risk that knows a little: the churned higher, each a little apart.
        s.execute(insert(ScoreSnapshot), [
            {"customer_id": c, "as_of": first, "horizon_days": 90, "scoring_run_id": run.id,
             "churn_risk": (0.6 if outcome == "churned" else 0.4) + (c % 7) / 100}
            for c, outcome in outcomes
        ])  # fmt: skip
    _forecasts, test = _forecast(engine, TODAY)
    assert test.risk_auc is not None
    assert test.risk_auc > 0.6
    assert test.risk_brier is not None
    assert RISK_BASELINE_MISSING not in test.verdict


def test_noise_falls_back_to_the_renewal_rate(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "noise.db")
    fill_history(engine, 160, signal=False)
    forecasts, test = _forecast(engine, TODAY)
    assert not test.beats
    assert "does not beat its baselines" in test.verdict
    assert "renewal rate of past terms" in test.verdict
    with Session(engine) as s:
        renewed = s.scalar(select(func.count()).where(Contract.outcome == "renewed"))
        decided = s.scalar(select(func.count()).where(Contract.outcome != "open"))
    assert {f.model for f in forecasts} == {COLD_START}
    assert {f.likelihood for f in forecasts} == {round(renewed / decided, 4)}


def test_too_few_renewals_say_the_minimum(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "few.db")
    fill_history(engine, 12, signal=True)
    forecasts, test = _forecast(engine, TODAY)
    assert test.kind is None
    assert not test.beats
    assert f"it needs {MIN_RENEWALS}" in test.verdict
    assert forecasts
    assert {f.model for f in forecasts} == {COLD_START}


def test_with_almost_no_history_the_churn_risk_forecasts(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "risk.db")
    fill_history(engine, 3, signal=True)
    with Session(engine) as s, s.begin():
        run = ScoringRun(as_of=TODAY, horizon_days=90, status="finished")
        s.add(run)
        s.flush()
        ids = s.scalars(select(Contract.customer_id).where(Contract.outcome == "open")).all()
        s.execute(insert(ScoreSnapshot), [
            {"customer_id": c, "as_of": TODAY, "horizon_days": 90, "scoring_run_id": run.id,
             "churn_risk": 0.3} for c in ids
        ])  # fmt: skip
    forecasts, test = _forecast(engine, TODAY)
    assert "one minus each customer's churn risk" in test.verdict
    assert forecasts
    assert {f.likelihood for f in forecasts} == {0.7}


def _add_the_future(engine: Engine, after: dt.date) -> None:
    """Records dated after ``after``: outcomes flipped, a new contract, usage, tickets and
    scores, each of which would move a forecast that read it."""
    later = after + dt.timedelta(days=5)
    with Session(engine) as s, s.begin():
        for k in s.scalars(select(Contract).where(Contract.end_date > after)):
            k.outcome = {"renewed": "churned", "churned": "renewed"}.get(k.outcome, k.outcome)
        ids = s.scalars(select(Customer.id)).all()
        s.add(Contract(customer_id=ids[0], start_date=later, end_date=later.replace(year=2027),
                       amount_cents=1000, outcome="open"))  # fmt: skip
        s.execute(insert(UsageDay), [
            {"customer_id": c, "source": "x", "day": later, "events": 10_000} for c in ids
        ])  # fmt: skip
        s.execute(insert(Interaction), [
            {"customer_id": c, "kind": "ticket", "occurred_at": dt.datetime.combine(
                later, dt.time(9), tzinfo=dt.UTC), "sentiment": -0.9} for c in ids
        ])  # fmt: skip
        run = ScoringRun(as_of=later, horizon_days=90, status="finished")
        s.add(run)
        s.flush()
        s.execute(insert(ScoreSnapshot), [
            {"customer_id": c, "as_of": later, "horizon_days": 90, "scoring_run_id": run.id,
             "churn_risk": 0.99, "health_score": 1.0} for c in ids
        ])  # fmt: skip


def test_a_past_date_reads_nothing_after_it(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "past.db")
    fill_history(engine, 160, signal=True)
    past = dt.date(2025, 6, 1)
    before, test_before = _forecast(engine, past)
    with Session(engine) as s:
        ended_later = s.scalar(
            select(func.count()).where(Contract.end_date > past, Contract.outcome != "open")
        )
    # Contracts decided now but after the day are upcoming for that day.
    assert ended_later
    assert len(before) >= ended_later
    _add_the_future(engine, past)
    after, test_after = _forecast(engine, past)
    assert after == before
    assert test_after == test_before
    # Today's forecast does see them (the flipped outcomes, the new contract).
    today, _ = _forecast(engine, TODAY)
    assert len(today) != len(before)


def test_each_run_stores_its_forecasts(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "store.db")
    assert store_forecasts(engine, 1) is None  # no contracts: nothing read, nothing written
    fill_history(engine, 60, signal=True)
    with Session(engine) as s, s.begin():
        runs = [ScoringRun(as_of=day, horizon_days=90, status="finished")
                for day in (dt.date(2025, 6, 1), TODAY)]  # fmt: skip
        s.add_all(runs)
        s.flush()
        run_ids = [r.id for r in runs]
    for run_id in run_ids:
        assert store_forecasts(engine, run_id) is not None
    with Session(engine) as s:
        rows = s.execute(
            select(RenewalForecast.run_id, RenewalForecast.as_of, func.count())
            .group_by(RenewalForecast.run_id, RenewalForecast.as_of)
            .order_by(RenewalForecast.run_id)
        ).all()
        open_today = s.scalar(
            select(func.count()).where(Contract.end_date > TODAY, Contract.outcome == "open")
        )
        contracts_june = s.scalar(
            select(func.count()).where(
                Contract.end_date > dt.date(2025, 6, 1), Contract.start_date <= dt.date(2025, 6, 1)
            )
        )
    assert rows == [(run_ids[0], dt.date(2025, 6, 1), contracts_june),
                    (run_ids[1], TODAY, open_today)]  # fmt: skip
    store_forecasts(engine, run_ids[1])  # again: replaced, not doubled
    with Session(engine) as s:
        count = s.scalar(select(func.count()).where(RenewalForecast.run_id == run_ids[1]))
    assert count == open_today


def test_drivers_in_words(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "words.db")
    fill_history(engine, 40, signal=True)
    with Session(engine) as s, s.begin():
        k = s.scalars(
            select(Contract).where(Contract.outcome == "open").order_by(Contract.end_date.desc())
        ).first()
        assert k is not None
        k.auto_renew, k.notice_days = True, 30
        s.execute(update(Contract).where(Contract.id == k.id).values(seats=12))
        first = k.customer_id
        s.execute(insert(Interaction), [
            {"customer_id": first, "kind": "ticket", "sentiment": -0.8,
             "occurred_at": dt.datetime(2025, 12, d, 9, tzinfo=dt.UTC)} for d in (1, 2)
        ])  # fmt: skip
        end = k.end_date
    forecasts, _ = _forecast(engine, TODAY)
    words = next(f.drivers for f in forecasts if f.customer_id == first)
    notice = end - dt.timedelta(days=30)
    assert "2 tickets with negative sentiment in 180 days" in words
    assert notice > TODAY
    assert f"auto-renews; notice closes {notice:%b} {notice.day}" in words


def test_a_payment_past_due_is_said_today_only(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "payments.db")
    today = dt.date.today()
    fill_history(engine, 12, signal=True, today=today)
    with Session(engine) as s, s.begin():
        k = s.scalars(select(Contract).where(Contract.outcome == "open")).first()
        assert k is not None
        customer = k.customer_id
        s.add(Subscription(customer_id=customer, status="past_due", amount_cents=1000))
    now, _ = _forecast(engine, today)
    assert "a subscription payment past due" in next(
        f.drivers for f in now if f.customer_id == customer
    )
    # A month back the status now says nothing of that day.
    before, _ = _forecast(engine, today - dt.timedelta(days=30))
    assert "a subscription payment past due" not in next(
        f.drivers for f in before if f.customer_id == customer
    )


def test_a_feature_few_past_renewals_show_does_not_move_a_forecast() -> None:
    """Outreach seen before 1 % of past renewals (all renewed) is left out of the fit, and
    a row beyond the range the fit saw is held to it: an upcoming renewal with outreach
    forecasts as the same renewal without it."""
    import numpy as np

    from services.renewals.model import fit, informative

    rng = np.random.default_rng(5)
    n = 400
    signal = rng.normal(size=n)
    rare = np.zeros(n)
    rare[:4] = 1.0  # four rows with the rare feature, each renewed
    x = np.column_stack([signal, rare])
    y = (signal + rng.normal(scale=0.8, size=n) > -0.5).astype(np.int64)
    y[:4] = 1
    assert informative(x).tolist() == [True, False]
    predict = fit("logistic", x, y)
    without, with_it = predict(np.array([[-1.0, 0.0], [-1.0, 5.0]]))
    assert with_it == without
    # The signal still moves it, and a value past the fit's range is held to its edge.
    low, high = predict(np.array([[-2.0, 0.0], [2.0, 0.0]]))
    assert low < without < high
    edge, beyond = predict(np.array([[signal.max(), 0.0], [signal.max() + 50.0, 0.0]]))
    assert beyond == edge

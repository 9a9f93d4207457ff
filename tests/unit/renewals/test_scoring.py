"""Each scoring stores its renewal forecasts (services/usecases/refresh.py): none without
contracts, one a contract open on the run's day with them, as of that day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Customer
from models.schema.renewals import Contract, RenewalForecast
from services.demo import build_demo
from services.usecases.refresh import score_and_alert

TODAY = dt.date(2025, 6, 15)


def test_scoring_stores_the_runs_forecasts(tmp_path: Path) -> None:
    ws = open_workspace(f"sqlite:///{tmp_path / 'demo.db'}", backup=False)
    try:
        engine = ws.engine
        build_demo(engine, customers=200, seed=3, today=TODAY)
        with Session(engine) as s, s.begin():
            s.execute(Contract.__table__.delete())  # the demo's own, if it has any
        first = score_and_alert(engine, as_of=TODAY, horizon_days=90)
        with Session(engine) as s:
            assert s.scalar(select(func.count(RenewalForecast.id))) == 0
        with Session(engine) as s, s.begin():
            ids = s.scalars(select(Customer.id).order_by(Customer.id).limit(6)).all()
            for i, cid in enumerate(ids):
                end = TODAY + dt.timedelta(days=30 * (i - 2))  # -60 .. +90 days
                s.add(Contract(customer_id=cid, start_date=end - dt.timedelta(days=365),
                               end_date=end, amount_cents=100_000, outcome="open"))  # fmt: skip
        today = score_and_alert(engine, as_of=TODAY, horizon_days=90)
        past_day = TODAY - dt.timedelta(days=45)
        past = score_and_alert(engine, as_of=past_day, horizon_days=90)
        with Session(engine) as s:
            rows = s.execute(
                select(RenewalForecast.run_id, RenewalForecast.as_of, func.count(),
                       func.min(RenewalForecast.model))
                .group_by(RenewalForecast.run_id, RenewalForecast.as_of)
                .order_by(RenewalForecast.run_id)
            ).all()  # fmt: skip
    finally:
        ws.close()
    assert first.scores.run_id not in {r[0] for r in rows}
    # Today: the three whose date is ahead (one falls today: not ahead); 45 days back, the
    # one that ended 30 days ago and today's too.
    assert [tuple(r) for r in rows] == [
        (today.scores.run_id, TODAY, 3, "cold_start"),
        (past.scores.run_id, past_day, 5, "cold_start"),
    ]

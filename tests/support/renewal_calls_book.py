"""A small hand-made book for the tests of the owner's renewal calls, the renewal card and
the renewal alerts: seven customers, their contracts, two scoring runs (the older one's
likelihoods superseded) and a few calls, so that every figure can be counted by hand
(the tests hold those counts in their comments). TODAY is the scores' date T.

Customer (owner)  contract   renews      amount          notice  likelihood (model)     calls
A Acme  (Maya)    A1         2026-06-15  $1,000 a month  30 d    31% fitted, drivers    commit at 6
B Birch (Maya)    B1         2026-04-10  $24,000 a year  30 d    80% cold start         none
C Cedar (Leo)     C1         2026-06-01  $500 a month    0       70% fitted             at risk at 6
D Delta (Leo)     D1         2026-05-01  $100 a month    0       20% fitted             none
                  D2         2026-12-31  $2,000 a year   0       90% fitted             none
E Elm   (Maya)    no contracts
F Fir   (Leo)     F1         2025-12-31  $300 a month, renewed (decided)
G Gum   (Maya)    G1         2026-04-01  $200 a month    10 d    none                   none

The older run (2026-02-01) gave A1 90% and B1 10%: the latest run's rows are the ones read.
Every customer is scored (one snapshot each in the latest run; churn risk 10%).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from models.schema import Customer, ScoreSnapshot, ScoringRun
from models.schema.renewals import Contract, RenewalCall, RenewalForecast

TODAY = dt.date(2026, 3, 1)
EARLIER = dt.date(2026, 2, 1)
OWNERS = {"A": "Maya", "B": "Maya", "C": "Leo", "D": "Leo", "E": "Maya", "F": "Leo", "G": "Maya"}
NAMES = {"A": "Acme", "B": "Birch", "C": "Cedar", "D": "Delta", "E": "Elm", "F": "Fir", "G": "Gum"}
# contract -> (customer, end, cents, period, notice days, auto-renew, outcome)
CONTRACTS: dict[str, tuple[str, str, int, str, int, bool, str]] = {
    "A1": ("A", "2026-06-15", 100_000, "month", 30, False, "open"),
    "B1": ("B", "2026-04-10", 2_400_000, "year", 30, True, "open"),
    "C1": ("C", "2026-06-01", 50_000, "month", 0, False, "open"),
    "D1": ("D", "2026-05-01", 10_000, "month", 0, False, "open"),
    "D2": ("D", "2026-12-31", 200_000, "year", 0, False, "open"),
    "F1": ("F", "2025-12-31", 30_000, "month", 0, False, "renewed"),
    "G1": ("G", "2026-04-01", 20_000, "month", 10, False, "open"),
}
# contract -> (likelihood, model, drivers), the latest run
FORECASTS: dict[str, tuple[float, str, list[str]]] = {
    "A1": (0.31, "fitted", ["usage down 40%", "2 late tickets", "seats cut from 12 to 8"]),
    "B1": (0.80, "cold_start", []),
    "C1": (0.70, "fitted", ["steady usage"]),
    "D1": (0.20, "fitted", ["payment failed twice"]),
    "D2": (0.90, "fitted", []),
}
OLDER_FORECASTS = {"A1": 0.90, "B1": 0.10}
# (contract, checkpoint months, call, note, made by, made at)
CALLS = (
    ("A1", 6, "commit", "Budget signed off", "Maya", dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)),
    ("C1", 6, "at_risk", "New CFO reviewing tools", "Leo", dt.datetime(2026, 1, 9, tzinfo=dt.UTC)),
)


def fill_renewal_calls_book(engine: Engine) -> dict[str, Any]:
    """Write the book; returns the ids of customers (by letter) and contracts (by name)."""
    with Session(engine) as s, s.begin():
        ids: dict[str, Any] = {}
        for letter, owner in OWNERS.items():
            c = Customer(source="t", external_id=letter, name=NAMES[letter], owner=owner)
            s.add(c)
            s.flush()
            ids[letter] = int(c.id)
        for name, (who, end, cents, period, notice, auto, outcome) in CONTRACTS.items():
            end_day = dt.date.fromisoformat(end)
            row = Contract(
                customer_id=ids[who], source="t", external_id=name, name=f"Plan {name}",
                start_date=end_day.replace(year=end_day.year - 1), end_date=end_day,
                amount_cents=cents, currency="USD", period=period, auto_renew=auto,
                notice_days=notice, outcome=outcome,
            )  # fmt: skip
            s.add(row)
            s.flush()
            ids[name] = int(row.id)
        for day, likelihoods in ((EARLIER, OLDER_FORECASTS), (TODAY, None)):
            run = ScoringRun(as_of=day, horizon_days=90, status="finished",
                             customers=len(OWNERS), params={"currency": "USD"})  # fmt: skip
            s.add(run)
            s.flush()
            ids[f"run {day.isoformat()}"] = int(run.id)
            s.execute(insert(ScoreSnapshot), [
                {"customer_id": ids[letter], "as_of": day, "horizon_days": 90,
                 "scoring_run_id": run.id, "churn_risk": 0.1, "engagement_score": 50.0,
                 "clv_12m_cents": 10_000, "revenue_at_risk_cents": 1_000}
                for letter in OWNERS
            ])  # fmt: skip
            if likelihoods is not None:
                rows = [(k, p, "fitted", []) for k, p in likelihoods.items()]
            else:
                rows = [(k, p, model, drivers) for k, (p, model, drivers) in FORECASTS.items()]
            s.execute(insert(RenewalForecast), [
                {"run_id": run.id, "contract_id": ids[k], "customer_id": ids[CONTRACTS[k][0]],
                 "as_of": day, "likelihood": p, "model": model, "drivers": drivers}
                for k, p, model, drivers in rows
            ])  # fmt: skip
        for contract, months, call, note, who, at in CALLS:
            s.add(
                RenewalCall(
                    contract_id=ids[contract], customer_id=ids[CONTRACTS[contract][0]],
                    checkpoint_months=months, call=call, note=note, made_by=who, made_at=at,
                    model_likelihood=FORECASTS[contract][0],
                )
            )  # fmt: skip
    return ids

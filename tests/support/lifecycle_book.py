"""A small hand-made book for the lifecycle tests: ten customers whose stages on
2025-06-30 (and on 2025-02-01) can be read off by hand, with the default rules
(onboarding 60 days, renewal 90 days before a contract's end, mature after 365 days and
4 orders; at risk from a churn risk of 60 %).

  who  contracts (start..end)                 paid orders             stage on 06-30
  A    2025-06-01..2026-05-31                 -                       onboarding (contracts)
  B    2024-01-01..2024-12-31, 2025-01-01..   -                       renewal (ends in 62 days)
       2025-08-31
  C    2025-01-01..2025-12-31                 -                       adoption (contracts, 180 days)
  D    2023-06-01..2023-12-31 (ended)         6 from 2023-01-10;      mature (orders)
                                              one more 2025-08-01
  E    -                                      2025-06-10              onboarding (orders, 20 days)
  F    -                                      2025-01-05, 2025-03-05  adoption (orders)
  G    -, record "Lifecycle Stage: Mature"    2025-06-20              mature (the field; by
       (record last updated 2025-03-01)                               orders alone: onboarding)
  H    -                                      6 from 2023-02-01       at risk (churn risk 75 %)
  I    -, signed up 2025-06-25                -                       onboarding (orders: sign-up)
  J    -                                      2025-08-01              not yet a customer

The scoring run of 2025-06-28 (horizon 90 days) gives churn risk and 12-month value:
B 40 % $1,200, D 20 % $500, H 75 % $300, F 50 % $100; a later run, 2025-07-15, puts G at
90 %, which a run as of 2025-06-30 must not see.
Churn after 06-30 (no paid order by 09-28) among those who had ordered: D ordered again
(kept); E, F, G and H did not (churned).

On 2025-02-01: A and E, G, I, J are not customers yet (G's record was updated later; it
had no order); B mature (contracts: 397 days since its first start, 211 days left); C
onboarding (31 days); D mature (orders); F onboarding (27 days since its first order); H
mature (no run as of then).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from models.schema import Contract, Customer, Order, ScoreSnapshot, ScoringRun

AS_OF = dt.date(2025, 6, 30)
EARLY = dt.date(2025, 2, 1)
CONTRACTS: dict[str, tuple[tuple[str, str], ...]] = {
    "A": (("2025-06-01", "2026-05-31"),),
    "B": (("2024-01-01", "2024-12-31"), ("2025-01-01", "2025-08-31")),
    "C": (("2025-01-01", "2025-12-31"),),
    "D": (("2023-06-01", "2023-12-31"),),
}
_SIX_FROM = ("-01-10", "-03-10", "-05-10", "-07-10", "-09-10", "-11-10")
ORDERS: dict[str, tuple[str, ...]] = {
    "D": (*(f"2023{d}" for d in _SIX_FROM), "2025-08-01"),
    "E": ("2025-06-10",),
    "F": ("2025-01-05", "2025-03-05"),
    "G": ("2025-06-20",),
    "H": tuple(f"2023{d}".replace("-01-10", "-02-01") for d in _SIX_FROM),
    "J": ("2025-08-01",),
}
SIGNUPS = {"I": dt.date(2025, 6, 25)}
ATTRIBUTES: dict[str, dict[str, Any]] = {"G": {"Lifecycle Stage": "Mature"}}
UPDATED = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
# run day -> {customer: (churn risk, 12-month value in dollars)}
RUNS: dict[str, dict[str, tuple[float, int]]] = {
    "2025-06-28": {"B": (0.40, 1200), "D": (0.20, 500), "H": (0.75, 300), "F": (0.50, 100)},
    "2025-07-15": {"G": (0.90, 50)},
}
STAGES_ON_AS_OF = {
    "A": "onboarding", "B": "renewal", "C": "adoption", "D": "mature", "E": "onboarding",
    "F": "adoption", "G": "mature", "H": "at_risk", "I": "onboarding",
}  # fmt: skip
STAGES_EARLY = {
    "B": "mature", "C": "onboarding", "D": "mature", "F": "onboarding", "H": "mature",
}  # fmt: skip


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def fill_lifecycle_book(engine: Engine) -> dict[str, int]:
    """Write the book; the customers' ids by letter."""
    ids: dict[str, int] = {}
    with Session(engine) as s, s.begin():
        for letter in "ABCDEFGHIJ":
            customer = Customer(
                name=f"Customer {letter}", email=f"{letter.lower()}@example.com",
                source="test", external_id=letter, signup_date=SIGNUPS.get(letter),
                attributes=ATTRIBUTES.get(letter), updated_at=UPDATED,
            )  # fmt: skip
            s.add(customer)
            s.flush()
            ids[letter] = int(customer.id)
        for letter, terms in CONTRACTS.items():
            for n, (start, end) in enumerate(terms):
                s.add(Contract(customer_id=ids[letter], source="test",
                               external_id=f"{letter}{n}", start_date=_day(start),
                               end_date=_day(end), amount_cents=10_000))  # fmt: skip
        s.execute(insert(Order), [
            {"customer_id": ids[letter], "source": "test", "external_id": f"{letter}{n}",
             "order_date": dt.datetime.combine(_day(day), dt.time(12)),
             "amount_cents": 5_000, "currency": "USD", "status": "paid"}
            for letter, days in ORDERS.items() for n, day in enumerate(days)
        ])  # fmt: skip
        for day, scores in RUNS.items():
            run = ScoringRun(as_of=_day(day), horizon_days=90, status="finished",
                             customers=len(scores), params={"currency": "USD"})  # fmt: skip
            s.add(run)
            s.flush()
            s.execute(insert(ScoreSnapshot), [
                {"customer_id": ids[letter], "as_of": _day(day), "horizon_days": 90,
                 "scoring_run_id": run.id, "churn_risk": risk,
                 "clv_12m_cents": value * 100, "segment": "Loyal", "health_score": 50.0}
                for letter, (risk, value) in scores.items()
            ])  # fmt: skip
    return ids

"""A small hand-made book for the review packs' tests: five customers, their orders, two
scorings, one open alert with its task and one email, so that every figure of a pack can
be counted by hand (the tests hold those counts in their comments). Today is 2026-11-27;
a pack's period is the three months from 2026-08-28.

  A  Ada Lovelace  Maya  Gold    orders 2026-01-10 $100, 2026-05-01 $200, 2026-10-25 $300,
                                  2026-09-01 $50 refunded      (paid: 3, $600; in the period
                                  1 order, $300); phone +1 555 0100
     scorings 2026-08-01 churn 40% health 70; 2026-11-01 churn 70% (60-80%) health 55,
     At Risk, $210 at risk; drivers: "no order in 33 days; usual gap 20 days" (risk, 0.9),
     "customer for 1 year" (good, 0.2)
     an open alert (high risk, high value) with a task "Call Ada about the renewal" due
     2026-12-05, and an email sent 2026-10-20 "Checking in" (an order 5 days later: re-engaged)
  B  Ben Okafor    Leo   Gold    2026-03-03 $80            2026-11-01 churn 65% health 45,
                                                            At Risk, $50 at risk
     a contract "Ben's plan" from 2026-03-01, renewing 2027-03-01 at $100 a month, not
     auto-renewing, notice 30 days (by 2027-01-30); not yet scored for renewal
  C  Cleo Park     Leo   Silver  2026-09-09 $120           2026-11-01 churn 20% health 85,
                                                            Champions, $10 at risk
  D  Dev Rao       Maya  Silver  2025-01-01 $40            2026-11-01 churn 90% health 10,
                                                            Lost, $90 at risk (never "at risk")
  E  Eve Stone     Leo   (none)  2026-11-20 $60            2026-11-01 churn 35% health 60,
                                                            Promising, $20 at risk

The book (2026-11-01, threshold 60%): 5 customers; at risk A B (D is Lost): 2 (40%);
revenue at risk $210 + $50 + $10 + $90 + $20 = $380. Churn-risk bands: high A B D (3),
medium E (1), low C (1). Top at risk: A ($210), then B ($50).
Tier Gold: A B, 2 at risk (100%), $260. Segment At Risk: A B.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from models.schema import (
    Action,
    Alert,
    Contract,
    Customer,
    Order,
    Outreach,
    ScoreSnapshot,
    ScoringRun,
)

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)

CUSTOMERS: dict[str, tuple[str, str, str | None, str]] = {
    "A": ("Ada Lovelace", "Maya", "Gold", "+1 555 0100"),
    "B": ("Ben Okafor", "Leo", "Gold", ""),
    "C": ("Cleo Park", "Leo", "Silver", ""),
    "D": ("Dev Rao", "Maya", "Silver", ""),
    "E": ("Eve Stone", "Leo", None, ""),
}
ORDERS: dict[str, tuple[tuple[str, int, str], ...]] = {
    "A": (("2026-01-10", 100, "paid"), ("2026-05-01", 200, "paid"),
          ("2026-10-25", 300, "paid"), ("2026-09-01", 50, "refunded")),
    "B": (("2026-03-03", 80, "paid"),),
    "C": (("2026-09-09", 120, "paid"),),
    "D": (("2025-01-01", 40, "paid"),),
    "E": (("2026-11-20", 60, "paid"),),
}  # fmt: skip
# customer -> (churn risk, health, segment, revenue at risk in dollars) on 2026-11-01
LATEST: dict[str, tuple[float, float, str, int]] = {
    "A": (0.70, 55, "At Risk", 210),
    "B": (0.65, 45, "At Risk", 50),
    "C": (0.20, 85, "Champions", 10),
    "D": (0.90, 10, "Lost", 90),
    "E": (0.35, 60, "Promising", 20),
}
DRIVERS = [
    {"text": "no order in 33 days; usual gap 20 days", "direction": "risk", "weight": 0.9},
    {"text": "customer for 1 year", "direction": "good", "weight": 0.2},
]
TASK = "Call Ada about the renewal"
SUBJECT = "Checking in"


def _at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12))


def _run(s: Session, day: dt.date, rows: dict[str, dict[str, Any]], ids: dict[str, int]) -> None:
    run = ScoringRun(as_of=day, horizon_days=90, status="finished", customers=len(rows),
                     params={"currency": "USD"})  # fmt: skip
    s.add(run)
    s.flush()
    s.execute(insert(ScoreSnapshot), [
        {"customer_id": ids[letter], "as_of": day, "horizon_days": 90,
         "scoring_run_id": run.id, **values}
        for letter, values in rows.items()
    ])  # fmt: skip


def fill_packs_book(engine: Engine) -> dict[str, int]:
    """Write the book; returns the customers' ids by letter."""
    with Session(engine) as s, s.begin():
        ids = {}
        for letter, (name, owner, tier, phone) in CUSTOMERS.items():
            email = f"{name.split()[0].lower()}@{name.split()[1].lower()}.example"
            c = Customer(source="t", external_id=letter, name=name, owner=owner, tier=tier,
                         email=email, phone=phone or None)  # fmt: skip
            s.add(c)
            s.flush()
            ids[letter] = int(c.id)
        s.execute(insert(Order), [
            {"customer_id": ids[letter], "source": "t", "external_id": f"{letter}{i}",
             "order_date": _at(day), "amount_cents": dollars * 100, "currency": "USD",
             "status": status}
            for letter, orders in ORDERS.items() for i, (day, dollars, status) in enumerate(orders)
        ])  # fmt: skip
        _run(s, dt.date(2026, 8, 1), {"A": {"churn_risk": 0.40, "health_score": 70.0,
                                            "engagement_score": 50.0}}, ids)  # fmt: skip
        _run(s, dt.date(2026, 11, 1), {
            letter: {"churn_risk": risk, "health_score": float(health), "segment": segment,
                     "engagement_score": 40.0, "revenue_at_risk_cents": dollars * 100,
                     "churn_risk_low": 0.60 if letter == "A" else None,
                     "churn_risk_high": 0.80 if letter == "A" else None,
                     "drivers": DRIVERS if letter == "A" else None}
            for letter, (risk, health, segment, dollars) in LATEST.items()
        }, ids)  # fmt: skip
        alert = Alert(customer_id=ids["A"], rule_key="high_risk_high_value", severity="high",
                      status="open", reason="Churn risk 70% on a high-value customer",
                      created_at=_at("2026-10-15"), owner="Maya",
                      holdout_band="high")  # fmt: skip
        s.add(alert)
        s.flush()
        s.add(Action(customer_id=ids["A"], alert_id=alert.id, kind="task", title=TASK,
                     due_date=dt.date(2026, 12, 5), created_by="Maya"))  # fmt: skip
        s.add(Contract(customer_id=ids["B"], source="t", external_id="kB", name="Ben's plan",
                       start_date=dt.date(2026, 3, 1), end_date=dt.date(2027, 3, 1),
                       amount_cents=10_000, currency="USD", period="month", outcome="open",
                       auto_renew=False, notice_days=30))  # fmt: skip
        s.add(Outreach(customer_id=ids["A"], alert_id=alert.id, status="sent", subject=SUBJECT,
                       body="Hello Ada", recipient="ada@lovelace.example",
                       sent_at=_at("2026-10-20"), created_at=_at("2026-10-20")))  # fmt: skip
    return ids

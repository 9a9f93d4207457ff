"""A small hand-made book for the model check's tests: thirteen customers with their paid
orders written out and three scoring runs whose snapshot rows are written here too, so that
every figure can be worked out by hand (the tests hold those sums in their comments).

Run 1, as of 2025-01-01, 90 days (window: Jan 2 up to Apr 1, 2025, included), A to L:
  who  predicted orders, $, risk   in the window                  before (last, year's orders)
  A    2.0  200  0.10              01-15 $100, 03-01 $100         2024-12-01 (2)
  B    1.0  100  0.20              02-01 $150, 03-10 £10 (no rate) 2024-11-01 (1)
  C    1.0   50  0.30              04-01 $50 (the last day)       2024-10-02 (1)
  D    0.5   50  0.40              -                              2024-12-22 (1)
  E    0.5   40  0.60              03-15 $40                      2024-02-01 (1)
  F    0.2   20  0.70              -                              2023-06-01 (0)
  G    0.3   30  0.80              - (04-02 $30 is a day late)    2024-07-01 (1)
  H    1.0  100  0.35              02-20 $80 (03-01 $500 refunded) 2024-12-11 (2)
  I    0.0    0  0.90              -                              never
  J    0.4   40  0.50              -                              2024-05-01 (1)
  K    2.0   60  0.05              01-05, 02-05, 03-05 $20 each   2024-12-31 (3)
  L    0.1   10  0.25              -                              2024-04-01 (1)
Run 2, as of 2025-04-01, 90 days (window: Apr 2 up to Jun 30), A B C G K and M (new):
  A 1.0 $100 0.6: 05-01 $100; B 0.5 $50 0.2: -; C 0.5 $50 0.1: - (its 04-01 order is on the
  as-of date); G 1.0 $50 0.7: 04-02 $30; K 1.0 $40 0.3: 04-10 $20, 06-30 $20; M 0.5 $60
  0.15: - (first order 2025-03-01). Later: A 2025-07-01 $100, K 2025-09-01 $20 (the newest).
Run 3, as of 2025-08-01, 90 days: ends Oct 30, 2025, after the newest order: not checkable.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from models.schema import Customer, Order, ScoreSnapshot, ScoringRun

# customer -> ((date, dollars, status, currency), ...)
ORDERS: dict[str, tuple[tuple[str, int, str, str], ...]] = {
    "A": (("2024-06-01", 50, "paid", "USD"), ("2024-12-01", 50, "paid", "USD"),
          ("2025-01-15", 100, "paid", "USD"), ("2025-03-01", 100, "paid", "USD"),
          ("2025-05-01", 100, "paid", "USD"), ("2025-07-01", 100, "paid", "USD")),
    "B": (("2024-11-01", 90, "paid", "USD"), ("2025-02-01", 150, "paid", "USD"),
          ("2025-03-10", 10, "paid", "GBP")),
    "C": (("2024-10-02", 50, "paid", "USD"), ("2025-04-01", 50, "paid", "USD")),
    "D": (("2024-12-22", 70, "paid", "USD"),),
    "E": (("2024-02-01", 40, "paid", "USD"), ("2025-03-15", 40, "paid", "USD")),
    "F": (("2023-06-01", 20, "paid", "USD"),),
    "G": (("2024-07-01", 30, "paid", "USD"), ("2025-04-02", 30, "paid", "USD")),
    "H": (("2024-08-01", 80, "paid", "USD"), ("2024-12-11", 80, "paid", "USD"),
          ("2025-02-20", 80, "paid", "USD"), ("2025-03-01", 500, "refunded", "USD")),
    "I": (),
    "J": (("2024-05-01", 40, "paid", "USD"),),
    "K": (("2024-11-01", 20, "paid", "USD"), ("2024-12-01", 20, "paid", "USD"),
          ("2024-12-31", 20, "paid", "USD"), ("2025-01-05", 20, "paid", "USD"),
          ("2025-02-05", 20, "paid", "USD"), ("2025-03-05", 20, "paid", "USD"),
          ("2025-04-10", 20, "paid", "USD"), ("2025-06-30", 20, "paid", "USD"),
          ("2025-09-01", 20, "paid", "USD")),
    "L": (("2024-04-01", 10, "paid", "USD"),),
    "M": (("2025-03-01", 60, "paid", "USD"),),
}  # fmt: skip
# run as of -> {customer: (predicted orders, predicted dollars, churn risk)}
RUNS: dict[str, dict[str, tuple[float, int, float]]] = {
    "2025-01-01": {
        "A": (2.0, 200, 0.10), "B": (1.0, 100, 0.20), "C": (1.0, 50, 0.30),
        "D": (0.5, 50, 0.40), "E": (0.5, 40, 0.60), "F": (0.2, 20, 0.70),
        "G": (0.3, 30, 0.80), "H": (1.0, 100, 0.35), "I": (0.0, 0, 0.90),
        "J": (0.4, 40, 0.50), "K": (2.0, 60, 0.05), "L": (0.1, 10, 0.25),
    },
    "2025-04-01": {
        "A": (1.0, 100, 0.6), "B": (0.5, 50, 0.2), "C": (0.5, 50, 0.1),
        "G": (1.0, 50, 0.7), "K": (1.0, 40, 0.3), "M": (0.5, 60, 0.15),
    },
    "2025-08-01": {"A": (1.0, 100, 0.5)},
}  # fmt: skip
HORIZON = 90


def fill_accuracy_book(engine: Engine) -> dict[str, int]:
    """Write the book; returns the customers' ids by letter and the runs' ids by as-of
    date (keys "run 2025-01-01" ...)."""
    with Session(engine) as s, s.begin():
        ids: dict[str, int] = {}
        for letter in ORDERS:
            c = Customer(source="t", external_id=letter, name=f"Customer {letter}")
            s.add(c)
            s.flush()
            ids[letter] = int(c.id)
        s.execute(insert(Order), [
            {"customer_id": ids[letter], "source": "t", "external_id": f"{letter}{i}",
             "order_date": dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12)),
             "amount_cents": dollars * 100, "currency": currency, "status": status}
            for letter, orders in ORDERS.items()
            for i, (day, dollars, status, currency) in enumerate(orders)
        ])  # fmt: skip
        for day, rows in RUNS.items():
            as_of = dt.date.fromisoformat(day)
            run = ScoringRun(as_of=as_of, horizon_days=HORIZON, status="finished",
                             customers=len(rows), params={"currency": "USD"})  # fmt: skip
            s.add(run)
            s.flush()
            ids[f"run {day}"] = int(run.id)
            s.execute(insert(ScoreSnapshot), [
                {"customer_id": ids[letter], "as_of": as_of, "horizon_days": HORIZON,
                 "scoring_run_id": run.id, "predicted_orders": orders,
                 "predicted_revenue_cents": dollars * 100, "churn_risk": risk}
                for letter, (orders, dollars, risk) in rows.items()
            ])  # fmt: skip
    return ids

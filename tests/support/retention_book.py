"""A small hand-made book for the retention tests: a dozen customers with their paid
orders and subscriptions written out, two scorings and two owners, so that every figure of
the year 2025 can be counted by hand (the tests hold those counts in their comments).

Repeat purchases, the year 2025 against 2024 (active: a paid order in the 12 months before):
  A  2024-03-10 $100          2025-05-01 $150          at start, retained  100 -> 150
  B  2024-06-01 $200          2025-02-01 $50           at start, retained  200 -> 50
  C  2024-09-01 $300                                   at start, churned   300 -> 0
  D  2024-01-15 $80, 2024-11-20 $20                    at start, churned   100 -> 0
  E  2023-06-01 $500          2025-03-01 $60           not at start (nothing in 2024)
  F                           2025-04-01 $70           not at start (new)
  G  2024-12-31 $40 refunded  2025-06-01 $10           not at start (a refund is no purchase)
  H  2024-07-07 $100          2025-07-07, 08-08 $100   at start, retained  100 -> 200
  I  2024-05-05 $50           2025-01-01 $50           at start, retained  50 -> 50
  J  2024-12-01 $120                                   at start, churned   120 -> 0
  K  2024-10-10 $60           2025-12-31 $30           at start, retained  60 -> 30
  L  no orders (a subscription only)
Subscriptions (monthly amounts): L $30 from 2024-06-01, running; M $1,200 a year ($100 a
month) from 2024-01-01, cancelled 2025-06-15; N $20 from 2025-02-01; B $10 from
2024-09-01, cancelling at its period's end 2026-03-01; K $5 a week ($21.67 a month) from
2024-10-10, status canceled with its period ending 2025-10-01.
Owners: A B C D E F G Maya; H to P Leo. Scorings: 2024-12-15 (A B Champions, C D
At Risk, H Loyal; the others not scored) and 2025-06-01 (everyone Lost: after the start;
its 12-month values F $100, G $50, the others none).

Incentives (the year 2025; retained: A B H I K):
  A  2025-05-01 order records Discount Amount 15.00 (Shopify's column)    redeemed $15
     an offer of 50% to A was held out (no email went): not contacted
  B  email 2025-01-20 with 20% off; next order 2025-02-01 $50, no discount  redeemed $10
  H  email 2025-07-01 with 10% off; next order 2025-07-07 records $10.00    redeemed $10 (once)
  I  email 2025-06-01 with $5 off; no order after it in the window         contacted, none
  K  email 2025-12-20, offers not stored, "$5 off" in its text; 12-31 $30   redeemed $5
  F  2025-04-01 records 5.00 off, J an emailed offer: neither was retained
Acquired in 2025 (first paid order in it) by channel: F online (Apr 1), O Online (Sep 15,
$200; then Oct 15 $100 in store), G store (Jun 1, $10), and P Referral (Nov 1, $80
online, but its customer record says LeadSource Referral, which wins).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from models.schema import Customer, Order, Outreach, ScoreSnapshot, ScoringRun, Subscription

# customer -> ((date, dollars, status), ...)
ORDERS: dict[str, tuple[tuple[str, int, str], ...]] = {
    "A": (("2024-03-10", 100, "paid"), ("2025-05-01", 150, "paid")),
    "B": (("2024-06-01", 200, "paid"), ("2025-02-01", 50, "paid")),
    "C": (("2024-09-01", 300, "paid"),),
    "D": (("2024-01-15", 80, "paid"), ("2024-11-20", 20, "paid")),
    "E": (("2023-06-01", 500, "paid"), ("2025-03-01", 60, "paid")),
    "F": (("2025-04-01", 70, "paid"),),
    "G": (("2024-12-31", 40, "refunded"), ("2025-06-01", 10, "paid")),
    "H": (("2024-07-07", 100, "paid"), ("2025-07-07", 100, "paid"), ("2025-08-08", 100, "paid")),
    "I": (("2024-05-05", 50, "paid"), ("2025-01-01", 50, "paid")),
    "J": (("2024-12-01", 120, "paid"),),
    "K": (("2024-10-10", 60, "paid"), ("2025-12-31", 30, "paid")),
    "L": (),
    "M": (),
    "N": (),
    "O": (("2025-09-15", 200, "paid"), ("2025-10-15", 100, "paid")),
    "P": (("2025-11-01", 80, "paid"),),
}
# customer -> the attributes their import kept (Salesforce's LeadSource).
CUSTOMER_ATTRIBUTES: dict[str, dict[str, Any]] = {"P": {"LeadSource": "Referral"}}
# (customer, order index) -> the order's channel and attributes.
ORDER_EXTRAS: dict[tuple[str, int], tuple[str | None, dict[str, Any] | None]] = {
    ("A", 1): (None, {"Discount Code": "SPRING15", "Discount Amount": "15.00"}),
    ("H", 1): (None, {"discount_amount": "$10.00"}),
    ("F", 0): ("online", {"Discount Amount": "5.00"}),
    ("G", 1): ("store", None),
    ("O", 0): ("Online", None),
    ("O", 1): ("store", None),
    ("P", 0): ("online", None),
}
# (customer, sent, status, holdout, offers as stored or None, body)
EMAILS: tuple[tuple[str, str, str, bool, dict[str, Any] | None, str], ...] = (
    ("A", "2025-04-20", "sent", True, {"amounts": [], "percents": [50]}, "Half off"),
    ("B", "2025-01-20", "sent", False, {"amounts": [], "percents": [20]}, "20% off"),
    ("H", "2025-07-01", "exported", False, {"amounts": [], "percents": [10]}, "10% off"),
    ("I", "2025-06-01", "sent", False, {"amounts": [500], "percents": []}, "$5 off"),
    ("K", "2025-12-20", "sent", False, None, "Take $5 off your next order."),
    ("J", "2025-03-01", "sent", False, {"amounts": [1000], "percents": []}, "$10 off"),
    ("C", "2025-02-01", "draft", False, {"amounts": [1000], "percents": []}, "$10 off"),
)
VALUES_2025 = {"F": 10_000, "G": 5_000}
# customer -> (started, amount cents, interval, status, canceled_at, period end, at period end)
SUBSCRIPTIONS: tuple[tuple[str, str, int, str, str, str | None, str | None, bool], ...] = (
    ("L", "2024-06-01", 3000, "month", "active", None, "2026-01-15", False),
    ("M", "2024-01-01", 120000, "year", "canceled", "2025-06-15", "2026-01-01", False),
    ("N", "2025-02-01", 2000, "month", "active", None, "2026-01-01", False),
    ("B", "2024-09-01", 1000, "month", "active", None, "2026-03-01", True),
    ("K", "2024-10-10", 500, "week", "canceled", None, "2025-10-01", False),
)
SEGMENTS_2024 = {"A": "Champions", "B": "Champions", "C": "At Risk", "D": "At Risk", "H": "Loyal"}
SINCE, UNTIL = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def _at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12))


def fill_retention_book(engine: Engine) -> dict[str, Any]:
    """Write the book; returns the customers' ids by letter."""
    with Session(engine) as s, s.begin():
        ids = {}
        for letter in ORDERS:
            owner = "Maya" if letter in "ABCDEFG" else "Leo"
            c = Customer(source="t", external_id=letter, name=f"Customer {letter}", owner=owner,
                         attributes=CUSTOMER_ATTRIBUTES.get(letter))  # fmt: skip
            s.add(c)
            s.flush()
            ids[letter] = int(c.id)
        s.execute(insert(Order), [
            {"customer_id": ids[letter], "source": "t", "external_id": f"{letter}{i}",
             "order_date": _at(day), "amount_cents": dollars * 100, "currency": "USD",
             "status": status, "channel": ORDER_EXTRAS.get((letter, i), (None, None))[0],
             "attributes": ORDER_EXTRAS.get((letter, i), (None, None))[1]}
            for letter, orders in ORDERS.items() for i, (day, dollars, status) in enumerate(orders)
        ])  # fmt: skip
        s.execute(insert(Subscription), [
            {"customer_id": ids[who], "source": "t", "external_id": f"sub{i}", "status": status,
             "started_at": _at(start), "amount_cents": cents, "interval": interval,
             "currency": "USD", "canceled_at": _at(cancel) if cancel else None,
             "current_period_end": _at(end) if end else None, "cancel_at_period_end": at_end}
            for i, (who, start, cents, interval, status, cancel, end, at_end)
            in enumerate(SUBSCRIPTIONS)
        ])  # fmt: skip
        for day, segments in ((dt.date(2024, 12, 15), SEGMENTS_2024),
                              (dt.date(2025, 6, 1), dict.fromkeys(ids, "Lost"))):  # fmt: skip
            run = ScoringRun(as_of=day, horizon_days=90, status="finished",
                             customers=len(segments), params={"currency": "USD"})  # fmt: skip
            s.add(run)
            s.flush()
            s.execute(insert(ScoreSnapshot), [
                {"customer_id": ids[letter], "as_of": day, "horizon_days": 90,
                 "scoring_run_id": run.id, "segment": segment,
                 "clv_12m_cents": VALUES_2025.get(letter) if day.year == 2025 else None}
                for letter, segment in segments.items()
            ])  # fmt: skip
        for who, sent, status, holdout, offers, body in EMAILS:
            s.add(Outreach(customer_id=ids[who], status=status, holdout=holdout, offers=offers,
                           subject="A thank-you", body=body, sent_at=_at(sent),
                           created_at=_at(sent)))  # fmt: skip
    return ids

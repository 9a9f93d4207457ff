"""A hand-made book for conversations in scoring: 600 customers who all order every 20
days and are called every 60, where what they say in the calls tells who is leaving (or,
built without ``told``, tells nothing).

The as-of date is 2025-12-31 (T). The backtest of a 90-day horizon trains as of
2025-07-04 (T-180) and checks as of 2025-10-02 (T-90), so the churners are placed just
before each of those dates and T:

- customers 0, 10, 20, ... and 1, 11, 21, ... and 2, 12, 22, ... ("warned", 180): on
  their churn day they raise cancellation on a call (sentiment -0.6) and never order
  again. The call is the day after their last order, and that order is the last one
  due before T-180, T-90 or T, in turn: at that date, from the orders alone, they look
  like everyone else.
- customers 3, 13, 23, ... ("quiet", 60): they stop ordering on a day spread over the
  last 400 days, without a word: no conversation tells them apart.
- customers 4, 14, 24, ... ("grumbling", 60): they complain about the price on every
  call, and keep ordering: not every risk raised is a customer leaving.
- the others (300) order and take their calls all along.

Check-in calls have a sentiment of 0.1 + 0.1 x ((i div 10) mod 5), -0.3 for the grumbling.

Orders: $40 every 20 days from 2024-01-01 + (i mod 20) days. Calls: every 60 days from
2024-01-05 + (7 i mod 60) days, up to the churn day for churners (a warned customer's
cancellation call takes the place of the check-in due next, so they are called as often).

Four named customers carry the drivers' stories (orders as the steady ones):
  "Acme Bakery"   raised cancellation on a call on 2025-12-12 (and still ordered since)
  "Birch Books"   mentioned a competitor in an email of theirs on 2025-10-03, by name
                  (Globex: the workspace's competitors are Initech and Globex)
  "Cedar Cafe"    complained about the price in a chat on 2025-11-02 and a call on
                  2025-12-01
  "Dune Diner"    a call on 2025-12-20 raising cancellation: after a cutoff of
                  2025-12-15, at which it must not count
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from models.schema import Customer, Interaction, Order
from services.conversations.reading_rules import RISK_LABELS
from services.settings import set_setting

T = dt.date(2025, 12, 31)
TRAIN_CUTOFF = dt.date(2025, 7, 4)  # T - 180
CHECK_CUTOFF = dt.date(2025, 10, 2)  # T - 90
FIRST = dt.date(2024, 1, 1)
N = 600
GAP = 20
CALL_GAP = 60
NAMED = ("Acme Bakery", "Birch Books", "Cedar Cafe", "Dune Diner")
COMPETITORS = ("Initech", "Globex")  # the workspace's competitors (Settings)
# What a customer says when they raise each kind of risk (unless a talk says otherwise).
SAID = {
    "cancellation": "We are going to cancel at the end of the month.",
    "price_complaint": "It costs too much for what we use.",
    "competitor": "Another supplier offered us the same for less.",
}


@dataclass(frozen=True)
class Talk:
    """One conversation of the book."""

    customer: str
    day: dt.date
    kind: str  # call, meeting, chat, email_received, email_sent or social
    sentiment: float | None
    risks: tuple[str, ...] = ()
    quote: str = ""  # what the customer said, when it matters


def role(i: int) -> str:
    """warned, quiet, grumbling or steady (see the module docstring)."""
    return {0: "warned", 1: "warned", 2: "warned", 3: "quiet", 4: "grumbling"}.get(i % 10, "steady")


def churn_day(i: int) -> dt.date | None:
    """The day a churner stops (their last order is on or before it); None: never."""
    if role(i) == "warned":
        # The day after their last scheduled order before the anchor: at the anchor their
        # days since the last order (1 to 20) are those of a steady customer.
        anchor = (TRAIN_CUTOFF, CHECK_CUTOFF, T)[(i // 10) % 3]
        start = FIRST + dt.timedelta(days=i % GAP)
        last = start + dt.timedelta(days=GAP * ((anchor - start).days - 2) // GAP)
        return last + dt.timedelta(days=1)
    if role(i) == "quiet":
        return T - dt.timedelta(days=5 + (i * 37) % 395)
    return None


def name(i: int) -> str:
    return f"C{i:03d}"


def order_days(i: int) -> list[dt.date]:
    end = churn_day(i) or T
    day = FIRST + dt.timedelta(days=i % GAP)
    out = []
    while day <= end:
        out.append(day)
        day += dt.timedelta(days=GAP)
    return out


def talks(*, told: bool = True) -> list[Talk]:
    """Every conversation of the book; without ``told``, the warned customers say nothing
    and take their check-in calls to the end like the steady ones (the conversations then
    tell nobody apart)."""
    out: list[Talk] = []
    for i in range(N):
        end = churn_day(i) if told or role(i) != "warned" else None
        # A warned customer's cancellation call takes the place of their next check-in.
        last = end - dt.timedelta(days=CALL_GAP if role(i) == "warned" else 1) if end else T
        day = dt.date(2024, 1, 5) + dt.timedelta(days=(7 * i) % CALL_GAP)
        grumbling = role(i) == "grumbling"
        while day <= last:
            felt = -0.3 if grumbling else 0.1 + 0.1 * ((i // 10) % 5)
            out.append(Talk(name(i), day, "call", felt, ("price_complaint",) if grumbling else ()))
            day += dt.timedelta(days=CALL_GAP)
        if role(i) == "warned" and end is not None:
            out.append(Talk(name(i), end, "call", -0.6, ("cancellation",)))
    out += [
        Talk("Acme Bakery", dt.date(2025, 12, 12), "call", -0.4, ("cancellation",)),
        Talk("Acme Bakery", dt.date(2025, 11, 1), "meeting", 0.5),
        Talk(
            "Birch Books",
            dt.date(2025, 10, 3),
            "email_received",
            -0.1,
            ("competitor",),
            "Globex offered us the same for less.",
        ),
        Talk("Birch Books", dt.date(2025, 12, 2), "email_sent", None),
        Talk("Cedar Cafe", dt.date(2025, 11, 2), "chat", -0.5, ("price_complaint",)),
        Talk("Cedar Cafe", dt.date(2025, 12, 1), "call", -0.2, ("price_complaint",)),
        Talk("Cedar Cafe", dt.date(2025, 6, 1), "social", 0.6),
        Talk("Dune Diner", dt.date(2025, 12, 10), "call", 0.3),
        Talk("Dune Diner", dt.date(2025, 12, 20), "call", -0.8, ("cancellation",)),
    ]
    return out


def customers() -> list[str]:
    return [name(i) for i in range(N)] + list(NAMED)


def orders_of(customer: str) -> list[dt.date]:
    if customer in NAMED:
        return order_days(5 + NAMED.index(customer))  # steady ones' orders
    return order_days(int(customer[1:]))


def _risk(kind: str, quote: str) -> dict[str, Any]:
    said = quote or SAID[kind]
    return {"kind": kind, "label": RISK_LABELS[kind], "quote": said, "who": {}, "anchor": ""}


def build(engine: Engine, *, told: bool = True, shift_days: int = 0) -> dict[str, int]:
    """Write the book into an empty workspace (``told``: see talks; ``shift_days``: every
    date moved by that many days, so that a picture of the window can be of today); each
    customer's id by name."""
    shift = dt.timedelta(days=shift_days)
    with engine.begin() as conn:
        conn.execute(
            insert(Customer), [{"external_id": c, "source": "crm", "name": c} for c in customers()]
        )
        ids = {str(k): int(v) for k, v in conn.exec_driver_sql(
            "SELECT external_id, id FROM customers").all()}  # fmt: skip
        conn.execute(
            insert(Order),
            [
                {
                    "customer_id": ids[c],
                    "external_id": f"{c}-{d.isoformat()}",
                    "source": "shop",
                    "order_date": dt.datetime.combine(d + shift, dt.time(10)),
                    "amount_cents": 4000,
                    "status": "paid",
                }
                for c in customers()
                for d in orders_of(c)
            ],
        )
        conn.execute(
            insert(Interaction),
            [
                {
                    "customer_id": ids[t.customer],
                    "kind": t.kind,
                    "occurred_at": dt.datetime.combine(t.day + shift, dt.time(15)),
                    "sentiment": t.sentiment,
                    "source": "conversations",
                    "external_id": f"{t.customer}-{t.day.isoformat()}-{t.kind}",
                    "subject": "Renewal call" if t.risks else "Check-in",
                    "attributes": {"risks": [_risk(k, t.quote) for k in t.risks], "topics": []},
                }
                for t in talks(told=told)
            ],
        )
    with Session(engine) as session, session.begin():
        set_setting(session, "listen.competitors", list(COMPETITORS))
    return ids

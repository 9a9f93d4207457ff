"""A hand-made book of the app's emails and their replies for the best time to reach out:
one customer an email, all sent in the week of Monday, March 3, 2025 (or another week), in
the time zone UTC, each reply a day later from the recipient, titled "Re: <subject>" (the
replies' subject rule).

  sent                  to            emails  replied
  Tuesday Mar 4 10:00   Champions        40      25
  Tuesday Mar 4 10:00   Hibernating      20       5
  Thursday Mar 6 15:00  Champions        40       4
  Thursday Mar 6 15:00  Hibernating      20       4
  Monday Mar 3 8:00     not scored       10       9   (under the floor of 20: too few)

All customers: Tuesday 9–11 30 of 60 (50%, likely 38% to 62%) against Thursday 15–17 8 of
60 (13%, likely 7% to 24%): Tuesday 9–11 is named. Champions: Tuesday 25 of 40 against 4
of 40: named. Hibernating: 5 of 20 (25%, likely 11% to 47%) against 4 of 20 (20%, likely
8% to 42%): the intervals overlap, none is named.

With ``answer="return"`` the same emails are answered by returns instead of replies: the
customer's paid order two days after the email (inside the attribution window of 30 days),
and no reply at all. Every customer who did not come back has decoys that must not count:
a refunded order two days after the email, and a paid order 31 days after it (outside the
window).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from models.schema import Customer, Interaction, Order, Outreach, ScoreSnapshot, ScoringRun
from services.settings.store import set_setting

SINCE, UNTIL = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
MONDAY = dt.date(2025, 3, 3)
# (days after the Monday, hour, segment or None, emails, replied)
BATCHES = (
    (1, 10, "Champions", 40, 25),
    (1, 10, "Hibernating", 20, 5),
    (3, 15, "Champions", 40, 4),
    (3, 15, "Hibernating", 20, 4),
    (0, 8, None, 10, 9),
)


def _order(customer_id: int, n: int, at: dt.datetime, status: str) -> Order:
    return Order(customer_id=customer_id, source="t", external_id=f"{n}-{at:%Y%m%d}-{status}",
                 order_date=at, amount_cents=5_000, status=status)  # fmt: skip


def fill_reach_book(
    engine: Engine, monday: dt.date = MONDAY, answer: str = "reply"
) -> dict[str, int]:
    """Write the book (its week from ``monday``; answered by replies, or by returns with
    ``answer="return"``); the customers' ids by "n<number>", and the run's id."""
    ids: dict[str, int] = {}
    with Session(engine) as s, s.begin():
        set_setting(s, "workspace.time_zone", "UTC")
        run = ScoringRun(as_of=monday, horizon_days=90, status="finished",
                         customers=120)  # fmt: skip
        s.add(run)
        s.flush()
        ids["run"] = int(run.id)
        n = 0
        for days, hour, segment, emails, replied in BATCHES:
            at = dt.datetime.combine(monday + dt.timedelta(days=days), dt.time(hour))
            for i in range(emails):
                n += 1
                address = f"c{n}@example.com"
                c = Customer(source="t", external_id=str(n), name=f"Customer {n}",
                             email=address, email_normalized=address)  # fmt: skip
                s.add(c)
                s.flush()
                ids[f"n{n}"] = int(c.id)
                subject = f"Hello {n}"
                s.add(Outreach(customer_id=c.id, status="sent", recipient=address,
                               subject=subject, body="Hello", sent_at=at,
                               created_at=at))  # fmt: skip
                if answer == "return":
                    if i < replied:
                        s.add(_order(c.id, n, at + dt.timedelta(days=2), "paid"))
                    else:
                        s.add(_order(c.id, n, at + dt.timedelta(days=2), "refunded"))
                        s.add(_order(c.id, n, at + dt.timedelta(days=31), "paid"))
                elif i < replied:
                    s.add(Interaction(customer_id=c.id, kind="email_received",
                                      occurred_at=at + dt.timedelta(days=1),
                                      subject=f"Re: {subject}", text="Thanks",
                                      attributes={"from": address}))  # fmt: skip
                if segment:
                    s.execute(insert(ScoreSnapshot).values(
                        customer_id=c.id, as_of=run.as_of, horizon_days=90,
                        scoring_run_id=run.id, segment=segment, churn_risk=0.1,
                    ))  # fmt: skip
    return ids

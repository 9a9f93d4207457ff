"""The customers a scoring as of a date knows: one definition for every run, past or present.

A customer exists for a run as of D from the first of:

- their signup date, when it is on or before D;
- their first order dated on or before D, of any status (a refunded or cancelled order
  shows they were a customer then too);
- with neither a signup date nor any order at all, the day they were added to the
  workspace (nothing else dates them).

So a run as of a past date holds no one who signed up or first ordered later: they would
get the population model's churn risk and no segment, and swell that run's at-risk share,
its trend point and its "No segment" count. Scoring reads its customers through this
(services/scoring/data.py), and with it everything built on a run's customers: the
backtests inside a scoring, the alert replay's weeks (services/learn/alert_replay.py),
segments over time and the dashboard's trend (both read the stored runs).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, exists, or_, select

from models.schema import Customer, Order


def known_as_of(as_of: dt.date) -> ColumnElement[bool]:
    """True for the customers a run as of ``as_of`` knows (the module docstring's rule),
    as a condition on the ``customers`` table."""
    c = Customer.__table__.c
    o = Order.__table__.c
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    # Served by the (customer_id, order_date) index alone.
    orders = select(o.id).where(o.customer_id == c.id)
    return or_(
        c.signup_date <= as_of,
        exists(orders.where(o.order_date < end)),
        and_(c.signup_date.is_(None), ~exists(orders), c.created_at < end),
    )

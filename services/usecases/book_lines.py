"""The book's renewals and retention in a few figures, where people look (the dashboard, the
book's pack): each figure computed by its own report, never again here.

- Renewals ahead: the open renewals due within the next 90 days, their annual value, the
  expected part and those at risk, as ``report renewals`` and Results ▸ Renewals say them
  (services/renewals/wording.py ``ahead_figures`` and ``headline``).
- Renewal calls due: a contract's checkpoint reached and no call made at it
  (services/renewals/calls.py ``calls_due``, as My work and the digest count them).
- Retention over the last 12 complete months: the share of the customers active at its
  start still active at its end, NRR and GRR (services/retention/report.py, as
  ``report retention`` and Results ▸ Retention compute them; records.DEFINITIONS says each
  in words). Twelve months, not one: on a book of repeat purchases a month's revenue
  against the month before swings with whoever happened to order, while a year's does not.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.renewals.calls import calls_due
from services.renewals.report import renewals_report
from services.renewals.wording import ahead, ahead_figures
from services.renewals.wording import headline as renewals_headline
from services.retention.report import retention_report
from services.retention.wording import empty_words
from services.usecases.book_records import AHEAD_DAYS, BookLines


def book_lines(engine: Engine, today: dt.date | None = None) -> BookLines:
    """The book's renewals and retention as of ``today`` (default today)."""
    today = today or dt.date.today()
    renewals = renewals_report(engine, as_of=today, with_backtest=False)
    due_cents, expected_cents, risky = ahead_figures(renewals)
    with Session(engine) as session:
        calls = calls_due(session, today)
    retention = retention_report(engine, today=today)
    whole = retention.overall
    return BookLines(
        currency=renewals.home,
        contracts=renewals.contracts,
        renewals_words=renewals_headline(renewals),
        due=frozenset(u.customer_id for u in ahead(renewals)),
        due_cents=due_cents,
        expected_cents=expected_cents,
        at_risk=frozenset(u.customer_id for u in risky),
        calls_due=frozenset(c.customer_id for c in calls),
        calls=len(calls),
        period=f"{retention.first_day:%b %Y} – {retention.last_day:%b %Y}",
        retention_rate=whole.retention_rate,
        nrr=whole.nrr,
        grr=whole.grr,
        retention_empty=empty_words(retention),
    )


__all__ = ["AHEAD_DAYS", "BookLines", "book_lines"]

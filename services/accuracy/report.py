"""The model check, defined once here for every surface (Results ▸ Model check, ``report
accuracy``); records.DEFINITIONS says each measure in words.

Every finished scoring run whose horizon has passed is set beside what its customers did
next. The last day known is the newest paid order of the workspace, or today when that is
earlier; a run is checkable when its as-of date plus its horizon is on or before it. For
each customer of the run's snapshot (what the run predicted then): the paid orders after
the as-of date up to the horizon's end, included, and their revenue in the home currency
(services/core/money.py; an order with no exchange rate counts as an order, not as money,
which the report says), against the predicted orders, revenue and churn risk. The
baselines read only what came before the as-of date: the days since the last paid order
and the orders in the year before.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import services.settings  # noqa: F401  (declares the money settings the policy reads)
from models.schema import Order, ScoreSnapshot, ScoringRun
from services.accuracy.measures import run_check
from services.accuracy.records import AccuracyReport, CustomerCheck, PendingRun, RunCheck
from services.core.account_names import name_map
from services.core.local_dates import local_date
from services.core.money import MoneyContext, load_money_context

__all__ = ["accuracy_report"]


@dataclass
class _History:
    """One customer's paid orders by local date, oldest first, with running sums of their
    home hundredths."""

    days: list[dt.date] = field(default_factory=list)
    cents: list[int] = field(default_factory=list)
    sums: list[int] = field(default_factory=lambda: [0])

    def finish(self) -> None:
        pairs = sorted(zip(self.days, self.cents, strict=True))
        self.days = [d for d, _ in pairs]
        self.cents = [c for _, c in pairs]
        for cents in self.cents:
            self.sums.append(self.sums[-1] + cents)

    def window(self, after: dt.date, last: dt.date) -> tuple[int, int]:
        """The orders and their cents after ``after`` up to ``last``, included."""
        lo, hi = bisect_right(self.days, after), bisect_right(self.days, last)
        return hi - lo, self.sums[hi] - self.sums[lo]

    def recency(self, as_of: dt.date) -> int | None:
        """Days from the last order on or before ``as_of`` to it (None: none)."""
        at = bisect_right(self.days, as_of)
        return (as_of - self.days[at - 1]).days if at else None

    def year_before(self, as_of: dt.date) -> int:
        """Orders in the 365 days up to ``as_of``, included."""
        return bisect_right(self.days, as_of) - bisect_left(
            self.days, as_of - dt.timedelta(days=364)
        )


_EMPTY = _History()


def _histories(
    session: Session, money: MoneyContext, left_out: Counter[str]
) -> dict[int, _History]:
    o = Order
    rows = session.execute(
        select(o.customer_id, o.order_date, o.utc_offset_minutes, o.amount_cents, o.currency)
        .where(o.status == "paid")
    )  # fmt: skip
    found: dict[int, _History] = defaultdict(_History)
    for customer_id, when, offset, amount, currency in rows:
        day = local_date(when, offset)
        if day is None:
            continue
        cents = money.to_home(float(amount or 0), currency)
        if cents is None:
            left_out[str(currency)] += 1
        history = found[int(customer_id)]
        history.days.append(day)
        history.cents.append(int(round(cents or 0)))
    for history in found.values():
        history.finish()
    return dict(found)


def _predicted_cents(money: MoneyContext, cents: int | None, currency: str | None) -> int | None:
    if cents is None:
        return None
    home = money.to_home(float(cents), currency or money.home)
    return None if home is None else int(round(home))


def _check(
    session: Session, run: ScoringRun, histories: dict[int, _History], money: MoneyContext
) -> RunCheck:
    as_of, last = run.as_of, run.as_of + dt.timedelta(days=run.horizon_days)
    currency = (run.params or {}).get("currency") if isinstance(run.params, dict) else None
    s = ScoreSnapshot
    rows = session.execute(
        select(s.customer_id, s.predicted_orders, s.predicted_revenue_cents, s.churn_risk)
        .where(s.scoring_run_id == run.id)
        .order_by(s.customer_id)
    )  # fmt: skip
    checks = []
    for cid, orders, revenue, risk in rows:
        history = histories.get(int(cid), _EMPTY)
        count, cents = history.window(as_of, last)
        checks.append(CustomerCheck(
            int(cid), None if orders is None else float(orders), count,
            _predicted_cents(money, revenue, currency), cents,
            None if risk is None else float(risk), history.recency(as_of),
            history.year_before(as_of),
        ))  # fmt: skip
    check = run_check(int(run.id), as_of, int(run.horizon_days), checks)
    backtest = run.backtest if isinstance(run.backtest, dict) else {}
    words = (backtest.get("conversations") or {}).get("words") or ""
    return replace(check, conversations=str(words))


def _cutoff(session: Session, today: dt.date) -> tuple[dt.date, str]:
    newest = session.scalar(select(func.max(Order.order_date)).where(Order.status == "paid"))
    if newest is not None and newest.date() < today:
        return newest.date(), "the newest order"
    return today, "today"


def accuracy_report(
    engine: Engine, *, today: dt.date | None = None, run_id: int | None = None
) -> AccuracyReport:
    """Every finished scoring run, oldest first: checked when its horizon has passed
    (``run_id``: that run only), else listed with the day it will be."""
    today = today or dt.date.today()
    with Session(engine) as session:
        money = load_money_context(session)
        cutoff, cutoff_by = _cutoff(session, today)
        query = select(ScoringRun).where(ScoringRun.status == "finished")
        if run_id is not None:
            query = query.where(ScoringRun.id == run_id)
        runs = session.scalars(query.order_by(ScoringRun.as_of, ScoringRun.id)).all()
        ready = [r for r in runs if r.as_of + dt.timedelta(days=r.horizon_days) <= cutoff]
        pending = tuple(PendingRun(int(r.id), r.as_of, int(r.horizon_days))
                        for r in runs if r not in ready)  # fmt: skip
        left_out: Counter[str] = Counter()
        histories = _histories(session, money, left_out) if ready else {}
        checked = tuple(_check(session, r, histories, money) for r in ready)
        ids = {c.customer_id for r in checked for c in r.customers}
        names = name_map(session, ids)  # the accounts' names (core/account_names.py)
    return AccuracyReport(
        cutoff=cutoff,
        cutoff_by=cutoff_by,
        currency=money.home,
        runs=checked,
        pending=pending,
        money_note=money.left_out_note(left_out, "orders"),
        names=names,
    )

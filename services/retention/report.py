"""Retention, defined once here for every surface (Results ▸ Retention, ``report
retention``); records.DEFINITIONS says each measure in words.

A period is a run of whole months (by default the last 12 complete months). The customers
at its start are those active then; on the repeat-purchase basis, active means a paid
order in the 12 months before; on the subscription basis, a subscription started and not
yet ended. Retained: still active when the period ends; churned: not. Revenue retention
sets the period's revenue of the customers at start against their revenue before it: paid
orders in the same length of time just before (repeat purchases), or the monthly
recurring amount at the end against at the start (subscriptions). NRR takes their revenue
as it is; GRR caps each customer's at their revenue before.

The whole period is broken down by the cohort (month or quarter of the first purchase or
subscription), by the segment of the scoring at its start (the earliest scoring when none
is that old) and by owner; each month of it is a period of its own. Money is in the home
currency (services/core/money.py); an order with no exchange rate counts as a purchase
and is left out of the money, which the report says.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import services.settings  # noqa: F401  (declares the money settings the policy reads)
from models.schema import Customer, Order, ScoreSnapshot, ScoringRun, Subscription
from models.vocab import SEGMENTS
from services.core.account_names import name_map
from services.core.local_dates import local_date
from services.core.money import MoneyContext, load_money_context
from services.retention.history import (
    OrderHistory,
    Period,
    Span,
    SubscriptionHistory,
    add_months,
    month_start,
    monthly_cents,
    subscription_end,
)
from services.retention.kpis import acquisition_report, incentive_report
from services.retention.records import (
    BASES,
    COHORT_SIZES,
    NO_COHORT,
    NO_OWNER,
    NOT_SCORED,
    Member,
    RetentionGroup,
    RetentionReport,
)
from services.settings.views import LearnSettings, RetentionSettings, ReturnSettings

__all__ = ["period_bounds", "retention_report"]

History = OrderHistory | SubscriptionHistory


def period_bounds(
    since: dt.date | None, until: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The first day of the period's first month and the first day after its last month:
    the months from ``since``'s to ``until``'s; by default the 12 complete months before
    ``today``'s month (12 months from ``since``, or up to ``until``, given one)."""
    if since is not None and until is not None:
        return month_start(since), add_months(until, 1)
    if since is not None:
        return month_start(since), max(month_start(today), add_months(since, 1))
    end = add_months(until, 1) if until is not None else month_start(today)
    return add_months(end, -12), end


@dataclass
class _Book:
    """What the report reads: each customer's history, name, owner and segment."""

    histories: dict[int, History]
    cohort_day: dict[int, dt.date]
    names: dict[int, str]
    owners: dict[int, str]
    segments: dict[int, str]
    segments_as_of: dt.date | None
    money: MoneyContext
    left_out: Counter[str]
    has_orders: bool
    has_subscriptions: bool
    # The first and the last day the basis has anything (last None: still running).
    span: tuple[dt.date, dt.date | None] | None = None


def _read_orders(session: Session, book: _Book, since: dt.date) -> None:
    o = Order
    paid = o.status == "paid"
    firsts = session.execute(
        select(o.customer_id, func.min(o.order_date)).where(paid).group_by(o.customer_id)
    ).all()
    book.cohort_day = {int(c): first.date() for c, first in firsts if first is not None}
    book.has_orders = bool(firsts)
    if firsts:
        last = session.scalar(select(func.max(o.order_date)).where(paid))
        book.span = (min(book.cohort_day.values()), last.date() if last else None)
    early = dt.datetime.combine(since - dt.timedelta(days=2), dt.time())
    rows = session.execute(
        select(o.customer_id, o.order_date, o.utc_offset_minutes, o.amount_cents, o.currency).where(
            paid, o.order_date >= early
        )
    )
    histories: dict[int, OrderHistory] = defaultdict(OrderHistory)
    for customer_id, when, offset, amount, currency in rows:
        cents = book.money.to_home(float(amount or 0), currency)
        if cents is None:
            book.left_out[str(currency)] += 1
        day = local_date(when, offset)
        if day is not None:
            histories[int(customer_id)].add(day, int(round(cents or 0)))
    for history in histories.values():
        history.sort()
    book.histories = dict(histories)


def _read_subscriptions(session: Session, book: _Book) -> None:
    s = Subscription
    rows = session.execute(
        select(s.customer_id, s.status, s.started_at, s.canceled_at, s.current_period_end,
               s.cancel_at_period_end, s.amount_cents, s.currency, s.interval)
    ).all()  # fmt: skip
    book.has_subscriptions = bool(rows)
    histories: dict[int, SubscriptionHistory] = defaultdict(SubscriptionHistory)
    for cid, status, started, canceled, period_end, at_end, amount, currency, interval in rows:
        if started is None:
            continue
        end = subscription_end(
            status,
            canceled.date() if canceled else None,
            period_end.date() if period_end else None,
            bool(at_end),
        )
        cents = book.money.to_home(monthly_cents(amount, interval), currency)
        if cents is None:
            book.left_out[str(currency)] += 1
        span = Span(started.date(), end, int(round(cents or 0)))
        histories[int(cid)].spans.append(span)
    book.histories = dict(histories)
    book.cohort_day = {cid: first for cid, h in histories.items() if (first := h.first) is not None}
    spans = [span for h in histories.values() for span in h.spans]
    if spans:
        ends = [span.end for span in spans]
        running = any(end is None for end in ends)
        book.span = (min(sp.first for sp in spans), None if running else max(e for e in ends if e))


def _read_segments(session: Session, book: _Book, start: dt.date) -> None:
    """The segments of the latest finished scoring on or before ``start`` (else the
    earliest finished one)."""
    finished = ScoringRun.status == "finished"
    run = (
        session.execute(
            select(ScoringRun.id, ScoringRun.as_of)
            .where(finished, ScoringRun.as_of <= start)
            .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
            .limit(1)
        ).first()
        or session.execute(
            select(ScoringRun.id, ScoringRun.as_of)
            .where(finished)
            .order_by(ScoringRun.as_of, ScoringRun.id)
            .limit(1)
        ).first()
    )
    if run is None:
        return
    book.segments_as_of = run[1]
    rows = session.execute(
        select(ScoreSnapshot.customer_id, ScoreSnapshot.segment).where(
            ScoreSnapshot.scoring_run_id == run[0]
        )
    )
    book.segments = {int(c): str(seg) for c, seg in rows if seg}


def _read_book(engine: Engine, basis: str, start: dt.date, months: int) -> _Book:
    with Session(engine) as session:
        book = _Book({}, {}, {}, {}, {}, None, load_money_context(session), Counter(), False,
                     False)  # fmt: skip
        since = add_months(start, -max(12, months))
        if basis == "orders":
            _read_orders(session, book, since)
            book.has_subscriptions = session.scalar(select(func.count(Subscription.id))) != 0
        else:
            _read_subscriptions(session, book)
            book.has_orders = session.scalar(select(func.count(Order.id))) != 0
        _read_segments(session, book, start)
        book.names.update(name_map(session))  # the accounts' names (core/account_names.py)
        for cid, owner in session.execute(select(Customer.id, Customer.owner)):
            book.owners[int(cid)] = owner or NO_OWNER
    return book


def _members(book: _Book, first: dt.date, end: dt.date) -> tuple[Member, ...]:
    """The customers active at ``first``: kept at ``end`` or not, revenue before and in."""
    period = Period.of(first, end)
    found = [
        Member(cid, *figures)
        for cid, history in book.histories.items()
        if (figures := history.figures(period)) is not None
    ]
    found.sort()
    return tuple(found)


def _cohort_key(day: dt.date | None, size: str) -> tuple[str, str]:
    if day is None:
        return NO_COHORT, NO_COHORT
    if size == "month":
        return f"{day:%Y-%m}", f"{day:%b %Y}"
    quarter = (day.month - 1) // 3 + 1
    return f"{day.year}-Q{quarter}", f"{day.year} Q{quarter}"


def _split(
    whole: RetentionGroup,
    key_of: Callable[[int], tuple[str, str]],
    order: Callable[[tuple[str, str]], tuple[Any, ...]],
) -> tuple[RetentionGroup, ...]:
    parts: dict[tuple[str, str], list[Member]] = defaultdict(list)
    for member in whole.members:
        parts[key_of(member.customer_id)].append(member)
    return tuple(
        RetentionGroup(key, label, tuple(parts[(key, label)]), whole.first_day, whole.last_day)
        for key, label in sorted(parts, key=order)
    )


def _segment_order(name: tuple[str, str]) -> tuple[Any, ...]:
    known = list(SEGMENTS)
    rank = known.index(name[0]) if name[0] in known else len(known)
    return (name[0] == NOT_SCORED, rank, name[0])


def _breakdowns(
    book: _Book, whole: RetentionGroup, cohort_size: str
) -> tuple[tuple[RetentionGroup, ...], ...]:
    cohorts = _split(
        whole,
        lambda c: _cohort_key(book.cohort_day.get(c), cohort_size),
        lambda k: (k[0] == NO_COHORT, k[0]),
    )
    segments = _split(whole, lambda c: (book.segments.get(c, NOT_SCORED),) * 2, _segment_order)
    owners = _split(
        whole,
        lambda c: (book.owners.get(c, NO_OWNER),) * 2,
        lambda k: (k[0] == NO_OWNER, k[0].lower()),
    )
    return cohorts, segments, owners


def _group(book: _Book, key: str, label: str, first: dt.date, end: dt.date) -> RetentionGroup:
    last = end - dt.timedelta(days=1)
    return RetentionGroup(key, label, _members(book, first, end), first, last)


def _names(book: _Book, groups: Iterable[RetentionGroup]) -> Mapping[int, str]:
    ids = {m.customer_id for g in groups for m in g.members}
    return {cid: book.names.get(cid, f"Customer {cid}") for cid in sorted(ids)}


def retention_report(
    engine: Engine,
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    basis: str = "orders",
    cohort_size: str = "quarter",
    today: dt.date | None = None,
) -> RetentionReport:
    """Retention of the months from ``since``'s to ``until``'s (see period_bounds) on
    ``basis`` (one of BASES), its cohorts by ``cohort_size`` (one of COHORT_SIZES)."""
    if basis not in BASES or cohort_size not in COHORT_SIZES:
        raise ValueError(f"unknown basis or cohort size: {basis!r}, {cohort_size!r}")
    today = today or dt.date.today()
    first, end = period_bounds(since, until, today)
    months = (end.year - first.year) * 12 + end.month - first.month
    book = _read_book(engine, basis, first, months)
    whole = _group(book, "", "All customers", first, end)
    monthly = tuple(
        _group(book, f"{m:%Y-%m}", f"{m:%b %Y}", m, add_months(m, 1))
        for m in (add_months(first, i) for i in range(months))
    )
    cohorts, segments, owners = _breakdowns(book, whole, cohort_size)
    with Session(engine) as session:
        learn, retention = LearnSettings.read(session), RetentionSettings.read(session)
        incentives = incentive_report(
            session, whole, segments, owners, book.money, learn.attribution_days
        )
        acquisition = acquisition_report(
            session, first, end, today, book.money, retention.cac_by_channel,
            ReturnSettings.read(session).margin_percent,
        )  # fmt: skip
    return RetentionReport(
        basis=basis,
        cohort_size=cohort_size,
        first_day=first,
        last_day=whole.last_day,
        currency=book.money.home,
        overall=whole,
        months=monthly,
        by_cohort=cohorts,
        by_segment=segments,
        by_owner=owners,
        segments_as_of=book.segments_as_of,
        has_orders=book.has_orders,
        has_subscriptions=book.has_subscriptions,
        money_note=book.money.left_out_note(
            book.left_out, "orders" if basis == "orders" else "subscriptions"
        ),
        names=_names(book, (whole, *monthly)),
        as_of=today,
        data_span=book.span,
        incentives=incentives,
        acquisition=acquisition,
    )

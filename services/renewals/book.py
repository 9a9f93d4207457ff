"""What the renewal model reads, as of one day: the contracts known by then and, for each
customer with a contract, their scores, paid orders, product usage, tickets and contacts
dated on or before that day, and nothing later.

Usage is read as the customer pane's usage section counts visits: sessions a day, or
logins for a customer whose source counts no sessions (views/customers/usage_words.py's
``session_count``), or usage events for one whose source counts neither. Contacts are
what the pane's timeline shows of the team reaching the customer: emails sent to them
(opened or not, or an open or click whose send was not imported), calls and meetings,
and the emails sent or exported from the app.

A run as of D knows a contract that started on or before D. Its outcome counts only when
its renewal date is on or before D (and, when the import dates the decision, the decision
too): a contract whose date is after D is still open for that run, whatever happened
since. Payment failures have no date in the workspace (a subscription keeps only its
status now): they are read for a run as of today only, as a driver in words, never as a
feature of the model. Every other record is read with a bound on its own date (a score
snapshot's ``as_of``, an order's date, a usage day, a ticket's or contact's
``occurred_at``, an app email's ``sent_at``), so a forecast as of a past date is the one
that day could have made.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import services.settings  # noqa: F401  (declares the money settings the policy reads)
from models.schema import (
    Customer,
    Interaction,
    Order,
    Outreach,
    ScoreSnapshot,
    Subscription,
    UsageDay,
)
from models.schema.renewals import Contract
from models.vocab import OUTREACH_STATUSES
from services.core.account_names import account_name_sql
from services.core.money import load_money_context
from services.renewals.vocab import CHURNED, OPEN, PERIOD_MONTHS, RENEWED
from services.settings.views import ScoringSettings

__all__ = ["Book", "ContractFacts", "read_book"]

# Subscription statuses of a payment that failed.
PAYMENT_FAILING = ("past_due", "unpaid")
# A ticket's sentiment (imported, else read from its text) below this is negative.
NEGATIVE_SENTIMENT = -0.2
# What a customer's usage is counted in, the first the source gives: as the pane counts.
USAGE_NOUNS = ("sessions", "logins", "usage events")
# The interactions that are contacts with the customer (the timeline's emails, calls and
# meetings); the app's own emails (Outreach, sent or exported) count too.
CONTACT_KINDS = ("email_sent", "email_open", "email_click", "call", "meeting")


@dataclass(frozen=True)
class ContractFacts:
    """One contract as a run sees it: amounts a year in home hundredths (None: no rate)."""

    contract_id: int
    customer_id: int
    name: str  # the customer's
    owner: str | None
    start: dt.date
    end: dt.date
    annual_cents: float | None
    auto_renew: bool
    notice_days: int
    seats: int | None
    previous_seats: int | None
    outcome: str  # as of the run: open unless decided by then
    renewed_annual_cents: float | None
    segment: str | None = None


def _series() -> tuple[list[dt.date], list[float]]:
    return [], []


@dataclass
class Book:
    """The contracts and each contract customer's dated records, up to ``as_of``."""

    as_of: dt.date
    home: str
    contracts: list[ContractFacts]
    # customer -> (days, values), each sorted by day
    churn_risk: dict[int, tuple[list[dt.date], list[float]]] = field(default_factory=dict)
    health: dict[int, tuple[list[dt.date], list[float]]] = field(default_factory=dict)
    # customer -> (days, visits): sessions, else logins, else usage events (USAGE_NOUNS)
    usage: dict[int, tuple[list[dt.date], list[float]]] = field(default_factory=dict)
    usage_noun: dict[int, str] = field(default_factory=dict)  # one of USAGE_NOUNS
    horizon_days: int = 90  # the churn risk's: the chance of no order in this many days
    tickets: dict[int, list[tuple[dt.date, bool]]] = field(default_factory=dict)
    contacts: dict[int, list[dt.date]] = field(default_factory=dict)  # sorted days
    orders: dict[int, list[dt.date]] = field(default_factory=dict)  # paid orders' days
    left_out: int = 0  # contracts whose currency has no rate
    # Customers with a subscription payment failing now (past due or unpaid): read only
    # for a run as of today, since a subscription keeps its status now, not its history.
    past_due: set[int] = field(default_factory=set)

    @property
    def decided(self) -> list[ContractFacts]:
        """The contracts decided by ``as_of``, earliest renewal date first."""
        done = [c for c in self.contracts if c.outcome in (RENEWED, CHURNED)]
        return sorted(done, key=lambda c: (c.end, c.contract_id))

    @property
    def upcoming(self) -> list[ContractFacts]:
        """The open contracts whose renewal date is after ``as_of``, soonest first."""
        ahead = [c for c in self.contracts if c.outcome == OPEN and c.end > self.as_of]
        return sorted(ahead, key=lambda c: (c.end, c.contract_id))

    def latest(self, series: dict[int, tuple[list[dt.date], list[float]]], customer: int,
               day: dt.date) -> float | None:  # fmt: skip
        """The customer's latest value dated on or before ``day``."""
        days, values = series.get(customer, ([], []))
        i = bisect_right(days, day)
        return values[i - 1] if i else None

    def usage_between(self, customer: int, first: dt.date, last: dt.date) -> float:
        """The customer's visits dated from ``first`` to ``last``, both included."""
        days, values = self.usage.get(customer, ([], []))
        return sum(
            values[bisect_right(days, first - dt.timedelta(days=1)) : bisect_right(days, last)]
        )


def _annual(cents: int | None, period: str | None, rate: float | None) -> float | None:
    if cents is None or rate is None:
        return None
    return float(cents) * rate * 12 / PERIOD_MONTHS.get(period or "year", 12)


def _day_end(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def _contracts(session: Session, book: Book) -> None:
    money = load_money_context(session)
    book.home = money.home
    k = Contract
    rows = session.execute(
        select(k.id, k.customer_id, account_name_sql().label("name"), k.owner, Customer.owner,
               k.start_date,
               k.end_date, k.amount_cents, k.currency, k.period, k.auto_renew, k.notice_days,
               k.seats, k.outcome, k.renewed_amount_cents, k.decided_on, k.renewal_of_id)
        .join(Customer, Customer.id == k.customer_id)
        .where(k.start_date <= book.as_of)
    ).all()  # fmt: skip
    seats = {int(r.id): r.seats for r in rows}
    for r in rows:
        rate = money.rate(r.currency)
        book.left_out += rate is None
        known = (
            r.outcome in (RENEWED, CHURNED)
            and r.end_date <= book.as_of
            and (r.decided_on is None or r.decided_on <= book.as_of)
        )
        book.contracts.append(ContractFacts(
            int(r.id), int(r.customer_id), str(r.name),
            r[3] or r[4], r.start_date, r.end_date, _annual(r.amount_cents, r.period, rate),
            bool(r.auto_renew), int(r.notice_days or 0), r.seats,
            seats.get(int(r.renewal_of_id)) if r.renewal_of_id else None,
            str(r.outcome) if known else OPEN,
            _annual(r.renewed_amount_cents, r.period, rate) if known else None,
        ))  # fmt: skip


def _scores(session: Session, book: Book, customers: object) -> None:
    s = ScoreSnapshot
    rows = session.execute(
        select(s.customer_id, s.as_of, s.churn_risk, s.health_score)
        .where(s.customer_id.in_(customers), s.as_of <= book.as_of)  # type: ignore[arg-type]
        .order_by(s.customer_id, s.as_of, s.id)
    )
    for cid, day, risk, health in rows:
        for series, value in ((book.churn_risk, risk), (book.health, health)):
            if value is not None:
                days, values = series.setdefault(int(cid), _series())
                days.append(day)
                values.append(float(value))


def _usage(session: Session, book: Book, customers: object) -> None:
    u = UsageDay
    rows = session.execute(
        select(u.customer_id, u.day, func.sum(u.sessions), func.sum(u.logins), func.sum(u.events))
        .where(u.customer_id.in_(customers), u.day <= book.as_of)  # type: ignore[arg-type]
        .group_by(u.customer_id, u.day)
        .order_by(u.customer_id, u.day)
    )
    visits: dict[int, tuple[list[dt.date], dict[str, list[float]]]] = {}
    for cid, day, *counts in rows:
        days, series = visits.setdefault(int(cid), ([], {n: [] for n in USAGE_NOUNS}))
        days.append(day)
        for noun, count in zip(USAGE_NOUNS, counts, strict=True):
            series[noun].append(float(count or 0))
    for cid, (days, series) in visits.items():
        noun = next((n for n in USAGE_NOUNS if any(series[n])), USAGE_NOUNS[0])
        book.usage[cid] = (days, series[noun])
        book.usage_noun[cid] = noun


def _tickets_and_contacts(session: Session, book: Book, customers: object) -> None:
    i = Interaction
    end = _day_end(book.as_of)
    feeling = func.coalesce(i.sentiment, i.text_sentiment)
    rows = session.execute(
        select(i.customer_id, i.occurred_at, feeling).where(
            i.customer_id.in_(customers),  # type: ignore[arg-type]
            i.kind == "ticket",
            i.occurred_at < end,
        )
    )
    tickets: dict[int, list[tuple[dt.date, bool]]] = defaultdict(list)
    for cid, when, sentiment in rows:
        tickets[int(cid)].append(
            (when.date(), sentiment is not None and sentiment < NEGATIVE_SENTIMENT)
        )
    book.tickets = {c: sorted(v) for c, v in tickets.items()}
    contacts: dict[int, list[dt.date]] = defaultdict(list)
    for cid, when in session.execute(
        select(i.customer_id, i.occurred_at).where(
            i.customer_id.in_(customers),  # type: ignore[arg-type]
            i.kind.in_(CONTACT_KINDS),
            i.occurred_at < end,
        )
    ):
        contacts[int(cid)].append(when.date())
    o = Outreach
    sent = func.coalesce(o.sent_at, o.created_at)
    for cid, when in session.execute(
        select(o.customer_id, sent).where(
            o.customer_id.in_(customers),  # type: ignore[arg-type]
            o.status.in_(OUTREACH_STATUSES),
            sent < end,
        )
    ):
        contacts[int(cid)].append(when.date())
    book.contacts = {c: sorted(v) for c, v in contacts.items()}


def _orders(session: Session, book: Book, customers: object) -> None:
    o = Order
    days: dict[int, list[dt.date]] = defaultdict(list)
    for cid, when in session.execute(
        select(o.customer_id, o.order_date).where(
            o.customer_id.in_(customers),  # type: ignore[arg-type]
            o.status == "paid",
            o.order_date < _day_end(book.as_of),
        )
    ):
        days[int(cid)].append(when.date())
    book.orders = {c: sorted(v) for c, v in days.items()}


def _payments(session: Session, book: Book, customers: object) -> None:
    if book.as_of < dt.date.today():
        return  # a status now says nothing of a past day
    s = Subscription
    book.past_due = {
        int(c)
        for c in session.scalars(
            select(s.customer_id).where(
                s.customer_id.in_(customers),  # type: ignore[arg-type]
                s.status.in_(PAYMENT_FAILING),
            )
        )
    }


def read_book(session: Session, as_of: dt.date) -> Book:
    """The contracts known on ``as_of`` and their customers' records dated up to it."""
    book = Book(as_of=as_of, home="USD", contracts=[])
    _contracts(session, book)
    if not book.contracts:
        return book
    customers = select(Contract.customer_id).where(Contract.start_date <= as_of)
    book.horizon_days = ScoringSettings.read(session).horizon_days
    _scores(session, book, customers)
    _usage(session, book, customers)
    _tickets_and_contacts(session, book, customers)
    _orders(session, book, customers)
    _payments(session, book, customers)
    return book

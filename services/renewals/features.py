"""The renewal model's features of one contract as they stood on one day, and its drivers
in words ("sessions down 40% in 30 days (15 to 9)", "2 tickets with negative sentiment
in 180 days", "auto-renews; notice closes Mar 12").

A driver says a figure the customer pane shows beside it, by the pane's own definition:
usage is the pane's visits (sessions, else logins) in the last 30 days against the 30 days
before (services/usage/summary.py's RECENT_DAYS); contacts are the emails, calls and
meetings of the pane's timeline (services/renewals/book.py), as the model counts them.
The model reads the same visits over the last quarter against the one before
(TREND_DAYS): a month against a month sees a fall only in the month it starts, while a
customer whose use halved half a year ago and stayed low is the one least likely to renew.

A past renewal is described as it stood at each of LEADS before its date (90 and 180
days: one training row each, with the days left as a feature, so that a forecast six
months out is judged as one, not as one made at three); an upcoming one as it stands on
the run's day, its days left held between the shortest and the longest lead. Every
feature reads only records dated on or before its day (services/renewals/book.py holds
nothing later than the run's day anyway).
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.renewals.book import Book, ContractFacts
from services.usage.summary import RECENT_DAYS

__all__ = [
    "FEATURES",
    "LEADS",
    "TICKET_DAYS",
    "UsageFigure",
    "WINDOW_DAYS",
    "contacts_in",
    "drivers",
    "features",
    "matrix",
    "training",
    "usage_figure",
]

# Past renewals are described as they stood these many days before their date.
LEADS = (90, 180)
# A driver compares usage over this many days and the as many before, as the pane does.
WINDOW_DAYS = RECENT_DAYS
# The model's feature compares usage over this many days and the as many before.
TREND_DAYS = 90
# Orders, tickets and contacts are counted over this many days to the feature's day.
TICKET_DAYS = 180
# A change in usage this large (a share of the days before) is a driver.
USAGE_DRIVER = 0.2

FEATURES = (
    "quiet_years",  # since the last paid order on or before the day, capped at 2 (2: none)
    "orders_180",  # log(1 + paid orders in the 180 days)
    "churn_risk",  # the latest score snapshot's (the workspace's mean when none)
    "health",  # 0-100, the latest snapshot's (50 when none)
    "usage_change",  # visits in the last 90 days against the 90 before, -1..2
    "usage_known",  # 1 when the customer has visits in the 180 days
    "tickets",  # tickets in the 180 days
    "negative_tickets",  # of them, with negative sentiment
    "contacts",  # emails (opened or not), calls and meetings in the 180 days
    "seat_change",  # seats against the previous term's, -1..2 (0: unknown)
    "auto_renew",
    "notice_days",
    "log_amount",  # log10 of the amount a year in home units
    "years_left",  # to the renewal date, held between the shortest and the longest lead
)


def training(decided: list[ContractFacts]) -> list[tuple[ContractFacts, dt.date]]:
    """Each decided contract at each of LEADS before its date, contract by contract."""
    return [(c, c.end - dt.timedelta(days=lead)) for c in decided for lead in LEADS]


@dataclass(frozen=True)
class UsageFigure:
    """A customer's visits in some days to a day and the as many before (WINDOW_DAYS: as
    the customer pane's usage section shows them)."""

    noun: str  # "sessions", "logins" or "usage events" (services/renewals/book.py)
    recent: float
    previous: float

    @property
    def change(self) -> float | None:
        """The recent visits against the previous, as a share (None: none before)."""
        return None if self.previous <= 0 else self.recent / self.previous - 1.0

    @property
    def percent(self) -> int:
        """The change in whole percent, rounded as the pane rounds it (0: none before)."""
        change = self.change
        return 0 if change is None else round(abs(change) * 100)


def usage_figure(
    book: Book, customer: int, day: dt.date, days: int = WINDOW_DAYS
) -> UsageFigure | None:
    """The customer's visits in the ``days`` to ``day`` and the as many before (None: no
    usage ever recorded for them)."""
    if not book.usage.get(customer):
        return None
    window = dt.timedelta(days=days)
    recent = book.usage_between(customer, day - window + dt.timedelta(days=1), day)
    prior = book.usage_between(customer, day - 2 * window + dt.timedelta(days=1), day - window)
    return UsageFigure(book.usage_noun.get(customer, "sessions"), recent, prior)


def _usage_change(figure: UsageFigure | None) -> float | None:
    if figure is None or figure.previous <= 0:
        return None if figure is None or figure.recent <= 0 else 1.0
    return min(figure.recent / figure.previous - 1.0, 2.0)


def _count_since(days: list[dt.date], first: dt.date, last: dt.date) -> int:
    return bisect_right(days, last) - bisect_right(days, first - dt.timedelta(days=1))


def contacts_in(book: Book, customer: int, day: dt.date) -> int:
    """The customer's contacts (emails, calls and meetings) in the TICKET_DAYS to ``day``."""
    first = day - dt.timedelta(days=TICKET_DAYS - 1)
    return _count_since(book.contacts.get(customer, []), first, day)


def _quiet_days(book: Book, contract: ContractFacts, day: dt.date) -> int | None:
    """Days from the customer's last paid order on or before ``day`` (None: no order)."""
    days = book.orders.get(contract.customer_id, [])
    i = bisect_right(days, day)
    return (day - days[i - 1]).days if i else None


def _tickets(book: Book, contract: ContractFacts, day: dt.date) -> tuple[int, int]:
    first = day - dt.timedelta(days=TICKET_DAYS - 1)
    seen = [neg for when, neg in book.tickets.get(contract.customer_id, ()) if first <= when <= day]
    return len(seen), sum(seen)


def _seat_change(contract: ContractFacts) -> float | None:
    if not contract.seats or not contract.previous_seats:
        return None
    return min(contract.seats / contract.previous_seats - 1.0, 2.0)


def features(book: Book, contract: ContractFacts, day: dt.date, mean_risk: float) -> list[float]:
    """The contract's FEATURES as they stood on ``day``."""
    risk = book.latest(book.churn_risk, contract.customer_id, day)
    health = book.latest(book.health, contract.customer_id, day)
    change = _usage_change(usage_figure(book, contract.customer_id, day, TREND_DAYS))
    tickets, negative = _tickets(book, contract, day)
    emails = contacts_in(book, contract.customer_id, day)
    seats = _seat_change(contract)
    amount = contract.annual_cents or 0.0
    quiet = _quiet_days(book, contract, day)
    orders = _count_since(book.orders.get(contract.customer_id, []),
                          day - dt.timedelta(days=TICKET_DAYS - 1), day)  # fmt: skip
    return [
        2.0 if quiet is None else min(quiet / 365.0, 2.0),
        math.log1p(orders),
        mean_risk if risk is None else risk,
        50.0 if health is None else health,
        0.0 if change is None else change,
        0.0 if change is None else 1.0,
        float(tickets),
        float(negative),
        float(emails),
        0.0 if seats is None else seats,
        1.0 if contract.auto_renew else 0.0,
        float(contract.notice_days),
        math.log10(max(amount / 100.0, 1.0)),
        min(max((contract.end - day).days, min(LEADS)), max(LEADS)) / 365.0,
    ]


def matrix(
    book: Book, rows: list[tuple[ContractFacts, dt.date]], mean_risk: float
) -> npt.NDArray[np.float64]:
    """One row of FEATURES a (contract, day): the contract as it stood that day."""
    found = [features(book, c, min(day, book.as_of), mean_risk) for c, day in rows]
    return np.asarray(found, dtype=float).reshape(len(rows), len(FEATURES))


def _short_day(day: dt.date) -> str:
    return f"{day:%b} {day.day}"


def drivers(book: Book, contract: ContractFacts) -> list[str]:
    """What stands out about an upcoming renewal today, in words, the weightiest first."""
    day = book.as_of
    words: list[str] = []
    usage = _usage_words(usage_figure(book, contract.customer_id, day))
    if usage:
        words.append(usage)
    quiet = _quiet_days(book, contract, day)
    if quiet is not None and quiet >= 90:
        words.append(f"no order in {quiet} days")
    tickets, negative = _tickets(book, contract, day)
    if negative:
        plural = "s" * (negative != 1)
        words.append(f"{negative} ticket{plural} with negative sentiment in {TICKET_DAYS} days")
    elif tickets >= 3:
        words.append(f"{tickets} tickets in {TICKET_DAYS} days")
    if contract.customer_id in book.past_due:
        words.append("a subscription payment past due")
    risk = book.latest(book.churn_risk, contract.customer_id, day)
    if risk is not None and risk >= 0.5:
        words.append(f"churn risk {risk:.0%} (no order in {book.horizon_days} days)")
    seats = _seat_change(contract)
    if seats is not None and seats != 0:
        way = "down" if seats < 0 else "up"
        words.append(f"seats {way} from {contract.previous_seats} to {contract.seats}")
    notice = contract.end - dt.timedelta(days=contract.notice_days)
    if contract.auto_renew:
        closes = "closed" if notice < day else "closes"
        words.append(f"auto-renews; notice {closes} {_short_day(notice)}")
    else:
        words.append("does not renew on its own")
    if contacts_in(book, contract.customer_id, day) == 0 and risk is not None and risk >= 0.5:
        words.append(f"no email, call or meeting with them in {TICKET_DAYS} days")
    return words


def _usage_words(figure: UsageFigure | None) -> str | None:
    """The visits in words when they moved by USAGE_DRIVER or more, or stopped: "sessions
    down 40% in 30 days (15 to 9)", the figures the pane's usage section shows."""
    if figure is None:
        return None  # said only of a customer who used the product before: many never do
    recent, previous = f"{figure.recent:,.0f}", f"{figure.previous:,.0f}"
    if figure.previous <= 0:
        if figure.recent <= 0:
            return f"no {figure.noun} in {2 * WINDOW_DAYS} days"
        return f"{recent} {figure.noun} in {WINDOW_DAYS} days, none in the {WINDOW_DAYS} before"
    if figure.percent < USAGE_DRIVER * 100:
        return None
    way = "down" if figure.recent < figure.previous else "up"
    return f"{figure.noun} {way} {figure.percent:,}% in {WINDOW_DAYS} days ({previous} to {recent})"

"""What the return on outreach holds (services.learn.roi), as plain frozen records the
views and the command line read without the database or pandas.

Money is in hundredths of the report's ``currency`` (the workspace's home currency);
ROI is a fraction (0.35 is a 35 % return); ``None`` where there is nothing to divide by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.learn.records import Customers

# The breakdowns Return offers on screen (the command line takes every one of BREAKDOWNS).
ROI_BREAKDOWNS = ("rule", "segment", "owner", "template", "playbook")
# What "redeemed" means, in the words every surface shows.
REDEEMED_WORDS = (
    "An offer counts as redeemed when the customer it was made to ordered within the "
    "attribution window of the email that made it."
)
NO_COSTS_WORDS = "No costs set: the cost per email, call or meeting and the team's time are 0."


@dataclass(frozen=True)
class CostSettings:
    """What outreach earns and costs, as set (services/settings/learn.py)."""

    margin_percent: float  # 0: no margin rate set (the return counts revenue)
    offer_percent: float  # the share of a redeemed offer's value it costs
    email_cents: int
    call_cents: int
    meeting_cents: int
    team_month_cents: int

    @property
    def contact_costs_set(self) -> bool:
        """Whether any cost of contact or of the team's time is set."""
        return any((self.email_cents, self.call_cents, self.meeting_cents, self.team_month_cents))


@dataclass(frozen=True)
class Cost:
    """What one slice's outreach cost, part by part."""

    offers_cents: int  # redeemed offers, at the set share of their value
    redeemed: Customers  # contacted customers whose offer was redeemed
    emails: int
    calls: int
    meetings: int
    contacts_cents: int  # emails, calls and meetings at their set costs
    team_cents: int  # the team's time, apportioned to this slice
    total_cents: int


@dataclass(frozen=True)
class RoiRow:
    """The return of one slice of the exposures (key "" for all of them)."""

    key: str
    label: str
    contacted: Customers  # the counted contacted customers (their costs are counted)
    holdout: int  # held-out customers compared with them
    incremental_cents: float | None  # the one incremental revenue (services.learn.lift)
    incremental_low_cents: float | None
    incremental_high_cents: float | None
    margin_cents: float | None  # incremental margin; None when no margin rate is set
    cost: Cost
    roi: float | None  # (margin, or revenue, - cost) / cost
    low: float | None
    high: float | None
    confidence: float
    enough: bool
    reason: str  # why the figures are not trusted yet, in words ("" when they are)

    @property
    def gain_cents(self) -> float | None:
        """What the return sets against the cost: the margin if set, else the revenue."""
        return self.margin_cents if self.margin_cents is not None else self.incremental_cents


@dataclass(frozen=True)
class RoiReport:
    """Return on outreach, overall and per breakdown key."""

    since: dt.date | None
    until: dt.date | None
    as_of: dt.datetime
    window_days: int
    currency: str
    costs: CostSettings
    first_day: dt.date | None  # the period the team's time is spread over
    last_day: dt.date | None
    months: float
    overall: RoiRow
    by: str | None
    breakdown: tuple[RoiRow, ...]
    money_note: str | None = None

    @property
    def uses_margin(self) -> bool:
        """Whether the return counts margin (a margin rate is set) or revenue."""
        return self.costs.margin_percent > 0

"""What the effectiveness report holds (services.learn.effectiveness), as plain frozen
records the views and the command line can read without the database or pandas.

Every figure that counts customers keeps their ids (``customer_ids``, ascending), so a
screen can open "the customers behind this bar". Money is in hundredths of the report's
``currency`` (the workspace's home currency). Rates and lifts are fractions (0.079 is
7.9 points); ``None`` where there is nothing to divide by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from models.vocab import LEARN_BREAKDOWNS

# What the report can be broken down by, and the words for each.
BREAKDOWNS = LEARN_BREAKDOWNS
BREAKDOWN_LABELS = {
    "rule": "Alert rule",
    "goal": "Goal",
    "template": "Template or model",
    "variant": "Draft variant",
    "tone": "Tone",
    "owner": "Owner",
    "segment": "Segment",
    "playbook": "Playbook",
}
# Breakdowns by what the outreach was (the email, or the playbook started): the held-out
# got none, so each slice of the contacted is compared with every held-out customer of
# the period.
EMAIL_BREAKDOWNS = frozenset({"goal", "template", "variant", "tone", "playbook"})
NO_VALUE = "(none)"  # the key of a slice whose value is missing


@dataclass(frozen=True)
class Customers:
    """A count of customers and who they are."""

    count: int
    customer_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class GroupRate:
    """One group's re-engagement: customers counted, re-engaged, the rate."""

    customers: Customers
    reengaged: Customers
    rate: float | None


@dataclass(frozen=True)
class Lift:
    """Contacted against held out: the lift in re-engagement with its interval."""

    contacted: GroupRate
    holdout: GroupRate
    lift: float | None
    low: float | None
    high: float | None
    confidence: float
    enough: bool
    # Why the figures are not trusted yet, in words ("" when they are).
    not_enough_reason: str


@dataclass(frozen=True)
class SetAside:
    """Exposures left out of the rates, and why."""

    contacted_anyway: Customers  # held out, then contacted: in neither group
    not_contacted: Customers  # assigned outreach, never contacted: in neither rate
    repeats: Customers  # later alerts of a customer already counted
    window_open: Customers  # the attribution window has not closed yet


@dataclass(frozen=True)
class TimeToReengagement:
    """Days from the email (or the alert) to the first order: median and weekly counts."""

    reengaged: int
    median_days: float | None
    week_first_days: tuple[int, ...]
    week_counts: tuple[int, ...]
    week_customer_ids: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Revenue:
    """Won-back revenue of the contacted, and the part the outreach added."""

    reengaged: Customers  # contacted customers who ordered in the window
    won_back_cents: int
    average_cents: float | None  # per re-engaged contacted customer
    incremental_customers: float | None
    incremental_cents: float | None
    incremental_low_cents: float | None
    incremental_high_cents: float | None
    # Mean revenue per customer in the window, contacted minus held out (bootstrap).
    per_customer_lift_cents: float | None
    per_customer_low_cents: float | None
    per_customer_high_cents: float | None
    enough: bool


@dataclass(frozen=True)
class Slice:
    """Every Learn figure of one slice of the exposures (key "" for all of them)."""

    key: str  # the value as stored: a rule's key, a template's name, a variant's number
    lift: Lift
    time_contacted: TimeToReengagement
    time_holdout: TimeToReengagement
    revenue: Revenue
    set_aside: SetAside
    label: str = ""  # the key in words: a rule's title, "Draft 2", "Win back"
    # Intention to treat: every alert assigned outreach (emailed or not; the clock starts
    # at the email, or at the alert when none was sent) against the held out. It is what
    # the holdout policy itself achieves, free of whom the users chose to write to.
    as_assigned: Lift | None = None


@dataclass(frozen=True)
class AtRiskPart:
    """One owner's or segment's at-risk customers among its scored ones."""

    at_risk: Customers
    scored: int
    share: float


@dataclass(frozen=True)
class AtRisk:
    """The at-risk share and the engagement-below-50 share of the latest scoring as of the
    period's end."""

    as_of: dt.date
    threshold: float  # churn risk, a fraction
    scored: int
    at_risk: Customers  # churn risk >= threshold, not counting Lost (as the dashboard)
    at_risk_share: float | None
    low_engagement: Customers  # engagement score below LOW_ENGAGEMENT
    low_engagement_share: float | None
    # Broken down by owner or segment: the at-risk customers of each (key as in the slices).
    by: dict[str, AtRiskPart] = field(default_factory=dict)


LOW_ENGAGEMENT = 50.0
# The breakdowns whose rows have an at-risk share of their own (customers have them).
AT_RISK_BREAKDOWNS = ("owner", "segment")


@dataclass(frozen=True)
class WarningBucket:
    """Risk alerts of churned customers whose warning fell in [first_day, last_day]."""

    label: str
    first_day: int | None  # None: below zero (the gap had already passed the horizon)
    last_day: int | None  # None: no upper end
    alerts: Customers


@dataclass(frozen=True)
class AlertQuality:
    """How right the alerts were, judged on the held-out customers nobody contacted."""

    horizon_days: int
    decided: Customers  # held out, not contacted, the horizon since the alert has passed
    churned: Customers  # of those: no paid order within the horizon after the alert
    churn_share: float | None
    pending: Customers  # held out, not contacted, horizon not passed yet
    # Risk alerts of the churned: days from the alert to the day the gap since the last
    # order reached the horizon (negative: it already had when the alert was raised).
    warned: Customers
    median_warning_days: float | None
    warning_buckets: tuple[WarningBucket, ...]


@dataclass(frozen=True)
class MonthPoint:
    """Re-engagement of the exposures that started in one month."""

    month: dt.date  # its first day
    contacted: GroupRate
    holdout: GroupRate


@dataclass(frozen=True)
class Offers:
    """Offers found in the counted contacted customers' emails (services.outreach.checks
    spots them: an amount or a percent next to an offer word)."""

    emails: int  # emails read
    with_offer: Customers  # customers whose email made an offer
    money_offers: int
    money_offer_cents: int  # the amounts as written, taken in the home currency
    percent_offers: int  # percent-off offers, counted (their value depends on the order)
    # What the percents off cost at most: each email's largest percent of the orders its
    # customer placed in the window (as if every one was redeemed on them).
    percent_offer_max_cents: int = 0


@dataclass(frozen=True)
class EffectivenessReport:
    """Did outreach work: the Learn figures overall and per breakdown key."""

    since: dt.date | None
    until: dt.date | None
    as_of: dt.datetime  # when the report was computed (UTC)
    window_days: int
    currency: str
    at_risk: AtRisk | None  # None: never scored
    overall: Slice
    by: str | None
    breakdown: tuple[Slice, ...]
    over_time: tuple[MonthPoint, ...]
    alert_quality: AlertQuality
    offers: Offers
    # No experiment at all: no alert was raised with the holdout on in the period.
    exposures: int
    # Orders left out of the money figures for want of an exchange rate, in words.
    money_note: str | None = None

    @property
    def breakdown_note(self) -> str:
        """How the breakdown's held-out groups are made, in words ("" when plain)."""
        return breakdown_note(self.by)


def breakdown_note(by: str | None) -> str:
    """How the held-out groups of a breakdown by ``by`` are made, in words ("" when plain)."""
    if by == "playbook":
        return (
            "Held-out customers got no playbook, so every playbook is compared with all "
            "held-out customers of the period; (none): emailed without a playbook."
        )
    if by in EMAIL_BREAKDOWNS:
        return (
            "Held-out customers got no email, so every slice is compared with all "
            "held-out customers of the period."
        )
    return ""

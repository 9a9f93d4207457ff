"""The retention report's two cost figures (services/retention/kpis.py computes them):
the incentive cost per retained customer, and the cost of acquiring a customer (CAC)
against their lifetime value (CLV) by acquisition channel. Frozen, as the report's other
records, and each defined once in words below."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.core.clv_words import value_label

__all__ = [
    "CAC_HOW",
    "NO_CHANNEL",
    "AcquisitionChannel",
    "AcquisitionReport",
    "IncentiveGroup",
    "IncentiveReport",
    "acquisition_definitions",
    "incentive_definitions",
]

NO_CHANNEL = "No channel"
# How to give a channel its CAC, where a figure is missing.
CAC_HOW = (
    "Settings ▸ Retention ▸ Cost of acquiring a customer, or "
    "config set retention.cac_by_channel online=45"
)
# Where the margin rate CLV:CAC and the months to recover CAC count with is set.
MARGIN_HOW = (
    "Settings ▸ Measuring outreach ▸ Return on outreach ▸ Margin rate, or "
    "config set learn.margin_percent 40"
)


def margin_share(margin_percent: float) -> float:
    """The share of revenue kept as margin (1: no margin rate set, revenue counts)."""
    return margin_percent / 100.0 if margin_percent > 0 else 1.0


DAYS_PER_MONTH = 30.4


def incentive_definitions() -> tuple[tuple[str, str], ...]:
    """The incentive figures in words, once: the report, the command line and the window
    say these."""
    return (
        (
            "Offer redeemed",
            "a discount recorded on a paid order in the period (the shop's Discount "
            "Amount, or a discount column kept with imported orders), or an offer made in an "
            "email sent or exported to the customer in the period and followed by a paid "
            "order within the attribution window (Settings ▸ Measuring outreach) that "
            "records no discount of its own (one recorded as 0 means the offer went unused): "
            "a money offer at its amount, a percent off at that share of the order, never "
            "more than the order.",
        ),
        (
            "Incentive cost per retained customer",
            "the offers the retained customers redeemed in the period, in the home "
            "currency, divided by the retained customers; and divided by those of them "
            "contacted with an offer (an email making one, sent or exported in the period).",
        ),
    )


def acquisition_definitions(
    months: int, margin_percent: float = 0.0
) -> tuple[tuple[str, str], ...]:
    """CAC against CLV in words, once, with the value's horizon of the scoring used and
    the margin rate they count with (0: none set, revenue)."""
    label = value_label(months)
    if margin_percent > 0:
        margin = f"the margin rate ({margin_percent:g}% of revenue, {MARGIN_HOW})"
        ratio = (
            f"the channel's mean CLV times {margin}, divided by its CAC: margin against "
            "the cost (3 or more is the usual aim)."
        )
        pace = "their CLVs times the margin rate"
    else:
        ratio = (
            "the channel's mean CLV divided by its CAC, on revenue: no margin rate is set "
            f"({MARGIN_HOW}), so it reads higher than margin would; the usual aim of 3 or "
            "more is for margin."
        )
        pace = "their CLVs (revenue: no margin rate set)"
    return (
        (
            "Acquired",
            "a customer whose first paid order falls in the period; their acquisition "
            "channel is the one their customer record names (a CRM's Lead Source or "
            "Original Source, an acquisition channel or UTM source column), else that "
            "order's channel.",
        ),
        (
            "CAC",
            "the cost of acquiring one customer through the channel, as set in Settings ▸ "
            "Retention (home currency); a channel without one says CAC not set. By segment "
            "(the latest scoring's): the mean of its customers' CACs, each at their "
            "channel's; not set while one of their channels has none.",
        ),
        (
            "CLV (lifetime value)",
            f"the customer's paid revenue to date plus their predicted {label} from the "
            "latest scoring (not scored: revenue to date only).",
        ),
        ("CLV:CAC", ratio),
        (
            "Months to recover CAC",
            f"CAC divided by what the channel's customers bring per customer per month: "
            f"{pace} over their months since the first order plus the {months} months "
            "predicted.",
        ),
    )


@dataclass(frozen=True)
class IncentiveGroup:
    """The retained customers of one group, the offers they redeemed (home hundredths, a
    customer with none left out) and which of them were contacted with an offer."""

    key: str
    label: str
    retained_ids: tuple[int, ...]
    redeemed: Mapping[int, int]
    contacted_ids: frozenset[int]

    @property
    def retained(self) -> int:
        return len(self.retained_ids)

    @property
    def redeemers(self) -> int:
        """Retained customers who redeemed an offer."""
        return len(self.redeemed)

    @property
    def redeemed_cents(self) -> int:
        return sum(self.redeemed.values())

    @property
    def cost_per_retained_cents(self) -> float | None:
        return self.redeemed_cents / self.retained if self.retained else None

    @property
    def contacted(self) -> int:
        """Retained customers contacted with an offer in the period."""
        return len(self.contacted_ids)

    @property
    def contacted_redeemed_cents(self) -> int:
        return sum(c for cid, c in self.redeemed.items() if cid in self.contacted_ids)

    @property
    def cost_per_contacted_cents(self) -> float | None:
        return self.contacted_redeemed_cents / self.contacted if self.contacted else None

    def customer_ids(self, which: str = "retained") -> tuple[int, ...]:
        """The customers behind a figure: retained, redeemed or contacted."""
        if which == "redeemed":
            return tuple(sorted(self.redeemed))
        if which == "contacted":
            return tuple(sorted(self.contacted_ids))
        return self.retained_ids


@dataclass(frozen=True)
class IncentiveReport:
    """The incentive cost of the period's retained customers, overall and by the report's
    segments and owners."""

    overall: IncentiveGroup
    by_segment: tuple[IncentiveGroup, ...]
    by_owner: tuple[IncentiveGroup, ...]
    attribution_days: int
    money_note: str | None = None  # discounts left out for want of an exchange rate

    def breakdown(self, by: str) -> tuple[IncentiveGroup, ...]:
        """The groups by segment or owner (the overall group alone for any other)."""
        return {"segment": self.by_segment, "owner": self.by_owner}.get(by, ())


@dataclass(frozen=True)
class AcquisitionChannel:
    """The customers one channel acquired in the period, with their CAC and CLV (home
    hundredths; ``cac_cents`` None: not set)."""

    key: str
    label: str
    customer_ids: tuple[int, ...]
    cac_cents: int | None
    clv_cents: Mapping[int, int]  # revenue to date + predicted value, per customer
    months: float  # their months since the first order plus the months predicted, summed
    # The margin rate CLV:CAC and the months to recover CAC count with (learn.
    # margin_percent; 0: none set, they count revenue and say so).
    margin_percent: float = 0.0

    @property
    def acquired(self) -> int:
        return len(self.customer_ids)

    @property
    def clv_total_cents(self) -> int:
        return sum(self.clv_cents.values())

    @property
    def mean_clv_cents(self) -> float | None:
        return self.clv_total_cents / self.acquired if self.acquired else None

    @property
    def ratio(self) -> float | None:
        """Mean CLV times the margin rate / CAC; None without a CAC above 0 or a
        customer."""
        mean = self.mean_clv_cents
        if self.cac_cents is None or not self.cac_cents or mean is None:
            return None
        return mean * margin_share(self.margin_percent) / self.cac_cents

    @property
    def monthly_cents(self) -> float | None:
        """What a customer brings per month over their lifetime so far and predicted:
        revenue times the margin rate."""
        if self.months <= 0:
            return None
        return self.clv_total_cents * margin_share(self.margin_percent) / self.months

    @property
    def payback_months(self) -> float | None:
        """CAC / monthly revenue; None without a CAC or any revenue (0 for a free CAC)."""
        if self.cac_cents is None:
            return None
        if self.cac_cents == 0:
            return 0.0
        pace = self.monthly_cents
        return self.cac_cents / pace if pace else None


@dataclass(frozen=True)
class AcquisitionReport:
    """CAC against CLV of the customers acquired in the period, by channel."""

    channels: tuple[AcquisitionChannel, ...]
    value_months: int  # T of the scoring whose value is used
    scored_as_of: dt.date | None  # that scoring (None: not scored, revenue to date only)
    as_of: dt.date  # revenue to date up to this day
    unset: tuple[str, ...] = field(default=())  # channels acquired with no CAC set
    money_note: str | None = None
    margin_percent: float = 0.0  # the margin rate its channels count with (0: none set)
    # The same customers by the latest scoring's segment (a segment's CAC: the mean of its
    # customers' channels' CACs; None when one of them has none).
    by_segment: tuple[AcquisitionChannel, ...] = field(default=())

    def breakdown(self, by: str) -> tuple[AcquisitionChannel, ...]:
        """By channel, or by segment."""
        return self.by_segment if by == "segment" else self.channels

    @property
    def acquired(self) -> int:
        return sum(c.acquired for c in self.channels)

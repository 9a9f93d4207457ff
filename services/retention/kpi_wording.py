"""The retention report's cost figures in words, the same on the command line and in the
window (services/retention/kpi_records.py defines them)."""

from __future__ import annotations

from services.core.clv_words import value_label
from services.core.money import format_money
from services.retention.kpi_records import (
    CAC_HOW,
    AcquisitionChannel,
    AcquisitionReport,
    IncentiveGroup,
)

__all__ = [
    "acquisition_headline",
    "cac_text",
    "cost",
    "incentive_headline",
    "payback_text",
    "ratio_text",
    "unset_words",
]


def cost(currency: str, cents: float | None) -> str:
    """An amount per customer, to the cent below 100 units ("$6.25", "–" when none)."""
    if cents is None:
        return "–"
    return format_money(cents, currency, compact=abs(cents) >= 10_000)


def incentive_headline(group: IncentiveGroup, currency: str, window: int) -> str:
    """The period's incentive cost in one or two sentences."""
    if not group.retained:
        return "No customer was retained in the period: there is no incentive cost to count."
    words = (
        f"{group.redeemers:,} of the {group.retained:,} retained customers redeemed offers "
        f"worth {cost(currency, group.redeemed_cents)}: "
        f"{cost(currency, group.cost_per_retained_cents)} per retained customer."
    )
    if group.contacted:
        words += (
            f" Of those contacted with an offer ({group.contacted:,}): "
            f"{cost(currency, group.cost_per_contacted_cents)} each "
            f"(emailed offers count when an order follows within {window} days)."
        )
    else:
        words += " None of them was emailed an offer in the period."
    return words


def cac_text(channel: AcquisitionChannel, currency: str) -> str:
    """The channel's CAC, or "CAC not set"."""
    return "CAC not set" if channel.cac_cents is None else cost(currency, channel.cac_cents)


def ratio_text(channel: AcquisitionChannel) -> str:
    """CLV:CAC as "4.7 : 1" (on margin), "28.6 : 1 rev." when no margin rate is set (on
    revenue: the definitions say so); "–" without a CAC above 0."""
    ratio = channel.ratio
    if ratio is None:
        return "–"
    return f"{ratio:.1f} : 1" if channel.margin_percent > 0 else f"{ratio:.1f} : 1 rev."


def payback_text(channel: AcquisitionChannel) -> str:
    """Months to recover CAC ("8.5 months"); "no revenue yet" when nothing comes in."""
    if channel.cac_cents is None:
        return "–"
    months = channel.payback_months
    if months is None:
        return "no revenue yet"
    return f"{months:.1f} months"


SEGMENT_CAC_WORDS = "A segment's CAC needs the CAC of every channel its customers came through."


def unset_words(report: AcquisitionReport, by: str = "channel") -> str | None:
    """Which channels have no CAC, and how to set one (by segment: why a segment has
    none); None when all have."""
    if not report.unset:
        return None
    names = ", ".join(report.unset)
    words = f"CAC not set for {names}: set it in {CAC_HOW}."
    return f"{SEGMENT_CAC_WORDS} {words}" if by == "segment" else words


def acquisition_headline(report: AcquisitionReport, currency: str) -> str:
    """The customers acquired in the period and what their value says against CAC."""
    if not report.acquired:
        return "No customer placed a first order in the period: nobody was acquired in it."
    label = value_label(report.value_months)
    day = report.scored_as_of
    value = (
        f"their revenue to date plus the {label} of the scoring of {day:%b} {day.day}, {day.year}"
        if day is not None
        else "their revenue to date (not scored yet: no predicted value)"
    )
    channels = len(report.channels)
    words = (
        f"{report.acquired:,} customers acquired in the period through {channels:,} "
        f"channel{'s' if channels != 1 else ''}; their CLV is {value}."
    )
    best = max((c for c in report.channels if c.ratio is not None), key=lambda c: c.ratio or 0,
               default=None)  # fmt: skip
    if best is not None:
        words += f" Best CLV:CAC: {best.label}, {ratio_text(best)}."
    return words

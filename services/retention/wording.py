"""Retention in words, the same on the command line and in the window."""

from __future__ import annotations

import datetime as dt

from services.core.money import format_money
from services.retention.records import (
    BASIS_LABELS,
    SMALL_GROUP,
    RetentionGroup,
    RetentionReport,
)

__all__ = [
    "basis_words",
    "empty_words",
    "headline",
    "money",
    "period_words",
    "rate",
    "small_words",
]

SMALL_WORDS = (
    f"* fewer than {SMALL_GROUP} customers at the start: a rate of so few says little; "
    "read it with care."
)


def rate(value: float | None) -> str:
    """A rate as a percentage with one decimal, "–" when there is none."""
    return "–" if value is None else f"{value:.1%}"


def money(report: RetentionReport, cents: float | None) -> str:
    """An amount in the report's home currency, compact."""
    return "–" if cents is None else format_money(cents, report.currency, compact=True)


def _day(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def period_words(report: RetentionReport) -> str:
    """ "Nov 2025 to Oct 2026" (one month: "Oct 2026")."""
    first, last = f"{report.first_day:%b %Y}", f"{report.last_day:%b %Y}"
    words = first if first == last else f"{first} to {last}"
    if report.as_of is not None and report.last_day >= report.as_of:
        words += " (to date: the last month is not over)"
    return words


def empty_words(report: RetentionReport) -> str | None:
    """Why there is nothing to show, in words; None when there is something."""
    if not report.has_data:
        if report.basis == "orders":
            return "No paid orders in this workspace yet: retention shows once orders are imported."
        return "No subscriptions in this workspace: pick repeat purchases, or import subscriptions."
    if report.overall.at_start == 0:
        active = "with a paid order in the 12 months before" if report.basis == "orders" else (
            "with a running subscription on"
        )  # fmt: skip
        words = f"No customer was active ({active} {_day(report.first_day)})"
        span = report.data_span
        if span is None:
            return words + "."
        what = "paid orders" if report.basis == "orders" else "subscriptions"
        until = f"to {_day(span[1])}" if span[1] is not None else "to today"
        return f"{words}: the {what} run from {_day(span[0])} {until}; pick a period within them."
    return None


def headline(report: RetentionReport) -> str:
    """The whole period in one or two sentences."""
    empty = empty_words(report)
    if empty is not None:
        return empty
    whole = report.overall
    words = (
        f"Of {whole.at_start:,} customers active on {_day(report.first_day)}, {whole.retained:,} "
        f"were still active at the end of {report.last_day:%b %Y}: a retention rate of "
        f"{rate(whole.retention_rate)} (churn {rate(whole.churn_rate)})."
    )
    if whole.nrr is not None:
        before = money(report, whole.revenue_before_cents)
        words += (
            f" Their revenue kept: NRR {rate(whole.nrr)} ({money(report, whole.revenue_now_cents)}"
            f" against {before}), GRR {rate(whole.grr)} "
            f"({money(report, whole.revenue_kept_cents)} of {before} kept, growth left out)."
        )
    if whole.small:
        words += f" Only {whole.at_start:,} customers: read the rates with care."
    return words


def small_words(groups: tuple[RetentionGroup, ...]) -> str | None:
    """The footnote of a table with a small group in it."""
    return SMALL_WORDS if any(g.small for g in groups) else None


def basis_words(report: RetentionReport) -> str:
    """ "Retention on repeat purchases" or "on subscriptions"."""
    return f"Retention on {BASIS_LABELS[report.basis].lower()}"

"""Support analytics in words, the same on the command line and in the window."""

from __future__ import annotations

import datetime as dt

from services.support.records import REPEAT_DAYS, SMALL_RATED, SupportGroup, SupportReport

__all__ = [
    "duration",
    "empty_words",
    "headline",
    "period_words",
    "rate",
    "section_note",
    "small_words",
]

SMALL_WORDS = (
    f"* fewer than {SMALL_RATED} rated tickets: a share of so few says little; read it with care."
)
# Where tickets come from, for a workspace that has none.
NO_TICKETS = (
    "No tickets in this workspace yet: import your help desk's ticket export (Zendesk: "
    "Admin Center ▸ Reports ▸ Export, the tickets CSV; another help desk: its tickets CSV "
    "with a Kind column saying ticket) and they show here."
)


def rate(value: float | None) -> str:
    """A share as a whole percentage, "–" when there is none."""
    return "–" if value is None else f"{value:.0%}"


def duration(hours: float | None) -> str:
    """Hours in words: "45 minutes", "5.5 hours", "3.2 days"; "–" when there is none."""
    if hours is None:
        return "–"
    if hours < 1:
        minutes = max(1, round(hours * 60))
        return f"{minutes} minute" + ("" if minutes == 1 else "s")
    if hours < 48:
        value = f"{hours:.1f}".removesuffix(".0")
        return f"{value} hour" + ("" if value == "1" else "s")
    return f"{hours / 24:.1f}".removesuffix(".0") + " days"


def _many(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _day(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def period_words(report: SupportReport) -> str:
    """ "Dec 1, 2025 to Nov 27, 2026" (" (to date)" when it ends today or later)."""
    words = f"{_day(report.first_day)} to {_day(report.last_day)}"
    if report.as_of is not None and report.last_day >= report.as_of:
        words += " (to date)"
    return words


def empty_words(report: SupportReport) -> str | None:
    """Why there is nothing to show, in words; None when there is something."""
    if not report.has_tickets:
        return NO_TICKETS
    if report.overall.count == 0:
        words = f"No ticket was opened from {_day(report.first_day)} to {_day(report.last_day)}"
        if report.span is None:
            return words + "."
        first, last = report.span
        return (
            f"{words}: the tickets run from {_day(first)} to {_day(last)}; "
            "pick a period within them."
        )
    return None


def headline(report: SupportReport) -> str:
    """The whole period in one or two sentences."""
    empty = empty_words(report)
    if empty is not None:
        return empty
    whole = report.overall
    words = f"{whole.count:,} tickets from {len(whole.customers):,} customers"
    if whole.open:
        words += f", {whole.open:,} still open"
    words += "."
    if whole.timed:
        words += (
            f" Half were resolved within {duration(whole.median_hours)}, 9 in 10 within "
            f"{duration(whole.p90_hours)}."
        )
    if whole.rated:
        words += f" {rate(whole.share_good)} of {whole.rated:,} rated tickets were rated good."
    if whole.customers and not whole.returned:
        words += f" No customer came back within {REPEAT_DAYS} days of a ticket's resolution."
    elif whole.customers:
        words += (
            f" {_many(len(whole.returned), 'customer', 'customers')} "
            f"({rate(whole.repeat_share)}) came back within {REPEAT_DAYS} days of a ticket's "
            "resolution."
        )
    return words


def small_words(groups: tuple[SupportGroup, ...]) -> str | None:
    """The footnote of a satisfaction table with a small group in it."""
    return SMALL_WORDS if any(g.small for g in groups) else None


def section_note(report: SupportReport, section: str) -> str | None:
    """What a table leaves out or cannot show, in words (None: nothing to say)."""
    whole = report.overall
    if section == "priority" and not report.has_priority:
        return "The tickets carry no priority (Zendesk's Priority column)."
    if section == "agent" and not report.has_agent:
        return "The tickets name no agent (Zendesk's Assignee column)."
    if section in ("resolution", "satisfaction", "repeat") and not report.has_type:
        return "The tickets carry no type (Zendesk's Ticket type column)."
    if section == "resolution":
        parts = []
        if not report.has_resolution_times:
            parts.append(
                "The import recorded no resolution times (Zendesk's Solved at column): "
                "time to resolution cannot be told."
            )
        elif whole.untimed:
            parts.append(
                f"{_many(whole.untimed, 'resolved ticket has', 'resolved tickets have')} "
                "no solved time: left out of the times."
            )
        if whole.open:
            parts.append(
                f"{_many(whole.open, 'open ticket is', 'open tickets are')} counted apart, "
                "never as resolved."
            )
        return " ".join(parts) or None
    if section in ("agent", "satisfaction") and not whole.rated:
        return "No ticket of the period was rated good or bad."
    return None

"""The window's own shapes of figures: money on a cell, a tile and an axis; UTC day counts.

Money: every figure goes through services/core/money.py (which exports and templates use
too) with its currency; these are the window's wordings of it (table cells, tiles, axis
labels). Counts, percentages, dates and relative dates are worded by
services/core/formatting.py, for the window, the command line, exports and templates alike.
Dates: UTC calendar dates and calendar-day counts, as below; a date editor writes its
date in the style of every date shown (``date_edit``: 'Mar 7, 2026').

Orders and events are stored in UTC and the customers table formats UTC dates; the
detail pane, the timeline and the chart use these helpers so that no part of the
window disagrees with another by a day because of the machine's time zone. A day
count is the difference between two UTC calendar dates (an order at 23:00 UTC on
Nov 19 is "2 days ago" at 08:00 UTC on Nov 21), the same rule as the table's
"Days quiet" column.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale
from PySide6.QtWidgets import QDateEdit, QWidget

from services.core import money
from services.core.formatting import DATE_PATTERN_QT


def utc_now() -> dt.datetime:
    """The current time, aware, in UTC (the default clock of the views)."""
    return dt.datetime.now(dt.UTC)


def as_utc(when: dt.datetime) -> dt.datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already (as stored)."""
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def utc_date(when: dt.datetime) -> dt.date:
    """The UTC calendar date of a moment."""
    return as_utc(when).date()


# Days since the last order that the window marks as a warning and as critical (the
# customers table's Days quiet and the customer pane's Last order tile).
QUIET_WARNING_DAYS = 90
QUIET_CRITICAL_DAYS = 180


def days_between(when: dt.datetime, now: dt.datetime) -> int:
    """Calendar days from when's UTC date to now's UTC date; never negative."""
    return max((utc_date(now) - utc_date(when)).days, 0)


# --- money and percentages ------------------------------------------------------------


def format_money(amount: float, currency: str, *, cents: bool = True) -> str:
    """An amount in units of ``currency`` with its sign ("$1,234.50", "€12", "¥1,000");
    services/core/money.py formats every figure (JPY and KRW never show cents)."""
    return money.format_money(amount * 100.0, currency, decimals=2 if cents else 0)


def compact_money(value: float, currency: str) -> str:
    """Axis labels in units of ``currency``: $0, $850, $1.2k, $15k, €1.3M."""
    return money.format_money(value * 100.0, currency, compact=True)


def short_money(cents: float, currency: str) -> str:
    """Money for a tile: "$12,345" below a million units, "$1.2M" from there."""
    v = abs(cents) / 100.0
    if v >= 1_000_000:
        sign = "-" if cents < 0 else ""
        digits = 0 if v >= 100_000_000 else 1
        return f"{sign}{money.currency_symbol(currency)}{v / 1_000_000:,.{digits}f}M"
    return money.format_money(cents, currency, decimals=0)


def date_edit(
    parent: QWidget | None, day: dt.date, *, earliest: dt.date | None = None
) -> QDateEdit:
    """A date editor with a calendar that writes its date as every date on screen is
    written ('Mar 7, 2026', services.core.formatting.format_date), in English month names
    whatever the machine's language, as format_date; ``earliest``: the first date allowed."""
    edit = QDateEdit(parent)
    edit.setLocale(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    edit.setDisplayFormat(DATE_PATTERN_QT)
    edit.setCalendarPopup(True)
    if earliest is not None:
        edit.setMinimumDate(QDate(earliest.year, earliest.month, earliest.day))
    edit.setDate(QDate(day.year, day.month, day.day))
    return edit

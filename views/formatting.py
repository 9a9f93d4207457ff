"""Dates as the whole window shows them: UTC calendar dates and calendar-day counts.

Orders and events are stored in UTC and the customers table formats UTC dates; the
detail pane, the timeline and the chart use these helpers so that no part of the
window disagrees with another by a day because of the machine's time zone. A day
count is the difference between two UTC calendar dates (an order at 23:00 UTC on
Nov 19 is "2 days ago" at 08:00 UTC on Nov 21), the same rule as the table's
"Days quiet" column.
"""

from __future__ import annotations

import datetime as dt


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


def days_between(when: dt.datetime, now: dt.datetime) -> int:
    """Calendar days from when's UTC date to now's UTC date; never negative."""
    return max((utc_date(now) - utc_date(when)).days, 0)

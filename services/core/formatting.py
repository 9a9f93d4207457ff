"""How the product writes counts, percentages, dates and relative dates, in words.

One set of wordings for the window, the command line, the exports and the email
templates, so that "3 days ago", "2 minutes ago", "Mar 7, 2026" or "72%" read the same
everywhere.
Money has its own module, services/core/money.py (every amount with its currency); the
window's extra shapes of it (axis labels, tiles) are in views/kit/formatting.py.
"""

from __future__ import annotations

import datetime as dt


def plural(n: float, one: str, many: str | None = None) -> str:
    """A count with its noun: "1 file", "2,048 files", "3 people" (many="people")."""
    count = int(n)
    return f"{count:,} {one}" if count == 1 else f"{count:,} {many or one + 's'}"


def format_count(n: float) -> str:
    """A whole count with thousands separators: "12,345"."""
    return f"{int(n):,}"


def format_percent(probability: float) -> str:
    """A probability as a whole percentage: '72%'; '<1%' and '>99%' at the ends, so
    that a small risk never reads as none and a large one never as certain."""
    if 0 < probability < 0.005:
        return "<1%"
    if 0.995 < probability < 1:
        return ">99%"
    return f"{probability * 100:.0f}%"


# The one style of a date shown to people ('Mar 7, 2026'): format_date, and this, the
# same style in Qt's date-format language (views/kit/formatting.py gives it to date editors).
DATE_PATTERN_QT = "MMM d, yyyy"


def format_date(day: dt.date) -> str:
    """A short, unambiguous date: 'Mar 7, 2026' (DATE_PATTERN_QT in a date editor)."""
    return f"{day:%b} {day.day}, {day.year}"


def format_date_time(when: dt.datetime) -> str:
    """A date and its clock time as given (no zone change): 'Mar 7, 2026 at 14:03'."""
    return f"{format_date(when.date())} at {when:%H:%M}"


def format_short_date(day: dt.date) -> str:
    """A date within the year shown beside it: 'Mar 7'."""
    return f"{day:%b} {day.day}"


def format_long_date(day: dt.date) -> str:
    """A date in a sentence of an email: '7 March 2026'."""
    return f"{day.day} {day:%B} {day.year}"


def format_timestamp(when: dt.datetime) -> str:
    """A moment on the user's clock, to the minute: '2026-11-15 14:03' (a naive
    moment is taken to be UTC, as the workspace stores them)."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    return aware.astimezone().strftime("%Y-%m-%d %H:%M")


def days_ago(days: int) -> str:
    """A day count as a relative date: 'today', 'yesterday', '12 days ago'."""
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days:,} days ago"


def time_ago(when: dt.datetime, now: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """How long before ``now`` a moment was, in words on the user's clock: 'just now',
    '2 minutes ago', '3 hours ago' (earlier the same day), 'yesterday at 14:05', 'on Mar
    7 at 14:05', 'on Mar 7, 2025 at 14:05' (another year). Naive moments are taken to be
    UTC, as the workspace stores them; ``tz`` is the clock's zone (default: this
    computer's). A moment after ``now`` (another computer's clock ahead) is 'just now'."""
    start = when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    end = now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)
    seconds = (end - start).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{plural(seconds // 60, 'minute')} ago"
    local = start.astimezone(tz)
    today = end.astimezone(tz).date()
    clock = f"{local:%H:%M}"
    if local.date() == today:
        return f"{plural(seconds // 3600, 'hour')} ago"
    if local.date() == today - dt.timedelta(days=1):
        return f"yesterday at {clock}"
    day = format_short_date(local.date()) if local.year == today.year else format_date(local.date())
    return f"on {day} at {clock}"

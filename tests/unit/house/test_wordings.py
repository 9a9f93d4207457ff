"""services/core/formatting.py: the one wording of counts, percentages, dates and relative days."""

from __future__ import annotations

import datetime as dt

from services.core.formatting import (
    days_ago,
    format_count,
    format_date,
    format_long_date,
    format_percent,
    format_short_date,
    format_timestamp,
    plural,
)


def test_plural_takes_the_noun_for_one_and_adds_separators() -> None:
    assert plural(1, "file") == "1 file"
    assert plural(0, "file") == "0 files"
    assert plural(2048, "file") == "2,048 files"
    assert plural(3, "person", "people") == "3 people"
    assert plural(1.0, "ticket") == "1 ticket"
    assert format_count(1234567) == "1,234,567"


def test_percent_never_rounds_a_small_risk_to_none_or_a_large_one_to_certain() -> None:
    assert format_percent(0.72) == "72%"
    assert format_percent(0.001) == "<1%"
    assert format_percent(0.999) == ">99%"
    assert format_percent(0.0) == "0%"
    assert format_percent(1.0) == "100%"


def test_dates_in_three_lengths() -> None:
    day = dt.date(2026, 3, 7)
    assert format_date(day) == "Mar 7, 2026"
    assert format_short_date(day) == "Mar 7"
    assert format_long_date(day) == "7 March 2026"


def test_relative_days() -> None:
    assert days_ago(0) == "today"
    assert days_ago(-2) == "today"
    assert days_ago(1) == "yesterday"
    assert days_ago(12) == "12 days ago"
    assert days_ago(1500) == "1,500 days ago"


def test_timestamp_is_on_the_users_clock_and_naive_means_utc() -> None:
    naive = dt.datetime(2026, 11, 15, 14, 3)
    aware = naive.replace(tzinfo=dt.UTC)
    assert format_timestamp(naive) == format_timestamp(aware)
    expected = aware.astimezone().strftime("%Y-%m-%d %H:%M")
    assert format_timestamp(aware) == expected
    assert len(format_timestamp(aware)) == len("2026-11-15 14:03")

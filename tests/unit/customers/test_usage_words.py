"""The customer pane's usage in words (views/customers/usage_words.py): changes against the
30 days before, feature names, which count is shown as visits and which series is drawn."""

from __future__ import annotations

import datetime as dt

import pytest

from services.usage.records import UsagePeriod, UsageSummary
from views.customers.usage_words import (
    Change,
    adoption_words,
    change,
    chart_series,
    feature_name,
    session_count,
)

DAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("recent", "previous", "expected"),
    [
        (4, 10, Change("down 60% on the 30 days before", "down 60%", "critical")),
        (9, 10, Change("down 10% on the 30 days before", "down 10%", "warning")),
        (19, 20, Change("down 5% on the 30 days before", "down 5%", "")),
        (0, 12, Change("down 100% on the 30 days before", "down 100%", "critical")),
        (15, 10, Change("up 50% on the 30 days before", "up 50%", "positive")),
        (103, 100, Change("up 3% on the 30 days before", "up 3%", "")),
        (2500, 100, Change("up 2,400% on the 30 days before", "up 2,400%", "positive")),
        (7, 7, Change("no change on the 30 days before", "no change", "")),
        (1000.4, 1000.0, Change("about the same as the 30 days before", "about the same", "")),
        (5, 0, Change("none in the 30 days before", "none before", "")),
        (0, 0, Change("none in the 30 days before either", "none before either", "")),
    ],
)
def test_change_in_words(recent: float, previous: float, expected: Change) -> None:
    assert change(recent, previous) == expected


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("size_guide", "Size guide"),
        ("sizeGuide", "Size guide"),
        ("Viewed Report", "Viewed report"),
        ("returns-portal", "Returns portal"),
        ("PDF export", "PDF export"),
        ("export_to_CSV", "Export to CSV"),
        ("search", "Search"),
        ("  ", "  "),
    ],
)
def test_feature_names_read_as_people_write_them(key: str, name: str) -> None:
    assert feature_name(key) == name


def period(**figures: int) -> UsagePeriod:
    return UsagePeriod(start=DAY, end=DAY, **figures)  # type: ignore[arg-type]


def summary(recent: UsagePeriod, weeks: tuple[UsagePeriod, ...] = ()) -> UsageSummary:
    return UsageSummary(
        as_of=DAY,
        recent=recent,
        previous=period(),
        weeks=weeks or (period(),),
        features_used=(),
        features_seen=(),
        last_active=DAY,
    )


def test_sessions_when_counted_else_logins() -> None:
    assert session_count(summary(period(sessions=3, logins=2))) == ("sessions", "Sessions")
    assert session_count(summary(period(logins=2))) == ("logins", "Logins")
    assert session_count(summary(period())) == ("sessions", "Sessions")


def test_chart_draws_active_users_unless_one_person_uses_it() -> None:
    team = summary(period(active_users=2), (period(active_users=1), period(active_users=3)))
    assert chart_series(team) == ("active_users", "Active users a week", "active users")
    solo = summary(period(active_users=1, sessions=9), (period(active_users=1, sessions=4),))
    assert chart_series(solo) == ("sessions", "Sessions a week", "sessions")
    logins_only = summary(period(active_users=1, logins=3))
    assert chart_series(logins_only) == ("logins", "Logins a week", "logins")


def test_adoption_words() -> None:
    assert adoption_words(3, 9) == "Uses 3 of 9 features"
    assert adoption_words(0, 1) == "Uses 0 of 1 feature"

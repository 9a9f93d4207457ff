"""Early warnings before win-backs, and the critical alerts' ceiling.

A risk alert on a customer already quiet for the churn horizon (90 days in these books)
comes after the lapse: it is raised all the same, says so, and takes only the room the
daily cap leaves after the early warnings. Critical alerts have a ceiling of their own."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from models.db import session_scope
from services.alerts.lapse import WIN_BACK_WORDS, already_lapsed
from tests.unit.alerts.test_alerts_cap import _critical_book
from tests.unit.alerts.test_alerts_rules import Book, by_customer, make_book, only


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def _quiet_pair(book: Book) -> tuple[int, int]:
    """Two repeat buyers gone quiet: one 40 days (early), one 120 days (lapsed at 90), the
    lapsed one worth more (the higher priority)."""
    only(book, "gone_quiet")
    early = book.customer("Ada Early")
    late = book.customer("Bo Lapsed")
    book.orders(early, [100, 90, 80, 70, 60, 50, 40])
    book.orders(late, [180, 170, 160, 150, 140, 130, 120])
    book.score({early: {"churn": 0.5, "clv": 100}, late: {"churn": 0.9, "clv": 5000}})
    return early, late


def test_a_lapsed_customers_alert_says_it_is_a_win_back_case(book: Book) -> None:
    early, late = _quiet_pair(book)
    book.generate()
    alerts = by_customer(book, "gone_quiet")
    assert alerts[early]["reason"] == "no order in 40 days; usual gap 10 days"
    assert alerts[late]["reason"] == f"no order in 120 days; usual gap 10 days; {WIN_BACK_WORDS}"
    assert alerts[late]["priority_cents"] > alerts[early]["priority_cents"]


def test_the_daily_cap_gives_early_warnings_their_room_first(book: Book) -> None:
    early, late = _quiet_pair(book)
    book.set("alerts.daily_cap_per_owner", 1)
    result = book.generate()
    # Bo's alert has the higher priority, yet Ada's early warning takes the one place.
    assert book.keys("gone_quiet") == {(early, "gone_quiet")}
    assert result.capped == 1
    held = book.alerts("WHERE status = 'held_back'")
    assert [a["customer_id"] for a in held] == [late]  # kept, to be raised later


def test_critical_alerts_have_a_ceiling_of_their_own(book: Book) -> None:
    rich = _critical_book(book, risky=5, others=20)
    book.set("alerts.critical_cap_per_owner", 3)
    result = book.generate()
    # The three highest priorities (the richest) are raised; the other two held back.
    assert {c for c, _ in book.keys("high_risk_high_value")} == set(rich[2:])
    assert result.capped == 2
    assert {a["customer_id"] for a in book.alerts("WHERE status = 'held_back'")} == set(rich[:2])


def test_by_default_no_critical_alert_is_held_back_and_a_ceiling_holds_the_rest(book: Book) -> None:
    from services.alerts.config import read_alert_config

    with session_scope(book.workspace.sessions) as session:
        assert read_alert_config(session).critical_cap_per_owner == 0  # the default
    rich = _critical_book(book, risky=12, others=60)
    book.set("alerts.critical_cap_per_owner", 10)
    assert book.generate().created == 10
    book.set("alerts.critical_cap_per_owner", 0)  # no ceiling, the default (below)
    assert book.generate().created == 2  # the two held back, raised once there is no ceiling
    assert {c for c, _ in book.keys("high_risk_high_value")} == set(rich)


def test_who_has_already_lapsed() -> None:
    quiet = np.array([0.0, 89.0, 90.0, 400.0, np.nan])
    assert already_lapsed(quiet, 90).tolist() == [False, False, True, True, False]
    assert not already_lapsed(quiet, 0).any()  # horizon unknown: no one

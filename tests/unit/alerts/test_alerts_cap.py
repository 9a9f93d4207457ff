"""The daily cap per owner never hides a customer who meets the critical rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book, only


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def _critical_book(book: Book, risky: int, others: int) -> list[int]:
    """``risky`` customers of one owner at high risk with the highest values (critical),
    among ``others`` of low value."""
    only(book, "high_risk_high_value")
    rich = [book.customer(f"Rich {k}", owner="Maya") for k in range(risky)]
    filler = [book.customer(f"Filler {k}", owner="Maya") for k in range(others)]
    scores = {c: {"churn": 0.2, "clv": 40.0} for c in filler}
    scores.update({c: {"churn": 0.8, "clv": 2000.0 + 10 * k} for k, c in enumerate(rich)})
    book.score(scores)
    return rich


def test_critical_alerts_are_never_capped(book: Book) -> None:
    rich = _critical_book(book, risky=5, others=20)
    book.set("alerts.daily_cap_per_owner", 2)
    result = book.generate()
    assert {c for c, _ in book.keys("high_risk_high_value")} == set(rich)
    assert result.created == 5
    assert result.capped == 0


def test_a_second_scoring_the_same_day_still_raises_every_critical_alert(book: Book) -> None:
    rich = _critical_book(book, risky=3, others=30)
    book.set("alerts.daily_cap_per_owner", 3)
    assert book.generate().created == 3
    # Later the same day three more customers meet the critical rule.
    more = [book.customer(f"Newly rich {k}", owner="Maya") for k in range(3)]
    scores = {c: {"churn": 0.8, "clv": 2500.0} for c in [*rich, *more]}
    book.score(scores)
    result = book.generate(now=NOW + dt.timedelta(hours=5))
    assert {c for c, _ in book.keys("high_risk_high_value")} == {*rich, *more}
    assert result.capped == 0


def test_critical_alerts_leave_the_owners_room_to_the_others(book: Book) -> None:
    only(book, "ticket_past_sla")
    book.set("alerts.high_risk_high_value.enabled", True)
    book.set("alerts.daily_cap_per_owner", 2)
    rich = [book.customer(f"Rich {k}", owner="Maya") for k in range(2)]
    late = [book.customer(f"Late {k}", owner="Maya") for k in range(4)]
    filler = [book.customer(f"Filler {k}", owner="Maya") for k in range(6)]
    for cid in late:
        book.interaction(cid, "ticket", 5, status="open")
    scores = {c: {"churn": 0.2, "clv": 30.0} for c in filler}
    scores.update({c: {"churn": 0.5, "clv": 100.0 + k} for k, c in enumerate(late)})
    scores.update({c: {"churn": 0.9, "clv": 3000.0} for c in rich})
    book.score(scores)
    result = book.generate()
    assert {c for c, _ in book.keys("high_risk_high_value")} == set(rich)
    # Two warnings fit in Maya's room although two critical alerts were raised today.
    assert len(book.keys("ticket_past_sla")) == 2
    assert result.capped == 2

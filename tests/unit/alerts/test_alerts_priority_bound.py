"""alerts.priority_uses_lower_bound: with it on, a lapse warning's priority takes the low
end of the customer's 80% churn-risk interval where the churn risk stands in for the
chance of a lapse (services/alerts/worth.py), so a customer
whose risk is high only because little is known ranks below one surely at risk."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.alerts.queries import alerts_frame
from tests.unit.alerts.test_alerts_rules import Book, make_book, only


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def _scored(book: Book) -> tuple[int, int, int]:
    only(book, "high_risk_high_value")
    unsure = book.customer("Ada Unsure")  # high best guess, wide interval
    sure = book.customer("Bo Sure")  # a little lower best guess, known closely
    old = book.customer("Cy Old")  # scored before intervals were kept
    filler = [book.customer(f"Filler {k}") for k in range(12)]
    scores: dict[int, dict[str, float]] = {f: {"churn": 0.7, "clv": 50.0} for f in filler}
    scores[unsure] = {"churn": 0.85, "churn_low": 0.35, "clv": 2000.0}
    scores[sure] = {"churn": 0.7, "churn_low": 0.62, "clv": 2000.0}
    scores[old] = {"churn": 0.6, "clv": 2000.0}
    book.score(scores)
    return unsure, sure, old


def _ranked(book: Book) -> list[int]:
    frame = alerts_frame(book.engine)
    return [int(c) for c in frame["customer_id"] if c is not None][:3]


def test_by_default_the_best_guess_sets_the_priority(book: Book) -> None:
    unsure, sure, old = _scored(book)
    book.generate()
    assert _ranked(book) == [unsure, sure, old]
    frame = alerts_frame(book.engine)
    priority = dict(zip(frame["customer_id"].astype(int), frame["priority_cents"], strict=True))
    assert priority[unsure] == round(0.85 * 200_000)


def test_the_setting_ranks_by_the_low_end_of_the_risk(book: Book) -> None:
    unsure, sure, old = _scored(book)
    book.set("alerts.priority_uses_lower_bound", True)
    book.generate()
    frame = alerts_frame(book.engine)
    priority = dict(zip(frame["customer_id"].astype(int), frame["priority_cents"], strict=True))
    assert priority[unsure] == round(0.35 * 200_000)
    assert priority[sure] == round(0.62 * 200_000)
    # No interval stored: the best guess stands.
    assert priority[old] == round(0.6 * 200_000)
    assert _ranked(book) == [sure, old, unsure]
    # Turned off again, the next generation refreshes the priorities.
    book.set("alerts.priority_uses_lower_bound", False)
    book.generate()
    assert _ranked(book) == [unsure, sure, old]

"""A hand-made book with enough exposures for the return on outreach to have an interval:
``contacted`` customers emailed on their alert and ``held`` held out, of whom the first
``contacted_back`` and ``held_back`` ordered within the attribution window; emails cost
$2 each, so the return is set against a cost."""

from __future__ import annotations

from tests.unit.alerts.test_alerts_rules import Book
from tests.unit.learn.test_learn_data import alert, email


def fill(
    book: Book,
    *,
    contacted: int = 40,
    held: int = 40,
    contacted_back: int,
    held_back: int,
    cents: int = 5000,
) -> None:
    """Write the customers, their alerts 60 days ago, the emails and the orders."""
    book.set("learn.cost_email", 2)
    for k in range(contacted):
        cid = book.customer(f"Contacted {k}")
        email(book, cid, alert(book, cid, 60), 58)
        if k < contacted_back:
            book.orders(cid, [50], cents)
    for k in range(held):
        cid = book.customer(f"Held {k}")
        alert(book, cid, 60, holdout=True)
        if k < held_back:
            book.orders(cid, [50], cents)


UNCLEAR = {"contacted_back": 10, "held_back": 8}  # +2 orders of 40: the return is unclear
CLEAR = {"contacted_back": 30, "held_back": 5, "cents": 10_000}  # 25 more orders, $100 each
# +12 orders of $10 against $80 of emails: an effect, but whether it paid is not shown.
BREAK_EVEN = {"contacted_back": 17, "held_back": 5, "cents": 1000}

"""The email follows the card's advice: after a complaint the card says "Put things right
first", and the composer and Draft for all start on the apology goal with no offer in the
draft (real SQLite workspace, the template drafts as written)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from models.schema import Alert
from services.alerts.detail import alert_detail
from services.outreach.batch import create_batch, draft_batch, load_batch
from services.outreach.composer_text import incentive_words
from services.outreach.composing import prepare_composer
from services.outreach.prompt import incentive_line
from tests.unit.alerts.test_alerts_rules import NOW, Book, at, make_book

COMPLAINTS = {
    "a 2-star review": {
        "kind": "review",
        "subject": "Disappointed",
        "text": "Not what I hoped for.",
        "rating": 2,
    },
    "a late order's ticket": {
        "kind": "ticket",
        "subject": "Where is my order?",
        "text": "My order hasn't arrived and tracking hasn't moved.",
        "status": "open",
        "text_sentiment": -0.4,  # as read on the laptop
    },
}


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def quiet_alert(
    book: Book, name: str, complaint: dict[str, object] | None, rule: str = "gone_quiet"
) -> tuple[int, int]:
    """A valuable customer (a cap of $100 to offer) with an alert (gone quiet unless
    ``rule`` says) and, maybe, a recent complaint: (customer id, alert id)."""
    cid = book.customer(name)
    book.orders(cid, [300, 200], cents=20_000)
    book.score({cid: {"churn": 0.6, "clv": 1000.0}})
    if complaint is not None:
        fields = dict(complaint)
        book.interaction(cid, str(fields.pop("kind")), 10, **fields)
    with book.engine.begin() as conn:
        conn.execute(
            insert(Alert),
            [
                {
                    "customer_id": cid,
                    "rule_key": rule,
                    "severity": "warning",
                    "status": "open",
                    "reason": "Quiet for a while",
                    "created_at": at(2),
                    "holdout": False,
                    "holdout_band": "medium",
                }
            ],
        )
    alert = next(a for a in book.alerts() if a["customer_id"] == cid)
    return cid, int(alert["id"])


@pytest.mark.parametrize("complaint", list(COMPLAINTS), ids=list(COMPLAINTS))
def test_after_a_complaint_the_composer_starts_on_the_apology_with_no_offer(
    book: Book, complaint: str
) -> None:
    cid, alert_id = quiet_alert(book, "Noah Khan", COMPLAINTS[complaint])
    card = alert_detail(book.engine, alert_id, now=NOW).recommendation
    assert card.title == "Put things right first"
    with Session(book.engine) as s:
        prepared = prepare_composer(
            s, cid, alert_id=alert_id, find_alert=False, goal=None, tone=None, now=NOW
        )
    ctx = prepared.request.context
    assert ctx.goal == "apology"
    draft = prepared.request.template_draft
    assert "off your next order" not in draft.body
    assert incentive_line(ctx).startswith("Incentive: make no offer")
    assert incentive_words(ctx).startswith("No offer in the draft: put things right first")
    # The cap still bounds an offer the user writes in: within it, no check fails.
    assert ctx.incentive == "$100"


def test_an_apology_for_a_bad_experience_offers_no_discount_in_any_goal(book: Book) -> None:
    cid, alert_id = quiet_alert(
        book, "Noah Khan", COMPLAINTS["a 2-star review"], rule="negative_experience"
    )
    with Session(book.engine) as s:
        for goal in (None, "win_back"):  # the advised goal, then one the user picks
            prepared = prepare_composer(
                s, cid, alert_id=alert_id, find_alert=False, goal=goal, tone=None, now=NOW
            )
            assert prepared.request.context.goal == (goal or "apology")
            assert "off your next order" not in prepared.request.template_draft.body


def test_without_a_complaint_the_win_back_keeps_its_offer(book: Book) -> None:
    cid, alert_id = quiet_alert(book, "Noah Khan", None)
    with Session(book.engine) as s:
        prepared = prepare_composer(
            s, cid, alert_id=alert_id, find_alert=False, goal=None, tone=None, now=NOW
        )
    assert prepared.request.context.goal == "win_back"
    assert "off your next order" in prepared.request.template_draft.body


def test_draft_for_all_gives_each_alert_the_goal_and_offer_its_next_step_calls_for(
    book: Book,
) -> None:
    _noah, complained = quiet_alert(book, "Noah Khan", COMPLAINTS["a late order's ticket"])
    _ada, quiet = quiet_alert(book, "Ada Byron", None)
    batch_id = create_batch(book.engine, [complained, quiet], offline=True, now=NOW)
    draft_batch(book.engine, batch_id, now=NOW)
    rows = {r.alert_id: r for r in load_batch(book.engine, batch_id).rows}
    assert rows[complained].goal == "apology"
    assert "off your next order" not in rows[complained].body
    assert rows[quiet].goal == "win_back"
    assert "off your next order" in rows[quiet].body

"""Drafts waiting in the review queue, seen from outside it (services/outreach/waiting.py)
on real workspaces: which customers have one, the draft the composer offers, why each
customer of a batch is there, and an email recorded from the composer settling the
customer's rows (the used one sent with its outreach id, the others skipped, the batch
closed when nothing is left)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.outreach.batch import create_batch, draft_batch, edit_row, load_batch, skip_row
from services.outreach.batch_records import SKIP_EMAILED
from services.outreach.waiting import (
    record_composer_email,
    waiting_customers,
    waiting_draft,
    waiting_mask,
    why_in_batch,
)
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book
from tests.unit.outreach.test_batch import alerts_of, customers


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def rows(book: Book, query: str, **params: Any) -> list[dict[str, Any]]:
    with book.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(query), params).mappings()]


def drafted_batch(book: Book, n: int) -> tuple[list[int], int]:
    """n customers with an alert each, in a batch drafted from the templates."""
    ids = customers(book, n)
    alerts = alerts_of(book)
    batch_id = create_batch(book.engine, [alerts[c] for c in ids], offline=True, now=NOW)
    draft_batch(book.engine, batch_id, now=NOW)
    return ids, batch_id


def test_waiting_customers_follow_the_rows_states(book: Book) -> None:
    (ada, bo, cy), batch_id = drafted_batch(book, 3)
    assert waiting_customers(book.engine) == {ada, bo, cy}
    view = load_batch(book.engine, batch_id)
    skip_row(book.engine, next(r.id for r in view.rows if r.customer_id == bo))
    assert waiting_customers(book.engine) == {ada, cy}
    mask = waiting_mask(book.engine, np.array([cy, bo, ada, cy, 999_999]))
    assert mask.tolist() == [True, False, True, True, False]


def test_the_waiting_draft_is_the_queue_text_as_edited(book: Book) -> None:
    (ada, _bo), batch_id = drafted_batch(book, 2)
    row = next(r for r in load_batch(book.engine, batch_id).rows if r.customer_id == ada)
    edit_row(book.engine, row.id, "Queue subject", "Hi Ada,\n\nFrom the queue.\n\nMaya")
    with Session(book.engine) as session:
        waiting = waiting_draft(session, ada)
        nobody = waiting_draft(session, 999_999)
    assert nobody is None
    assert waiting is not None
    assert (waiting.row_id, waiting.batch_id, waiting.customer_id) == (row.id, batch_id, ada)
    assert (waiting.subject, waiting.body) == (
        "Queue subject",
        "Hi Ada,\n\nFrom the queue.\n\nMaya",
    )
    assert waiting.edited
    assert waiting.template  # drafted from the template library


def test_an_email_with_the_waiting_draft_sends_its_row_and_closes_the_batch(book: Book) -> None:
    (ada,), batch_id = drafted_batch(book, 1)
    with Session(book.engine) as session:
        waiting = waiting_draft(session, ada)
    assert waiting is not None
    outreach_id = record_composer_email(
        book.engine,
        ada,
        alert_id=waiting.alert_id,
        subject=waiting.subject,
        body=waiting.body,
        actor="maya",
        now=NOW,
        used_row=waiting.row_id,
    )
    (row,) = rows(
        book, "SELECT state, outreach_id FROM batch_drafts WHERE id = :i", i=waiting.row_id
    )
    assert row == {"state": "sent", "outreach_id": outreach_id}
    assert rows(book, "SELECT closed_at IS NOT NULL AS closed FROM draft_batches")[0]["closed"]
    assert waiting_customers(book.engine) == frozenset()
    assert rows(book, "SELECT status FROM alerts WHERE id = :a", a=waiting.alert_id) == [
        {"status": "in_progress"}
    ]


def test_another_email_skips_the_waiting_row_so_the_batch_never_writes_again(
    book: Book,
) -> None:
    (ada, bo), batch_id = drafted_batch(book, 2)
    record_composer_email(
        book.engine, ada, alert_id=None, subject="Hello Ada", body="Hi Ada", now=NOW
    )
    states = {
        r["customer_id"]: (r["state"], r["skip_reason"], r["outreach_id"])
        for r in rows(book, "SELECT customer_id, state, skip_reason, outreach_id FROM batch_drafts")
    }
    assert states[ada] == ("skipped", SKIP_EMAILED, None)
    assert states[bo][0] == "drafted"  # the others wait on
    assert waiting_customers(book.engine) == {bo}
    assert rows(book, "SELECT closed_at FROM draft_batches WHERE id = :b", b=batch_id) == [
        {"closed_at": None}
    ]


def test_why_in_batch_gives_the_cards_reasons_last_order_and_churn_risk(book: Book) -> None:
    (ada, bo), batch_id = drafted_batch(book, 2)
    book.score({ada: {"churn": 0.72}, bo: {"churn": 0.1}})  # a newer run: the latest counts
    why = why_in_batch(book.engine, batch_id, now=NOW)
    assert set(why) == {ada, bo}
    ada_why = why[ada]
    # customers() gave each a late ticket and orders 100 and 200 days ago.
    assert ada_why.reasons == ("Ticket past SLA: a ticket unresolved for 5 days (3-day SLA)",)
    assert ada_why.last_order == (NOW - dt.timedelta(days=100)).date()
    assert ada_why.last_order_days == 100
    assert ada_why.churn_risk == pytest.approx(0.72)
    assert why[bo].churn_risk == pytest.approx(0.1)

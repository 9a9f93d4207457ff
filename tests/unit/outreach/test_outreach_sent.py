"""Recording an email sent or exported, on real SQLite files: the outreach row, the
timeline interaction, the alert moving to in progress, the audit event, the cool-down that
keeps the next alert generation quiet, and the customers nothing may be sent to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from services.alerts.lifecycle import AlertActionError
from services.outreach.sent import log_email_sent, record_email
from tests.support.databases import stored_json
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book, only

LATER = NOW + dt.timedelta(days=1)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def rows(book: Book, query: str) -> list[dict[str, Any]]:
    with book.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(query)).mappings()]


def late_ticket(book: Book, name: str, **kwargs: Any) -> int:
    cid = book.customer(name, **kwargs)
    book.interaction(cid, "ticket", 5, status="open")
    return cid


def send(book: Book, cid: int, alert_id: int | None, **kwargs: Any) -> int:
    values: dict[str, Any] = {
        "alert_id": alert_id,
        "subject": "We're sorry, Ada",
        "body": "Hi Ada,\n\nSorry.\n\nMaya",
        "status": "sent",
        "recipient": "ada@fern.example",
        "provider": "local:ollama",
        "model": "llama3.2",
        "template": None,
        "actor": "maya",
        "now": NOW,
    }
    values.update(kwargs)
    return record_email(book.engine, cid, **values)


def test_recording_a_sent_email(book: Book) -> None:
    only(book, "ticket_past_sla")
    book.set("alerts.cooldown_days", 14)
    ada = late_ticket(book, "Ada")
    book.score({ada: {}})
    book.generate()
    (alert,) = book.alerts()
    outreach_id = send(book, ada, alert["id"])
    bo = late_ticket(book, "Bo")  # the control: never emailed

    (row,) = rows(book, "SELECT * FROM outreach")
    assert row["id"] == outreach_id
    assert (row["customer_id"], row["alert_id"], row["status"], row["channel"]) == (
        ada,
        alert["id"],
        "sent",
        "email",
    )
    assert (row["recipient"], row["subject"], row["body"]) == (
        "ada@fern.example",
        "We're sorry, Ada",
        "Hi Ada,\n\nSorry.\n\nMaya",
    )
    assert (row["provider"], row["model"], row["template"]) == ("local:ollama", "llama3.2", None)
    assert row["sent_at"] is not None
    (sent,) = rows(book, "SELECT * FROM interactions WHERE kind = 'email_sent'")
    assert (sent["customer_id"], sent["source"], sent["channel"], sent["subject"]) == (
        ada,
        "account_radar",
        "email",
        "We're sorry, Ada",
    )
    assert stored_json(sent["attributes"]) == {
        "by": "maya",
        "alert_id": alert["id"],
        "outreach_id": outreach_id,
    }
    assert book.alerts()[0]["status"] == "in_progress"
    audit = rows(book, "SELECT actor, action, details FROM audit_events ORDER BY id")
    logged = [a for a in audit if a["action"] == "alert.email_logged"]
    assert len(logged) == 1
    assert logged[0]["actor"] == "maya"
    assert stored_json(logged[0]["details"]) == {
        "outreach_id": outreach_id,
        "text": "We're sorry, Ada",
    }
    assert any(a["action"] == "alert.started" for a in audit)

    # The cool-down: resolved, the ticket still late a day later, but Ada was contacted.
    with book.engine.begin() as conn:
        conn.execute(text("UPDATE alerts SET status = 'resolved', resolved_at = :t"), {"t": NOW})
    book.set("alerts.realert_days", 0)
    book.score({ada: {}, bo: {}}, as_of=LATER.date())
    result = book.generate(now=LATER)
    assert result.created == 1
    assert book.keys() == {(bo, "ticket_past_sla")}


def test_an_exported_email_without_an_alert_counts_as_contact_too(book: Book) -> None:
    only(book, "ticket_past_sla")
    book.set("alerts.cooldown_days", 14)
    ada = late_ticket(book, "Ada", email="ada@example.com")
    bo = late_ticket(book, "Bo")  # the control: never emailed
    send(
        book,
        ada,
        None,
        status="exported",
        recipient=None,
        provider=None,
        model=None,
        template="apology",
    )
    (row,) = rows(book, "SELECT * FROM outreach")
    assert (row["alert_id"], row["status"], row["recipient"], row["template"]) == (
        None,
        "exported",
        "ada@example.com",  # the customer's own address when none was confirmed
        "apology",
    )
    (event,) = rows(book, "SELECT * FROM audit_events WHERE action = 'customer.email_logged'")
    assert (event["entity_type"], event["entity_id"]) == ("customer", ada)
    assert stored_json(event["details"])["status"] == "exported"
    book.score({ada: {}, bo: {}})
    book.generate()
    assert book.keys() == {(bo, "ticket_past_sla")}  # Ada is in the quiet period after contact


@pytest.mark.parametrize("who", ["do_not_contact", "unsubscribed", "other_customers_alert"])
def test_nothing_is_written_for_customers_who_may_not_be_emailed(book: Book, who: str) -> None:
    only(book, "ticket_past_sla")
    ada = late_ticket(book, "Ada", dnc=who == "do_not_contact")
    if who == "unsubscribed":
        book.interaction(ada, "unsubscribe", 2)
    bo = late_ticket(book, "Bo")
    book.score({ada: {}, bo: {}})
    book.generate()
    alerts = {a["customer_id"]: a for a in book.alerts()}
    before = rows(book, "SELECT COUNT(*) AS n FROM interactions")[0]["n"]
    audit_before = rows(book, "SELECT COUNT(*) AS n FROM audit_events")[0]["n"]
    alert_id = alerts[bo]["id"] if who == "other_customers_alert" else alerts[ada]["id"]
    reason = {
        "do_not_contact": "asked not to be contacted",
        "unsubscribed": "unsubscribed from emails",
        "other_customers_alert": "belongs to another customer",
    }[who]
    with pytest.raises(AlertActionError, match=reason):
        send(book, ada, alert_id)
    assert rows(book, "SELECT * FROM outreach") == []
    assert rows(book, "SELECT COUNT(*) AS n FROM interactions")[0]["n"] == before
    assert rows(book, "SELECT COUNT(*) AS n FROM audit_events")[0]["n"] == audit_before
    assert {a["status"] for a in book.alerts()} == {"open"}


def test_refused_values(book: Book) -> None:
    ada = book.customer("Ada")
    with pytest.raises(AlertActionError, match="not an email status"):
        send(book, ada, None, status="draft")
    with pytest.raises(AlertActionError, match="subject"):
        send(book, ada, None, subject="  ")
    assert rows(book, "SELECT * FROM outreach") == []


def test_log_email_sent_still_records_against_the_alert(book: Book) -> None:
    only(book, "ticket_past_sla")
    ada = late_ticket(book, "Ada")
    book.score({ada: {}})
    book.generate()
    (alert,) = book.alerts()
    outreach_id = log_email_sent(book.engine, alert["id"], "Hello", actor="maya", now=NOW)
    (row,) = rows(book, "SELECT * FROM outreach")
    assert (row["id"], row["status"], row["provider"], row["recipient"]) == (
        outreach_id,
        "sent",
        None,
        "ada@example.com",
    )

"""The conversation-risk rule on a hand-made book (SQLite and PostgreSQL): a customer who
said in a recent call they will cancel gets a critical alert whose reason quotes them, where
and when; a price complaint in an email is a warning ranked by its own stake; a risk older
than the window, a conversation with no risk, and conversations not imported from files
raise nothing; an imported email with a cancellation lands on its account and is alerted
as such through the real import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.importing.service import run_import
from tests.unit.alerts.test_alerts_rules import Book, book, by_customer, only

# What a proven risk does; an unproven kind raises nothing (tests/unit/listen/test_proven.py).
pytestmark = pytest.mark.usefixtures("every_risk_kind_proven")

__all__ = ["book"]  # the fixture, used by name

RULE = "conversation_risk"


def said(kind: str, quote: str, name: str = "Ada Leaving") -> dict[str, Any]:
    labels = {
        "cancellation": "raised cancellation",
        "price_complaint": "complained about the price",
    }
    return {
        "summary": [quote],
        "risks": [
            {"kind": kind, "label": labels[kind], "quote": quote,
             "who": {"name": name, "email": ""}, "anchor": "00:03:10"}
        ],
    }  # fmt: skip


def test_a_stated_risk_is_alerted_in_the_customers_words(book: Book) -> None:
    only(book, RULE)
    leaving = book.customer("Ada Leaving")
    pricey = book.customer("Bo Pricey")
    old = book.customer("Cy Old")
    calm = book.customer("Di Calm")
    logged = book.customer("Ed Logged")
    book.interaction(
        leaving, "call", 3, source="conversations", external_id="c1",
        attributes=said("cancellation", "We will cancel at renewal unless the exports work."),
    )  # fmt: skip
    book.interaction(
        pricey, "email_received", 10, source="conversations", external_id="c2",
        attributes=said("price_complaint", "12% is still too high for us.", "Bo Pricey"),
    )  # fmt: skip
    book.interaction(
        old, "meeting", 45, source="conversations", external_id="c3",
        attributes=said("cancellation", "We might cancel.", "Cy Old"),
    )  # fmt: skip
    book.interaction(
        calm, "chat", 2, source="conversations", external_id="c4",
        attributes={"summary": ["All good."], "risks": []},
    )  # fmt: skip
    # A call logged in the app is no imported conversation: its words are not read here.
    book.interaction(logged, "call", 2, text="They said they might cancel.")
    book.score({c: {} for c in (leaving, pricey, old, calm, logged)})
    book.generate()
    alerts = by_customer(book, RULE)
    assert set(alerts) == {leaving, pricey}
    assert alerts[leaving]["severity"] == "critical"
    assert alerts[leaving]["reason"].startswith("raised cancellation on the ")
    # The quote, then how often the app reads that kind of risk right, as measured.
    assert alerts[leaving]["reason"].endswith(
        " call: \u201cWe will cancel at renewal unless the exports work.\u201d"
        " (this kind of risk is read right 100 % of the time)"
    )
    assert alerts[pricey]["severity"] == "warning"
    assert "complained about the price on the " in alerts[pricey]["reason"]
    assert " email: \u201c12% is still too high for us.\u201d" in alerts[pricey]["reason"]


def test_an_imported_email_saying_they_will_cancel_is_alerted(book: Book, tmp_path: Path) -> None:
    only(book, RULE)
    cid = book.customer("Fay Going")
    with book.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(
            text("UPDATE customers SET email = 'fay@going.example', "
                 "email_normalized = 'fay@going.example' WHERE id = :c"),
            {"c": cid},
        )  # fmt: skip
    mail = tmp_path / "fay.eml"
    mail.write_text(
        "From: Fay Going <fay@going.example>\nTo: Maya <maya@ourco.example>\n"
        "Subject: Our plan\nDate: Thu, 12 Jun 2025 09:30:00 +0000\n"
        "Message-ID: <fay-1@going.example>\nContent-Type: text/plain; charset=utf-8\n\n"
        "Hi Maya,\n\nWe have decided to cancel our subscription next month.\n\nFay\n",
        encoding="utf-8",
    )
    report = run_import(book.engine, [mail])
    assert report.landed
    book.score({cid: {}})
    book.generate()
    alert = by_customer(book, RULE)[cid]
    assert alert["severity"] == "critical"
    assert alert["reason"].startswith("raised cancellation on the Jun 12, 2025 email: ")

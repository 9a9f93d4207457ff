"""What was read wrong by the word, read right through the real import: a happy call that
cancels a check-in raises nothing, a vendor weighed against us is found with no name in
the settings and offered for the competitors list, a budget cut and a champion gone said in
other words are found, sentiment follows what was said, and each risk and promise points
at its own place in the transcript."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from models.schema import Interaction
from services.conversations.competitor_names import add_competitors, offer_words, seen_names
from services.importing.service import run_import
from services.settings import set_setting
from services.settings.views import ListenSettings
from services.usecases.conversations import list_conversations, load_conversation
from tests.unit.alerts.test_alerts_rules import Book, book

__all__ = ["book"]  # the fixture, used by name

pytestmark = pytest.mark.usefixtures("every_risk_kind_proven")

HAPPY = """\
Priya Raman: Thanks for joining, Ana. How are the new dashboards working out?
Ana Souza: Really well, the team loves them.
Ana Souza: Can you cancel Thursday's check-in? Let's do Friday instead.
Ana Souza: Also, please cancel the duplicate order from Monday.
Priya Raman: Done, I'll send you the new invite today.
Ana Souza: We met Clarion at the trade show last month, nice people.
"""
WORRIED = """\
Priya Raman: Thanks for making the time, Ben.
Ben Okafor: Our budget for next year was cut by twenty percent, so we are reviewing every supplier.
Ben Okafor: Finance has frozen discretionary spending until March.
Ben Okafor: And Henry left us two weeks ago, so I'm your contact now.
Ben Okafor: We've also started a trial with Orbitas Cloud, to be honest.
Ben Okafor: Your prices went up again and it is getting too expensive.
Priya Raman: I understand. I'll send you a revised proposal by Friday.
Ben Okafor: Deliveries have been late two months in a row.
"""


def _import(book: Book, tmp_path: Path, name: str, words: str) -> Interaction:
    path = tmp_path / name
    path.write_text(words, encoding="utf-8")
    assert run_import(book.engine, [path]).landed
    with Session(book.engine) as session:
        return session.query(Interaction).order_by(Interaction.id.desc()).first()  # type: ignore[return-value]


@pytest.fixture
def customers(book: Book) -> tuple[int, int]:
    ana = book.customer("Ana Souza", email="ana@lumen.example", company="Lumen Dental")
    ben = book.customer("Ben Okafor", email="ben@harbor.example", company="Harbor Foods")
    with Session(book.engine) as session, session.begin():
        set_setting(session, "outreach.team_domains", ["ourco.example"])
    return ana, ben


def test_a_happy_call_that_cancels_a_check_in_and_an_order_raises_nothing(
    book: Book, tmp_path: Path, customers: tuple[int, int]
) -> None:
    row = _import(book, tmp_path, "2026-11-20 Lumen check-in.txt", HAPPY)
    assert row.customer_id == customers[0]
    assert row.attributes["risks"] == []
    assert (row.sentiment or 0) > 0.05
    [promise] = row.attributes["actions"]
    assert promise["what"] == "Done, I'll send you the new invite today."


def test_a_worried_call_raises_each_risk_in_its_own_words_and_place(
    book: Book, tmp_path: Path, customers: tuple[int, int]
) -> None:
    row = _import(book, tmp_path, "2026-11-20 Harbor review.txt", WORRIED)
    assert row.customer_id == customers[1]
    found = {(r["kind"], r["quote"], r["anchor"]) for r in row.attributes["risks"]}
    lines = WORRIED.splitlines()

    def said(words: str) -> tuple[str, str]:
        number = next(k for k, line in enumerate(lines, 1) if words in line)
        return lines[number - 1].split(": ", 1)[1], f"line {number}"

    expected = {
        ("budget_cut", *said("budget for next year")),
        ("budget_cut", *said("Finance has frozen")),
        ("champion_leaving", *said("Henry left us")),
        ("competitor", *said("Orbitas Cloud")),
        ("price_complaint", *said("prices went up")),
    }
    assert expected <= found
    assert not any(kind == "cancellation" for kind, _, _ in found)
    [promise] = row.attributes["actions"]
    assert promise["by"] == "2026-11-27"
    assert promise["anchor"] == said("revised proposal")[1]
    topics = {t["topic"]: t["sentiment"] for t in row.attributes["topics"]}
    assert topics["delivery"] < -0.05  # "late two months in a row" is no praise


def test_a_vendor_named_in_an_evaluation_is_offered_for_the_competitors_list(
    book: Book, tmp_path: Path, customers: tuple[int, int]
) -> None:
    _import(book, tmp_path, "2026-11-20 Harbor review.txt", WORRIED)
    _import(book, tmp_path, "2026-11-20 Lumen check-in.txt", HAPPY)
    with Session(book.engine) as session:
        seen = seen_names(session)
    assert [(s.name, s.conversations, s.customers) for s in seen] == [("Orbitas Cloud", 1, 1)]
    assert offer_words(seen) == (
        "Named by customers and not on the list: Orbitas Cloud (1 conversation)"
    )
    with Session(book.engine) as session, session.begin():
        add_competitors(session, ["orbitas  cloud", "Orbitas Cloud"], actor="Maya")
    with Session(book.engine) as session:
        assert ListenSettings.read(session).competitors == ["orbitas cloud"]
        assert seen_names(session) == []


def test_the_conversations_list_and_window_say_the_risks(
    book: Book, tmp_path: Path, customers: tuple[int, int]
) -> None:
    row = _import(book, tmp_path, "2026-11-20 Harbor review.txt", WORRIED)
    [line] = list_conversations(book.engine, customer_id=customers[1])
    assert "said our contact is leaving" in line.risks
    assert "(unproven)" not in line.risks
    opened = load_conversation(book.engine, row.id)
    assert all(risk.unproven == "" for risk in opened.risks)

"""Conversations imported (tests/data/conversations, whose README gives each file's truth):
each matched to its account by address, domain or name, kept as one interaction with what
was read out of it on this computer (summary, actions promised, the customer's risks in
their own words), listed when no account matches, never making a customer; undone,
re-imported and dated like any other import, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from app.workspace import open_workspace
from services.importing.service import run_import, undo_import
from services.importing.types import FileReport
from services.settings import set_setting
from services.usecases.customer_detail import load_customer_detail
from tests.support.paths import DATA

FILES = DATA / "conversations"
CUSTOMERS = (
    "customer_id,name,email,company\n"
    "N1,Marco Ruiz,marco.ruiz@northwind.example,Northwind\n"
    "I1,Grace Hopper,grace@initech.example,Initech\n"
    "G1,Hiroshi Tanaka,h.tanaka@globex.example,Globex\n"
)


@pytest.fixture
def engine(workspace_url: str, tmp_path: Path) -> Iterator[Engine]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        book = tmp_path / "customers.csv"
        book.write_text(CUSTOMERS, encoding="utf-8")
        assert run_import(ws.engine, [book]).landed
        from sqlalchemy.orm import Session

        with Session(ws.engine) as session, session.begin():
            set_setting(session, "outreach.team_domains", ["ourco.example"])
        yield ws.engine
    finally:
        ws.close()


def one(engine: Engine, path: Path) -> FileReport:
    report = run_import(engine, [path])
    (file,) = report.files
    return file


def talks(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT i.kind, c.external_id AS customer, i.subject, i.occurred_at, "
                "i.sentiment, i.attributes FROM interactions i "
                "JOIN customers c ON c.id = i.customer_id "
                "WHERE i.source = 'conversations' ORDER BY i.occurred_at, i.id"
            )
        ).mappings()
        out = []
        for row in rows:
            item = dict(row)
            attributes = item["attributes"]
            if isinstance(attributes, str):
                import json

                attributes = json.loads(attributes)
            item["attributes"] = attributes
            item["occurred_at"] = str(item["occurred_at"])[:19]
            out.append(item)
        return out


def customers(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM customers")).scalar_one())


def test_a_gong_call_lands_on_its_account_with_the_customers_risk_and_our_promise(
    engine: Engine,
) -> None:
    report = one(engine, FILES / "gong.json")
    assert (report.landed, report.inserted, report.detected_format) == (True, 1, "Gong calls")
    assert "1 conversation(s) matched to their account: 1 by address" in report.notes
    (call,) = talks(engine)
    assert (call["kind"], call["customer"], call["subject"]) == (
        "call", "N1", "Northwind renewal check-in",
    )  # fmt: skip
    assert call["occurred_at"] == "2026-03-05 00:01:12"
    attributes = call["attributes"]
    assert attributes["matched"] == "by address"
    # Only the customer raises risks, in their own words, at their place in the call.
    assert [
        (r["kind"], r["quote"], r["who"]["name"], r["anchor"]) for r in attributes["risks"]
    ] == [("price_complaint", "The new pricing is hard to justify.", "Marco Ruiz", "00:12:31")]
    assert [(a["who"]["name"], a["by"]) for a in attributes["actions"]] == [
        ("Dana Whitfield", "2026-03-09")
    ]
    assert attributes["summary_method"] == "extractive"
    assert call["sentiment"] is not None
    assert customers(engine) == 3


def test_a_mailbox_keeps_each_email_with_its_direction(engine: Engine) -> None:
    report = one(engine, FILES / "thread.mbox")
    assert report.inserted == 3
    rows = talks(engine)
    assert [(r["kind"], r["customer"]) for r in rows] == [
        ("email_sent", "N1"),
        ("email_received", "N1"),
        ("email_sent", "N1"),
    ]
    # "12% is still too high for us": a price complaint in the customer's own email.
    assert [r["kind"] for r in rows[1]["attributes"]["risks"]] == ["price_complaint"]
    assert rows[0]["attributes"]["risks"] == []  # our own email raises nothing


def test_unmatched_conversations_are_listed_and_nothing_makes_a_customer(
    engine: Engine,
) -> None:
    report = one(engine, FILES / "teams.vtt")
    assert (report.landed, report.inserted) == (True, 0)
    assert any("matched no account" in n for n in report.notes)
    assert any("Priya Nair, Tom O'Brien" in n for n in report.notes)
    mentions = one(engine, FILES / "mentions.csv")
    # Marco Ruiz by name; @initech_grace and Jordan Lee match no one.
    assert mentions.inserted == 1
    assert any("@initech_grace" in n for n in mentions.notes)
    assert [r["customer"] for r in talks(engine)] == ["N1"]
    assert customers(engine) == 3


def test_a_transcript_without_a_date_takes_its_file_names(engine: Engine, tmp_path: Path) -> None:
    named = tmp_path / "GMT20261112-150012_Recording.transcript.vtt"
    shutil.copy(FILES / "zoom.vtt", named)
    report = one(engine, named)
    assert report.inserted == 1
    assert "1 conversation(s) held no date: dated by the date in its file name" in report.notes
    (meeting,) = talks(engine)
    assert (meeting["kind"], meeting["customer"]) == ("meeting", "N1")
    assert meeting["occurred_at"].startswith("2026-11-12")
    attributes = meeting["attributes"]
    assert attributes["matched"] == "by name"
    # Marco (matched by name) is the customer's side: his risks; Dana's promise is an action.
    assert {r["kind"] for r in attributes["risks"]} == {"price_complaint", "competitor"}
    assert {r["who"]["name"] for r in attributes["risks"]} == {"Marco Ruiz"}
    assert [a["who"]["name"] for a in attributes["actions"]] == ["Dana Whitfield"]


def test_importing_again_changes_nothing_and_undo_removes_them(engine: Engine) -> None:
    first = one(engine, FILES / "intercom.json")
    assert first.inserted == 1
    again = one(engine, FILES / "intercom.json")
    assert (again.inserted, again.unchanged) == (0, 1)
    assert first.run_id is not None
    undo_import(engine, first.run_id)
    assert talks(engine) == []


def test_the_timeline_shows_the_call_its_risk_and_summary(engine: Engine) -> None:
    one(engine, FILES / "gong.json")
    with engine.connect() as conn:
        cid = conn.execute(text("SELECT id FROM customers WHERE external_id = 'N1'")).scalar_one()
    detail = load_customer_detail(engine, int(cid))
    (event,) = [e for e in detail.timeline if e.kind == "risk_raised"]
    # N1 is named by its company: whom the call was with is said after its title.
    assert event.title == (
        "Call ⚠ complained about the price · Northwind renewal check-in · with Marco Ruiz"
    )
    assert "The new pricing is hard to justify." in event.detail
    assert "Promised: I will send a proposal on Monday." in event.detail


def test_a_folder_is_a_conversation_folder_by_its_files_contents(tmp_path: Path) -> None:
    from services.importing.conversation_files import _files, sniff

    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "orders.csv").write_text("order_id,email,amount\n1,a@b.example,3\n", "utf-8")
    (tables / "notes.txt").write_text("Nothing said here by anyone.\n", "utf-8")
    assert not sniff(tables)  # a folder of tables is imported as rows, not conversations
    calls = tmp_path / "calls"
    shutil.copytree(tables, calls)
    shutil.copy(FILES / "zoom.vtt", calls / "zoom.vtt")
    shutil.copy(FILES / "mentions.csv", calls / "mentions.csv")
    assert sniff(calls)
    assert [p.name for p in _files(calls)] == ["mentions.csv", "zoom.vtt"]

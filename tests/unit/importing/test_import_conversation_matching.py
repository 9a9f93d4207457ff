"""A name two customers share, settled by the people on the call, through the real import
(tests/data/conversations/owner_call.txt and headed_call.txt): the account whose owner is
our speaker, or whose other known people are on the call, is the one; when the people
present settle nothing, the conversation stays unmatched and is listed with its people;
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from app.workspace import open_workspace
from services.importing.service import run_import
from services.importing.types import FileReport
from tests.support.paths import DATA

FILES = DATA / "conversations"
# Two customers named Minh Williams, at two accounts with two owners.
TWO_MINHS = (
    "customer_id,name,email,company,owner\n"
    "W1,Minh Williams,minh.w@contoso.example,Contoso,Dana Whitfield\n"
    "W2,Minh Williams,mwilliams@fabrikam.example,Fabrikam,Priya Shah\n"
)


@pytest.fixture
def workspace(workspace_url: str) -> Iterator[Engine]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        yield ws.engine
    finally:
        ws.close()


def imported(engine: Engine, folder: Path, name: str, content: str, **kind: str) -> FileReport:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    (file,) = run_import(engine, [path], **kind).files
    assert file.landed, file.error
    return file


def talks(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.external_id AS customer, i.contact_id, i.attributes FROM interactions i "
                "JOIN customers c ON c.id = i.customer_id WHERE i.source = 'conversations'"
            )
        ).mappings()
        out = []
        for row in rows:
            item = dict(row)
            if isinstance(item["attributes"], str):
                item["attributes"] = json.loads(item["attributes"])
            out.append(item)
        return out


def sides(call: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(t["who"], t["customer"]) for t in call["attributes"]["turns"]]


def test_the_minh_whose_owner_is_on_the_call_is_the_one(workspace: Engine, tmp_path: Path) -> None:
    imported(workspace, tmp_path, "customers.csv", TWO_MINHS)
    report = run_import(workspace, [FILES / "owner_call.txt"]).files[0]
    assert report.inserted == 1
    assert "1 conversation(s) matched to their account: 1 by name" in report.notes
    (call,) = talks(workspace)
    assert call["customer"] == "W1"  # Dana Whitfield owns W1's account
    assert call["attributes"]["with"]["name"] == "Minh Williams"
    # Dana is ours (an owner); Minh speaks for the account.
    assert sides(call) == [
        ("Dana Whitfield", False), ("Minh Williams", True), ("Dana Whitfield", False),
    ]  # fmt: skip


def test_the_minh_whose_colleague_is_on_the_call_is_the_one(
    workspace: Engine, tmp_path: Path
) -> None:
    nobody_here = TWO_MINHS.replace("Dana Whitfield", "Priya Shah")
    imported(workspace, tmp_path, "customers.csv", nobody_here)
    people = "customer_id,name,email\nW2,Lan Tran,lan.tran@fabrikam.example\n"
    imported(workspace, tmp_path, "people.csv", people, kind="contacts")
    # Lan Tran, Fabrikam's, is on the call (an attendee who says nothing).
    header = "Date: 2026-11-20\nAttendees: Minh Williams, Lan Tran, Dana Whitfield\n\n"
    call_text = header + (FILES / "owner_call.txt").read_text(encoding="utf-8")
    report = imported(workspace, tmp_path, "fabrikam.txt", call_text)
    assert report.inserted == 1
    (call,) = talks(workspace)
    assert call["customer"] == "W2"
    assert call["attributes"]["with"]["name"] == "Minh Williams"
    # Minh is known to be Fabrikam's, so what he says is the customer's.
    assert ("Minh Williams", True) in sides(call)


def test_a_minh_the_people_present_do_not_settle_stays_unmatched_and_is_listed(
    workspace: Engine, tmp_path: Path
) -> None:
    both_danas = TWO_MINHS.replace("Priya Shah", "Dana Whitfield")
    imported(workspace, tmp_path, "customers.csv", both_danas)
    report = run_import(workspace, [FILES / "owner_call.txt"]).files[0]
    assert report.inserted == 0
    assert any("matched no account" in note for note in report.notes)
    (listed,) = [n for n in report.notes if n.startswith("  the meeting")]
    # Dana, an owner, is ours: the account's side named is Minh alone.
    assert listed.endswith(" with Minh Williams")
    assert talks(workspace) == []


def test_a_domain_two_accounts_share_is_settled_by_the_owner_on_the_call(
    workspace: Engine, tmp_path: Path
) -> None:
    shared = (
        "customer_id,name,email,company,owner\n"
        "D1,Ana Ortiz,ana@contoso.example,Contoso East,Priya Shah\n"
        "D2,Ben Okafor,ben@contoso.example,Contoso West,Dana Whitfield\n"
    )
    imported(workspace, tmp_path, "customers.csv", shared)
    call_text = (
        "Attendees: Kim Ode <kim@contoso.example>, Dana Whitfield\n\n"
        "Dana Whitfield: Thanks for joining, Kim.\nKim Ode: Happy to, Dana.\n"
    )
    report = imported(workspace, tmp_path, "2026-11-20 west.txt", call_text)
    assert "1 conversation(s) matched to their account: 1 by domain" in report.notes
    (call,) = talks(workspace)
    assert (call["customer"], call["attributes"]["with"]["email"]) == ("D2", "kim@contoso.example")

"""HubSpot companies are accounts that contacts belong to, not customers.

Real export files (the shared samples, and small files written here) go through the real
import service into real SQLite workspaces: a person is counted once and no company is
counted as a person, contacts show their company whichever export comes first, undoing
the companies import gives the contacts back their own company text, and a deal that
names only a company lands on the company's primary contact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.workspace import Workspace, open_workspace
from services.importing.service import run_import, undo_import
from services.importing.types import FileReport
from tests.support.databases import new_workspace_url, stored_json
from tests.support.paths import DATA

SAMPLES = DATA / "samples" / "hubspot"
COMPANIES = SAMPLES / "hubspot-crm-exports-all-companies-2026-11-15.csv"
CONTACTS = SAMPLES / "hubspot-crm-exports-all-contacts-2026-11-15.csv"
DEALS = SAMPLES / "hubspot-crm-exports-all-deals-2026-11-15.csv"
MANIFEST = json.loads((SAMPLES.parent / "manifest.json").read_text(encoding="utf-8"))
TRUTH = {
    "contacts": MANIFEST["files"][f"hubspot/{CONTACTS.name}"]["truth"],
    "companies": MANIFEST["files"][f"hubspot/{COMPANIES.name}"]["truth"],
}

# Small exports written by the tests, in HubSpot's shape (every value quoted).
COMPANIES_CSV = (
    '"Record ID","Company name","Company owner","Company Domain Name","Industry","City"\n'
    '"900","Bramblefield Hockey Association","Dana Whitlock (Deactivated User)",'
    '"bramblefield.example","Sports","Seattle"\n'
    '"901","Yarrowworth Book Club","Priya Raman","yarrowworth.example","Non-profit",""\n'
    '"902","Quillmere School PTA","","quillmere.example","Education",""\n'
)
CONTACTS_CSV = (
    '"Record ID","First Name","Last Name","Email","Primary Associated Company ID",'
    '"Associated Company IDs","Associated Company"\n'
    '"11","Ann","Lee","ann@example.com","900","900;901","Bramblefield Hockey"\n'
    '"12","Bo","Ray","bo@example.com","","901",""\n'
    '"13","Cy","Fox","cy@example.com","","","Yarrowworth Book Club"\n'
    '"14","Di","Lin","di@example.com","","","Lin Consulting"\n'
    '"15","Ed","Moss","ed@example.com","901","",""\n'
)
DEALS_CSV = (
    "Record ID,Deal Name,Deal Stage,Amount,Close Date,Associated Contact IDs,"
    "Associated Company IDs\n"
    "D1,Ann's kit,Closed won,500,2026-01-10,11,900\n"
    "D2,Club kit,Closed won,1200,2026-02-01,,901\n"
    "D3,PTA fair,Appointment scheduled,300,2026-12-01,,902\n"
)


@pytest.fixture
def ws(workspace_url: str) -> Iterator[Workspace]:
    """A new workspace, on SQLite then on PostgreSQL."""
    workspace = open_workspace(workspace_url, backup=False)
    try:
        yield workspace
    finally:
        workspace.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def imported(ws: Workspace, path: Path) -> FileReport:
    (report,) = run_import(ws.engine, [path]).files
    assert report.landed, report.error
    assert report.error is None, report.error
    return report


def rows(ws: Workspace, sql: str) -> list[tuple[Any, ...]]:
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def people(ws: Workspace) -> dict[str, tuple[str | None, dict[str, Any]]]:
    """email -> (company, attributes) of every customer."""
    return {
        email: (company, stored_json(attrs) if attrs else {})
        for email, company, attrs in rows(
            ws, "SELECT email, company, attributes FROM customers ORDER BY id"
        )
    }


def test_samples_contacts_then_companies_count_each_person_once(ws: Workspace) -> None:
    imported(ws, CONTACTS)
    report = imported(ws, COMPANIES)
    assert report.inserted == 0  # no company became a customer
    assert report.updated == TRUTH["contacts"]["with_associated_company"]
    assert any("24 companies read as accounts, not customers" in n for n in report.notes)
    ((count, with_email),) = rows(ws, "SELECT COUNT(*), COUNT(email) FROM customers")
    assert count == with_email == TRUTH["contacts"]["contacts"]
    assert rows(ws, "SELECT COUNT(*) FROM customers WHERE external_id LIKE 'company:%'") == [(0,)]
    silas = people(ws)["silas.ambermore11@example.com"]
    assert silas[0] == "Sorrelfeather Architects LLP"
    assert silas[1]["company_industry"] == "Architecture & Planning"
    assert silas[1]["company_owner"] == "Dana Whitlock"
    assert silas[1]["company_id"] == "25021677324"
    assert people(ws)["rmosscroft@example.com"] == (None, people(ws)["rmosscroft@example.com"][1])
    # The same export again changes nothing.
    again = imported(ws, COMPANIES)
    assert (again.inserted, again.updated) == (0, 0)


def test_samples_companies_first_give_the_same_contacts(
    ws: Workspace, database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    report = imported(ws, COMPANIES)
    assert (report.inserted, report.updated) == (0, 0)
    assert rows(ws, "SELECT COUNT(*) FROM customers") == [(0,)]
    assert "none of their contacts is in the workspace yet" in report.notes[0]
    contacts = imported(ws, CONTACTS)
    inserted = {k.kind: k.inserted for k in contacts.by_kind}
    # Each HubSpot contact is a customer and that customer's one contact.
    count = TRUTH["contacts"]["contacts"]
    assert inserted == {"customers": count, "contacts": count}
    assert any("32 contact(s) given their company" in n for n in contacts.notes)
    folder = tmp_path / "other"
    folder.mkdir()
    other = open_workspace(new_workspace_url(request, database, folder), backup=False)
    try:
        imported(other, CONTACTS)
        imported(other, COMPANIES)
        assert people(other) == people(ws)
    finally:
        other.close()
    deals = imported(ws, DEALS)
    assert deals.inserted == 33
    assert rows(ws, "SELECT COUNT(*) FROM customers")[0][0] == TRUTH["contacts"]["contacts"]


def test_contacts_then_companies_on_written_files_and_undo_restores(
    ws: Workspace, tmp_path: Path
) -> None:
    imported(ws, write(tmp_path, "hubspot-crm-exports-all-contacts.csv", CONTACTS_CSV))
    before = people(ws)
    assert before["ann@example.com"][0] == "Bramblefield Hockey"
    assert before["bo@example.com"][0] is None
    report = imported(ws, write(tmp_path, "hubspot-crm-exports-all-companies.csv", COMPANIES_CSV))
    after = people(ws)
    assert len(after) == 5
    assert report.inserted == 0
    assert report.updated == 4
    # The primary company wins; the company's name replaces the contact's text.
    ann_company, ann = after["ann@example.com"]
    assert ann_company == "Bramblefield Hockey Association"
    assert ann["company_domain"] == "bramblefield.example"
    assert ann["company_industry"] == "Sports"
    assert ann["company_city"] == "Seattle"
    assert ann["company_owner"] == "Dana Whitlock"
    assert ann["company_owner_deactivated"] is True
    assert ann["Associated Company IDs"] == "900;901"  # the contact's own columns stay
    assert after["bo@example.com"][0] == "Yarrowworth Book Club"  # by its only id
    assert after["cy@example.com"][0] == "Yarrowworth Book Club"  # by the company's name
    assert after["cy@example.com"][1]["company_id"] == "901"
    assert after["di@example.com"] == before["di@example.com"]  # no such company
    assert after["ed@example.com"][1]["company_domain"] == "yarrowworth.example"
    assert any("1 have none of their contacts here yet" in n for n in report.notes)
    assert report.run_id is not None
    undo_import(ws.engine, report.run_id)
    assert people(ws) == before


def test_companies_then_contacts_on_written_files(ws: Workspace, tmp_path: Path) -> None:
    companies = write(tmp_path, "hubspot-crm-exports-all-companies.csv", COMPANIES_CSV)
    contacts = write(tmp_path, "hubspot-crm-exports-all-contacts.csv", CONTACTS_CSV)
    first = imported(ws, companies)
    assert rows(ws, "SELECT COUNT(*) FROM customers") == [(0,)]
    imported(ws, contacts)
    got = people(ws)
    assert len(got) == 5
    assert got["ann@example.com"][0] == "Bramblefield Hockey Association"
    assert got["bo@example.com"][1]["company_industry"] == "Non-profit"
    assert got["di@example.com"][0] == "Lin Consulting"
    # Once the companies import is undone, contacts imported later no longer get them.
    assert first.run_id is not None
    undo_import(ws.engine, first.run_id)
    again = write(
        tmp_path,
        "hubspot-crm-exports-all-contacts (2).csv",
        CONTACTS_CSV.replace(
            '"15","Ed","Moss","ed@example.com","901"', '"16","Flo","Moss","flo@example.com","901"'
        ),
    )
    imported(ws, again)
    assert people(ws)["flo@example.com"][0] is None


def test_a_deal_with_only_a_company_goes_to_its_primary_contact(
    ws: Workspace, tmp_path: Path
) -> None:
    imported(ws, write(tmp_path, "hubspot-crm-exports-all-companies.csv", COMPANIES_CSV))
    imported(ws, write(tmp_path, "hubspot-crm-exports-all-contacts.csv", CONTACTS_CSV))
    report = imported(ws, write(tmp_path, "hubspot-crm-exports-all-deals.csv", DEALS_CSV))
    owners = dict(
        rows(
            ws,
            "SELECT o.external_id, c.email FROM opportunities o "
            "JOIN customers c ON c.id = o.customer_id",
        )
    )
    assert owners["D1"] == "ann@example.com"
    # Company 901: Ed has it as his primary company (Bo only as an association).
    assert owners["D2"] == "ed@example.com"
    # Company 902 has no contact here: a customer named after it, as a last resort, said.
    assert owners["D3"] is None
    ((name, company, external),) = rows(
        ws, "SELECT name, company, external_id FROM customers WHERE email IS NULL"
    )
    assert (name, company, external) == (
        "Quillmere School PTA",
        "Quillmere School PTA",
        "company:902",
    )
    assert any("went to that company's primary (else first) contact" in n for n in report.notes)
    last_resort = next(n for n in report.notes if "has none of its contacts" in n)
    assert "Quillmere School PTA" in last_resort
    assert "then the deals again" in last_resort


def test_a_deal_on_a_company_moves_to_a_person_once_its_contacts_are_in(
    ws: Workspace, tmp_path: Path
) -> None:
    imported(ws, write(tmp_path, "hubspot-crm-exports-all-companies.csv", COMPANIES_CSV))
    deals = write(tmp_path, "hubspot-crm-exports-all-deals.csv", DEALS_CSV)
    first = imported(ws, deals)
    assert any("Quillmere School PTA, Yarrowworth Book Club" in n for n in first.notes)
    contacts = CONTACTS_CSV + '"17","Gil","Park","gil@example.com","902","",""\n'
    imported(ws, write(tmp_path, "hubspot-crm-exports-all-contacts.csv", contacts))
    again = imported(ws, deals)
    assert again.updated == 2  # D1 was on its contact already
    owners = dict(
        rows(
            ws,
            "SELECT o.external_id, c.email FROM opportunities o "
            "JOIN customers c ON c.id = o.customer_id",
        )
    )
    assert owners == {"D1": "ann@example.com", "D2": "ed@example.com", "D3": "gil@example.com"}

"""Contacts imported: the people of business accounts from a Salesforce Data Export
(Account, Contact, AccountContactRole, OpportunityContactRole) and HubSpot contacts with
their job titles and buying roles (tests/data/contacts, whose README gives the truth), on
SQLite and PostgreSQL. A B2C book keeps one customer per person, as before contacts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from app.workspace import open_workspace
from services.importing.service import run_import, undo_import
from services.importing.types import ImportReport
from services.people.contacts import read_people, recipient
from tests.support.paths import DATA

FILES = DATA / "contacts"
SAMPLES = DATA / "samples"


@pytest.fixture
def engine(workspace_url: str) -> Iterator[Engine]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        yield ws.engine
    finally:
        ws.close()


def load(engine: Engine, *names: str) -> list[ImportReport]:
    reports = []
    for name in names:
        report = run_import(engine, [FILES / name])
        assert report.landed, report
        reports.append(report)
    return reports


def people_by_account(engine: Engine) -> dict[str, list[tuple[str, str, str | None]]]:
    """Each account (its company, else its name) -> its people (name, title, role)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT COALESCE(cu.company, cu.name), c.name, COALESCE(c.title, ''), c.role "
                "FROM contacts c JOIN customers cu ON cu.id = c.customer_id "
                "ORDER BY 1, c.external_id"
            )
        ).all()
    out: dict[str, list[tuple[str, str, str | None]]] = {}
    for account, name, title, role in rows:
        out.setdefault(account, []).append((name, title, role))
    return out


def test_a_business_book_lands_its_accounts_people_and_roles(engine: Engine) -> None:
    load(engine, "Account.csv", "Contact.csv")
    with engine.connect() as conn:
        customers = conn.execute(
            text("SELECT company, name, email FROM customers ORDER BY id")
        ).all()
    # Three accounts, each named by its company and its earliest contact (not the last
    # row of the file: the accounts-payable mailbox).
    assert [tuple(r) for r in customers] == [
        ("Contoso Freight", "Maria Delgado", "maria.delgado@contoso-freight.example.com"),
        ("Northwind Clinics", "Priya Shah", "priya.shah@northwind-clinics.example.com"),
        ("Fabrikam Studio", "Sam Rivera", "sam@fabrikam-studio.example.com"),
    ]
    roles_report, opp_report = load(engine, "AccountContactRole.csv", "OpportunityContactRole.csv")
    assert roles_report.files[0].rejected == 1  # the row naming no contact
    assert any("1 role row(s) name contacts not in" in n for n in roles_report.files[0].notes)
    assert opp_report.files[0].rejected == 0
    assert people_by_account(engine) == {
        "Contoso Freight": [
            ("Maria Delgado", "VP Operations", "champion"),
            ("Tom Okafor", "Chief Financial Officer", "decision_maker"),
            ("Lena Fischer", "Dispatch Lead", "user"),
            ("Accounts Payable", "", "billing"),
        ],
        "Northwind Clinics": [
            ("Priya Shah", "Practice Manager", "decision_maker"),
            ("Dan Whitfield", "IT Administrator", "user"),
        ],
        "Fabrikam Studio": [("Sam Rivera", "Owner", None)],
    }


def test_importing_again_changes_nothing_and_undo_restores(engine: Engine) -> None:
    load(engine, "Account.csv", "Contact.csv")
    roles = run_import(engine, [FILES / "AccountContactRole.csv"])
    before = people_by_account(engine)
    again = run_import(engine, [FILES / "Contact.csv"])
    assert {k.kind: (k.inserted, k.updated) for k in again.by_kind} == {
        "customers": (0, 0),
        "contacts": (0, 0),
    }
    assert people_by_account(engine) == before
    run_id = roles.files[0].run_id
    assert run_id is not None
    undo_import(engine, run_id)
    after = people_by_account(engine)
    assert {role for people in after.values() for _, _, role in people} == {None}


def test_an_order_by_any_of_an_accounts_people_is_the_accounts(
    engine: Engine, tmp_path: Path
) -> None:
    load(engine, "Account.csv", "Contact.csv")
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,email,order_date,amount\n"
        "A-1,tom.okafor@contoso-freight.example.com,2026-10-01,1200.00\n"
        "A-2,LENA.FISCHER@contoso-freight.example.com,2026-10-05,80.00\n"
        "A-3,priya.shah@northwind-clinics.example.com,2026-10-07,300.00\n",
        encoding="utf-8",
    )
    report = run_import(engine, [orders])
    assert report.landed
    with engine.connect() as conn:
        by_account = dict(
            conn.execute(
                text(
                    "SELECT cu.company, SUM(o.amount_cents) FROM orders o "
                    "JOIN customers cu ON cu.id = o.customer_id GROUP BY cu.company"
                )
            ).all()
        )
        count = conn.execute(text("SELECT COUNT(*) FROM customers")).scalar_one()
    assert by_account == {"Contoso Freight": 128_000, "Northwind Clinics": 30_000}
    assert count == 3  # no customer made for a person of a known account


def test_the_composer_writes_to_the_champion_unless_another_is_picked(engine: Engine) -> None:
    load(engine, "Account.csv", "Contact.csv", "AccountContactRole.csv")
    people = read_people(engine, 1)
    assert [p.name for p in people] == [
        "Maria Delgado",
        "Tom Okafor",
        "Accounts Payable",
        "Lena Fischer",
    ]
    chosen = recipient(people)
    assert chosen is not None
    assert chosen.email == "maria.delgado@contoso-freight.example.com"
    tom = people[1]
    picked = recipient(people, tom.contact_id)
    assert picked is not None
    assert picked.name == "Tom Okafor"


def test_hubspot_contacts_keep_their_job_titles_and_buying_roles(engine: Engine) -> None:
    load(engine, "hubspot-crm-exports-all-contacts-2026-11-20.csv")
    assert people_by_account(engine) == {
        "Ada Brook": [("Ada Brook", "Head of Events", "champion")],
        "Ben Carr": [("Ben Carr", "", "decision_maker")],
        "Cleo Dunn": [("Cleo Dunn", "Coordinator", None)],
        "Dev Ellis": [("Dev Ellis", "Counsel", "other")],
    }


def test_the_b2c_samples_keep_one_customer_per_person(engine: Engine) -> None:
    for name in ("salesforce/Account.csv", "salesforce/Contact.csv"):
        assert run_import(engine, [SAMPLES / name]).landed
    with engine.connect() as conn:
        customers = conn.execute(text("SELECT COUNT(*) FROM customers")).scalar_one()
        contacts, accounts = conn.execute(
            text("SELECT COUNT(*), COUNT(DISTINCT customer_id) FROM contacts")
        ).one()
        # Each household's one person is its customer's name and address, as before.
        differ = conn.execute(
            text(
                "SELECT COUNT(*) FROM contacts c JOIN customers cu ON cu.id = c.customer_id "
                "WHERE c.email_normalized <> cu.email_normalized OR c.name <> cu.name"
            )
        ).scalar_one()
    assert (customers, contacts, accounts, differ) == (300, 300, 300, 0)


def left_on_by_name(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, left_on FROM contacts ORDER BY id")).all()
    return {name: None if left is None else str(left)[:10] for name, left in rows}


def test_a_later_export_without_a_person_marks_them_as_left_and_undo_restores(
    engine: Engine, tmp_path: Path
) -> None:
    load(engine, "Account.csv", "Contact.csv")
    lines = (FILES / "Contact.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    # Contoso's people without Lena Fischer; Northwind and Fabrikam not in the file at all.
    partial = tmp_path / "Contact.csv"
    partial.write_text(
        "".join([lines[0], *(ln for ln in lines[1:] if "B2B01" in ln and "C0003" not in ln)]),
        encoding="utf-8",
    )
    marked = run_import(engine, [partial])
    assert marked.landed
    assert "1 person no longer in the export (marked as left)" in marked.files[0].notes
    today = dt.datetime.now(dt.UTC).date().isoformat()
    people = left_on_by_name(engine)
    # Only Lena: the accounts the file does not hold say nothing about their people.
    assert {name: left for name, left in people.items() if left} == {"Lena Fischer": today}
    assert [p.left_on for p in read_people(engine, 1) if p.name == "Lena Fischer"] == [
        dt.date.fromisoformat(today)
    ]
    back = run_import(engine, [FILES / "Contact.csv"])
    assert any("are in the export again" in n for n in back.files[0].notes)
    assert not any(left_on_by_name(engine).values())
    for report in (back, marked):
        run_id = report.files[0].run_id
        assert run_id is not None
        undo_import(engine, run_id)
        if report is back:
            assert left_on_by_name(engine)["Lena Fischer"] == today
    assert not any(left_on_by_name(engine).values())

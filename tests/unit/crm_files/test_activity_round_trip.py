"""The activity files come back into a real book whose customers came from a plain file
(ids like "C000998", no CRM id) under the default privacy setting (no address leaves):
each row names its customer by the app's own id, a row the workspace already holds is
that activity, and an activity file never creates a customer."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Contact, Customer, CustomerIdentity, Interaction
from models.vocab import APP_SOURCE
from services.crm_files.export import export_activities
from services.importing.activity_customers import NOT_FOUND
from services.importing.service import run_import
from tests.support.crm_book import log_activities

PEOPLE = {
    "A": ("C000998", "Ann Archer", "ann@acme.test"),
    "B": ("C000999", "Bo Berg", "bo@beta.test"),
    "C": ("C001000", "Cy Chen", "cy@gamma.test"),
}
CONTACT = "C000998-P84"  # Ann's person, as the demo names one


def _customers(engine: Engine) -> dict[str, int]:
    ids: dict[str, int] = {}
    with Session(engine) as s, s.begin():
        for letter, (external, name, email) in PEOPLE.items():
            c = Customer(source="generic", external_id=external, name=name, email=email,
                         email_normalized=email, owner="Maya")  # fmt: skip
            s.add(c)
            s.flush()
            s.add(CustomerIdentity(customer_id=c.id, source="generic", external_id=external))
            ids[letter] = c.id
        s.add(Contact(customer_id=ids["A"], source="salesforce", external_id=CONTACT,
                      name="Ann Archer", email="ann@acme.test",
                      email_normalized="ann@acme.test"))  # fmt: skip
    return ids


@pytest.fixture
def book(workspace_url: str) -> Iterator[Engine]:
    ws = open_workspace(workspace_url, backup=False)
    log_activities(ws.engine, _customers(ws.engine))
    yield ws.engine
    ws.close()


def _count(engine: Engine, what: type) -> int:
    with Session(engine) as s:
        return int(s.execute(select(func.count()).select_from(what)).scalar_one())


def _activities(engine: Engine) -> set[tuple[str, str, str | None, str | None]]:
    with Session(engine) as s:
        rows = s.execute(
            select(Interaction.kind, Interaction.occurred_at, Interaction.subject,
                   Customer.external_id)
            .join(Customer, Customer.id == Interaction.customer_id)
            .where(Interaction.source == APP_SOURCE)
        ).all()  # fmt: skip
    return {(k, w.date().isoformat(), subject, ext) for k, w, subject, ext in rows}


@pytest.mark.parametrize("target", ["salesforce", "hubspot", "csv"])
def test_each_file_finds_its_customers_by_the_apps_own_id(  # type: ignore[no-untyped-def]
    book, tmp_path: Path, target: str
) -> None:
    engine = book
    path = export_activities(engine, target, tmp_path / f"{target}.csv").path
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    own = {"salesforce": "Account_Radar_Customer__c", "hubspot": "account_radar_customer"}
    if target in own:
        assert [r[own[target]] for r in rows] == [
            "generic:C000998", "generic:C000998", "generic:C000999", "generic:C001000",
        ]  # fmt: skip
    expected = _activities(engine)
    assert len(expected) == 4
    # Into the workspace that wrote it: nothing added, nothing rejected, nobody new.
    customers, activities = _count(engine, Customer), _count(engine, Interaction)
    report = run_import(engine, [path])
    done = report.files[0]
    assert (done.inserted, done.updated, done.rejected) == (0, 0, 0), report.lines()
    assert (_count(engine, Customer), _count(engine, Interaction)) == (customers, activities)
    # Into a fresh workspace holding the same customers: the same activities.
    other = open_workspace(f"sqlite:///{tmp_path / 'fresh.db'}", backup=False)
    try:
        _customers(other.engine)
        report = run_import(other.engine, [path])
        done = report.files[0]
        assert (done.inserted, done.rejected) == (4, 0), report.lines()
        assert _count(other.engine, Customer) == 3
        assert _activities(other.engine) == expected
    finally:
        other.close()


def _salesforce_file(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["WhoId", "WhatId", "Subject", "ActivityDate", "TaskSubtype"])
        for who, what, subject in rows:
            writer.writerow([who, what, subject, "2026-03-10", "Call"])
    return path


def test_an_activity_file_never_creates_a_customer(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine = book
    customers = _count(engine, Customer)
    path = _salesforce_file(tmp_path / "Task.csv", [
        (CONTACT, "", "Called Ann"),  # a contact of a known customer: hers
        ("003000000000009ZZZ", "001000000000009ZZZ", "Called a stranger"),
    ])  # fmt: skip
    report = run_import(engine, [path])
    done = report.files[0]
    assert done.inserted == 1, report.lines()
    assert [r.reason for r in done.rejects] == [NOT_FOUND]
    assert _count(engine, Customer) == customers
    with Session(engine) as s:
        owner, person = s.execute(
            select(Customer.external_id, Contact.external_id)
            .join(Interaction, Interaction.customer_id == Customer.id)
            .outerjoin(Contact, Contact.id == Interaction.contact_id)
            .where(Interaction.subject == "Called Ann")
        ).one()
    assert (owner, person) == ("C000998", CONTACT)

"""The activities logged in the app, written as Salesforce, HubSpot and plain CSV import
files from the hand-made book of tests/support/crm_book.py, on SQLite and PostgreSQL:
what each file holds, the formulas neutralised, the privacy setting, each export after
the last one, and the round trip through the app's own importers."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Alert, Contact, Customer, CustomerIdentity, Interaction
from models.vocab import APP_SOURCE
from services.alerts.contact import log_call
from services.crm_files.export import export_activities, plan_export
from services.importing.service import run_import
from services.settings.store import set_setting
from tests.support.crm_book import ACCOUNT, CONTACT, add_customers, at, fill_crm_book

ALL_FIELDS = ["first_name", "surname", "email", "company", "owner"]


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_crm_book(ws.engine)
    yield ws.engine, ids
    ws.close()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _allow_all(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        set_setting(s, "outreach.sent_fields", ALL_FIELDS)


def test_salesforce_tasks_hold_what_was_logged_in_the_app(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    _allow_all(engine)
    result = export_activities(engine, "salesforce", tmp_path / "Task.csv", actor="Maya")
    rows = _rows(result.path)
    # Four logged in the app; the CRM's own call and another workspace's note are not.
    assert [r["Subject"] for r in rows] == [
        "Renewal check-in", "'=SUM(A1:A9) pricing", "Left word about the upgrade",
        "Your March order",
    ]  # fmt: skip
    assert [r["TaskSubtype"] for r in rows] == ["Call", "Email", "Call", "Email"]
    assert [r["ActivityDate"] for r in rows] == [
        "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05",
    ]  # fmt: skip
    ann, _, bo, cy = rows
    assert (ann["WhatId"], ann["WhoId"]) == (ACCOUNT, CONTACT)
    assert ann["Salesforce match"] == ""
    assert ann["CallDisposition"] == "Talked with them"
    assert "They renew in May." in ann["Description"]
    assert (bo["WhatId"], bo["Salesforce match"]) == ("", "no Salesforce id")
    assert bo["CallDisposition"] == "Left a voicemail"
    assert cy["Email"] == "cy@gamma.test"
    assert all(r["Account_Radar_Id__c"].startswith("radar-") for r in rows)
    assert len({r["Account_Radar_Id__c"] for r in rows}) == 4
    assert result.plan.count == 4
    assert (result.plan.first, result.plan.last) == (dt.date(2026, 3, 2), dt.date(2026, 3, 5))


def test_each_export_writes_only_what_was_logged_since_the_last(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    first = export_activities(engine, "hubspot", tmp_path / "one.csv", actor="Maya")
    assert first.plan.count == 4
    assert plan_export(engine, "hubspot", actor="Maya").count == 0
    second = export_activities(engine, "hubspot", tmp_path / "two.csv", actor="Maya")
    # Nothing new: no file at all, and the words say since when.
    assert not second.written
    assert not second.path.exists()
    assert second.plan.nothing_words("use --all").startswith("Nothing new since the last export")
    # Salesforce has its own mark: nothing was written for it yet.
    assert plan_export(engine, "salesforce", actor="Maya").count == 4
    # A shared workspace keeps each person's mark (a manager exports only the activities
    # of her book: hers must not move a teammate's past theirs); a file has one.
    shared = engine.dialect.name == "postgresql"
    assert plan_export(engine, "hubspot", actor="Leo").count == (4 if shared else 0)
    with Session(engine) as s:
        alert = s.execute(select(Alert.id).where(Alert.customer_id == ids["B"])).scalar_one()
    log_call(engine, alert, "Booked the upgrade", actor="Leo", now=at(9, 11, 0))
    third = export_activities(engine, "hubspot", tmp_path / "three.csv", actor="Maya")
    rows = _rows(third.path)
    assert [r["hs_call_title"] for r in rows] == ["Booked the upgrade"]
    assert rows[0]["Contact Record ID"] == "501"
    assert rows[0]["hs_timestamp"] == "2026-03-09T11:00:00Z"
    # --all and --since write regardless of the mark.
    everything = export_activities(engine, "hubspot", tmp_path / "all.csv", everything=True)
    assert everything.plan.count == 5
    since = plan_export(engine, "hubspot", since=dt.date(2026, 3, 4))
    assert since.count == 3


def test_a_withheld_field_is_not_written(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    # The default privacy setting keeps addresses and surnames on this computer.
    rows = _rows(export_activities(engine, "csv", tmp_path / "a.csv").path)
    assert [r["Contact email"] for r in rows] == ["", "", "", ""]
    assert [r["Customer name"] for r in rows] == ["Acme", "Acme", "", ""]
    assert {r["Owner"] for r in rows} == {"Maya", "Leo"}
    with Session(engine) as s, s.begin():
        set_setting(s, "outreach.sent_fields", ["first_name"])
    rows = _rows(export_activities(engine, "csv", tmp_path / "b.csv", everything=True).path)
    assert {r["Owner"] for r in rows} == {""}
    assert [r["Customer name"] for r in rows] == ["", "", "", ""]


def _activities(engine: Engine) -> set[tuple[str, str, str, str, str]]:
    """(kind, date, subject, customer's own id, person's address) of every app activity."""
    with Session(engine) as s:
        rows = s.execute(
            select(
                Interaction.kind, Interaction.occurred_at, Interaction.subject,
                Customer.external_id, Contact.email, Customer.email,
            )
            .join(Customer, Customer.id == Interaction.customer_id)
            .outerjoin(Contact, Contact.id == Interaction.contact_id)
            .where(Interaction.source == APP_SOURCE, Interaction.subject != "Another team's note")
        ).all()  # fmt: skip
    return {
        (kind, when.date().isoformat(), subject, external, person or own)
        for kind, when, subject, external, person, own in rows
    }


@pytest.mark.parametrize("target", ["salesforce", "hubspot", "csv"])
def test_the_files_come_back_through_the_apps_own_importers(  # type: ignore[no-untyped-def]
    book, tmp_path: Path, target: str
) -> None:
    engine, _ids = book
    _allow_all(engine)
    path = export_activities(engine, target, tmp_path / f"{target}.csv").path
    expected = _activities(engine)
    assert len(expected) == 4
    # Into a fresh workspace holding the same customers: the same activities.
    other = open_workspace(f"sqlite:///{tmp_path / 'fresh.db'}", backup=False)
    try:
        add_customers(other.engine)
        report = run_import(other.engine, [path])
        assert report.landed, report.lines()
        assert report.files[0].inserted == 4, report.lines()
        assert _activities(other.engine) == expected
        # Ann's activities name her, the person, found by her address.
        with Session(other.engine) as s:
            named = s.execute(
                select(func.count()).where(Interaction.contact_id.is_not(None))
            ).scalar_one()
        assert named == 2
        again = run_import(other.engine, [path])
        assert again.files[0].inserted == 0
    finally:
        other.close()
    # Into the workspace that wrote it: nothing added, nothing changed.
    before = _count(engine)
    report = run_import(engine, [path])
    assert report.files[0].inserted == 0, report.lines()
    assert report.files[0].updated == 0, report.lines()
    assert _count(engine) == before
    assert _activities(engine) == expected


def _count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.execute(select(func.count()).select_from(Interaction)).scalar_one())


def test_an_activity_logged_before_keys_is_given_one_on_its_first_export(  # type: ignore[no-untyped-def]
    book, tmp_path: Path
) -> None:
    engine, _ids = book
    with Session(engine) as s, s.begin():
        s.execute(
            Interaction.__table__.update()
            .where(Interaction.source == APP_SOURCE, Interaction.import_run_id.is_(None))
            .values(external_id=None)
        )
    rows = _rows(export_activities(engine, "csv", tmp_path / "a.csv").path)
    keys = [r["App ID"] for r in rows]
    assert all(k.startswith("radar-") for k in keys)
    rows = _rows(export_activities(engine, "csv", tmp_path / "b.csv", everything=True).path)
    assert [r["App ID"] for r in rows] == keys


def test_crm_identities_are_read_from_the_customer_and_its_identities(  # type: ignore[no-untyped-def]
    book, tmp_path: Path
) -> None:
    engine, ids = book
    # C also came from HubSpot later (an identity): its record ID is used.
    with Session(engine) as s, s.begin():
        s.add(CustomerIdentity(customer_id=ids["C"], source="hubspot", external_id="777"))
    rows = _rows(export_activities(engine, "hubspot", tmp_path / "h.csv").path)
    assert [r["Contact Record ID"] for r in rows] == ["", "", "501", "777"]
    assert [r["HubSpot match"] for r in rows][:2] == ["no HubSpot record ID"] * 2


def test_tasks_outcomes_and_do_not_contact_are_written_and_never_brought_back(  # type: ignore[no-untyped-def]
    book, tmp_path: Path
) -> None:
    from services.alerts.contact import create_task, set_do_not_contact
    from services.alerts.lifecycle import resolve_in, transition_alert

    engine, ids = book
    first = export_activities(engine, "salesforce", tmp_path / "one.csv")
    assert first.plan.count == 4
    with Session(engine) as s:
        b_alert = s.execute(select(Alert.id).where(Alert.customer_id == ids["B"])).scalar_one()
    create_task(engine, b_alert, "Send Bo the upgrade prices", dt.date(2099, 3, 20),
                actor="Leo", now=at(6, 10, 0))  # fmt: skip
    transition_alert(engine, b_alert, resolve_in, outcome="won_back", actor="Leo",
                     now=at(7, 12, 0))  # fmt: skip
    set_do_not_contact(engine, ids["C"], True, actor="Leo", now=at(8, 8, 30))
    path = export_activities(engine, "salesforce", tmp_path / "two.csv").path
    rows = _rows(path)
    assert [(r["Subject"], r["Status"], r["TaskSubtype"]) for r in rows] == [
        ("Send Bo the upgrade prices", "Not Started", "Task"),
        ("Resolved: won back", "Completed", "Task"),
        ("Marked do not contact", "Completed", "Task"),
    ]
    assert rows[0]["Description"] == "Due Mar 20, 2099"
    # A task is dated when it is due (an open one), the changes when they were made.
    assert [r["ActivityDate"] for r in rows] == ["2099-03-20", "2026-03-07", "2026-03-08"]
    assert not export_activities(engine, "salesforce", tmp_path / "three.csv").written
    assert not (tmp_path / "three.csv").exists()
    # Brought back, here or elsewhere, they are the app's own records: left out.
    before = _count(engine)
    report = run_import(engine, [path])
    assert report.files[0].inserted == 0, report.lines()
    assert not report.files[0].rejects
    assert report.files[0].error == (
        "the 3 tasks and changes in two.csv are this app's own, already recorded"
    )
    assert _count(engine) == before


def test_salesforce_meetings_go_as_events_beside_the_tasks_and_come_back(  # type: ignore[no-untyped-def]
    book, tmp_path: Path
) -> None:
    """A meeting logged in the app is a Salesforce Event, in its own file beside the Tasks
    (Data Loader imports one object a file); the app's importer reads it back as the same
    meeting, into a fresh workspace and into the one that wrote it."""
    from sqlalchemy import text

    engine, ids = book
    _allow_all(engine)
    with Session(engine) as s, s.begin():
        s.execute(
            text(
                "INSERT INTO interactions (customer_id, kind, occurred_at, subject, text, source, "
                "external_id) VALUES (:c, 'meeting', :at, 'Quarterly review', 'Went well', "
                ":source, 'radar-meeting-1')"
            ),
            {"c": ids["A"], "at": dt.datetime(2026, 3, 9, 15, 30), "source": APP_SOURCE},
        )
    result = export_activities(engine, "salesforce", tmp_path / "Task.csv")
    assert result.events == 1
    assert result.events_path == tmp_path / "Task-Event.csv"
    tasks, events = _rows(result.path), _rows(result.events_path)
    assert all(r["TaskSubtype"] != "Meeting" and r["Type"] != "Meeting" for r in tasks)
    assert len(tasks) == 4
    (event,) = events
    assert (event["Subject"], event["StartDateTime"], event["Type"]) == (
        "Quarterly review", "2026-03-09T15:30:00Z", "Meeting",
    )  # fmt: skip
    assert event["DurationInMinutes"] == "30"
    assert event["Account_Radar_Id__c"] == "radar-meeting-1"
    expected = _activities(engine)
    other = open_workspace(f"sqlite:///{tmp_path / 'fresh.db'}", backup=False)
    try:
        add_customers(other.engine)
        report = run_import(other.engine, [result.path, result.events_path])
        assert report.landed, report.lines()
        assert sum(f.inserted for f in report.files) == 5, report.lines()
        assert _activities(other.engine) == expected
    finally:
        other.close()
    before = _count(engine)
    report = run_import(engine, [result.events_path])
    assert report.files[0].inserted == 0, report.lines()
    assert _count(engine) == before
    # Only meetings new: the one file is the Events' own.
    with Session(engine) as s, s.begin():
        s.execute(
            text(
                "INSERT INTO interactions (customer_id, kind, occurred_at, subject, source, "
                "external_id) VALUES (:c, 'meeting', :at, 'Follow-up', :source, 'radar-meeting-2')"
            ),
            {"c": ids["A"], "at": dt.datetime(2026, 3, 12, 9, 0), "source": APP_SOURCE},
        )
    only = export_activities(engine, "salesforce", tmp_path / "Later.csv")
    assert only.events_path == only.path == tmp_path / "Later.csv"
    assert [r["Subject"] for r in _rows(only.path)] == ["Follow-up"]
    assert not (tmp_path / "Later-Event.csv").exists()


def test_a_meeting_scheduled_from_a_card_is_an_event_and_open_tasks_are_dated_when_due(  # type: ignore[no-untyped-def]
    book, tmp_path: Path
) -> None:
    """Schedule a meeting… keeps the meeting as a task titled with its time and length:
    Salesforce gets it as an Event at that moment for that long, and its follow-up (an
    open task) dated the day it is due, not the day it was made."""
    from services.outreach.meeting import log_meeting

    engine, ids = book
    _allow_all(engine)
    export_activities(engine, "salesforce", tmp_path / "before.csv")  # what was there
    with Session(engine) as s:
        alert = s.execute(select(Alert.id).where(Alert.customer_id == ids["A"])).scalar_one()
    start = dt.datetime(2026, 3, 20, 14, 30).astimezone()  # the user's clock
    log_meeting(engine, [alert], "Quarterly review", start, 45, actor="Maya",
                now=dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC))  # fmt: skip
    result = export_activities(engine, "salesforce", tmp_path / "Task.csv")
    (event,) = _rows(result.events_path)
    assert event["Subject"] == "Quarterly review"
    assert event["StartDateTime"] == start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert event["DurationInMinutes"] == "45"
    (follow_up,) = _rows(result.path)
    assert follow_up["Subject"].startswith("Follow up on the meeting")
    assert follow_up["Status"] == "Not Started"
    assert follow_up["ActivityDate"] == "2026-03-23"  # the working day after (a Monday)

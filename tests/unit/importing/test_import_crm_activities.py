"""CRM activity files read as interactions: a Salesforce Task and Event export, HubSpot
calls by their property names and the app's own activities file (tests/data/activities),
each row against what the file says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from models.vocab import APP_SOURCE
from services.importing.canonical import Batch
from services.importing.formats import detect
from services.importing.reader import read_table
from tests.support.paths import DATA

FILES = DATA / "activities"
UTC = dt.UTC


def convert(name: str) -> tuple[str, Batch]:
    table = read_table(FILES / name)
    adapter = detect(table.header)
    assert adapter is not None, f"{name} not recognised"
    return adapter.name, adapter.convert(table)


def _when(value: object) -> dt.datetime:
    return pd.Timestamp(value).to_pydatetime()  # type: ignore[arg-type]


def test_salesforce_tasks_are_calls_emails_and_notes_of_their_account() -> None:
    name, batch = convert("Task.csv")
    assert name == "salesforce_activities"
    frame = batch.frames["interactions"]
    # The deal review names an opportunity (006...), not a customer: rejected, said why.
    assert [r.reason for r in batch.rejects] == ["no customer id or email"]
    assert frame["kind"].tolist() == ["call", "email_sent", "note"]
    assert frame["subject"].tolist() == ["Call", "Email: Your renewal", "Send the price list"]
    assert frame["source"].tolist() == ["salesforce"] * 3
    assert frame["external_id"].tolist() == [
        "00T5g00000AbCdEEA1", "00T5g00000AbCdFEA1", "00T5g00000AbCdGEA1",
    ]  # fmt: skip
    assert set(frame["customer_external_id"]) == {"0015g00000QrStUAAR"}
    assert frame["status"].tolist() == ["voicemail", None, None]
    assert _when(frame["occurred_at"][0]) == dt.datetime(2026, 2, 10, tzinfo=UTC)
    assert frame["text"][0] == "Asked about the spring catalogue."


def test_a_salesforce_event_is_a_meeting_at_its_start(tmp_path: Path) -> None:
    name, batch = convert("Event.csv")
    assert name == "salesforce_activities"
    row = batch.frames["interactions"].iloc[0]
    assert row["kind"] == "meeting"
    assert _when(row["occurred_at"]) == dt.datetime(2026, 2, 20, 14, 0, tzinfo=UTC)
    assert row["subject"] == "Quarterly review"


def test_hubspot_calls_by_their_property_names() -> None:
    name, batch = convert("hubspot-calls.csv")
    assert name == "hubspot_activities"
    frame = batch.frames["interactions"]
    assert frame["kind"].tolist() == ["call", "call"]
    assert frame["external_id"].tolist() == ["9001", "9002"]
    assert frame["customer_external_id"].tolist() == ["7101", None]
    assert frame["customer_source"].tolist() == ["hubspot", None]
    assert frame["customer_email"].tolist() == ["jo@hub.test", "sam@hub.test"]
    assert frame["status"].tolist() == ["connected", "no_answer"]
    # A formula is kept as the text it is (never run), as written.
    assert frame["subject"][1] == '=HYPERLINK("x")'
    assert _when(frame["occurred_at"][0]) == dt.datetime(2026, 2, 11, 16, 20, tzinfo=UTC)


def test_the_apps_own_file_keeps_the_apps_keys_and_loses_the_neutralising_quote() -> None:
    name, batch = convert("radar-activities.csv")
    assert name == "radar_activities"
    frame = batch.frames["interactions"]
    assert frame["source"].tolist() == [APP_SOURCE, APP_SOURCE]
    assert frame["external_id"].tolist() == ["radar-0123456789abcdef", "radar-fedcba9876543210"]
    assert frame["subject"].tolist() == ["Check-in", "-5% offered"]
    assert frame["customer_external_id"].tolist() == ["C-3", None]
    assert frame["customer_email"].tolist() == ["cy@gamma.test", "dee@delta.test"]
    assert frame["status"].tolist() == ["connected", None]


def test_freshdesk_tickets_by_their_export_columns() -> None:
    name, batch = convert("freshdesk-tickets.csv")
    assert name == "freshdesk_tickets"
    frame = batch.frames["interactions"]
    assert frame["kind"].tolist() == ["ticket", "ticket"]
    assert frame["external_id"].tolist() == ["1042", "1043"]
    assert frame["customer_email"].tolist() == ["jo@hub.test", "sam@hub.test"]
    assert frame["channel"].tolist() == ["email", "phone"]
    assert frame["status"].tolist() == ["Resolved", "Open"]
    assert frame["text"].tolist() == ["The box was crushed.", None]
    assert frame["attributes"][0]["Priority"] == "High"
    assert _when(frame["occurred_at"][0]) == dt.datetime(2026, 2, 3, 9, 12, 44, tzinfo=UTC)

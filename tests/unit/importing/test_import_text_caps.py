"""A 10 MB field is cut at import (and said so), an over-long id rejects its row, and what
goes into a prompt is capped where the user sees it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import insert

from app.workspace import open_workspace, to_url
from models.db import session_scope
from models.schema import Customer, Interaction
from services.importing.canonical import ATTRIBUTE_LIMIT
from services.importing.service import run_import
from services.llm.providers import config_from_preset
from services.outreach.context import (
    SUBJECT_LIMIT,
    TEXT_LIMIT,
    TEXTS_BUDGET,
    build_context,
    text_share,
)
from services.outreach.prompt import build_messages, customer_data, describe_request, encode_data
from services.settings import PRIVACY_FIELDS
from tests.support.databases import read_rows, stored_json

BIG = 10 * 1024 * 1024


def test_a_ten_megabyte_name_is_cut_and_reported(tmp_path: Path, workspace_url: str) -> None:
    path = tmp_path / "customers.csv"
    long_id = "X" * 300
    path.write_text(
        "customer_id,name,email,company\n"
        f"C1,{'Ann' * (BIG // 3)},ann@example.com,Acme\n"
        f"C2,Bob Stone,bob@example.com,{'Co' * 200}\n"
        f"{long_id},Cy Long,cy@example.com,Acme\n"
        "C4,Di Short,di@example.com,Acme\n",
        encoding="utf-8",
    )
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = run_import(ws.engine, [path], kind="customers")
    finally:
        ws.close()
    (file,) = report.files
    assert file.landed
    assert file.inserted == 3
    assert file.rejected == 1
    assert file.rejects[0].row == 4
    assert "id is longer than 255 characters" in file.rejects[0].reason
    longest = 3 * (BIG // 3)
    assert f"1 name value of customers cut to 255 characters (the longest had {longest:,})" in (
        file.notes
    )
    assert "1 company value of customers cut to 255 characters (the longest had 400)" in (
        file.notes
    )
    rows = dict(read_rows(workspace_url, "SELECT external_id, name FROM customers"))
    (company,) = read_rows(workspace_url, "SELECT company FROM customers WHERE external_id = 'C2'")
    assert len(rows["C1"]) == 255
    assert rows["C1"].endswith("…")
    assert rows["C4"] == "Di Short"
    assert long_id not in rows
    assert len(company[0]) == 255


def test_the_prompt_caps_long_fields_and_says_where(tmp_path: Path) -> None:
    """A workspace imported before the caps (a 10 MB note and name stored whole). SQLite
    only: PostgreSQL's column lengths never let such a name in."""
    ws = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    try:
        with ws.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO customers (id, source, external_id, name, email, company, "
                "do_not_contact, created_at, updated_at) VALUES (1, 't', '1', ?, "
                "'ann@example.com', ?, 0, '2026-01-01', '2026-01-01')",
                ("Ann " + "Z" * BIG, "Acme " * 100_000),
            )
            conn.exec_driver_sql(
                "INSERT INTO interactions (customer_id, kind, occurred_at, subject, text, "
                "status, source) VALUES (1, 'ticket', ?, 'Help', ?, 'open', 't')",
                (dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"), "broken " * BIG),
            )
        with session_scope(ws.sessions) as session:
            context = build_context(session, 1)
    finally:
        ws.close()
    data = customer_data(context, ["first_name", "surname", "company", "tickets"])
    body = encode_data(data)
    assert len(body) < 10_000
    assert "more characters]" in data["surname"]
    more = len(("Acme " * 100_000).strip()) - 200
    assert data["company"].endswith(f"…[cut: {more:,} more characters]")
    text = data["open_tickets"][0]["text"]
    assert text.startswith("broken broken")
    assert len(text) < TEXT_LIMIT + 60
    assert "more characters]" in text


def test_the_customer_texts_of_one_prompt_share_a_total_budget(workspace_url: str) -> None:
    """Five open tickets and five reviews of 1 MB each (subjects too): the request the user
    reviews stays small, each text an even share of the budget and marked where it was cut.
    (Subjects and texts are unbounded text columns: 1 MB fits on both databases.)"""
    ws = open_workspace(workspace_url, backup=False)
    now = dt.datetime.now(dt.UTC)
    mb = 1024 * 1024
    try:
        with ws.engine.begin() as conn:
            customer_id = conn.execute(
                insert(Customer)
                .values(
                    source="t",
                    external_id="1",
                    name="Ann Lee",
                    email="ann@example.com",
                    do_not_contact=False,
                    created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                    updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                )
                .returning(Customer.id)
            ).scalar_one()
            for i in range(5):
                conn.execute(
                    insert(Interaction).values(
                        customer_id=customer_id,
                        kind="ticket",
                        occurred_at=(now - dt.timedelta(days=30 + i)).replace(microsecond=0),
                        subject=f"Subject {i} " + "s" * mb,
                        text=f"ticket {i} " + "t" * mb,
                        status="open",
                        source="t",
                    )
                )
                conn.execute(
                    insert(Interaction).values(
                        customer_id=customer_id,
                        kind="review",
                        occurred_at=(now - dt.timedelta(days=1 + i)).replace(microsecond=0),
                        text=f"review {i} " + "r" * mb,
                        rating=2,
                        source="t",
                    )
                )
        with session_scope(ws.sessions) as session:
            context = build_context(session, customer_id)
    finally:
        ws.close()
    assert len(context.open_tickets) == 5
    assert len(context.recent_feedback) == 5
    share = TEXTS_BUDGET // 10
    assert text_share(10) == share < TEXT_LIMIT
    for item in (*context.open_tickets, *context.recent_feedback):
        assert item.text is not None
        kept, marker = item.text.split("…[cut: ")
        assert len(kept) == share
        assert marker.endswith(" more characters]")
    ticket = context.open_tickets[0]
    assert ticket.subject is not None
    assert ticket.subject.startswith(f"Subject 0 {'s' * (SUBJECT_LIMIT - 10)}…[cut: ")
    messages = build_messages(context, sent_fields=list(PRIVACY_FIELDS))
    config = config_from_preset("ollama", model="m", base_url="http://127.0.0.1:9/v1")
    shown = describe_request(config, messages)
    assert len(shown) < 12_000
    assert shown.count("more characters]") == 15
    assert f"…[cut: {len('ticket 0 ' + 't' * mb) - share:,} more characters]" in shown


def test_every_long_column_of_a_file_is_cut_not_only_the_first(
    tmp_path: Path, workspace_url: str
) -> None:
    """A ticket with a 1,500-character subject and a 30,000-character text: both are cut
    (the length of the first cut column must not stand for the whole file's longest)."""
    path = tmp_path / "tickets.csv"
    path.write_text(
        "customer_email,date,type,subject,text\n"
        f"ann@example.com,2026-01-05,ticket,{'S' * 1_500},{'T' * 30_000}\n"
        "bob@example.com,2026-01-06,ticket,Short,Fine\n",
        encoding="utf-8",
    )
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = run_import(ws.engine, [path], kind="interactions")
    finally:
        ws.close()
    (file,) = report.files
    assert file.landed, file.error
    assert file.inserted == 2
    assert "1 subject value of interactions cut to 1,000 characters (the longest had 1,500)" in (
        file.notes
    )
    assert "1 text value of interactions cut to 20,000 characters (the longest had 30,000)" in (
        file.notes
    )
    rows = sorted(
        (
            (len(s), len(t), t[-1])
            for s, t in read_rows(workspace_url, "SELECT subject, text FROM interactions")
        ),
        key=lambda r: -r[1],
    )
    assert rows[0] == (1_000, 20_000, "…")
    assert rows[1][:2] == (5, 4)


def test_a_long_value_of_a_column_kept_as_written_is_cut_too(
    tmp_path: Path, workspace_url: str
) -> None:
    """A 10 MB 'notes' column the import does not map goes to the customer's attributes:
    cut to ATTRIBUTE_LIMIT and reported like the mapped columns."""
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_id,name,email,notes\n"
        f"C1,Ann Lee,ann@example.com,{'n' * BIG}\n"
        "C2,Bob Stone,bob@example.com,likes linen\n",
        encoding="utf-8",
    )
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = run_import(ws.engine, [path], kind="customers")
    finally:
        ws.close()
    (file,) = report.files
    assert file.landed, file.error
    assert file.inserted == 2
    expected = (
        f"1 'notes' value of customers cut to {ATTRIBUTE_LIMIT:,} characters "
        f"(the longest had {BIG:,})"
    )
    assert expected in file.notes
    rows = dict(read_rows(workspace_url, "SELECT external_id, attributes FROM customers"))
    notes = stored_json(rows["C1"])["notes"]
    assert len(notes) == ATTRIBUTE_LIMIT
    assert notes.endswith("n…")
    assert stored_json(rows["C2"])["notes"] == "likes linen"

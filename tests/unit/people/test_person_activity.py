"""People-level records attach to the person and roll up to the account: an order placed
from a contact's address names that contact, a ticket raised by a requester who is a
contact names them, and the People tab's activity counts each person's own; a B2C
customer's activity is its own. On SQLite and PostgreSQL, through the real import."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from app.workspace import open_workspace
from services.ask.readonly import run_query
from services.importing.service import run_import, undo_import
from services.people.activity import activity_words, read_activity
from services.people.contacts import read_people
from tests.support.paths import DATA

FILES = DATA / "contacts"
CONTOSO = "contoso-freight.example.com"
ORDERS = (
    "order_id,email,order_date,amount\n"
    f"A-1,tom.okafor@{CONTOSO},2026-10-01,1200.00\n"
    f"A-2,LENA.FISCHER@{CONTOSO},2026-10-05,80.00\n"
    f"A-3,tom.okafor@{CONTOSO},2026-10-20,300.00\n"
    "A-4,priya.shah@northwind-clinics.example.com,2026-10-07,300.00\n"
)
TICKETS = (
    "Id,Requester,Requester email,Subject,Status,Created at\n"
    f"101,Lena Fischer,lena.fischer@{CONTOSO},Tracking page blank,open,2026-10-09 10:00:00\n"
    f"102,Lena Fischer,lena.fischer@{CONTOSO},Invoice copy,solved,2026-10-12 09:00:00\n"
    f"103,Maria Delgado,maria.delgado@{CONTOSO},Renewal terms,solved,2026-10-15 14:00:00\n"
)


@pytest.fixture
def engine(workspace_url: str) -> Iterator[Engine]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        yield ws.engine
    finally:
        ws.close()


def landed(engine: Engine, path: Path) -> int:
    report = run_import(engine, [path])
    assert report.landed, report
    run_id = report.files[0].run_id
    assert run_id is not None
    return run_id


def contoso(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT id FROM customers WHERE company = 'Contoso Freight'")
            ).scalar_one()
        )


def order_people(engine: Engine) -> dict[str, str | None]:
    """Each order -> the name of the person it names (None: nobody)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT o.external_id, c.name FROM orders o "
                "LEFT JOIN contacts c ON c.id = o.contact_id ORDER BY o.external_id"
            )
        ).all()
    return {str(order): name for order, name in rows}


def test_orders_and_tickets_name_the_person_and_roll_up_to_the_account(
    engine: Engine, tmp_path: Path
) -> None:
    for name in ("Account.csv", "Contact.csv"):
        landed(engine, FILES / name)
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    landed(engine, orders)
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(TICKETS, encoding="utf-8")
    landed(engine, tickets)
    assert order_people(engine) == {
        "A-1": "Tom Okafor",
        "A-2": "Lena Fischer",
        "A-3": "Tom Okafor",
        "A-4": "Priya Shah",
    }
    account = contoso(engine)
    people = {p.name: p.contact_id for p in read_people(engine, account)}
    activity = read_activity(engine, account)
    tom, lena, maria = (
        activity[people[n]] for n in ("Tom Okafor", "Lena Fischer", "Maria Delgado")
    )
    assert (tom.orders, tom.spend_cents, str(tom.last_order)) == (2, 150_000, "2026-10-20")
    assert (lena.orders, lena.tickets, str(lena.last_ticket)) == (1, 2, "2026-10-12")
    assert (maria.orders, maria.tickets) == (0, 1)
    assert activity_words(lena) == "1 order · 2 tickets"
    # The account is still every order's customer: the rollup is unchanged.
    with engine.connect() as conn:
        total = conn.execute(
            text("SELECT SUM(amount_cents) FROM orders WHERE customer_id = :c"), {"c": account}
        ).scalar_one()
    assert total == 158_000


def test_undoing_the_people_forgets_them_and_a_resync_names_them_again(
    engine: Engine, tmp_path: Path
) -> None:
    landed(engine, FILES / "Account.csv")
    contacts_run = landed(engine, FILES / "Contact.csv")
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    landed(engine, orders)
    assert order_people(engine)["A-1"] == "Tom Okafor"
    undo_import(engine, contacts_run)
    assert set(order_people(engine).values()) == {None}
    landed(engine, FILES / "Contact.csv")
    # The same orders file again: its rows are stored unchanged, but the people changed,
    # so it is compared in full once and the orders name them again.
    again = run_import(engine, [orders])
    assert again.landed
    assert order_people(engine)["A-1"] == "Tom Okafor"
    assert order_people(engine)["A-2"] == "Lena Fischer"


def test_a_customer_without_contacts_is_its_own_one_person(engine: Engine, tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,email,order_date,amount\n"
        "B-1,ann@home.example,2026-09-01,40.00\n"
        "B-2,ann@home.example,2026-10-01,60.00\n",
        encoding="utf-8",
    )
    landed(engine, orders)
    with engine.connect() as conn:
        customer = int(conn.execute(text("SELECT id FROM customers")).scalar_one())
        named = conn.execute(text("SELECT COUNT(contact_id) FROM orders")).scalar_one()
    assert named == 0
    activity = read_activity(engine, customer)
    assert list(activity) == [None]
    assert (activity[None].orders, activity[None].spend_cents) == (2, 10_000)


def test_ask_reads_each_persons_records_and_the_conversations(
    engine: Engine, tmp_path: Path
) -> None:
    for name in ("Account.csv", "Contact.csv"):
        landed(engine, FILES / name)
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    landed(engine, orders)
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(TICKETS, encoding="utf-8")
    landed(engine, tickets)
    call = tmp_path / "call.txt"
    call.write_text(
        "Contoso check-in\n"
        "Maria Delgado: Thanks for calling. Honestly the rollout has been slow.\n"
        "Sam Ortiz: I'm sorry to hear that. What would help most?\n"
        "Maria Delgado: We are going to cancel the contract at the end of the quarter.\n",
        encoding="utf-8",
    )
    assert run_import(engine, [call]).landed
    people = run_query(
        engine,
        "SELECT name, role, orders, tickets FROM ask_people "
        "WHERE name IN ('Tom Okafor', 'Lena Fischer', 'Maria Delgado') ORDER BY name",
    ).rows
    assert [tuple(r) for r in people] == [
        ("Lena Fischer", None, 1, 2),
        ("Maria Delgado", None, 0, 1),
        ("Tom Okafor", None, 2, 0),
    ]
    by_person = run_query(
        engine,
        "SELECT p.name, sum(o.amount) FROM ask_orders o JOIN ask_people p "
        "ON p.contact_id = o.contact_id GROUP BY p.name ORDER BY p.name",
    ).rows
    assert [tuple(r) for r in by_person] == [
        ("Lena Fischer", 80.0),
        ("Priya Shah", 300.0),
        ("Tom Okafor", 1500.0),
    ]
    talks = run_query(
        engine,
        "SELECT kind, raised_risk, raised_cancellation, named_competitor, summary_method "
        "FROM ask_conversations",
    ).rows
    assert [tuple(r) for r in talks] == [("meeting", 1, 1, 0, "extractive")]


def test_a_persons_last_use_of_the_product_is_their_own(engine: Engine, tmp_path: Path) -> None:
    for name in ("Account.csv", "Contact.csv"):
        landed(engine, FILES / name)
    events = tmp_path / "events.csv"
    events.write_text(
        "user_id,event_type,event_time\n"
        f"lena.fischer@{CONTOSO},Shipment Viewed,2026-11-02 09:00:00.000000\n"
        f"lena.fischer@{CONTOSO},Shipment Viewed,2026-11-04 10:00:00.000000\n"
        f"tom.okafor@{CONTOSO},Invoice Viewed,2026-10-28 15:00:00.000000\n",
        encoding="utf-8",
    )
    report = run_import(engine, [events])
    assert report.files[0].detected_format == "amplitude_events", report.lines()
    account = contoso(engine)
    people = {p.name: p for p in read_people(engine, account)}
    assert people["Lena Fischer"].activity == "used 4 Nov 2026"
    assert people["Tom Okafor"].activity == "used 28 Oct 2026"
    assert people["Maria Delgado"].activity == ""


def test_a_record_naming_nobody_is_the_person_whose_address_is_the_accounts(
    engine: Engine, tmp_path: Path
) -> None:
    """An order stored without a person (imported before the contacts, or by the account's
    id alone) is the account's own person's: Contoso's address is Maria Delgado's."""
    for name in ("Account.csv", "Contact.csv"):
        landed(engine, FILES / name)
    account = contoso(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO orders (customer_id, source, external_id, order_date, "
                "amount_cents, currency, status) VALUES (:c, 'shop', 'X-1', :d, 5000, 'USD', "
                "'paid')"
            ),
            {"c": account, "d": "2026-09-30 10:00:00"},
        )
    people = {p.name: p for p in read_people(engine, account)}
    assert people["Maria Delgado"].activity == "1 order"
    assert people["Tom Okafor"].activity == ""

"""The `contacts` commands on the hand-made business book of tests/data/contacts: an
account's people listed (table, CSV and JSON) with whom emails go to; a role set and
cleared; a person added and refused twice; the refusals in words; and `import` of a
conversation file from the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import pytest

from app.cli.main import main
from app.workspace import open_workspace
from services.importing.service import run_import
from tests.support.paths import DATA


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str) -> str:
    ws = open_workspace(workspace_url, backup=False)
    try:
        for name in ("Account.csv", "Contact.csv", "AccountContactRole.csv"):
            assert run_import(ws.engine, [DATA / "contacts" / name]).landed
    finally:
        ws.close()
    return workspace_url


def listed(url: str, who: str) -> list[dict[str, str]]:
    code, out, err = run("--db", url, "contacts", "list", who, "--format", "csv")
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def test_the_list_names_the_people_and_whom_emails_go_to(book: str) -> None:
    code, out, _ = run("--db", book, "contacts", "list", "Contoso Freight")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Contoso Freight: 4 people"
    assert "Maria Delgado" in lines[2]
    assert lines[2].endswith("← emails go here")
    rows = listed(book, "contoso")
    assert [(r["name"], r["role"], r["role_set_by"], r["writes_to"]) for r in rows] == [
        ("Maria Delgado", "champion", "crm", "true"),
        ("Tom Okafor", "decision_maker", "crm", "false"),
        ("Accounts Payable", "billing", "crm", "false"),
        ("Lena Fischer", "user", "crm", "false"),
    ]
    code, out, _ = run("--db", book, "contacts", "list", "tom.okafor@contoso-freight.example.com",
                       "--format", "json")  # fmt: skip
    assert code == 0
    assert [p["name"] for p in json.loads(out)][0] == "Maria Delgado"  # found by a person's address


def test_a_role_set_wins_and_clearing_it_gives_the_crms_back(book: str) -> None:
    lena = next(r for r in listed(book, "contoso") if r["name"] == "Lena Fischer")
    code, out, _ = run("--db", book, "contacts", "role", lena["contact_id"], "champion")
    assert (code, out.strip()) == (0, f"Contact {lena['contact_id']} is now: Champion.")
    first = listed(book, "contoso")[0]
    assert (first["name"], first["role_set_by"], first["writes_to"]) == (
        "Lena Fischer",
        "you",
        "true",
    )
    code, _, _ = run("--db", book, "contacts", "role", lena["contact_id"], "--clear")
    assert code == 0
    back = next(r for r in listed(book, "contoso") if r["name"] == "Lena Fischer")
    assert (back["role"], back["role_set_by"]) == ("user", "crm")
    code, _, err = run("--db", book, "contacts", "role", lena["contact_id"])
    assert code != 0
    assert "Give a role, or --clear" in err
    code, _, err = run("--db", book, "contacts", "role", "999", "user")
    assert code != 0
    assert "There is no contact 999" in err


def test_a_person_is_added_once(book: str) -> None:
    args = ("--db", book, "contacts", "add", "Northwind Clinics", "--name", "Ana Ruiz",
            "--email", "ana@northwind-clinics.example.com", "--role", "billing")  # fmt: skip
    code, out, _ = run(*args)
    assert code == 0
    assert out.startswith("Added Ana Ruiz as contact ")
    assert "Ana Ruiz" in [r["name"] for r in listed(book, "Northwind Clinics")]
    code, _, err = run(*args)
    assert code != 0
    assert "already one of this account's people" in err


def test_a_conversation_file_imports_from_the_command_line(book: str) -> None:
    code, out, err = run("--db", book, "import", str(DATA / "conversations" / "teams.vtt"))
    # Priya Nair and Tom O'Brien are no one here: listed, nothing saved, still a landing.
    assert code == 0, err
    assert "matched no account and were not saved" in out
    assert "the meeting of " in out
    assert "with Priya Nair, Tom O'Brien" in out


def test_the_list_says_each_persons_own_orders(book: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,email,order_date,amount\n"
        "A-1,tom.okafor@contoso-freight.example.com,2026-10-01,1200.00\n"
        "A-2,tom.okafor@contoso-freight.example.com,2026-10-20,300.00\n",
        encoding="utf-8",
    )
    code, _, err = run("--db", book, "import", str(orders))
    assert code == 0, err
    by_name = {r["name"]: r["activity"] for r in listed(book, "contoso")}
    assert by_name == {
        "Maria Delgado": "",
        "Tom Okafor": "2 orders",
        "Accounts Payable": "",
        "Lena Fischer": "",
    }
    code, out, _ = run("--db", book, "contacts", "list", "Contoso Freight")
    lines = out.splitlines()
    tom = next(k for k, line in enumerate(lines) if "Tom Okafor" in line)
    assert lines[tom + 1].strip() == "2 orders"


def test_the_list_says_who_left_moved_bounced_or_went_dark(book: str) -> None:
    import datetime as dt

    from sqlalchemy import insert, text

    from models.schema import Contact, Interaction

    ws = open_workspace(book, backup=False)
    try:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        with ws.engine.begin() as conn:
            ids = dict(conn.execute(text("SELECT name, id FROM contacts")).all())
            conn.execute(
                text("UPDATE contacts SET created_at = :t"), {"t": now - dt.timedelta(days=365)}
            )
            # Maria, the champion, was last met 100 days ago (over the 60 of the setting).
            conn.execute(
                insert(Interaction),
                [{"customer_id": 1, "kind": "meeting", "contact_id": ids["Maria Delgado"],
                  "occurred_at": now - dt.timedelta(days=100)}],
            )  # fmt: skip
            # Tom's address is listed at Northwind since today; Lena left the export.
            conn.execute(
                insert(Contact),
                [{"customer_id": 2, "source": "manual", "external_id": "m-tom",
                  "name": "Tom Okafor", "email": "tom.okafor@contoso-freight.example.com",
                  "email_normalized": "tom.okafor@contoso-freight.example.com",
                  "created_at": now}],
            )  # fmt: skip
            conn.execute(
                text("UPDATE contacts SET left_on = :d WHERE id = :i"),
                {"d": dt.date(2026, 11, 3), "i": ids["Lena Fischer"]},
            )
    finally:
        ws.close()
    rows = {r["name"]: r["status"] for r in listed(book, "contoso")}
    assert rows == {
        "Maria Delgado": "not heard from in 100 days",
        "Tom Okafor": "now at Northwind Clinics",
        "Accounts Payable": "",
        "Lena Fischer": "left Nov 3, 2026",
    }
    dan = {r["name"]: r["status"] for r in listed(book, "northwind")}["Dan Whitfield"]
    assert dan == "address bounced Oct 2, 2026"
    code, out, _ = run("--db", book, "contacts", "list", "Contoso Freight")
    assert code == 0
    assert "(not heard from in 100 days)" in out
    assert "(left Nov 3, 2026)" in out

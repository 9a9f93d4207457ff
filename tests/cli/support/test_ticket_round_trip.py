"""A help-desk ticket the app writes comes back through `import` as the customer's support
ticket: `alerts ticket ALERT_ID --to freshdesk` then `import` on the hand-made book of
tests/support/crm_book.py, under the default privacy setting (the requester's address
withheld), and a second import of the same file adds nothing and says so."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace
from models.schema import Alert, Customer, Interaction
from services.core.freshdesk_fields import TICKET_COLUMNS
from tests.support.crm_book import ACCOUNT, fill_crm_book


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str) -> tuple[str, int, int]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        ids = fill_crm_book(ws.engine)
        with Session(ws.engine) as s:
            alert = s.execute(select(Alert.id).where(Alert.customer_id == ids["A"])).scalar_one()
    finally:
        ws.close()
    return workspace_url, int(alert), ids["A"]


def _counts(url: str) -> tuple[int, int, str]:
    ws = open_workspace(url, backup=False)
    try:
        with Session(ws.engine) as s:
            tickets = s.scalar(select(func.count()).where(Interaction.kind == "ticket"))
            customers = s.scalar(select(func.count()).select_from(Customer))
            name = s.scalar(select(Customer.name).where(Customer.external_id == ACCOUNT))
        return int(tickets or 0), int(customers or 0), str(name)
    finally:
        ws.close()


def test_a_freshdesk_ticket_comes_back_as_the_customers_ticket_once(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, alert, customer = book
    path = tmp_path / "t.csv"
    code, out, err = run("--db", url, "alerts", "ticket", str(alert), "--to", "freshdesk",
                         "--output", str(path), "--priority", "urgent")  # fmt: skip
    assert code == 0, err
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    written = rows[0]
    before = _counts(url)

    code, out, err = run("--db", url, "import", str(path))
    assert code == 0, out + err
    assert "t.csv (freshdesk_tickets, interactions): landed as import" in out
    assert "1 row read, 1 inserted, 0 updated, 0 unchanged, 0 rejected" in out
    # The columns the importer reads, declared once; the address withheld by the default
    # privacy setting, the customer named by its own id in the app instead.
    assert tuple(written) == TICKET_COLUMNS
    assert written["Email"] == ""
    assert written["Account Radar customer"] == f"salesforce:{ACCOUNT}"
    assert written["Priority"] == "Urgent"
    ws = open_workspace(url, backup=False)
    try:
        with Session(ws.engine) as s:
            ticket = s.execute(
                select(Interaction).where(Interaction.external_id == f"radar-alert-{alert}")
            ).scalar_one()
            assert ticket.kind == "ticket"
            assert ticket.source == "freshdesk"
            assert ticket.customer_id == customer
            assert ticket.subject == written["Subject"]
            assert ticket.subject.endswith("Acme (Ann [surname withheld])")
            assert (ticket.attributes or {}).get("Priority") == "Urgent"
            occurred = ticket.occurred_at.replace(tzinfo=None)
            assert occurred == dt.datetime.fromisoformat(written["Created time"])
    finally:
        ws.close()
    # One ticket more, no customer made from it, the customer's own name kept.
    assert _counts(url) == (before[0] + 1, before[1], before[2])

    code, out, err = run("--db", url, "import", str(path))
    assert code == 0, out + err
    assert "1 row read, 0 inserted, 0 updated, 1 unchanged, 0 rejected" in out
    assert _counts(url) == (before[0] + 1, before[1], before[2])

"""`alerts ticket ALERT_ID --to zendesk|freshdesk|email` on the hand-made book of
tests/support/crm_book.py: the ticket prefilled from the alert (requester, subject, the
reason in words, priority from the severity, tags), the Freshdesk file read back by the
app's own importer, the Zendesk body, the email to the help desk, and `alerts` as before."""

from __future__ import annotations

import email
import email.policy
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace
from models.schema import Alert, Interaction
from services.importing.service import run_import
from tests.support.crm_book import fill_crm_book, let_every_field_leave


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(tmp_path: Path) -> tuple[str, int]:
    url = f"sqlite:///{tmp_path / 'crm.radar.sqlite'}"
    ws = open_workspace(url, backup=False)
    try:
        ids = fill_crm_book(ws.engine)
        let_every_field_leave(ws.engine)
        with Session(ws.engine) as s:
            alert = s.execute(select(Alert.id).where(Alert.customer_id == ids["A"])).scalar_one()
    finally:
        ws.close()
    return url, int(alert)


def test_a_freshdesk_ticket_is_read_back_by_the_apps_importer(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, alert = book
    path = tmp_path / "ticket.csv"
    code, out, err = run("--db", url, "alerts", "ticket", str(alert), "--to", "freshdesk",
                         "--output", str(path))  # fmt: skip
    assert code == 0, err
    assert "Wrote the ticket" in out
    ws = open_workspace(url, backup=False)
    try:
        report = run_import(ws.engine, [path])
        assert report.files[0].detected_format == "freshdesk_tickets", report.lines()
        assert report.files[0].inserted == 1, report.lines()
        with Session(ws.engine) as s:
            ticket = s.execute(
                select(Interaction).where(Interaction.source == "freshdesk")
            ).scalar_one()
            assert ticket.kind == "ticket"
            assert ticket.external_id == f"radar-alert-{alert}"
            assert ticket.subject is not None
            # The account (its company), with its person, the requester.
            assert ticket.subject.endswith("Acme (Ann Archer)")
            assert ticket.text is not None
            assert "No order for a while" in ticket.text
            assert ticket.status == "Open"
            assert (ticket.attributes or {}).get("Priority") == "High"
            assert (ticket.attributes or {}).get("Tags") == "account_radar,churn_risk,warning"
    finally:
        ws.close()


def test_a_zendesk_ticket_is_the_body_of_its_import_api(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, alert = book
    path = tmp_path / "ticket.json"
    code, _, err = run("--db", url, "alerts", "ticket", str(alert), "--to", "zendesk", "-o",
                       str(path), "--priority", "urgent")  # fmt: skip
    assert code == 0, err
    ticket = json.loads(path.read_text(encoding="utf-8"))["ticket"]
    assert ticket["requester"] == {"name": "Ann Archer", "email": "ann@acme.test"}
    assert ticket["priority"] == "urgent"  # the user's change wins over the severity's
    assert ticket["tags"] == ["account_radar", "churn_risk", "warning"]
    assert ticket["comment"]["body"].startswith("Account Radar raised this alert on ")
    assert ticket["external_id"] == f"radar-alert-{alert}"


def test_an_email_to_the_help_desk(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, alert = book
    path = tmp_path / "ticket.eml"
    code, _, err = run("--db", url, "alerts", "ticket", str(alert), "--to", "email", "-o",
                       str(path))  # fmt: skip
    assert code == 2
    assert "--address" in err
    code, _, err = run("--db", url, "alerts", "ticket", str(alert), "--to", "email", "-o",
                       str(path), "--address", "support@acme.test")  # fmt: skip
    assert code == 0, err
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "support@acme.test"
    body = message.get_body().get_content()  # type: ignore[union-attr]
    assert "Requester: Ann Archer <ann@acme.test>" in body
    assert "Priority: high" in body
    # The plain list still works beside the new subcommand.
    code, out, _ = run("--db", url, "alerts", "--status", "all")
    assert code == 0
    assert "Acme" in out  # the account, named by its company


def test_the_help_desks_address_comes_from_the_settings(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, alert = book
    code, _, err = run("--db", url, "config", "set", "crm.helpdesk_address", "not an address")
    assert code != 0
    code, _, err = run("--db", url, "config", "set", "crm.helpdesk_address", "desk@acme.test")
    assert code == 0, err
    path = tmp_path / "ticket.eml"
    code, _, err = run("--db", url, "alerts", "ticket", str(alert), "--to", "email", "-o",
                       str(path))  # fmt: skip
    assert code == 0, err
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "desk@acme.test"

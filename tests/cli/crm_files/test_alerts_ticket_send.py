"""`alerts ticket ALERT_ID --to email --send` on the hand-made book of
tests/support/crm_book.py, through a real SMTP server on loopback
(tests/support/smtp_server.py): the help desk receives the ticket (the address from the
setting crm.helpdesk_address), the .eml is saved beside it when --output is given, the
alert takes a note; a refused login is said in plain words with nothing logged; --send
is refused for Zendesk and Freshdesk, and a ticket needs --output or --send."""

from __future__ import annotations

import email
import email.policy
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace
from models.schema import Action, Alert, Outreach
from services.core.credentials import set_secret, smtp_key_name
from tests.support.crm_book import fill_crm_book, let_every_field_leave
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.smtp_server import PASSWORD, USER, SMTPServer

HELPDESK = "support@fern.example"


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        yield backend


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


def configure(url: str, **values: Any) -> None:
    from services.settings import set_settings

    ws = open_workspace(url, backup=False)
    try:
        with ws.sessions() as session, session.begin():
            set_settings(session, values)
    finally:
        ws.close()


def notes_and_outreach(url: str, alert: int) -> tuple[list[str], int]:
    ws = open_workspace(url, backup=False)
    try:
        with Session(ws.engine) as s:
            notes = s.scalars(
                select(Action.title).where(Action.alert_id == alert, Action.kind == "note")
            ).all()
            outreach = s.scalar(select(func.count()).select_from(Outreach))
    finally:
        ws.close()
    return list(notes), int(outreach or 0)


def test_send_the_ticket_and_save_the_eml(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, alert = book
    _notes, outreach = notes_and_outreach(url, alert)
    path = tmp_path / "ticket.eml"
    with SMTPServer() as server:
        configure(url, **{"smtp.host": "127.0.0.1", "smtp.port": server.port,
                          "smtp.security": "none", "smtp.user": USER,
                          "smtp.from_address": "maya@fern.example",
                          "crm.helpdesk_address": HELPDESK})  # fmt: skip
        set_secret(smtp_key_name("127.0.0.1", USER), PASSWORD)
        code, out, err = run("--db", url, "alerts", "ticket", str(alert), "--to", "email",
                             "--send", "--output", str(path), "--priority", "urgent")  # fmt: skip
    assert code == 0, err
    assert "Wrote the ticket" in out
    assert "Sent the ticket '" in out
    assert f"to {HELPDESK} through 127.0.0.1:{server.port}; logged as a note on the alert." in out
    (data,) = server.received.data
    sent = email.message_from_bytes(data, policy=email.policy.default)
    saved = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert sent["To"] == saved["To"] == HELPDESK
    assert sent["Subject"] == saved["Subject"]
    body = sent.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body == saved.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Priority: urgent" in body
    notes, after = notes_and_outreach(url, alert)
    assert any(n.startswith(f"Help-desk ticket emailed to {HELPDESK}: ") for n in notes)
    assert after == outreach  # a ticket is not outreach


def test_a_refused_login_is_said_and_nothing_is_logged(book) -> None:  # type: ignore[no-untyped-def]
    url, alert = book
    before = notes_and_outreach(url, alert)
    with SMTPServer() as server:
        configure(url, **{"smtp.host": "127.0.0.1", "smtp.port": server.port,
                          "smtp.security": "none", "smtp.user": USER})  # fmt: skip
        set_secret(smtp_key_name("127.0.0.1", USER), "wrong")
        code, out, err = run("--db", url, "alerts", "ticket", str(alert), "--to", "email",
                             "--send", "--address", HELPDESK)  # fmt: skip
    assert code == 1
    assert out == ""
    assert "refused the user name or password; check them in Settings > Sending email" in err
    assert server.received.data == []
    assert notes_and_outreach(url, alert) == before


def test_send_is_for_email_and_a_ticket_goes_somewhere(book) -> None:  # type: ignore[no-untyped-def]
    url, alert = book
    code, _out, err = run("--db", url, "alerts", "ticket", str(alert), "--to", "zendesk",
                          "--send")  # fmt: skip
    assert code == 2
    assert "--send sends an email: use it with --to email" in err
    code, _out, err = run("--db", url, "alerts", "ticket", str(alert), "--to", "email")
    assert code == 2
    assert "give the file to write with --output (or --to email --send)" in err
    code, _out, err = run("--db", url, "alerts", "ticket", str(alert), "--to", "email",
                          "--send")  # fmt: skip
    assert code == 2
    assert "give the help desk's address with --address" in err

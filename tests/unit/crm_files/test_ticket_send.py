"""A help-desk ticket sent as an email, on the hand-made book of tests/support/crm_book.py,
through a real SMTP server on loopback (tests/support/smtp_server.py, the one the
composer's and the escalations' tests use): the email the help desk receives carries the
.eml's text, the alert takes a note and no outreach record; and every way it fails is
said in plain words with nothing logged: no server set, a refused login, a server that
never answers, nothing listening."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from models.schema import Action, Alert, Interaction, Outreach
from models.vocab import APP_SOURCE
from services.core.credentials import set_secret, smtp_key_name
from services.crm_files.ticket import save_ticket, ticket_email_body, ticket_from_alert
from services.crm_files.ticket_send import send_ticket, ticket_note
from services.mail.message import MailError
from tests.support.crm_book import fill_crm_book, let_every_field_leave
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.smtp_server import PASSWORD, USER, SMTPServer

HELPDESK = "support@fern.example"


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture
def book(tmp_path: Path) -> Iterator[tuple[Workspace, int]]:
    ws = open_workspace(to_url(str(tmp_path / "crm.radar.sqlite")), backup=False)
    ids = fill_crm_book(ws.engine)
    let_every_field_leave(ws.engine)
    with Session(ws.engine) as s:
        alert = s.execute(select(Alert.id).where(Alert.customer_id == ids["A"])).scalar_one()
    yield ws, int(alert)
    ws.close()


def smtp(ws: Workspace, **values: Any) -> None:
    from services.settings import set_settings

    with ws.sessions() as session, session.begin():
        set_settings(session, {f"smtp.{k}": v for k, v in values.items()})


def counts(ws: Workspace, alert: int) -> tuple[int, int, int]:
    """The alert's notes, the notes on the timeline, and the outreach records."""
    with Session(ws.engine) as s:
        notes = s.scalar(
            select(func.count()).where(Action.alert_id == alert, Action.kind == "note")
        )
        timeline = s.scalar(
            select(func.count()).where(Interaction.kind == "note", Interaction.source == APP_SOURCE)
        )
        outreach = s.scalar(select(func.count()).select_from(Outreach))
    return int(notes or 0), int(timeline or 0), int(outreach or 0)


def test_the_ticket_reaches_the_help_desk_and_is_noted(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws, alert = book
    draft = ticket_from_alert(ws.engine, alert)
    before = counts(ws, alert)
    with SMTPServer() as server:
        smtp(ws, host="127.0.0.1", port=server.port, security="none", user=USER,
             from_address="maya@fern.example")  # fmt: skip
        set_secret(smtp_key_name("127.0.0.1", USER), PASSWORD)
        sent = send_ticket(ws.engine, draft, HELPDESK, actor="Maya")
    assert sent.noted
    assert sent.words() == (
        f"Sent the ticket '{draft.subject}' to {HELPDESK} through 127.0.0.1:{server.port}; "
        "logged as a note on the alert."
    )
    assert server.received.auth == [(USER, PASSWORD)]
    assert [r.upper() for r in server.received.rcpt_to] == [f"RCPT TO:<{HELPDESK.upper()}>"]
    (data,) = server.received.data
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["To"] == HELPDESK
    assert message["From"] == "maya@fern.example"
    assert message["Subject"] == draft.subject
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text == ticket_email_body(draft)
    assert "Requester: Ann Archer <ann@acme.test>" in text
    # The same text as the .eml the dialog saves.
    saved = save_ticket(draft, "email", tmp_path / "t.eml", address=HELPDESK)
    eml = email.message_from_bytes(saved.read_bytes(), policy=email.policy.default)
    assert eml.get_body(("plain",)).get_content().replace("\r\n", "\n") == text
    # A note on the alert and the timeline; no outreach record (a ticket is not outreach).
    notes, timeline, outreach = counts(ws, alert)
    assert (notes, timeline, outreach) == (before[0] + 1, before[1] + 1, before[2])
    with Session(ws.engine) as s:
        title = s.scalars(
            select(Action.title).where(Action.alert_id == alert, Action.kind == "note")
        ).all()
    assert ticket_note(draft, HELPDESK) in title


def test_no_server_set(book) -> None:  # type: ignore[no-untyped-def]
    ws, alert = book
    draft = ticket_from_alert(ws.engine, alert)
    before = counts(ws, alert)
    with pytest.raises(MailError, match=r"No mail server is set up for sending.*\.eml"):
        send_ticket(ws.engine, draft, HELPDESK)
    with pytest.raises(MailError, match="help desk's address"):
        send_ticket(ws.engine, draft, "not an address")
    assert counts(ws, alert) == before


def test_a_refused_login(book) -> None:  # type: ignore[no-untyped-def]
    ws, alert = book
    draft = ticket_from_alert(ws.engine, alert)
    before = counts(ws, alert)
    with SMTPServer() as server:
        smtp(ws, host="127.0.0.1", port=server.port, security="none", user=USER)
        set_secret(smtp_key_name("127.0.0.1", USER), "not-the-password")
        with pytest.raises(MailError, match="refused the user name or password") as err:
            send_ticket(ws.engine, draft, HELPDESK)
    assert "not-the-password" not in str(err.value)
    assert server.received.data == []
    assert counts(ws, alert) == before


def test_a_server_that_never_answers_and_nothing_listening(book) -> None:  # type: ignore[no-untyped-def]
    ws, alert = book
    draft = ticket_from_alert(ws.engine, alert)
    before = counts(ws, alert)
    with SMTPServer(silent=True) as server:
        smtp(ws, host="127.0.0.1", port=server.port, security="none",
             from_address="maya@fern.example")  # fmt: skip
        with pytest.raises(MailError, match="did not answer within 0.5 seconds"):
            send_ticket(ws.engine, draft, HELPDESK, timeout=0.5)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp(ws, port=port)
    with pytest.raises(MailError, match="Nothing answers at 127.0.0.1"):
        send_ticket(ws.engine, draft, HELPDESK, timeout=5)
    assert counts(ws, alert) == before


def test_a_held_back_alert_takes_no_note(book) -> None:  # type: ignore[no-untyped-def]
    ws, alert = book
    draft = ticket_from_alert(ws.engine, alert)
    with Session(ws.engine) as s, s.begin():
        s.get(Alert, alert).status = "held_back"  # type: ignore[union-attr]
    before = counts(ws, alert)
    with SMTPServer() as server:
        smtp(ws, host="127.0.0.1", port=server.port, security="none",
             from_address="maya@fern.example")  # fmt: skip
        sent = send_ticket(ws.engine, draft, HELPDESK)
    assert len(server.received.data) == 1
    assert not sent.noted
    assert "nothing logged on the alert" in sent.words()
    assert counts(ws, alert) == before

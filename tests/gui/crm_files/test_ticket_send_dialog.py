"""Open a help-desk ticket… ▸ Send, driven as a user would, on the hand-made book of
tests/support/crm_book.py, through a real SMTP server on loopback
(tests/support/smtp_server.py): the email the help desk receives, the note on the alert;
while it is on its way the dialog says so and Stop waiting frees it at once; no SMTP
settings, a refused login and a server that never answers are said in the dialog, which
keeps the ticket as edited."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.gui.crm_export_controller import CrmExportController
from app.workspace import Workspace
from models.schema import Action
from services.core.credentials import set_secret, smtp_key_name
from tests.gui.crm_files.test_ticket_dialog import TIMEOUT_MS, book, controller  # noqa: F401
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.smtp_server import PASSWORD, USER, SMTPServer
from views.crm_files.ticket_dialog import TicketDialog
from views.kit.jobs import JobRunner

HELPDESK = "support@fern.example"
EDITED = "Acme: renewal at risk, please call"


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        yield backend


def configure(ws: Workspace, **values: Any) -> None:
    from services.settings import set_settings

    with ws.sessions() as session, session.begin():
        set_settings(session, {f"smtp.{k}": v for k, v in values.items()})


def open_email_ticket(qtbot, controller: CrmExportController, alert: int) -> TicketDialog:  # type: ignore[no-untyped-def]  # noqa: F811
    controller.open_ticket(alert)
    qtbot.waitUntil(lambda: controller.ticket_dialog is not None, timeout=TIMEOUT_MS)
    dialog = controller.ticket_dialog
    assert dialog is not None
    assert dialog.send_button.isHidden()  # Zendesk first: nothing to send
    dialog.helpdesk.setCurrentIndex(2)  # an email to the help desk
    assert not dialog.send_button.isHidden()
    dialog.address.setText(HELPDESK)
    dialog.subject.setText(EDITED)
    return dialog


def notes(ws: Workspace, alert: int) -> list[str]:
    with Session(ws.engine) as s:
        return list(
            s.scalars(select(Action.title).where(Action.alert_id == alert, Action.kind == "note"))
        )


def test_send_emails_the_help_desk_and_notes_the_alert(qtbot, controller, book, jobs) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ws, alert = book
    with SMTPServer() as server:
        configure(ws, host="127.0.0.1", port=server.port, security="none", user=USER,
                  from_address="maya@fern.example")  # fmt: skip
        set_secret(smtp_key_name("127.0.0.1", USER), PASSWORD)
        dialog = open_email_ticket(qtbot, controller, alert)
        with qtbot.waitSignal(dialog.finished, timeout=TIMEOUT_MS):
            dialog.send_button.click()
            assert dialog.sending.text() == f"Sending the ticket to {HELPDESK}…"
            assert not dialog.save_button.isEnabled()
        qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    (data,) = server.received.data
    sent = email.message_from_bytes(data, policy=email.policy.default)
    assert (sent["To"], sent["Subject"]) == (HELPDESK, EDITED)
    message = controller.parent().statusBar().currentMessage()
    assert message.startswith(f"Sent the ticket '{EDITED}' to {HELPDESK} through 127.0.0.1")
    assert message.endswith("logged as a note on the alert.")
    assert f"Help-desk ticket emailed to {HELPDESK}: {EDITED} (high)" in notes(ws, alert)


@pytest.mark.parametrize("case", ["no settings", "refused login", "time-out"])
def test_a_ticket_not_sent_stays_in_the_dialog(  # type: ignore[no-untyped-def]
    qtbot,
    controller: CrmExportController,  # noqa: F811
    book: tuple[Workspace, int],  # noqa: F811
    jobs: JobRunner,
    case: str,
) -> None:
    ws, alert = book
    silent = case == "time-out"
    with SMTPServer(silent=silent) as server:
        if case == "refused login":
            configure(ws, host="127.0.0.1", port=server.port, security="none", user=USER)
            set_secret(smtp_key_name("127.0.0.1", USER), "not-it")
        elif case == "time-out":
            configure(ws, host="127.0.0.1", port=server.port, security="none",
                      from_address="maya@fern.example")  # fmt: skip
            controller.send_timeout = 0.5
        dialog = open_email_ticket(qtbot, controller, alert)
        dialog.send_button.click()
        qtbot.waitUntil(lambda: dialog.problem.isVisible(), timeout=TIMEOUT_MS)
        qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    said = dialog.problem.text()
    expected = {
        "no settings": "Not sent: No mail server is set up for sending: enter it in Settings ▸ "
        "Sending email",
        "refused login": "Not sent: The mail server 127.0.0.1:",
        "time-out": "Not sent: The mail server 127.0.0.1:",
    }[case]
    assert said.startswith(expected), said
    if case == "refused login":
        assert "refused the user name or password" in said
    if case == "time-out":
        assert "did not answer within 0.5 seconds" in said
    # Nothing lost: the dialog is open with the ticket as edited, ready to try again.
    assert controller.ticket_dialog is dialog
    assert dialog.isVisible()
    assert dialog.subject.text() == EDITED
    assert dialog.address.text() == HELPDESK
    assert dialog.send_button.isEnabled()
    assert dialog.sending.isHidden()
    assert server.received.data == []
    assert not any(n.startswith("Help-desk ticket emailed") for n in notes(ws, alert))


def test_stop_waiting_frees_the_dialog_at_once(qtbot, controller, book, jobs) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ws, alert = book
    with SMTPServer(silent=True) as server:
        configure(ws, host="127.0.0.1", port=server.port, security="none",
                  from_address="maya@fern.example")  # fmt: skip
        controller.send_timeout = 3.0
        dialog = open_email_ticket(qtbot, controller, alert)
        dialog.send_button.click()
        assert not dialog.stop_button.isHidden()
        assert not dialog.busy.isHidden()
        assert not dialog.send_button.isEnabled()
        dialog.stop_button.click()  # while the server still says nothing
        assert dialog.problem.text().startswith("Stopped waiting for the mail server.")
        assert dialog.send_button.isEnabled()
        assert dialog.stop_button.isHidden()
        assert dialog.subject.text() == EDITED
        qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    # The time-out that came later is dropped: the words stay those of the stop.
    assert dialog.problem.text().startswith("Stopped waiting for the mail server.")
    assert dialog.isVisible()
    assert not any(n.startswith("Help-desk ticket emailed") for n in notes(ws, alert))


def test_a_refusal_after_the_dialog_closed_is_still_said(  # type: ignore[no-untyped-def]
    qtbot,
    controller: CrmExportController,  # noqa: F811
    book: tuple[Workspace, int],  # noqa: F811
    jobs: JobRunner,
    presenter,
) -> None:
    ws, alert = book
    with SMTPServer(silent=True) as server:
        configure(ws, host="127.0.0.1", port=server.port, security="none",
                  from_address="maya@fern.example")  # fmt: skip
        controller.send_timeout = 0.5
        dialog = open_email_ticket(qtbot, controller, alert)
        dialog.send_button.click()
        dialog.reject()  # Cancel while the ticket is on its way
        qtbot.waitUntil(lambda: bool(presenter.errors), timeout=TIMEOUT_MS)
        qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    (error,) = presenter.take()
    assert "did not answer within 0.5 seconds" in str(error)
    assert controller.ticket_dialog is None

"""Closing the email loop in the window itself (the application's own controller, a copy
of the scored demo): a card's Draft email opens the composer, Open in mail app hands the
draft to the mail program (only that OS call is stubbed), the composer asks "Did you send
it?", and Yes logs it as sent: the alert moves to in progress, the card says so and the
quiet period starts; Not sent leaves everything as it was."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from app.gui.application import GuiController, make_controller
from app.gui.outreach import questions
from app.workspace import Workspace, to_url
from tests.gui.outreach.test_composer import rows

TIMEOUT_MS = 60_000


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs handed to the desktop (the mail app's mailto: links); the recipient's
    confirmation answered as a user who checks the address and goes on."""
    urls: list[str] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    monkeypatch.setattr(
        questions, "confirm_recipient", lambda _parent, _customer, recipient, _action: recipient
    )
    return urls


@pytest.fixture
def controller(
    qapp: QApplication, ui_settings: QSettings, tmp_path: Path, alerts_file: Path,
    presented_errors: list[str], opened: list[str],
) -> Iterator[GuiController]:  # fmt: skip
    path = tmp_path / "book.radar.sqlite"
    shutil.copy(alerts_file, path)
    made = make_controller(qapp, ui_settings, show_dialogs=False)
    made.presenter.error_presented.connect(
        lambda title, text: presented_errors.append(f"{title}: {text}")
    )
    made.window.resize(1366, 768)
    made.window.show()
    made.open_url(to_url(str(path)))
    yield made
    made.composer.close()
    made.shutdown()
    made.window.close()
    made.window.deleteLater()
    made.deleteLater()


def open_alert(workspace: Workspace) -> tuple[int, int]:
    """The top open alert of a customer who may be emailed, not held out: alert, customer."""
    found = rows(
        workspace,
        "SELECT a.id, c.id FROM alerts a JOIN customers c ON c.id = a.customer_id "
        "WHERE a.status = 'open' AND NOT a.holdout AND c.do_not_contact = 0 AND c.email IS "
        "NOT NULL AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id "
        "AND i.kind IN ('unsubscribe', 'email_sent')) ORDER BY a.priority_cents DESC LIMIT 1",
    )
    assert found, "the demo has an open alert of a contactable customer"
    return int(found[0][0]), int(found[0][1])


def quiet_until(workspace: Workspace, customer_id: int) -> dt.datetime | None:
    """When the quiet period after contact ends for the customer (None: none holds)."""
    from models.schema import Customer
    from services.alerts.detail import outreach_block

    with workspace.sessions() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        return outreach_block(session, customer, now=dt.datetime.now(dt.UTC))[1]


def cooldown_days(workspace: Workspace) -> int:
    from services.alerts.config import read_alert_config

    with workspace.sessions() as session:
        return int(read_alert_config(session).cooldown_days)


def draft_from_the_card(qtbot, controller: GuiController) -> tuple[Workspace, int, int, Any]:
    """The Alerts tab: the alert's card made current, Draft email clicked, the draft
    written (the template: no provider); returns the workspace, ids and the composer."""
    jobs, view = controller.jobs, controller.window.alerts_view
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    workspace = controller.workspace
    assert workspace is not None
    alert_id, customer_id = open_alert(workspace)
    qtbot.waitUntil(lambda: view.alerts_pane.model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert view.alerts_pane.show_alert(alert_id)
    pane = view.action_pane
    qtbot.waitUntil(
        lambda: (
            pane.alert is not None and pane.alert.id == alert_id and pane.draft_button.isEnabled()
        ),
        timeout=TIMEOUT_MS,
    )
    pane.draft_button.click()
    composer = controller.composer
    qtbot.waitUntil(
        lambda: composer.dialog is not None and composer.dialog.mail_button.isEnabled(),
        timeout=TIMEOUT_MS,
    )
    return workspace, alert_id, customer_id, composer.dialog


def card_statuses(controller: GuiController, alert_id: int) -> list[str]:
    model = controller.window.alerts_view.alerts_pane.model
    row = model.row_of(alert_id)
    return [] if row < 0 else [str(s) for s in model.record(row)["statuses"]]


def test_open_in_mail_app_then_yes_logs_it_sent_and_the_alert_is_in_progress(
    qtbot, controller: GuiController, opened: list[str]
) -> None:
    workspace, alert_id, customer_id, dialog = draft_from_the_card(qtbot, controller)
    assert quiet_until(workspace, customer_id) is None
    subject, _body = dialog.chosen_text()
    dialog.mail_button.click()
    assert len(opened) == 1
    assert opened[0].startswith("mailto:")
    # Asked, in the composer; nothing logged while the mail app has the email.
    assert dialog.sent_prompt.asking
    assert "Did you send it?" in dialog.sent_prompt.text.text()
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    assert rows(workspace, "SELECT COUNT(*) FROM outreach WHERE customer_id = ?", customer_id) == [
        (0,)
    ]
    assert rows(workspace, "SELECT status FROM alerts WHERE id = ?", alert_id) == [("open",)]
    before = dt.datetime.now(dt.UTC)
    dialog.sent_prompt.yes_button.click()
    qtbot.waitUntil(
        lambda: (
            rows(workspace, "SELECT status FROM alerts WHERE id = ?", alert_id)
            == [("in_progress",)]
        ),
        timeout=TIMEOUT_MS,
    )
    assert rows(
        workspace, "SELECT status, subject FROM outreach WHERE customer_id = ?", customer_id
    ) == [("sent", subject)]
    assert rows(
        workspace,
        "SELECT COUNT(*) FROM interactions WHERE customer_id = ? AND kind = 'email_sent'",
        customer_id,
    ) == [(1,)]
    # The quiet period after contact starts now and lasts the set number of days.
    until = quiet_until(workspace, customer_id)
    assert until is not None
    days = cooldown_days(workspace)
    assert days > 0
    started = until - dt.timedelta(days=days)
    assert before - dt.timedelta(seconds=5) <= started <= dt.datetime.now(dt.UTC)
    # The card in the list says so, and the window's status bar.
    qtbot.waitUntil(
        lambda: "in_progress" in card_statuses(controller, alert_id), timeout=TIMEOUT_MS
    )
    assert "recorded" in controller.window.statusBar().currentMessage()


def test_not_sent_logs_nothing_and_the_alert_stays_open(
    qtbot, controller: GuiController, opened: list[str]
) -> None:
    workspace, alert_id, customer_id, dialog = draft_from_the_card(qtbot, controller)
    audits = rows(workspace, "SELECT COUNT(*) FROM audit_events")
    dialog.mail_button.click()
    assert len(opened) == 1
    dialog.sent_prompt.no_button.click()
    assert not dialog.sent_prompt.asking
    assert "Not logged" in dialog.notice.text()
    # Closing the composer does not ask again: the user answered.
    dialog.close()
    qtbot.wait(300)
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    assert rows(workspace, "SELECT COUNT(*) FROM outreach WHERE customer_id = ?", customer_id) == [
        (0,)
    ]
    assert rows(
        workspace,
        "SELECT COUNT(*) FROM interactions WHERE customer_id = ? AND kind = 'email_sent'",
        customer_id,
    ) == [(0,)]
    assert rows(workspace, "SELECT status FROM alerts WHERE id = ?", alert_id) == [("open",)]
    assert quiet_until(workspace, customer_id) is None
    assert rows(workspace, "SELECT COUNT(*) FROM audit_events") == audits
    assert card_statuses(controller, alert_id) == ["open"] or "in_progress" not in card_statuses(
        controller, alert_id
    )

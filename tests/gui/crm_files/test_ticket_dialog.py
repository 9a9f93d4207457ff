"""Open a help-desk ticket… on the hand-made book of tests/support/crm_book.py: the dialog
prefilled from the alert, the user's edits saved as Freshdesk's ticket fields and read back
by the app's own importer, an email refused without the help desk's address, and no
alert shown said in the status bar."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.gui.context import WindowContext
from app.gui.crm_export_controller import CrmExportController
from app.workspace import Workspace, open_workspace, to_url
from models.schema import Alert, Interaction
from services.importing.service import run_import
from tests.support.crm_book import fill_crm_book, let_every_field_leave
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import MainWindow

TIMEOUT_MS = 30_000


@pytest.fixture
def book(tmp_path: Path) -> Iterator[tuple[Workspace, int]]:
    ws = open_workspace(to_url(str(tmp_path / "crm.radar.sqlite")), backup=False)
    ids = fill_crm_book(ws.engine)
    let_every_field_leave(ws.engine)
    with Session(ws.engine) as s:
        alert = s.execute(select(Alert.id).where(Alert.customer_id == ids["A"])).scalar_one()
    yield ws, int(alert)
    ws.close()


@pytest.fixture
def controller(
    qtbot, jobs: JobRunner, book, theme: ThemeManager, ui_settings: QSettings
) -> CrmExportController:
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    return CrmExportController(WindowContext(jobs, window, lambda: book[0]), "Maya")


def test_the_ticket_is_prefilled_edited_and_read_back(qtbot, controller, book, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ws, alert = book
    controller.open_ticket()  # no alert shown
    assert (
        "Open an alert in the Alerts tab first" in controller.parent().statusBar().currentMessage()
    )
    controller.open_ticket(alert)
    qtbot.waitUntil(lambda: controller.ticket_dialog is not None, timeout=TIMEOUT_MS)
    dialog = controller.ticket_dialog
    assert dialog.requester.text() == "Ann Archer"
    assert dialog.requester_email.text() == "ann@acme.test"
    assert dialog.subject.text().endswith("Acme (Ann Archer)")
    assert "No order for a while" in dialog.description.toPlainText()
    assert dialog.priority.currentText() == "High"  # a warning
    assert dialog.tags.text() == "account_radar, churn_risk, warning"
    # An email needs the help desk's address: said, nothing written.
    dialog.helpdesk.setCurrentIndex(2)
    assert dialog.path.text().endswith(".eml")
    dialog.save_button.click()
    assert "help desk's address" in dialog.problem.text()
    dialog.helpdesk.setCurrentIndex(1)  # Freshdesk
    target = tmp_path / "ticket.csv"
    dialog.path.setText(str(target))
    dialog.subject.setText("Acme: renewal at risk")
    dialog.priority.setCurrentIndex(3)  # Urgent
    with qtbot.waitSignal(dialog.finished, timeout=TIMEOUT_MS):
        dialog.save_button.click()
    assert target.exists()
    report = run_import(ws.engine, [target])
    assert report.files[0].inserted == 1, report.lines()
    with Session(ws.engine) as s:
        ticket = s.execute(
            select(Interaction).where(Interaction.source == "freshdesk")
        ).scalar_one()
    assert ticket.subject == "Acme: renewal at risk"
    assert (ticket.attributes or {}).get("Priority") == "Urgent"


def test_typed_fields_are_not_dropped_unasked(qtbot, controller, book, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Cancel, Esc or the close button with changed fields asks first (Keep editing keeps
    them); unchanged, the dialog just closes; Enter never lands on Cancel."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    _ws, alert = book
    asked: list[int] = []
    answers = [False, True]
    controller.confirm_discard = lambda _parent: (asked.append(1), answers.pop(0))[1]
    controller.open_ticket(alert)
    qtbot.waitUntil(lambda: controller.ticket_dialog is not None, timeout=TIMEOUT_MS)
    dialog = controller.ticket_dialog
    cancel = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)
    assert not cancel.autoDefault()
    assert dialog.save_button.isDefault()
    dialog.description.setPlainText("Ann called twice about the invoice.")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == [1]
    assert dialog.isVisible()  # Keep editing
    assert dialog.description.toPlainText() == "Ann called twice about the invoice."
    # With the email help desk chosen Enter in a field neither saves nor sends.
    dialog.helpdesk.setCurrentIndex(2)
    dialog.address.setText("help@desk.test")  # Save would now write the .eml and close
    dialog.path.setText(str(tmp_path / "ticket.eml"))
    assert not dialog.save_button.isDefault()
    dialog.subject.setFocus()
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.problem.isHidden()
    assert not Path(dialog.path.text()).exists()
    dialog.helpdesk.setCurrentIndex(0)
    assert dialog.save_button.isDefault()
    cancel.click()
    assert asked == [1, 1]
    qtbot.waitUntil(lambda: controller.ticket_dialog is None, timeout=TIMEOUT_MS)
    # Unchanged: closes without a question.
    controller.open_ticket(alert)
    qtbot.waitUntil(lambda: controller.ticket_dialog is not None, timeout=TIMEOUT_MS)
    controller.ticket_dialog.reject()
    qtbot.waitUntil(lambda: controller.ticket_dialog is None, timeout=TIMEOUT_MS)
    assert asked == [1, 1]


def test_saving_over_a_file_asks_and_replaces_only_when_told(
    qtbot, controller, book, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    _ws, alert = book
    target = tmp_path / "ticket.json"
    target.write_text("kept", "utf-8")
    controller.open_ticket(alert)
    qtbot.waitUntil(lambda: controller.ticket_dialog is not None, timeout=TIMEOUT_MS)
    dialog = controller.ticket_dialog
    answers: list[bool] = [False, True]
    asked: list[str] = []
    dialog.ask_replace = lambda _p, _t, text: (asked.append(text), answers.pop(0))[1]
    dialog.path.setText(str(target))
    dialog.save_button.click()
    assert asked == ["ticket.json already exists. Replace it?"]
    assert target.read_text("utf-8") == "kept"  # Cancel: nothing written
    assert dialog.isVisible()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: controller.ticket_dialog is None, timeout=TIMEOUT_MS)
    assert '"ticket"' in target.read_text("utf-8")  # replaced, once the person said so

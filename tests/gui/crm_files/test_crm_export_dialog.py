"""File ▸ Export ▸ Activities for the CRM… on the hand-made book of
tests/support/crm_book.py: the menu entry, the dialog's count and dates for each choice,
the export through the job runner, the next one with nothing new, and a refused file said
in the dialog."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings

from app.gui.context import WindowContext
from app.gui.crm_export_controller import CrmExportController
from app.workspace import Workspace, open_workspace, to_url
from tests.support.crm_book import fill_crm_book
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import MainWindow

TIMEOUT_MS = 30_000


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(to_url(str(tmp_path / "crm.radar.sqlite")), backup=False)
    fill_crm_book(ws.engine)
    yield ws
    ws.close()


@pytest.fixture
def controller(
    qtbot, jobs: JobRunner, book: Workspace, theme: ThemeManager, ui_settings: QSettings
) -> CrmExportController:
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    return CrmExportController(WindowContext(jobs, window, lambda: book), "Maya")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_menu_opens_the_dialog_with_what_it_would_write(qtbot, controller, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = controller.parent()
    entries = [a.text() for a in window.menus.file_menu.actions()]
    assert "&Export" in entries
    assert [a.text() for a in controller.menu.actions()] == [
        "Activities for the &CRM…",
        "Help-desk &ticket for the alert…",
    ]
    controller.action.trigger()
    dialog = controller.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.plan.text() != "Counting…", timeout=TIMEOUT_MS)
    assert dialog.plan.text() == "4 activities, Mar 2, 2026 to Mar 5, 2026."
    assert dialog.path.text().endswith("Task.csv")
    dialog.target.setCurrentIndex(1)  # HubSpot
    assert dialog.path.text().endswith("hubspot-activities.csv")
    dialog.since_choice.setChecked(True)
    dialog.since.setDate(QDate(2026, 3, 4))
    qtbot.waitUntil(lambda: dialog.plan.text().startswith("2 activities"), timeout=TIMEOUT_MS)
    assert dialog.plan.text() == "2 activities, Mar 4, 2026 to Mar 5, 2026."


def test_export_writes_the_file_and_the_next_finds_nothing_new(qtbot, controller, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = controller.open()
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=TIMEOUT_MS)
    target = tmp_path / "Task.csv"
    dialog.path.setText(str(target))
    with qtbot.waitSignal(dialog.finished, timeout=TIMEOUT_MS):
        dialog.export_button.click()
    rows = _rows(target)
    assert [r["TaskSubtype"] for r in rows] == ["Call", "Email", "Call", "Email"]
    assert controller.last is not None
    assert controller.last.plan.count == 4
    window = controller.parent()
    assert window.statusBar().currentMessage().startswith("Wrote Task.csv: 4 activities")
    qtbot.waitUntil(lambda: controller.dialog is None, timeout=TIMEOUT_MS)
    again = controller.open()
    qtbot.waitUntil(lambda: again.plan.text() != "Counting…", timeout=TIMEOUT_MS)
    assert again.plan.text().startswith("No activities to write")
    assert not again.export_button.isEnabled()
    again.all_choice.setChecked(True)
    qtbot.waitUntil(lambda: again.plan.text().startswith("4 activities"), timeout=TIMEOUT_MS)
    # An existing file is replaced only when the person says so; Cancel leaves it and the
    # dialog open.
    asked: list[str] = []
    answers = [False, True]
    again.ask_replace = lambda _parent, _title, question: asked.append(question) or answers.pop(0)
    again.path.setText(str(target))
    qtbot.waitUntil(lambda: again.export_button.isEnabled(), timeout=TIMEOUT_MS)
    before = target.read_bytes()
    again.export_button.click()
    assert asked == ["Task.csv already exists. Replace it?"]
    assert target.read_bytes() == before
    assert again.isVisible()
    with qtbot.waitSignal(again.finished, timeout=TIMEOUT_MS):
        again.export_button.click()
    assert len(asked) == 2
    assert len(_rows(target)) == 4  # every activity, written over the file


def test_an_export_that_finds_nothing_new_writes_no_file_and_says_so(  # type: ignore[no-untyped-def]
    qtbot, controller, book: Workspace, tmp_path: Path
) -> None:
    """Counted with something to write, exported meanwhile from elsewhere (the command
    line): Export then finds nothing new, leaves the chosen file as it was and says why in
    the status line and the dialog."""
    from services.crm_files.export import export_activities

    dialog = controller.open()
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=TIMEOUT_MS)
    assert dialog.plan.text().startswith("4 activities")
    export_activities(book.engine, "salesforce", tmp_path / "elsewhere.csv", actor="Maya")
    target = tmp_path / "Task.csv"
    target.write_text("kept: the file the person chose, with what it held\n", encoding="utf-8")
    before = target.read_bytes()
    dialog.ask_replace = lambda *_args: True
    dialog.path.setText(str(target))
    dialog.export_button.click()
    window = controller.parent()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() != "", timeout=TIMEOUT_MS)
    message = window.statusBar().currentMessage()
    assert message.startswith("Nothing new since the last export on ")
    assert message.endswith("; choose “Everything logged in the app” to export everything.")
    assert target.read_bytes() == before
    assert controller.last is not None
    assert not controller.last.written
    assert dialog.isVisible()
    assert dialog.plan.text() == message
    assert not dialog.export_button.isEnabled()

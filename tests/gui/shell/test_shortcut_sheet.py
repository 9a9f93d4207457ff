"""Help ▸ Keyboard shortcuts lists the keys that work; note, call and task dialogs save
with Ctrl+Enter."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog, QLabel

from views.alerts.dialogs import TaskDialog
from views.kit.jobs import JobRunner
from views.kit.note_dialog import NoteDialog
from views.kit.theme import ThemeManager
from views.shell.main_window import MainWindow


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_a_note_saves_with_ctrl_enter(qtbot, key: Qt.Key) -> None:
    dialog = NoteDialog("Add a note", "Note", None)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):  # shortcuts answer in the active window
        dialog.show()
        dialog.activateWindow()
    dialog.text.setFocus()
    qtbot.keyClicks(dialog.text, "Asked for the spring catalogue")
    qtbot.keyClick(dialog.text, Qt.Key.Key_Return)  # a plain Enter is a new line
    assert dialog.isVisible()
    qtbot.keyClick(dialog.text, key, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.text.toPlainText().strip() == "Asked for the spring catalogue"


def test_a_task_saves_with_ctrl_enter(qtbot) -> None:
    dialog = TaskDialog("Riley Flores", None)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):  # shortcuts answer in the active window
        dialog.show()
        dialog.activateWindow()
    dialog.text.setFocus()
    qtbot.keyClicks(dialog.text, "Send the quote")
    qtbot.keyClick(dialog.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_f1_shows_every_key_of_the_window(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings
) -> None:
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):  # shortcuts answer in the active window
        window.show()
        window.activateWindow()
    entries = {(e.group, e.action): e.keys for e in window.shortcut_entries()}
    assert entries[("File", "Open workspace")] == "Ctrl+O"
    assert entries[("File", "Import")] == "Ctrl+I"
    assert entries[("Scoring", "Score now")] == "Ctrl+R"
    assert entries[("Help", "Keyboard shortcuts")] == "F1 or ?"
    pane = "Alerts tab: the selected alert"
    assert entries[(pane, "Dismiss")] == "D"
    assert entries[(pane, "Do not contact")] == "X"
    assert entries[(pane, "Draft email")] == "E"
    assert entries[("Customers tab: the selected customer", "Draft email")] == "E"
    # Every action of the window that has keys is on the sheet.
    listed = set(entries.values())
    for action in window.alerts_view.action_pane.actions():
        if not action.shortcut().isEmpty():
            assert action.shortcut().toString() in listed

    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "shortcut_sheet", None) is not None)
    sheet = window.shortcut_sheet
    qtbot.waitExposed(sheet)
    text = " ".join(label.text() for label in sheet.findChildren(QLabel))
    assert "Do not contact" in text
    assert "Ctrl+Enter" in text
    assert len(sheet.shortcuts) == len(entries)

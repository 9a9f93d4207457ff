"""A one-question dialog is deleted by the window's event loop once answered, and a
window being torn down after Python's garbage collector cleared its FitsScreen's
attributes passes its events on instead of raising (the bug: Assign… and Create a task
showed "Something went wrong" from a worker thread that collected the dialog)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from views.kit.confirm import run_dialog
from views.kit.geometry import FitsScreen


def test_an_answered_dialog_is_deleted_after_its_answer_is_read(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = QDialog(parent)
    dialog.setObjectName("question")
    dialog.exec = lambda: QDialog.DialogCode.Accepted  # type: ignore[method-assign]  # answered
    assert run_dialog(dialog) is True
    assert dialog.objectName() == "question"  # still readable until the loop turns
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=5_000)

    cancelled = QDialog(parent)
    cancelled.exec = lambda: QDialog.DialogCode.Rejected  # type: ignore[method-assign]
    assert run_dialog(cancelled) is False
    qtbot.waitUntil(lambda: not shiboken6.isValid(cancelled), timeout=5_000)


def test_a_cleared_fits_screen_lets_the_events_pass(qtbot) -> None:
    window = QDialog()
    qtbot.addWidget(window)
    fits = FitsScreen(window)
    assert fits.eventFilter(window, QEvent(QEvent.Type.Move)) is False
    fits.__dict__.clear()  # what the garbage collector does to a cycle it collects
    assert fits.eventFilter(window, QEvent(QEvent.Type.Show)) is False
    window.show()  # events reach it: none raises
    window.move(10, 10)
    QApplication.processEvents()
    window.close()

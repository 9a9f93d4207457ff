"""Schedule a meeting ▸ Open in calendar app with no calendar program: the window says
that nothing opened the invitation and where the .ics file is, with a button that opens
its folder (instead of reporting success and keeping the file's place to itself)."""

# The fixtures come from the sibling module (imported below), hence the redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from tests.gui.alerts.test_assign_and_meeting import Answers, answers, window  # noqa: F401
from tests.gui.shell.test_undo import TIMEOUT_MS, show_contactable_card, wait_idle
from views.alerts.meeting_dialog import MeetingAnswer, unopened_box
from views.kit.jobs import JobRunner
from views.shell.main_window import MainWindow


def test_no_calendar_program_says_so_and_where_the_file_is(
    qtbot, window: MainWindow, jobs: JobRunner, answers: Answers, monkeypatch
) -> None:
    pane = window.alerts_view.action_pane
    told: list[Path] = []
    pane.team = dataclasses.replace(
        pane.team, open_file=lambda path: answers.opened.append(path) and False,
        unopened=told.append,
    )  # fmt: skip
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(9, 30))
    answers.meeting = MeetingAnswer("Check-in", start.astimezone(), 30, "open")
    show_contactable_card(qtbot, window, jobs)
    pane.trigger("meeting")
    qtbot.waitUntil(lambda: window.undo_bar.isVisible(), timeout=TIMEOUT_MS)
    (path,) = told
    assert answers.opened == [path]
    assert b"SUMMARY:Check-in" in path.read_bytes()
    wait_idle(qtbot, window, jobs)

    # The box the user sees: what happened, where the file is, and its folder a click away.
    box = unopened_box(window, path)
    qtbot.addWidget(box)
    assert box.text() == "No calendar program opened the invitation."
    assert f"It is saved as {path}." in box.informativeText()
    shown: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: shown.append(url.toLocalFile()))
    )
    folder = next(b for b in box.buttons() if b.text() == "Open its folder")
    assert box.buttonRole(folder) == QMessageBox.ButtonRole.ActionRole
    folder.click()
    assert shown == [QUrl.fromLocalFile(str(path.parent)).toLocalFile()]

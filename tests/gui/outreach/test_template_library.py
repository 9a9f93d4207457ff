"""File ▸ Email templates…: edit a goal's template with a live preview, save it into the
workspace (a broken one is refused with the reason and nothing is stored), go back to
the built-in one; the composer's template draft then follows the workspace's template.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from app.gui.context import WindowContext
from app.gui.outreach.template_controller import TemplateController
from app.workspace import Workspace, open_workspace, to_url
from views.kit.jobs import JobRunner

TIMEOUT_MS = 20_000


@pytest.fixture
def workspace(demo_copy: Path) -> Iterator[Workspace]:
    ws = open_workspace(to_url(str(demo_copy)), backup=False)
    yield ws
    ws.close()


@pytest.fixture
def controller(qtbot, jobs: JobRunner, workspace: Workspace) -> Iterator[TemplateController]:
    window = QWidget()
    qtbot.addWidget(window)
    ctl = TemplateController(
        WindowContext(jobs, window, lambda: workspace),
        user=lambda: "dana.tester",
        confirm=lambda _t: True,
    )
    ctl.open()
    qtbot.waitUntil(lambda: ctl.dialog is not None, timeout=TIMEOUT_MS)
    yield ctl
    if ctl.dialog is not None:
        ctl.dialog.close()
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def stored(workspace: Workspace) -> dict[str, Any]:
    path = workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT value FROM settings WHERE key = 'outreach.templates'").fetchone()
    finally:
        con.close()
    return {} if row is None else json.loads(row[0])


def test_the_built_in_templates_show_with_a_preview(controller: TemplateController) -> None:
    dialog = controller.dialog
    assert dialog is not None
    assert dialog.goal_model.stringList() == [
        "Win back",
        "Check in",
        "Introduce a new line",
        "Apologise after a bad experience",
    ]
    assert dialog.subject.text()
    assert "{{" in dialog.body.toPlainText()
    # The preview is the template rendered: no template syntax left in it.
    assert dialog.preview_subject.text().startswith("Subject: ")
    assert dialog.preview_body.toPlainText()
    assert "{{" not in dialog.preview_body.toPlainText()
    assert not dialog.reset_button.isEnabled()  # nothing of the workspace's own yet


def test_save_a_template_then_go_back_to_the_built_in_one(
    qtbot, controller: TemplateController, workspace: Workspace
) -> None:
    dialog = controller.dialog
    assert dialog is not None
    dialog.show_goal("apology")
    builtin_subject = dialog.subject.text()
    dialog.subject.setText("Sorry, {{ greeting_name }}")
    dialog.body.setPlainText("Hi {{ greeting_name }},\n\nWe got that wrong.\n\n{{ signature }}")
    dialog.refresh_preview()
    assert dialog.preview_subject.text() == "Subject: Sorry, Ada"
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "apology" in stored(workspace), timeout=TIMEOUT_MS)
    assert stored(workspace)["apology"]["subject"] == "Sorry, {{ greeting_name }}"
    qtbot.waitUntil(lambda: dialog.reset_button.isEnabled(), timeout=TIMEOUT_MS)
    assert "(edited)" in dialog.goal_model.stringList()[3]
    dialog.reset_button.click()
    qtbot.waitUntil(lambda: "apology" not in stored(workspace), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: dialog.subject.text() == builtin_subject, timeout=TIMEOUT_MS)


def test_a_broken_template_is_refused_with_the_reason_and_nothing_is_stored(
    qtbot, controller: TemplateController, workspace: Workspace
) -> None:
    dialog = controller.dialog
    assert dialog is not None
    dialog.show_goal("win_back")
    dialog.body.setPlainText("Hi {{ frist_name }},\n\n{% if offer %}Take {{ offer }}.")
    dialog.refresh_preview()
    assert dialog.problem.isVisibleTo(dialog)
    assert "frist_name" in dialog.problem.text() or "endif" in dialog.problem.text()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.problem.text().startswith("Not saved"), timeout=TIMEOUT_MS)
    assert stored(workspace) == {}

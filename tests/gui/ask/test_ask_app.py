"""The Ask tab in the application itself (its own controller, a copy of the scored demo
file): opening a workspace hands the tab its questions, and "draft an email to the
first" opens the email composer for the first customer of the answer."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.gui.application import GuiController, make_controller
from app.workspace import to_url
from views.shell.main_window import TAB_ASK

TIMEOUT_MS = 60_000


@pytest.fixture
def controller(
    qapp: QApplication, ui_settings: QSettings, tmp_path: Path, alerts_file: Path,
    presented_errors: list[str],
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
    made.shutdown()
    made.window.close()
    made.window.deleteLater()
    made.deleteLater()


def test_draft_an_email_to_the_first_opens_the_composer(qtbot, controller: GuiController) -> None:
    window, jobs = controller.window, controller.jobs
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    QTest.keySequence(window, QKeySequence("Ctrl+K"))
    assert window.tabs.currentIndex() == TAB_ASK
    pane = window.ask
    qtbot.waitUntil(
        lambda: pane.library.model.rowCount() > 0 and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    QTest.keyClicks(pane.question_edit, "Who are our most valuable customers?")
    QTest.keyClick(pane.question_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: pane.answer_view.answer is not None and not pane.busy, timeout=TIMEOUT_MS
    )
    answer = pane.answer_view.answer
    assert answer is not None
    first = answer.customer_ids[0]
    pane.question_edit.clear()
    QTest.keyClicks(pane.question_edit, "draft an email to the first")
    QTest.keyClick(pane.question_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.composer.dialog is not None, timeout=TIMEOUT_MS)
    assert controller.composer._customer_id == first
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    controller.composer.close()


def test_a_provider_saved_in_settings_is_used_by_ask_at_once(
    qtbot, controller: GuiController
) -> None:
    """Ask says it is offline; a provider is saved in Settings (the dialog's signal, the
    settings in the workspace); the tab, still on screen, says at once where typed
    questions now go, without being left and shown again."""
    from services.settings import set_settings
    from tests.support.openai_server import FakeOpenAIServer

    window, jobs = controller.window, controller.jobs
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    QTest.keySequence(window, QKeySequence("Ctrl+K"))
    assert window.tabs.currentIndex() == TAB_ASK
    pane = window.ask
    qtbot.waitUntil(lambda: pane.provider is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert pane.provider_label.text().startswith("Offline")
    with FakeOpenAIServer(models=["sqlcoder"]) as server:
        workspace = controller.workspace
        assert workspace is not None
        changes = {
            "llm.preset": "llamacpp",
            "llm.base_url": server.base_url,
            "llm.model": "sqlcoder",
        }
        with workspace.sessions() as session, session.begin():
            set_settings(session, changes, actor="dana")
        controller.settings.settings_saved.emit(list(changes))
        qtbot.waitUntil(
            lambda: pane.provider_label.text().startswith("Typed questions go to"),
            timeout=TIMEOUT_MS,
        )
        assert window.tabs.currentIndex() == TAB_ASK  # never left
        assert "on this computer" in pane.provider_label.text()
        qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)

"""@ completion while writing a note (views/kit/mention_edit.py): "@" and a name's first
letters offer the card's teammates in a popup the keyboard drives (arrows, Enter or Tab
writes "@Full Name ", Esc closes only the popup); in the real window, Add a note (N) with
the real dialog, a picked name becomes a mention that waits in the teammate's My work.
Rendered at 1366x768."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.my_work_source import WorkspaceMyWorkSource
from app.workspace import Workspace
from tests.gui.shell.test_undo import rows
from views.alerts.dialogs import CallDialog
from views.kit.jobs import JobRunner
from views.kit.mention_edit import matching_teammates, mention_prefix
from views.kit.note_dialog import NoteDialog
from views.kit.theme import ThemeManager
from views.shell.main_window import TAB_MY_WORK, MainWindow

# The popup grabs the keyboard, which the offscreen test platform cannot do and says so.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")
TIMEOUT_MS = 60_000
TEAM = ("Daniel Okafor", "Hannah Becker", "Lucas Moreno", "Maya Thompson", "Priya Raman")
WRITER = "Sam Reed"
READER = "Priya Raman"  # an owner of the demo's customers


def test_what_follows_an_at_sign_finds_the_teammates() -> None:
    assert mention_prefix("Call them, @Pr") == "Pr"
    assert mention_prefix("@") == ""
    assert mention_prefix("write to sam@shop") is None  # an address, not a mention
    assert mention_prefix("no at sign") is None
    assert mention_prefix("@Priya Raman said so and more") is None  # long past the name
    assert matching_teammates(TEAM, "pr") == ["Priya Raman"]
    assert matching_teammates(TEAM, "Ra") == ["Priya Raman"]  # a later word of the name
    assert matching_teammates(TEAM, "Priya R") == ["Priya Raman"]
    assert matching_teammates(TEAM, "") == list(TEAM)
    assert matching_teammates(TEAM, "Priya Raman ") == []  # written: nothing to offer
    assert matching_teammates(TEAM, "zz") == []


def test_the_popup_is_driven_by_the_keyboard(qtbot) -> None:
    dialog = NoteDialog("Add a note", "Add a note for Rosa Thompson:", teammates=TEAM)
    qtbot.addWidget(dialog)
    dialog.resize(440, 220)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    edit, popup = dialog.text, dialog.text.popup
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    QTest.keyClicks(edit, "Ask @")
    qtbot.waitUntil(popup.isVisible)
    assert edit.offered == list(TEAM)  # a bare at sign: everyone
    QTest.keyClicks(popup, "a")  # typed on while the popup is open: it narrows
    assert edit.toPlainText() == "Ask @a"
    assert edit.offered == []  # no name, nor a later word of one, starts with "a"
    assert not popup.isVisible()
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    QTest.keyClicks(edit, "M")
    qtbot.waitUntil(popup.isVisible)
    assert edit.offered == ["Lucas Moreno", "Maya Thompson"]
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert edit.toPlainText() == "Ask @Maya Thompson "
    assert not popup.isVisible()
    assert dialog.isVisible()  # Enter picked the name; it did not save the note

    # Esc closes the popup, not the dialog; Tab picks as Enter does.
    QTest.keyClicks(edit, "and @h")
    qtbot.waitUntil(popup.isVisible)
    assert edit.offered == ["Hannah Becker"]
    QTest.keyClick(popup, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert dialog.isVisible()
    assert edit.toPlainText() == "Ask @Maya Thompson and @h"
    QTest.keyClicks(edit, "a")
    qtbot.waitUntil(popup.isVisible)
    dialog.grab().save("/tmp/note_mention_popup.png")
    QTest.keyClick(popup, Qt.Key.Key_Tab)
    assert edit.toPlainText() == "Ask @Maya Thompson and @Hannah Becker "
    assert edit.hasFocus()  # Tab picked the name; focus stayed in the text


def test_a_call_offers_the_teammates_too_and_no_teammates_offers_nothing(qtbot) -> None:
    call = CallDialog("Rosa Thompson", teammates=TEAM)
    qtbot.addWidget(call)
    call.show()
    call.text.setFocus()
    QTest.keyClicks(call.text, "@Da")
    qtbot.waitUntil(call.text.popup.isVisible)
    assert call.text.offered == ["Daniel Okafor"]
    plain = NoteDialog("End the quiet period", "Why contact them now?")
    qtbot.addWidget(plain)
    plain.show()
    QTest.keyClicks(plain.text, "@Da")
    assert not plain.text.popup.isVisible()


@pytest.fixture
def window(
    qtbot, jobs: JobRunner, workspace: Workspace, theme: ThemeManager, ui_settings: QSettings
) -> MainWindow:
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.set_source(WorkspaceCustomerSource(workspace))
    w.set_alert_source(WorkspaceAlertSource(workspace, user=WRITER))
    # My work is read as the teammate mentioned (the same workspace, her view of it).
    w.set_work_source(WorkspaceMyWorkSource(workspace, user=lambda: READER))
    qtbot.waitUntil(
        lambda: (
            w.my_work.work is not None
            and w.alerts_view.action_pane.alert is not None
            and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )
    return w


def test_a_picked_name_is_a_mention_in_the_teammates_my_work(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    pane = window.alerts_view.action_pane
    alert = pane.alert
    assert alert is not None
    assert READER in alert.teammates
    offered: list[tuple[str, ...]] = []

    def write(title: str, label: str, names: Sequence[str]) -> str | None:
        """The user in the real note dialog (shown, not run modal: the test answers)."""
        offered.append(tuple(names))
        dialog = NoteDialog(title, label, pane, teammates=names)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        edit, popup = dialog.text, dialog.text.popup
        edit.setFocus()
        qtbot.waitUntil(edit.hasFocus)
        QTest.keyClicks(edit, "Refund question, @Pr")
        qtbot.waitUntil(popup.isVisible)
        assert edit.offered == [READER]
        dialog.grab().save("/tmp/alerts_note_mention.png")
        QTest.keyClick(popup, Qt.Key.Key_Return)
        assert edit.toPlainText() == f"Refund question, @{READER} "
        QTest.keyClicks(edit, "can you call them?")
        QTest.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert dialog.result() == NoteDialog.DialogCode.Accepted  # Ctrl+Enter saved it
        return edit.toPlainText().strip()

    pane._ask_mention_note = write
    window.alerts_view.alerts_pane.focus_list()
    QTest.keyClick(window.alerts_view.alerts_pane.list, Qt.Key.Key_N)
    assert offered == [alert.teammates]  # the card's teammates reach the dialog
    qtbot.waitUntil(lambda: window.undo_bar.isVisible() and jobs.is_idle(), timeout=TIMEOUT_MS)
    text = f"Refund question, @{READER} can you call them?"
    mentioned = rows(
        workspace, "SELECT actor, details FROM audit_events WHERE action = 'note.mentioned'"
    )
    assert len(mentioned) == 1
    assert mentioned[0][0] == WRITER
    assert f'"to": "{READER}"' in mentioned[0][1]

    work = window.my_work
    window.menus.tab_actions[TAB_MY_WORK].trigger()
    work.reload()
    qtbot.waitUntil(
        lambda: len(work.notices.model.rows) == 1 and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    assert work.notices.model.index(0, 2).data() == f"Mentioned by {WRITER}: {text}"
    window.grab().save("/tmp/my_work_picked_mention.png")


def test_the_dialog_without_a_card_offers_nobody(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    dialog = NoteDialog("Add a note", "Add a note:", host, teammates=())
    qtbot.addWidget(dialog)
    dialog.show()
    QTest.keyClicks(dialog.text, "@")
    assert dialog.text.offered == []

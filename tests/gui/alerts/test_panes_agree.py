"""In the real window on a scored demo workspace: the highlighted card, the customer pane
and the action pane always show the same customer (after an action moves the card out,
Home and End, a reload, an undo, and a key pressed while an action is still saving); a
note given with Dismiss is kept and shown; a key that does nothing says why in the
window's status bar."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from views.alerts.view import AlertsView
from views.item_models.alert_list_model import AlertIdRole, CustomerIdRole
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager, ThemeMode
from views.shell.main_window import MainWindow

TIMEOUT_MS = 30_000
USER = "Maya Patel"


class Notes:
    def __init__(self) -> None:
        self.answer: str | None = ""
        self.asked: list[tuple[str, str]] = []

    def __call__(self, title: str, question: str, _button: str) -> str | None:
        self.asked.append((title, question))
        return self.answer


@pytest.fixture
def notes() -> Notes:
    return Notes()


@pytest.fixture
def window(
    qtbot,
    qapp: QApplication,
    jobs: JobRunner,
    workspace: Workspace,
    ui_settings: QSettings,
    notes: Notes,
) -> Iterator[MainWindow]:
    theme = ThemeManager(qapp, ThemeMode.LIGHT)
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.set_source(WorkspaceCustomerSource(workspace, user=lambda: USER))
    w.set_alert_source(WorkspaceAlertSource(workspace, user=USER))
    pane = w.alerts_view.action_pane
    pane._ask_note = notes
    pane._ask_text = lambda _title, _label: "Prefers email"
    settle(qtbot, w.alerts_view, jobs)
    yield w
    theme.deleteLater()


def settle(qtbot, view: AlertsView, jobs: JobRunner) -> None:
    """Nothing in flight nor about to start (the alert's detail follows its customer's
    after a timer, or a zero timer once the customer is drawn)."""

    def quiet() -> bool:
        return (
            jobs.is_idle()
            and not view.detail_pane.load_pending
            and not view._alert_timer.isActive()
            and view._alert_to_load is None
        )

    qtbot.waitUntil(quiet, timeout=TIMEOUT_MS)
    qtbot.wait(60)
    qtbot.waitUntil(quiet, timeout=TIMEOUT_MS)


def assert_panes_agree(view: AlertsView) -> int:
    """The highlighted card, the action pane and the customer pane: one customer (its
    id returned)."""
    pane = view.alerts_pane
    index = pane.list.currentIndex()
    assert index.isValid()
    assert pane.list.selectionModel().isSelected(index)  # the current card is highlighted
    alert_id, customer = int(index.data(AlertIdRole)), int(index.data(CustomerIdRole))
    assert pane.current_alert_id == alert_id
    shown = view.action_pane.alert
    assert shown is not None
    assert (shown.id, shown.customer_id) == (alert_id, customer)
    detail = view.detail_pane.detail
    assert detail is not None
    assert detail.id == customer
    return customer


def rows(workspace: Workspace, sql: str, *params: object) -> list[tuple]:
    path = workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def ids(view: AlertsView) -> list[int]:
    model = view.alerts_pane.model
    return [int(model.index(r, 0).data(AlertIdRole)) for r in range(model.rowCount())]


def test_dismiss_with_a_note_moves_on_the_panes_follow_and_undo_brings_it_back(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace, notes: Notes
) -> None:
    view = window.alerts_view
    first = assert_panes_agree(view)
    card = view.action_pane.alert.card_ids  # type: ignore[union-attr]
    next_card = ids(view)[1]
    notes.answer = "Duplicate of the ticket alert"
    view.alerts_pane.focus_list()
    qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_D)
    assert notes.asked[0][0] == "Dismiss"
    qtbot.waitUntil(lambda: card[0] not in ids(view), timeout=TIMEOUT_MS)
    settle(qtbot, view, jobs)
    # The card left the queue: the next one is highlighted, and both panes show it.
    assert view.alerts_pane.current_alert_id == next_card
    assert_panes_agree(view)
    details = rows(
        workspace,
        "SELECT details FROM audit_events WHERE action = 'alert.dismissed' AND entity_id = ?",
        card[0],
    )
    assert json.loads(details[-1][0])["note"] == "Duplicate of the ticket alert"
    # Ctrl+Z: the card is back, highlighted, its history keeps the why.
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.alerts_pane.current_alert_id == card[0], timeout=TIMEOUT_MS)
    settle(qtbot, view, jobs)
    assert assert_panes_agree(view) == first
    assert rows(workspace, "SELECT status FROM alerts WHERE id = ?", card[0]) != [("dismissed",)]
    history = view.action_pane.history.text()
    assert "Dismissed: Duplicate of the ticket alert" in history
    assert "Undone: Dismissed" in history


def test_home_end_and_a_reload_keep_the_panes_on_the_highlighted_card(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    view = window.alerts_view
    pane = view.alerts_pane
    pane.focus_list()
    qtbot.keyClick(pane.list, Qt.Key.Key_End)
    settle(qtbot, view, jobs)
    assert pane.current_alert_id == ids(view)[-1]
    assert_panes_agree(view)
    qtbot.keyClick(pane.list, Qt.Key.Key_Home)
    settle(qtbot, view, jobs)
    assert pane.current_alert_id == ids(view)[0]
    assert_panes_agree(view)
    qtbot.keyClick(pane.list, Qt.Key.Key_Down)
    qtbot.keyClick(pane.list, Qt.Key.Key_Down)
    settle(qtbot, view, jobs)
    here = pane.current_alert_id
    view.reload()  # a scoring or an import reloads the list
    settle(qtbot, view, jobs)
    assert pane.current_alert_id == here
    assert_panes_agree(view)
    # Another order: the same card stays highlighted, wherever it now is.
    pane.sort_combo.setCurrentIndex((pane.sort_combo.currentIndex() + 1) % pane.sort_combo.count())
    settle(qtbot, view, jobs)
    assert pane.current_alert_id == here
    assert_panes_agree(view)


def test_a_key_pressed_while_an_action_saves_never_leaves_another_customer_shown(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    """A note on one card, and Down at once, before the note is saved: when the note
    lands, the customer pane must not go back to the first card's customer."""
    view = window.alerts_view
    pane = view.alerts_pane
    for _ in range(3):
        first = view.action_pane.alert
        assert first is not None
        pane.focus_list()
        qtbot.keyClick(pane.list, Qt.Key.Key_N)  # the note, on the job runner
        qtbot.keyClick(pane.list, Qt.Key.Key_Down)  # the next card, before it lands
        settle(qtbot, view, jobs)
        assert pane.current_alert_id != first.id
        assert_panes_agree(view)


def test_a_key_that_does_nothing_says_why_in_the_status_bar(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    view = window.alerts_view
    bar = window.statusBar()
    shown = view.action_pane.alert
    assert shown is not None
    view.alerts_pane.focus_list()
    if shown.status == "open":
        qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_P)  # in progress now
        qtbot.waitUntil(
            lambda: (
                view.action_pane.alert is not None
                and view.action_pane.alert.status == "in_progress"
            ),
            timeout=TIMEOUT_MS,
        )
        settle(qtbot, view, jobs)
    qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_P)
    assert bar.currentMessage() == "Already in progress"
    qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_O)
    assert bar.currentMessage() == "In progress: nothing to reopen"
    assert_panes_agree(view)

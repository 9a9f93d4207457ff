"""Recording a renewal call in the window, on a real scored demo workspace: Results ▸
Renewals and My work read their renewals anew once a call is recorded and once it is
undone; after the dialog the focus is back where it was, and Ctrl+Z takes the call back
from there, or from a text field with nothing of its own to undo."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace
from services.renewals.records import RenewalsReport
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager, ThemeMode
from views.shell.main_window import TAB_CUSTOMERS, TAB_RESULTS, MainWindow

TIMEOUT_MS = 60_000
USER = "Maya Patel"


class CountingResultsSource(WorkspaceResultsSource):
    """The window's Results source, counting the renewals reports read."""

    renewals_read = 0

    def load_renewals(
        self,
        since: dt.date | None,
        until: dt.date | None,
        owner: str | None,
        segment: str | None,
    ) -> RenewalsReport:
        report = super().load_renewals(since, until, owner, segment)
        type(self).renewals_read += 1
        return report


@pytest.fixture
def window(
    qtbot, qapp: QApplication, jobs: JobRunner, workspace: Workspace, ui_settings: QSettings
) -> Iterator[MainWindow]:
    theme = ThemeManager(qapp, ThemeMode.LIGHT)
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.set_source(WorkspaceCustomerSource(workspace, user=lambda: USER))
    w.set_alert_source(WorkspaceAlertSource(workspace, user=USER))
    CountingResultsSource.renewals_read = 0
    w.results.set_source(CountingResultsSource(workspace))
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    yield w
    theme.deleteLater()


def calls(workspace: Workspace, customer_id: int) -> int:
    """How many calls the customer's renewals have had."""
    path = workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    try:
        sql = "SELECT COUNT(*) FROM renewal_calls WHERE customer_id = ?"
        return int(con.execute(sql, (customer_id,)).fetchone()[0])
    finally:
        con.close()


def a_customer_with_a_call_due(workspace: Workspace) -> int:
    """An open contract renewing within three months: its 3-month checkpoint is reached."""
    path = workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    today = dt.date.today()
    try:
        row = con.execute(
            "SELECT customer_id FROM contracts WHERE outcome = 'open' AND end_date BETWEEN ? AND ?"
            " ORDER BY end_date",
            (str(today + dt.timedelta(days=1)), str(today + dt.timedelta(days=85))),
        ).fetchone()
    finally:
        con.close()
    assert row is not None, "the demo has renewals due"
    return int(row[0])


def show_customer(qtbot, window: MainWindow, jobs: JobRunner, customer_id: int) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    window.open_customer(customer_id)
    pane = window.detail_pane
    qtbot.waitUntil(
        lambda: (
            pane.detail is not None
            and pane.detail.id == customer_id
            and pane.renewal_card.card is not None
            and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )


def focus(qtbot, window: MainWindow, widget: QWidget) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=TIMEOUT_MS)


def record_at_risk(qtbot, window: MainWindow, jobs, workspace: Workspace, cid: int) -> int:  # type: ignore[no-untyped-def]  # noqa: E501
    """Record "At risk" with Alt+C from the customers table; the calls before it."""
    before = calls(workspace, cid)
    card = window.detail_pane.renewal_card
    table = window.customers_pane.table
    focus(qtbot, window, table)
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: card.dialog is not None and card.dialog.isVisible())
    dialog = card.dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.call_buttons["at_risk"], Qt.MouseButton.LeftButton)
    dialog.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: calls(workspace, cid) == before + 1, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: card.dialog is None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return before


def test_results_and_my_work_read_the_renewals_anew_after_a_call_and_its_undo(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    window.tabs.setCurrentIndex(TAB_RESULTS)
    # Results reads the tab on screen: Renewals, picked.
    results = window.results.pane
    titles = [results.tabs.tabText(i) for i in range(results.tabs.count())]
    results.tabs.setCurrentIndex(titles.index("Renewals"))
    qtbot.waitUntil(lambda: CountingResultsSource.renewals_read == 1, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    cid = a_customer_with_a_call_due(workspace)
    show_customer(qtbot, window, jobs, cid)
    my_work = window.my_work
    reloads: list[int] = []
    reload = my_work.reload

    def counting_reload() -> None:
        reloads.append(1)
        reload()

    my_work.reload = counting_reload  # type: ignore[method-assign]
    before = record_at_risk(qtbot, window, jobs, workspace, cid)
    # Results is not on screen: it reads the renewals again once it is shown.
    window.tabs.setCurrentIndex(TAB_RESULTS)
    qtbot.waitUntil(lambda: CountingResultsSource.renewals_read == 2, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert reloads  # its call-due list too
    reloads.clear()
    # Undone from the Results tab (Edit ▸ Undo): read again at once, as it is on screen.
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: calls(workspace, cid) == before, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: CountingResultsSource.renewals_read == 3, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert reloads


def test_ctrl_z_right_after_the_dialog_undoes_the_call(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    cid = a_customer_with_a_call_due(workspace)
    show_customer(qtbot, window, jobs, cid)
    before = record_at_risk(qtbot, window, jobs, workspace, cid)
    # The focus is back in the table, where it was when the dialog opened.
    table = window.customers_pane.table
    assert window.focusWidget() is table, window.focusWidget()
    assert window.undo_action.isEnabled()
    focus(qtbot, window, table)
    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: calls(workspace, cid) == before, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def test_ctrl_z_in_a_text_field_with_nothing_to_undo_undoes_the_call(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    cid = a_customer_with_a_call_due(workspace)
    show_customer(qtbot, window, jobs, cid)
    before = record_at_risk(qtbot, window, jobs, workspace, cid)
    search = window.customers_pane.search_box
    focus(qtbot, window, search)
    assert not search.isUndoAvailable()
    qtbot.keyClick(search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: calls(workspace, cid) == before, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def test_ctrl_z_in_a_text_field_with_its_own_edits_undoes_the_typing_only(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    cid = a_customer_with_a_call_due(workspace)
    show_customer(qtbot, window, jobs, cid)
    before = record_at_risk(qtbot, window, jobs, workspace, cid)
    search = window.customers_pane.search_box
    focus(qtbot, window, search)
    qtbot.keyClicks(search, "x")
    assert search.isUndoAvailable()
    qtbot.keyClick(search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert search.text() == ""
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert calls(workspace, cid) == before + 1  # the call stays


def test_a_call_recorded_from_the_search_box_is_what_ctrl_z_undoes(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    """Searched for the customer, then Alt+C from the search box: after Record the keys
    are on the card's button, not back in the field with its typing, so Ctrl+Z right
    away takes the call back (the search stays)."""
    cid = a_customer_with_a_call_due(workspace)
    show_customer(qtbot, window, jobs, cid)
    card = window.detail_pane.renewal_card
    search = window.customers_pane.search_box
    focus(qtbot, window, search)
    qtbot.keyClicks(search, "a")
    assert search.isUndoAvailable()
    before = calls(workspace, cid)
    qtbot.keyClick(search, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: card.dialog is not None and card.dialog.isVisible())
    dialog = card.dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.call_buttons["at_risk"], Qt.MouseButton.LeftButton)
    dialog.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: calls(workspace, cid) == before + 1, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: card.dialog is None and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert window.focusWidget() is card.record_button, window.focusWidget()
    focus(qtbot, window, card.record_button)  # (offscreen: the window made active again)
    qtbot.keyClick(card.record_button, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: calls(workspace, cid) == before, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert search.text() == "a"

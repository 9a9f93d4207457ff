"""The Customers tab's Do not contact… asks once, with an optional reason: the audit keeps
it, the customer's alert shows it in its history in the Alerts tab, Cancel changes
nothing and Ctrl+Z takes the mark back."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager, ThemeMode
from views.shell.main_window import TAB_ALERTS, TAB_CUSTOMERS, MainWindow

TIMEOUT_MS = 30_000
USER = "Maya Patel"


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
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    yield w
    theme.deleteLater()


def rows(workspace: Workspace, sql: str, *params: object) -> list[tuple]:
    path = workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_do_not_contact_keeps_its_reason_and_the_alert_history_shows_it(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    customer, alert = rows(
        workspace,
        "SELECT c.id, MIN(a.id) FROM customers c JOIN alerts a ON a.customer_id = c.id "
        "WHERE c.do_not_contact = 0 AND a.status IN ('open', 'in_progress') "
        "GROUP BY c.id ORDER BY c.id LIMIT 1",
    )[0]
    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert window.customers_pane.select_customer(customer)
    pane = window.detail_pane
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.id == customer and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    asked: list[tuple[str, str, str]] = []
    answers: list[str | None] = [None, "Asked us to stop calling"]

    def ask_note(title: str, question: str, button: str) -> str | None:
        asked.append((title, question, button))
        return answers.pop(0)

    pane._ask_note = ask_note
    pane.dnc_button.click()  # Cancel: nothing changes
    assert asked[0][0] == "Do not contact?"
    assert asked[0][2] == "Do not contact"
    assert jobs.is_idle()
    assert rows(workspace, "SELECT do_not_contact FROM customers WHERE id=?", customer) == [(0,)]
    pane.dnc_button.click()
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.do_not_contact and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    details = rows(
        workspace,
        "SELECT actor, details FROM audit_events "
        "WHERE action = 'customer.do_not_contact' AND entity_id = ?",
        customer,
    )
    assert [(a, json.loads(d)) for a, d in details] == [
        (USER, {"value": True, "note": "Asked us to stop calling"})
    ]
    # The Alerts tab: the customer's alert says who marked them, and why.
    window.tabs.setCurrentIndex(TAB_ALERTS)
    view = window.alerts_view
    qtbot.waitUntil(lambda: view.alerts_pane.model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert view.alerts_pane.show_alert(alert)
    qtbot.waitUntil(
        lambda: (
            view.action_pane.alert is not None
            and view.action_pane.alert.customer_id == customer
            and "Marked do not contact: Asked us to stop calling" in view.action_pane.history.text()
        ),
        timeout=TIMEOUT_MS,
    )
    # Ctrl+Z (Edit ▸ Undo): the mark goes again.
    window.undo_action.trigger()
    qtbot.waitUntil(
        lambda: (
            rows(workspace, "SELECT do_not_contact FROM customers WHERE id=?", customer) == [(0,)]
        ),
        timeout=TIMEOUT_MS,
    )
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    qtbot.wait(300)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)

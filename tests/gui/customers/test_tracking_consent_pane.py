"""The customer pane's opt-out of activity tracking: the button asks first, the pane then
says since when and that usage and conversations are not used, the audit names the user,
Cancel changes nothing and Ctrl+Z takes it back."""

from __future__ import annotations

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
from views.shell.main_window import TAB_CUSTOMERS, MainWindow

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


def test_opting_a_customer_out_of_tracking_from_the_pane(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    customer = rows(workspace, "SELECT MIN(id) FROM customers WHERE name IS NOT NULL")[0][0]
    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert window.customers_pane.select_customer(customer)
    pane = window.detail_pane
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.id == customer and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    assert pane.tracking_button.isVisible()
    assert pane.tracking_button.text() == "Opt out of tracking…"
    assert not pane.tracking_label.isVisible()
    answers = [False, True]
    asked: list[str] = []

    def confirm(title: str, question: str) -> bool:
        asked.append(title)
        return answers.pop(0)

    pane._confirm = confirm
    pane.tracking_button.click()  # Cancel
    assert asked == ["Opt out of tracking?"]
    assert rows(workspace, "SELECT tracking_opted_out_at FROM customers WHERE id=?",
                customer) == [(None,)]  # fmt: skip
    pane.tracking_button.click()
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.tracking_words is not None
        and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )  # fmt: skip
    assert pane.tracking_label.isVisible()
    assert pane.tracking_label.text().startswith("Opted out of activity tracking on ")
    assert pane.tracking_label.text().endswith(": usage and conversations are not used.")
    assert pane.tracking_button.text() == "Opt back in…"
    assert rows(
        workspace,
        "SELECT actor FROM audit_events WHERE action = 'customer.tracking_opted_out' "
        "AND entity_id = ?",
        customer,
    ) == [(USER,)]
    window.undo_action.trigger()
    qtbot.waitUntil(
        lambda: rows(workspace, "SELECT tracking_opted_out_at FROM customers WHERE id=?",
                     customer) == [(None,)],
        timeout=TIMEOUT_MS,
    )  # fmt: skip
    qtbot.waitUntil(
        lambda: pane.detail is not None and pane.detail.tracking_words is None
        and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )  # fmt: skip
    assert not pane.tracking_label.isVisible()

"""My work's "For you" on a real demo workspace: a note that mentions the user, written by
a teammate in the Alerts tab, and a customer assigned to them wait there until marked
seen; Open shows the alert. Rendered at 1366x768."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.my_work_source import WorkspaceMyWorkSource
from app.workspace import Workspace
from services.alerts.actions import apply_alert_action
from services.alerts.assign import assign_customer
from tests.gui.my_work.test_my_work_tab import db_rows, open_alerts
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import TAB_ALERTS, TAB_MY_WORK, MainWindow

TIMEOUT_MS = 60_000
ME = "Priya Raman"  # an owner of the demo's customers


@pytest.fixture
def window(
    qtbot, jobs: JobRunner, workspace: Workspace, theme: ThemeManager, ui_settings: QSettings
) -> MainWindow:
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.set_source(WorkspaceCustomerSource(workspace))
    w.set_alert_source(WorkspaceAlertSource(workspace, user=ME))
    w.set_work_source(WorkspaceMyWorkSource(workspace, user=lambda: ME))
    qtbot.waitUntil(lambda: w.my_work.work is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return w


def test_a_mention_and_a_hand_over_wait_for_you_until_seen(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    pane = window.my_work
    assert not pane.notices.isVisibleTo(pane)  # nothing waiting: no room taken
    alerts = open_alerts(workspace)
    apply_alert_action(
        workspace.engine,
        alerts[0],
        "log",
        kind="note",
        text="@Priya can you call them about the refund?",
        actor="Sam Reed <sam@shop.example>",
    )
    (customer,) = db_rows(workspace, "SELECT customer_id FROM alerts WHERE id = ?", alerts[1])[0]
    owner = db_rows(workspace, "SELECT owner FROM customers WHERE id = ?", customer)[0][0]
    if owner == ME:  # hand over one that is not mine yet
        assign_customer(workspace.engine, customer, "Daniel Okafor", actor="Lea")
    assign_customer(workspace.engine, customer, ME, actor="Lea Brandt")
    window.menus.tab_actions[TAB_MY_WORK].trigger()
    pane.reload()
    qtbot.waitUntil(
        lambda: len(pane.notices.model.rows) == 2 and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    assert pane.notices.isVisibleTo(pane)
    assert pane.notices.title.text() == "For you · 2"
    said = [pane.notices.model.index(r, 2).data() for r in range(2)]
    assert "Mentioned by Sam Reed: @Priya can you call them about the refund?" in said
    assert "Assigned to you by Lea Brandt" in said
    window.grab().save("/tmp/my_work_mention.png")

    # Mark the mention seen: it leaves, the hand-over stays.
    row = said.index("Mentioned by Sam Reed: @Priya can you call them about the refund?")
    pane.notices.select_row(row)
    pane.notices.seen_button.click()
    qtbot.waitUntil(
        lambda: len(pane.notices.model.rows) == 1 and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    assert db_rows(workspace, "SELECT actor FROM audit_events WHERE action = 'notice.seen'") == [
        (ME,)
    ]
    # Open shows the assigned customer's alert in the Alerts tab.
    (handed,) = pane.notices.model.rows
    assert handed.customer_id == customer
    pane.notices.select_row(0)
    pane.notices.open_button.click()
    assert window.tabs.currentIndex() == TAB_ALERTS
    assert window.alerts_view.alerts_pane.current_alert_id == handed.alert_id


def test_a_customer_you_take_yourself_is_no_news_to_you(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    """Never "Assigned to you by Priya Raman" to Priya Raman: only someone else's hand-over
    waits in For you."""
    pane = window.my_work
    mine, theirs = (
        int(c)
        for (c,) in db_rows(
            workspace, "SELECT id FROM customers WHERE owner <> ? ORDER BY id LIMIT 2", ME
        )
    )
    assign_customer(workspace.engine, mine, ME, actor=ME)
    assign_customer(workspace.engine, theirs, ME, actor="Lea Brandt")
    window.menus.tab_actions[TAB_MY_WORK].trigger()
    pane.reload()
    qtbot.waitUntil(lambda: bool(pane.notices.model.rows) and jobs.is_idle(), timeout=TIMEOUT_MS)
    said = [pane.notices.model.index(r, 2).data() for r in range(len(pane.notices.model.rows))]
    assert said == ["Assigned to you by Lea Brandt"]
    assert [n.customer_id for n in pane.notices.model.rows] == [theirs]

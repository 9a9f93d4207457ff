"""Playbooks in the real window on the scored demo workspace: start one from
the card's "Start playbook…" menu (Ctrl+Z takes it back), its step shows in My work on
its day, Done marks it (an email step opens the composer instead: it is done once the
email is sent), and an order stops it."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.my_work_source import WorkspaceMyWorkSource
from app.workspace import Workspace
from services.alerts.actions import apply_card_action
from tests.gui.alerts.test_alerts_window import db_rows, wait_shown
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import TAB_MY_WORK, MainWindow

TIMEOUT_MS = 60_000
USER = "dana.tester"


@pytest.fixture
def window(
    qtbot, jobs: JobRunner, workspace: Workspace, theme: ThemeManager, ui_settings: QSettings
) -> MainWindow:
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.set_source(WorkspaceCustomerSource(workspace))
    alerts = WorkspaceAlertSource(workspace, user=USER)
    w.set_alert_source(alerts)
    w.set_work_source(WorkspaceMyWorkSource(workspace, user=lambda: alerts.user))
    wait_shown(qtbot, w.alerts_view, jobs)
    qtbot.waitUntil(lambda: bool(w.alerts_view.action_pane.playbooks.menu.actions()))
    return w


def first_contactable_card(qtbot, w: MainWindow, jobs: JobRunner, workspace: Workspace) -> int:
    """Select the most urgent card whose customer is not held out nor do not contact."""
    row = db_rows(
        workspace,
        "SELECT a.id FROM alerts a JOIN customers c ON c.id = a.customer_id "
        "WHERE a.status = 'open' AND NOT a.holdout AND NOT c.do_not_contact "
        "AND a.rule_key IN ('high_risk_high_value', 'gone_quiet', 'risk_rising') "
        "AND a.customer_id NOT IN (SELECT customer_id FROM playbook_runs) "
        "ORDER BY a.priority_cents DESC LIMIT 1",
    )
    (alert_id,) = row[0]
    pane = w.alerts_view.alerts_pane
    assert pane.show_alert(alert_id) or pane.select_alert(alert_id)
    qtbot.waitUntil(
        lambda: (
            w.alerts_view.action_pane.alert is not None
            and alert_id in w.alerts_view.action_pane.alert.card_ids
            and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )
    return int(alert_id)


def menu_entry(w: MainWindow, name: str) -> QAction:
    entries = w.alerts_view.action_pane.playbooks.menu.actions()
    return next(a for a in entries if a.text().startswith(name))


def test_start_from_the_card_undo_and_do_the_step_in_my_work(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    box = window.alerts_view.action_pane.playbooks
    first_contactable_card(qtbot, window, jobs, workspace)
    customer = window.alerts_view.action_pane.alert.customer_id  # type: ignore[union-attr]
    assert box.start_button.isVisible()
    assert box.start_button.isEnabled()
    assert "None running" in box.detail_text
    # The built-in ones are offered, with their steps.
    names = [a.text() for a in box.menu.actions()]
    assert names[:3] == ["Win-back  ·  3 steps", "Onboarding check-in  ·  4 steps",
                         "Renewal save  ·  4 steps"]  # fmt: skip
    assert "Day 3 · call" in box.menu.actions()[0].toolTip()

    menu_entry(window, "Win-back").trigger()
    qtbot.waitUntil(lambda: box.title.text() == "Win-back" and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert "Next: Email today" in box.detail_text
    assert not box.start_button.isVisible()
    mine = "SELECT customer_id FROM playbook_runs WHERE started_by = ?"
    assert db_rows(workspace, mine, USER) == [(customer,)]

    # Ctrl+Z takes it back, like any other action on a card.
    shown = window.alerts_view.action_pane.alert
    assert shown is not None
    assert window.undo_history.last_label == f"Started Win-back for {shown.customer}"
    window.undo_action.trigger()
    qtbot.waitUntil(
        lambda: "None running" in box.detail_text and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    assert db_rows(workspace, mine, USER) == []

    # Again, then My work lists its email step today; Done opens the composer, and the
    # step stays to do until the email is sent (tests/gui/outreach/test_composer_step.py).
    menu_entry(window, "Win-back").trigger()
    qtbot.waitUntil(lambda: box.title.text() == "Win-back" and jobs.is_idle(), timeout=TIMEOUT_MS)
    window.tabs.setCurrentIndex(TAB_MY_WORK)
    work = window.my_work
    work.reload()
    qtbot.waitUntil(lambda: len(work.steps.model.rows) == 1 and jobs.is_idle(), timeout=TIMEOUT_MS)
    model = work.steps.model
    assert [model.index(0, c).data() for c in range(4)] == [
        "Today",
        window.alerts_view.action_pane.alert.customer,  # type: ignore[union-attr]
        "Email: We miss you: the recommended next step, personally",
        "Win-back · day 0",
    ]
    work.steps.select_row(0)
    assert work.step_actions.done_button.isEnabled()
    with qtbot.waitSignal(work.step_actions.email_step_requested, timeout=TIMEOUT_MS) as opened:
        work.step_actions.done_button.click()
    step = "SELECT id FROM playbook_steps WHERE day_offset = 0 AND done_at IS NULL"
    assert opened.args[0] == db_rows(workspace, step)[0][0]
    assert opened.args[2] == customer
    qtbot.wait(100)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    done = "SELECT COUNT(*) FROM playbook_steps WHERE done_by = ? AND day_offset = 0"
    assert db_rows(workspace, done, USER) == [(0,)]
    assert len(work.steps.model.rows) == 1


def test_an_order_stops_the_playbook_and_its_steps_leave_my_work(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    alert = first_contactable_card(qtbot, window, jobs, workspace)
    customer = window.alerts_view.action_pane.alert.customer_id  # type: ignore[union-attr]
    apply_card_action(workspace.engine, (alert,), "playbook", key="renewal_save", actor=USER)
    work = window.my_work
    work.reload()
    qtbot.waitUntil(lambda: len(work.steps.model.rows) == 1 and jobs.is_idle(), timeout=TIMEOUT_MS)
    with workspace.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO orders (customer_id, external_id, source, order_date, amount_cents, "
            "currency, status) VALUES (?, 'after-start', 'test', ?, 12000, 'USD', 'paid')",
            (customer, (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)).replace(tzinfo=None)),
        )
    work.reload()  # My work loads: the playbook's condition has cleared
    qtbot.waitUntil(lambda: not work.steps.model.rows and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert db_rows(
        workspace, "SELECT stop_reason FROM playbook_runs WHERE customer_id = ?", customer
    ) == [("ordered",)]
    window.alerts_view.reload()
    box = window.alerts_view.action_pane.playbooks
    qtbot.waitUntil(lambda: jobs.is_idle(), timeout=TIMEOUT_MS)
    window.alerts_view.alert_updated(alert)
    qtbot.waitUntil(
        lambda: "None running" in box.detail_text and jobs.is_idle(), timeout=TIMEOUT_MS
    )

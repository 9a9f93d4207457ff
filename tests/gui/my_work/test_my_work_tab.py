"""The My work tab on a real, scored demo workspace with tasks made through the services:
the lists, Space completes, undo brings the task back, Reschedule… through an injected
prompt, Enter opens the alert in the Alerts tab, the status bar's count and the notice.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from PySide6.QtCore import QSettings, Qt

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.my_work_source import WorkspaceMyWorkSource
from app.workspace import Workspace
from services.alerts.actions import apply_alert_action
from views.item_models.work_list_model import WorkListModel
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.kit.undo import UndoHistory
from views.my_work.columns import TASK_COLUMNS
from views.my_work.pane import MyWorkPane
from views.my_work.source import WorkTask
from views.shell.main_window import TAB_ALERTS, TAB_CUSTOMERS, TAB_MY_WORK, MainWindow

TIMEOUT_MS = 60_000
USER = "dana.tester"
TODAY = dt.datetime.now(dt.UTC).date()
DAY = dt.timedelta(days=1)


def db_rows(workspace: Workspace, sql: str, *params: object) -> list[tuple]:
    path = workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def open_alerts(workspace: Workspace) -> list[int]:
    """Open alerts, the highest priority first."""
    return [
        r[0]
        for r in db_rows(
            workspace, "SELECT id FROM alerts WHERE status = 'open' ORDER BY priority_cents DESC"
        )
    ]


def add_task(workspace: Workspace, alert: int, what: str, due: dt.date, actor: str = USER) -> int:
    # A task is made for today or later: an overdue one was made days ago.
    made = dt.datetime.combine(min(due, TODAY), dt.time(9), tzinfo=dt.UTC)
    change = apply_alert_action(
        workspace.engine, alert, "task", text=what, due=due, actor=actor, now=made
    )
    return change.action_ids[0]


@pytest.fixture
def tasks(workspace: Workspace) -> dict[str, int]:
    """Three tasks of the user (later, overdue, today) and one of someone else."""
    alerts = open_alerts(workspace)
    return {
        "later": add_task(workspace, alerts[0], "Send the renewal offer", TODAY + 4 * DAY),
        "overdue": add_task(workspace, alerts[1], "Call back about the refund", TODAY - 2 * DAY),
        "today": add_task(workspace, alerts[2], "Check the new order", TODAY),
        "other": add_task(workspace, alerts[3], "Lee's own task", TODAY, actor="lee"),
    }


def listed(pane: MyWorkPane) -> list[int]:
    return [t.id for t in pane.tasks.model.rows]


def done_at(workspace: Workspace, task: int) -> object:
    return db_rows(workspace, "SELECT done_at FROM actions WHERE id = ?", task)[0][0]


@pytest.fixture
def window(
    qtbot,
    jobs: JobRunner,
    workspace: Workspace,
    theme: ThemeManager,
    ui_settings: QSettings,
    tasks: dict[str, int],
) -> MainWindow:
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1400, 860)
    w.show()
    w.set_source(WorkspaceCustomerSource(workspace))
    alerts = WorkspaceAlertSource(workspace, user=USER)
    w.set_alert_source(alerts)
    w.set_work_source(WorkspaceMyWorkSource(workspace, user=lambda: alerts.user))
    qtbot.waitUntil(lambda: w.my_work.work is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return w


def test_lists_my_tasks_overdue_first_and_says_so_at_start_up(
    window: MainWindow, tasks: dict[str, int]
) -> None:
    pane = window.my_work
    assert listed(pane) == [tasks["overdue"], tasks["today"], tasks["later"]]
    model = pane.tasks.model
    assert model.index(0, 0).data() == "2 days overdue"
    assert model.index(1, 0).data() == "Today"
    assert model.index(0, 2).data() == "Call back about the refund"
    assert pane.tasks.title.text() == "Open tasks · 3"
    # The status bar counts overdue and today; the tooltip lists them.
    assert "2 tasks due" in pane.due_label.text()
    assert pane.due_label.isVisible()
    assert "Call back about the refund" in pane.due_label.toolTip()
    # The window opened on the Alerts tab: a notice says tasks are due, with a link.
    assert window.tabs.currentIndex() == TAB_ALERTS
    assert pane.notice.isVisible()
    assert "1 task overdue and 1 due today." in pane.notice_text.text()
    pane.notice_text.linkActivated.emit("my-work")
    assert window.tabs.currentIndex() == TAB_MY_WORK
    assert not pane.notice.isVisible()


def test_everyone_lists_other_users_tasks(
    qtbot, window: MainWindow, jobs: JobRunner, tasks: dict[str, int]
) -> None:
    pane = window.my_work
    assert tasks["other"] not in listed(pane)
    pane.everyone_box.setChecked(True)
    qtbot.waitUntil(lambda: tasks["other"] in listed(pane) and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert len(listed(pane)) == 4


def test_space_completes_a_task_and_undo_brings_it_back(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace, tasks: dict[str, int]
) -> None:
    window.menus.tab_actions[TAB_MY_WORK].trigger()  # Ctrl+4
    assert window.tabs.currentIndex() == TAB_MY_WORK
    pane = window.my_work
    assert pane.select_task(tasks["overdue"])
    pane.tasks.table.setFocus()

    qtbot.keyClick(pane.tasks.table, Qt.Key.Key_Space)

    qtbot.waitUntil(
        lambda: tasks["overdue"] not in listed(pane) and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    assert done_at(workspace, tasks["overdue"]) is not None
    assert "1 task due" in pane.due_label.text()
    assert window.undo_bar.isVisible()
    assert window.undo_bar.text.text().startswith("Completed task for ")
    assert window.undo_bar.text.text().endswith(": Call back about the refund")

    window.undo_bar.undo_button.click()

    qtbot.waitUntil(lambda: tasks["overdue"] in listed(pane) and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert done_at(workspace, tasks["overdue"]) is None
    assert "2 tasks due" in pane.due_label.text()
    assert window.undo_bar.text.text().startswith("Undone: completed task for ")


def test_a_task_made_in_the_alerts_tab_updates_the_list_and_the_count(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace, tasks: dict[str, int]
) -> None:
    pane = window.my_work
    alert = open_alerts(workspace)[5]
    # What the action pane sends for T (its prompt answered "Ring them", due today).
    window.alerts_view.action_pane.action_requested.emit(
        [alert], "task", {"text": "Ring them", "due": TODAY}
    )
    qtbot.waitUntil(lambda: len(listed(pane)) == 4 and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert "3 tasks due" in pane.due_label.text()
    assert "Ring them" in pane.due_label.toolTip()


def test_enter_opens_the_tasks_alert_in_the_alerts_tab(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace, tasks: dict[str, int]
) -> None:
    alert = db_rows(workspace, "SELECT alert_id FROM actions WHERE id = ?", tasks["later"])[0][0]
    # Snoozed, so that the Alerts tab's filters (active alerts) hide it at first.
    apply_alert_action(workspace.engine, alert, "snooze", until=TODAY + 2 * DAY, actor=USER)
    window.alerts_view.reload()
    window.tabs.setCurrentIndex(TAB_MY_WORK)
    pane = window.my_work
    qtbot.waitUntil(
        lambda: pane.snoozed.model.rowCount() == 1 and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    back = TODAY + 2 * DAY
    year = f", {back.year}" if back.year != TODAY.year else ""
    assert (
        pane.snoozed.model.index(0, 0).data()
        == f"In 2 days ({back:%a}, {back:%b} {back.day}{year})"
    )
    assert pane.select_task(tasks["later"])
    pane.tasks.table.setFocus()

    qtbot.keyClick(pane.tasks.table, Qt.Key.Key_Return)

    assert window.tabs.currentIndex() == TAB_ALERTS
    alerts_pane = window.alerts_view.alerts_pane
    assert alerts_pane.current_alert_id == alert
    assert alerts_pane.query_note.isVisible()  # the filters were widened, and it says so
    qtbot.waitUntil(
        lambda: (
            window.alerts_view.action_pane.alert is not None
            and window.alerts_view.action_pane.alert.id == alert
            and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )


def test_double_click_on_a_snoozed_alert_opens_it(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    alert = open_alerts(workspace)[6]
    apply_alert_action(workspace.engine, alert, "snooze", until_clear=True, actor=USER)
    window.alerts_view.reload()
    window.tabs.setCurrentIndex(TAB_MY_WORK)
    section = window.my_work.snoozed
    qtbot.waitUntil(lambda: section.model.rowCount() == 1 and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert section.model.index(0, 0).data() == "When the condition clears"
    assert section.title.text() == "Coming back from snooze · 1"
    table = section.table
    cell = table.visualRect(section.model.index(0, 1)).center()

    # A real double click: press and release, then the double click (Qt's views want
    # the first press on the same row).
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)

    assert window.tabs.currentIndex() == TAB_ALERTS
    assert window.alerts_view.alerts_pane.current_alert_id == alert
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def test_open_shows_the_customer_when_the_alert_is_gone(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace, tasks: dict[str, int]
) -> None:
    alert, customer = db_rows(
        workspace, "SELECT alert_id, customer_id FROM actions WHERE id = ?", tasks["today"]
    )[0]
    path = workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA foreign_keys = ON")  # the task's alert_id becomes NULL
        con.execute("DELETE FROM alerts WHERE id = ?", (alert,))
        con.commit()
    finally:
        con.close()
    window.tabs.setCurrentIndex(TAB_MY_WORK)  # reads the lists again
    pane = window.my_work

    def gone() -> bool:
        task = next(t for t in pane.tasks.model.rows if t.id == tasks["today"])
        return task.alert_id is None and jobs.is_idle()

    qtbot.waitUntil(gone, timeout=TIMEOUT_MS)
    assert pane.select_task(tasks["today"])
    row = pane.tasks.table.currentIndex().row()
    assert pane.tasks.model.index(row, 3).data() == "No alert"

    pane.open_button.click()

    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    qtbot.waitUntil(
        lambda: (
            window.detail_pane.detail is not None
            and window.detail_pane.detail.id == customer
            and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )


def test_reschedule_through_the_prompt_and_undo(
    qtbot, jobs: JobRunner, workspace: Workspace, tasks: dict[str, int]
) -> None:
    asked: list[WorkTask] = []
    new_due = TODAY + 10 * DAY

    def ask_date(task: WorkTask) -> dt.date | None:
        asked.append(task)
        return new_due

    history = UndoHistory(jobs)
    alerts = WorkspaceAlertSource(workspace, user=USER)
    history.set_undoer(alerts.undo_change)
    pane = MyWorkPane(jobs, ask_date=ask_date)
    qtbot.addWidget(pane)
    pane.set_undo_history(history)
    pane.resize(1200, 700)
    pane.show()
    pane.set_source(WorkspaceMyWorkSource(workspace, user=lambda: USER))
    qtbot.waitUntil(lambda: pane.work is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert pane.select_task(tasks["today"])

    with qtbot.waitSignal(pane.work_loaded, timeout=TIMEOUT_MS):
        pane.reschedule_button.click()

    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert [t.id for t in asked] == [tasks["today"]]
    due = db_rows(workspace, "SELECT due_date FROM actions WHERE id = ?", tasks["today"])[0][0]
    assert due == new_due.isoformat()
    assert listed(pane)[-1] == tasks["today"]  # now the latest
    assert history.last_label is not None
    assert history.last_label.startswith("Rescheduled task for ")
    audit = db_rows(
        workspace, "SELECT actor FROM audit_events WHERE action = 'alert.task_rescheduled'"
    )
    assert audit == [(USER,)]

    history.undo_last()

    qtbot.waitUntil(
        lambda: (
            listed(pane) == [tasks["overdue"], tasks["today"], tasks["later"]] and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )
    due = db_rows(workspace, "SELECT due_date FROM actions WHERE id = ?", tasks["today"])[0][0]
    assert due == TODAY.isoformat()


def test_a_cancelled_prompt_changes_nothing(
    qtbot, jobs: JobRunner, workspace: Workspace, tasks: dict[str, int]
) -> None:
    pane = MyWorkPane(jobs, ask_date=lambda _task: None)
    qtbot.addWidget(pane)
    pane.set_source(WorkspaceMyWorkSource(workspace, user=lambda: USER))
    qtbot.waitUntil(lambda: pane.work is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert pane.select_task(tasks["later"])
    pane.reschedule_current()
    assert jobs.is_idle()
    assert db_rows(
        workspace, "SELECT COUNT(*) FROM audit_events WHERE action LIKE '%resched%'"
    ) == [(0,)]


def test_the_task_model_passes_the_model_tester(
    qtbot, qtmodeltester, window: MainWindow, jobs: JobRunner, tasks: dict[str, int]
) -> None:
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    rows = window.my_work.tasks.model.rows
    assert len(rows) == 3
    model = WorkListModel(TASK_COLUMNS)
    model.set_rows(rows)
    qtmodeltester.check(model)
    for section in (window.my_work.snoozed, window.my_work.follow_ups):
        qtmodeltester.check(section.model)


def test_who_i_am_is_whom_mine_means_in_my_work_too(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace, ui_settings: QSettings
) -> None:
    """File ▸ Who I am… (the window's set_owner_name) reaches My work as well as the Alerts
    tab; and at start-up the identity's name wins over the owner picked last time."""
    assert window.my_work.work is not None
    assert window.my_work.work.owner is None
    window.set_owner_name("Pat Owner")
    qtbot.waitUntil(
        lambda: window.my_work.work is not None and window.my_work.work.owner == "Pat Owner",
        timeout=TIMEOUT_MS,
    )
    ui_settings.setValue("alerts/owner", "Someone Else")
    window.set_work_source(WorkspaceMyWorkSource(workspace, user=lambda: USER), owner_name="Kim")
    qtbot.waitUntil(
        lambda: window.my_work.work is not None and window.my_work.work.owner == "Kim",
        timeout=TIMEOUT_MS,
    )
    window.set_work_source(WorkspaceMyWorkSource(workspace, user=lambda: USER))
    qtbot.waitUntil(
        lambda: (
            window.my_work.work is not None
            and window.my_work.work.owner == "Someone Else"
            and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )

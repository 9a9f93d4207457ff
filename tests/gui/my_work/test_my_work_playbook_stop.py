"""Stop playbook… beside Done and Skip in My work's Playbook steps: the
playbook stops (its steps leave the list, its reason in the audit) and Ctrl+Z brings
them back."""

from __future__ import annotations

from app.workspace import Workspace
from services.alerts.actions import apply_card_action
from tests.gui.alerts.test_alerts_window import db_rows
from tests.gui.alerts.test_playbooks_window import (
    TIMEOUT_MS,
    USER,
    first_contactable_card,
    window,
)
from views.kit.jobs import JobRunner
from views.my_work.columns import notice_words
from views.shell.main_window import TAB_MY_WORK, MainWindow

__all__ = ["window"]  # the window fixture of the playbooks' window test


def test_stop_a_playbook_from_its_step_and_undo(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    alert = first_contactable_card(qtbot, window, jobs, workspace)
    customer = window.alerts_view.action_pane.alert.customer_id  # type: ignore[union-attr]
    apply_card_action(workspace.engine, (alert,), "playbook", key="win_back", actor=USER)
    window.tabs.setCurrentIndex(TAB_MY_WORK)
    work = window.my_work
    actions = work.step_actions
    work.reload()
    qtbot.waitUntil(lambda: len(work.steps.model.rows) == 1 and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert actions.stop_button.isVisible()
    assert not actions.stop_button.isEnabled()  # no step selected yet
    work.steps.select_row(0)
    assert actions.stop_button.isEnabled()

    asked = []
    actions._ask_stop = lambda step: asked.append(step) or ""  # Stop, no reason given
    actions.stop_button.click()
    qtbot.waitUntil(lambda: not work.steps.model.rows and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert [s.playbook for s in asked] == ["Win-back"]
    run = "SELECT stop_reason, stopped_by FROM playbook_runs WHERE customer_id = ?"
    assert db_rows(workspace, run, customer) == [("stopped", USER)]
    audited = "SELECT actor FROM audit_events WHERE action = 'alert.playbook_stopped'"
    assert db_rows(workspace, audited) == [(USER,)]
    assert window.undo_history.last_label.startswith("Stopped Win-back for ")

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: len(work.steps.model.rows) == 1 and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert db_rows(workspace, run, customer) == [(None, None)]


def test_a_playbook_step_due_today_is_counted_as_due(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    """The status bar, its tooltip and the start-up notice count a step due by the
    tasks' rule (overdue or due today): never "No tasks due" while one waits."""
    alert = first_contactable_card(qtbot, window, jobs, workspace)
    work = window.my_work
    qtbot.waitUntil(lambda: work.work is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert work.work is not None
    assert not work.work.steps
    before = work.work
    apply_card_action(workspace.engine, (alert,), "playbook", key="win_back", actor=USER)
    work.reload()
    qtbot.waitUntil(lambda: len(work.steps.model.rows) == 1 and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert work.work is not None
    tasks = len(before.due_tasks)
    assert len(work.work.due_tasks) == tasks
    (step,) = work.work.steps
    label = work.due_label.text()
    assert "1 playbook step due" in label
    assert "No tasks due" not in label
    assert "Nothing due" not in label
    assert step.text in work.due_label.toolTip()
    assert "1 playbook step" in notice_words(work.work)
    assert "due today." in notice_words(work.work)

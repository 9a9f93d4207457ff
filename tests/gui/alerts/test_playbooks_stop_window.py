"""Stop playbook… on the card's PLAYBOOK box in the real window: it asks for
an optional reason (Cancel changes nothing), stops the run (audited, said in the card's
history), and Ctrl+Z puts it back running with its steps."""

from __future__ import annotations

from app.workspace import Workspace
from tests.gui.alerts.test_alerts_window import db_rows
from tests.gui.alerts.test_playbooks_window import (
    TIMEOUT_MS,
    USER,
    first_contactable_card,
    menu_entry,
    window,
)
from views.kit.jobs import JobRunner
from views.shell.main_window import MainWindow

__all__ = ["window"]  # the window fixture, shared with the start test

RUN = "SELECT stop_reason, stopped_by FROM playbook_runs WHERE customer_id = ?"


def test_stop_from_the_card_with_a_reason_and_undo(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    pane = window.alerts_view.action_pane
    box = pane.playbooks
    first_contactable_card(qtbot, window, jobs, workspace)
    customer = pane.alert.customer_id  # type: ignore[union-attr]
    assert not box.stop_button.isVisible()  # nothing runs yet
    menu_entry(window, "Win-back").trigger()
    qtbot.waitUntil(lambda: box.title.text() == "Win-back" and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert box.stop_button.isVisible()
    assert box.stop_button.isEnabled()
    assert box.stop_button.text() == "Stop playbook…"

    asked: list[tuple[str, str]] = []

    def cancel(who: str, name: str) -> str | None:
        asked.append((who, name))
        return None

    box._ask_stop = cancel  # Cancel: nothing changes
    box.stop_button.click()
    assert asked == [(pane.alert.customer, "Win-back")]  # type: ignore[union-attr]
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert db_rows(workspace, RUN, customer) == [(None, None)]

    box._ask_stop = lambda _who, _name: "They renewed by phone"
    box.stop_button.click()
    qtbot.waitUntil(
        lambda: "None running" in box.detail_text and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    assert db_rows(workspace, RUN, customer) == [("stopped", USER)]
    assert box.start_button.isVisible()
    assert not box.stop_button.isVisible()
    assert "Playbook stopped (by hand): Win-back: They renewed by phone" in pane.history.text()
    shown = pane.alert
    assert shown is not None
    assert window.undo_history.last_label == f"Stopped Win-back for {shown.customer}"

    # Ctrl+Z: it runs again, with its steps.
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: box.title.text() == "Win-back" and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert db_rows(workspace, RUN, customer) == [(None, None)]
    assert "Next: Email today" in box.detail_text
    assert box.stop_button.isVisible()

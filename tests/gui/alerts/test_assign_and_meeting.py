"""Assign… (A) and Schedule a meeting… (M) in the real window on a scored demo workspace:
the card goes to the teammate (shown on the card as "→ Name"), Ctrl+Z gives it back; a
meeting writes an .ics with the customer as attendee and logs the meeting and its
follow-up as tasks, which Ctrl+Z takes back. The prompts are the tests' own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from icalendar import Calendar
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from services.core.working_days import add_working_days
from tests.gui.shell.test_undo import TIMEOUT_MS, rows, settle, show_contactable_card, wait_idle
from views.alerts.meeting_dialog import MeetingAnswer, MeetingDialog
from views.alerts.team_prompts import TeamPrompts
from views.item_models.alert_list_model import assignee_text
from views.kit.assign_dialog import AssignDialog
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager, ThemeMode
from views.shell.main_window import TAB_CUSTOMERS, MainWindow

USER = "Sam Reed"


class Answers:
    """What the user answers; what they were asked."""

    def __init__(self, tmp_path: Path) -> None:
        self.to: str | None = None
        self.offered: Sequence[str] = ()
        self.meeting: MeetingAnswer | None = None
        self.reasons: Sequence[str] = ()
        self.path: Path | None = tmp_path / "meeting.ics"
        self.opened: list[Path] = []

    def assign(self, _customer: str, _owner: str | None, names: Sequence[str]) -> str | None:
        self.offered = names
        return self.to

    def ask_meeting(self, _c: str, _e: str | None, why: Sequence[str]) -> MeetingAnswer | None:
        self.reasons = why
        return self.meeting

    def open_file(self, path: Path) -> bool:
        self.opened.append(path)
        return True


@pytest.fixture
def answers(tmp_path: Path) -> Answers:
    return Answers(tmp_path)


@pytest.fixture
def window(
    qtbot,
    qapp: QApplication,
    jobs: JobRunner,
    workspace: Workspace,
    ui_settings: QSettings,
    answers: Answers,
) -> Iterator[MainWindow]:
    theme = ThemeManager(qapp, ThemeMode.LIGHT)
    w = MainWindow(jobs, theme, ui_settings)
    w.alerts_view.action_pane.team = TeamPrompts(
        ask_assign=answers.assign,
        ask_meeting=answers.ask_meeting,
        ask_path=lambda _name: answers.path,
        open_file=answers.open_file,
    )
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.set_source(WorkspaceCustomerSource(workspace, user=lambda: USER))
    w.set_alert_source(WorkspaceAlertSource(workspace, user=USER))
    wait_idle(qtbot, w, jobs)
    yield w
    theme.deleteLater()


def test_a_assigns_the_card_to_a_teammate_and_ctrl_z_gives_it_back(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace, answers: Answers
) -> None:
    view = window.alerts_view
    alert = view.action_pane.alert
    assert alert is not None
    was = alert.owner
    to = next(t for t in alert.teammates if t != was)
    answers.to = to
    view.alerts_pane.focus_list()
    qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.undo_bar.isVisible(), timeout=TIMEOUT_MS)
    assert window.undo_bar.text.text() == f"Assigned {alert.customer} to {to}"
    assert answers.offered == alert.teammates
    owner = "SELECT owner FROM customers WHERE id = ?"
    assert rows(workspace, owner, alert.customer_id) == [(to,)]
    wait_idle(qtbot, window, jobs)
    # The card says whose it is now, and its history who assigned it.
    model = view.alerts_pane.model
    row = model.row_of(alert.id)
    assert model.record(row)["owner"] == to
    assert assignee_text(to) == f"→ {to}"
    qtbot.waitUntil(lambda: f"Assigned to {to}" in view.action_pane.history.text())
    actors = rows(
        workspace,
        "SELECT actor FROM audit_events WHERE action = 'customer.assigned' AND entity_id = ?",
        alert.customer_id,
    )
    assert actors == [(USER,)]

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: window.undo_bar.text.text().startswith("Undone: assigned"), timeout=TIMEOUT_MS
    )
    wait_idle(qtbot, window, jobs)
    assert rows(workspace, owner, alert.customer_id) == [(was,)]
    assert model.record(model.row_of(alert.id))["owner"] == was


def test_cancelling_assign_changes_nothing(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace, answers: Answers
) -> None:
    alert = window.alerts_view.action_pane.alert
    assert alert is not None
    answers.to = None
    window.alerts_view.action_pane.trigger("assign")
    assert answers.offered  # asked
    assert not window.undo_bar.isVisible()
    assert rows(workspace, "SELECT count(*) FROM audit_events WHERE action LIKE '%assigned'") == [
        (0,)
    ]


def test_m_writes_the_invitation_and_logs_the_meeting_with_a_follow_up(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace, answers: Answers
) -> None:
    view = window.alerts_view
    alert = show_contactable_card(qtbot, window, jobs)
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=3), dt.time(15, 0))
    answers.meeting = MeetingAnswer("Renewal chat", start.astimezone(), 45, "save")
    tasks = "SELECT title, due_date FROM actions WHERE customer_id = ? AND kind = 'task'"
    before = rows(workspace, tasks, alert.customer_id)
    view.alerts_pane.focus_list()
    qtbot.keyClick(view.alerts_pane.list, Qt.Key.Key_M)
    qtbot.waitUntil(lambda: window.undo_bar.isVisible(), timeout=TIMEOUT_MS)
    assert answers.path is not None
    (event,) = Calendar.from_ical(answers.path.read_bytes()).walk("VEVENT")
    assert str(event["attendee"]) == f"mailto:{alert.email}"
    assert event.decoded("dtstart") == start.astimezone()
    assert str(event["summary"]) == "Renewal chat"
    assert all(reason in str(event["description"]) for reason in answers.reasons)
    added = sorted(set(rows(workspace, tasks, alert.customer_id)) - set(before))
    assert added == sorted(
        [
            ("Meeting at 15:00 (45 min): Renewal chat", start.date().isoformat()),
            (
                f"Follow up on the meeting with {alert.customer}: Renewal chat",
                add_working_days(start.date(), 1).isoformat(),  # never on a weekend
            ),
        ]
    )
    wait_idle(qtbot, window, jobs)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: window.undo_bar.text.text().startswith("Undone: meeting"), timeout=TIMEOUT_MS
    )
    assert rows(workspace, tasks, alert.customer_id) == before


def test_open_in_calendar_app_opens_the_written_file(
    qtbot, window: MainWindow, jobs: JobRunner, answers: Answers
) -> None:
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(9, 30))
    answers.meeting = MeetingAnswer("Check-in", start.astimezone(), 30, "open")
    show_contactable_card(qtbot, window, jobs)
    window.alerts_view.action_pane.trigger("meeting")
    qtbot.waitUntil(lambda: window.undo_bar.isVisible(), timeout=TIMEOUT_MS)
    (opened,) = answers.opened
    assert opened.suffix == ".ics"
    assert b"SUMMARY:Check-in" in opened.read_bytes()
    wait_idle(qtbot, window, jobs)


def test_the_dialogs_at_1366(qtbot, window: MainWindow) -> None:
    alert = window.alerts_view.action_pane.alert
    assert alert is not None
    assign = AssignDialog(alert.customer, alert.owner, alert.teammates, window)
    qtbot.addWidget(assign)
    assign.show()
    ok = assign.buttons.buttons()[0]
    assert not ok.isEnabled()  # nobody chosen yet
    assign.who.setCurrentIndex(0)
    assert ok.isEnabled()
    # A teammate typed in other capitals is that teammate, as the list spells them; a
    # new name stays as typed.
    teammate = assign.who.itemText(0)
    assign.who.setEditText(f"  {teammate.upper()} ")
    assert assign.chosen == teammate
    assign.who.setEditText("Someone  New")
    assert assign.chosen == "Someone New"
    assign.grab().save("/tmp/assign_dialog.png")
    meeting = MeetingDialog(alert.customer, alert.email, ["No order in 94 days"], window)
    qtbot.addWidget(meeting)
    meeting.show()
    meeting.title.clear()
    meeting.save_button.click()
    assert meeting.warning.text() == "Give the meeting a title."
    assert meeting.how == ""
    meeting.title.setText("Renewal")
    meeting.open_button.click()
    assert meeting.how == "open"
    assert meeting.answer().minutes == 30
    meeting.grab().save("/tmp/meeting_dialog.png")
    window.grab().save("/tmp/alerts_assign_window.png")


def test_the_customers_table_shows_an_assignment_done_in_the_alerts_tab(
    qtbot, window: MainWindow, jobs: JobRunner, answers: Answers
) -> None:
    """Without a click on the customer's row: the table reads the owners anew when it
    shows, and at once while it is on screen (an undo from there)."""
    from tests.gui.customers.test_assign_customer import owner_cell

    view = window.alerts_view
    alert = view.action_pane.alert
    assert alert is not None
    qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert owner_cell(window, alert.customer_id) == alert.owner
    # The Customers tab shows another customer (its first row may be this one), so the
    # owner can only come from reading the table anew, not from selecting its row.
    model = window.customers_pane.model
    other = next(
        cid
        for cid in (model.customer_id(r) for r in range(model.rowCount()))
        if cid is not None and cid != alert.customer_id
    )
    assert window.customers_pane.select_customer(other)
    answers.to = to = next(t for t in alert.teammates if t != alert.owner)
    view.action_pane.trigger("assign")
    qtbot.waitUntil(lambda: window.undo_bar.isVisible(), timeout=TIMEOUT_MS)
    wait_idle(qtbot, window, jobs)
    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    qtbot.waitUntil(
        lambda: owner_cell(window, alert.customer_id) == to and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    assert window.customers_pane.current_customer_id() == other  # never clicked
    window.undo_action.trigger()
    qtbot.waitUntil(
        lambda: owner_cell(window, alert.customer_id) == alert.owner and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    settle(qtbot, jobs)

"""The My work tab: what the user opens every morning.

Four lists, each with its count and a plain sentence when empty: open tasks (overdue
first, then today, then later), the playbook steps due (Done, Skip), snoozed alerts
coming back within a week, and alerts in progress gone quiet (follow-ups); while any
wait, the renewals that want the owner's call (views/my_work/renewals.py). "Everyone's"
lists every user's work instead: a team lead's view of the team.

On a task: Complete (Space), Reschedule… (a date prompt), Open (Enter or a double
click: the alert in the Alerts tab, or the customer when the alert is gone). On a
snooze or a follow-up: Open. Every change is pushed on the window's undo history.

The pane also owns two small widgets the window places: ``due_label``, the status bar's
"3 tasks due" link, and ``notice``, the banner that says at start-up that tasks are due.
Loading and every change run on the job runner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import format_date
from services.core.working_days import add_working_days
from views.kit.formatting import date_edit
from views.kit.theme import Theme
from views.kit.undo import UndoHistory
from views.my_work.columns import (
    FOLLOW_UP_COLUMNS,
    SNOOZE_COLUMNS,
    TASK_COLUMNS,
    due_summary,
    due_tooltip,
    notice_words,
)
from views.my_work.notices import NoticesSection
from views.my_work.overdue import overdue_section
from views.my_work.playbook_steps import EMPTY_STEPS, STEP_COLUMNS, StepActions
from views.my_work.renewals import RenewalsSection
from views.my_work.section import WorkSection
from views.my_work.source import (
    FOLLOW_UP_DAYS,
    SNOOZE_HORIZON_DAYS,
    MyWork,
    MyWorkSource,
    Undoable,
    WorkFollowUp,
    WorkNotice,
    WorkOverdue,
    WorkRenewal,
    WorkSnooze,
    WorkStep,
    WorkTask,
)

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState

# Asks for a task's new due date (None: cancelled); tests inject their own.
DatePrompt = Callable[[WorkTask], dt.date | None]

EMPTY_TASKS = "No open tasks. A task you add to an alert (T in the Alerts tab) shows here."
EMPTY_SNOOZED = f"No snoozed alert comes back in the next {SNOOZE_HORIZON_DAYS} days."
EMPTY_FOLLOW_UPS = (
    f"Nothing to chase: no alert in progress has been quiet for {FOLLOW_UP_DAYS} days "
    "since a call or an email."
)


class RescheduleDialog(QDialog):
    """A new due date for a task: today or later."""

    def __init__(
        self, task: WorkTask, parent: QWidget | None = None, *, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reschedule the task")
        today = today or dt.date.today()  # the user's day, as QDate.currentDate()
        day = add_working_days(max(task.due_date, today), 1)  # the next working day
        self.due = date_edit(self, day, earliest=today)
        form = QFormLayout()
        form.addRow("Task", QLabel(f"{task.title} ({task.customer})", self))
        form.addRow("Due now", QLabel(format_date(task.due_date), self))
        form.addRow("New due date", self.due)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)


def _ask_date(parent: QWidget, task: WorkTask) -> dt.date | None:
    dialog = RescheduleDialog(task, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    day = dialog.due.date()
    return dt.date(day.year(), day.month(), day.day())


class MyWorkPane(QWidget):
    """The user's tasks, snoozes coming back and follow-ups, with the task actions.

    Signals:
        open_requested(alert_id, customer_id): show this alert (0: none, show the
            customer) in its tab.
        show_requested(): the status bar's link or the notice asked for this tab.
        work_loaded(work): a list arrived (MyWork); the window's count follows it.
        task_changed(alert_id): a task was completed or rescheduled (0: no alert).
    """

    open_requested = Signal(int, int)
    show_requested = Signal()
    work_loaded = Signal(object)
    task_changed = Signal(int)

    def __init__(  # noqa: PLR0915
        self,
        jobs: JobRunner,
        parent: QWidget | None = None,
        *,
        ask_date: DatePrompt | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._ask_date = ask_date or (lambda task: _ask_date(self, task))
        self._source: MyWorkSource | None = None
        self._owner: str | None = None
        self._history: UndoHistory | None = None
        self._busy = False
        self._notice_pending = False
        self.work: MyWork | None = None

        title = QLabel("My work", self)
        title.setObjectName("paneTitle")
        self.who_label = QLabel("", self)
        self.who_label.setObjectName("rowCount")
        self.everyone_box = QCheckBox("Everyone's", self)
        self.everyone_box.setObjectName("everyoneFilter")
        self.everyone_box.setToolTip("Show every user's tasks, snoozes and follow-ups")
        self.everyone_box.toggled.connect(self._on_everyone_box_toggled)
        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(title)
        top.addWidget(self.who_label)
        top.addStretch(1)
        top.addWidget(self.everyone_box)

        self.tasks = WorkSection("Open tasks", TASK_COLUMNS, EMPTY_TASKS, self, keep_current=True)
        self.tasks.table.setObjectName("workTasks")
        self.complete_button = QPushButton("Complete", self)
        self.complete_button.setObjectName("completeTask")
        self.complete_button.setToolTip("Mark the selected task done (Space)")
        self.complete_button.clicked.connect(self.complete_current)
        self.reschedule_button = QPushButton("Reschedule…", self)
        self.reschedule_button.setToolTip("Give the selected task another due date")
        self.reschedule_button.clicked.connect(self.reschedule_current)
        self.open_button = QPushButton("Open", self)
        self.open_button.setToolTip("Show the task's alert in the Alerts tab (Enter)")
        self.open_button.clicked.connect(self._on_open_button_clicked)
        for button in (self.complete_button, self.reschedule_button, self.open_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self.tasks.top.addWidget(button)
        self.tasks.table.installEventFilter(self)
        self.tasks.activated.connect(self._on_section_activated)
        self.tasks.table.selectionModel().currentChanged.connect(self._update_buttons)

        self.snoozed = WorkSection(
            "Coming back from snooze",
            SNOOZE_COLUMNS,
            EMPTY_SNOOZED,
            self,
            hint=f"next {SNOOZE_HORIZON_DAYS} days",
        )
        self.snoozed.table.setObjectName("workSnoozed")
        self.snoozed.activated.connect(self._on_section_activated)
        self.follow_ups = WorkSection(
            "Follow up",
            FOLLOW_UP_COLUMNS,
            EMPTY_FOLLOW_UPS,
            self,
            hint=f"in progress, quiet for {FOLLOW_UP_DAYS}+ days",
        )
        self.follow_ups.table.setObjectName("workFollowUps")
        self.follow_ups.activated.connect(self._on_section_activated)
        # Playbook steps due (views/my_work/playbook_steps.py): Done, Skip, Open (Enter).
        self.steps = WorkSection(
            "Playbook steps", STEP_COLUMNS, EMPTY_STEPS, self, hint="due today or overdue"
        )
        self.steps.table.setObjectName("workSteps")
        self.step_actions = StepActions(self, jobs, self.steps.current, self.reload)
        self.steps.top.addWidget(self.step_actions.done_button)
        self.steps.top.addWidget(self.step_actions.skip_button)
        self.steps.top.addWidget(self.step_actions.stop_button)
        self.steps.activated.connect(self._on_section_activated)
        self.steps.table.selectionModel().currentChanged.connect(self.step_actions.update_buttons)
        self.step_actions.step_changed.connect(self.task_changed)
        self.steps.fit_columns((130, 170, 600))  # the step's text first, the playbook after
        self.tasks.fit_columns((140, 180, 400, 260))
        self.snoozed.fit_columns((180, 150))
        self.follow_ups.fit_columns((130, 175))

        # Mentions and hand-overs waiting for the user (views/my_work/notices.py).
        self.notices = NoticesSection(jobs, lambda: self._source, self, changed=self.reload)
        self.notices.activated.connect(self._on_section_activated)
        # Renewal calls due and calls the model disagrees with (views/my_work/renewals.py).
        self.renewals = RenewalsSection(self)
        self.renewals.activated.connect(self._on_section_activated)

        self.message = QLabel("No workspace open.", self)
        self.message.setObjectName("emptyState")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)

        bottom = QHBoxLayout()
        bottom.setSpacing(16)
        self.overdue = overdue_section(self)  # views/my_work/overdue.py
        self.overdue.activated.connect(self._on_section_activated)
        bottom.addWidget(self.overdue, 1)
        bottom.addWidget(self.snoozed, 1)
        bottom.addWidget(self.follow_ups, 1)
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 8)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.notices)
        layout.addWidget(self.tasks, 3)
        layout.addWidget(self.steps, 2)
        layout.addWidget(self.renewals, 1)
        layout.addLayout(bottom, 2)

        # Placed by the window: the status bar's count and the start-up notice.
        self.due_label = QLabel("", self)
        self.due_label.setObjectName("dueTasks")
        self.due_label.setTextFormat(Qt.TextFormat.RichText)
        self.due_label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.due_label.linkActivated.connect(self._on_link_activated)
        self.due_label.hide()
        self.notice = QFrame(self)
        self.notice.setObjectName("workNotice")
        self.notice_text = QLabel("", self.notice)
        self.notice_text.setObjectName("workNoticeText")
        self.notice_text.setTextFormat(Qt.TextFormat.RichText)
        self.notice_text.linkActivated.connect(self._on_link_activated)
        close = QPushButton("×", self.notice)
        close.setObjectName("workNoticeClose")
        close.setFlat(True)
        close.setToolTip("Hide")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(self.notice.hide)
        notice_layout = QHBoxLayout(self.notice)
        notice_layout.setContentsMargins(12, 4, 6, 4)
        notice_layout.addWidget(self.notice_text, 1)
        notice_layout.addWidget(close)
        self.notice.hide()
        self._show_state()

    # -- loading ------------------------------------------------------------------------

    def set_source(self, source: MyWorkSource | None, *, owner: str | None = None) -> None:
        """Show a workspace's work (None: nothing open); the first list that has tasks
        due raises the notice."""
        self._source = source
        self._owner = owner
        self.work = None
        self.notice.hide()
        self._notice_pending = source is not None
        self.step_actions.set_source(source)
        for section in (self.notices, self.tasks, self.steps, self.snoozed, self.follow_ups,
                        self.renewals):  # fmt: skip
            section.set_rows(())
        self.overdue.set_rows(())
        self._show_outside(self.due_label, source is not None)
        self.due_label.setText("")
        self._show_state()
        if source is not None:
            self.reload()

    def set_owner(self, owner: str | None) -> None:
        """The owner name "Mine" matches changed: list that owner's work too."""
        if owner != self._owner:
            self._owner = owner
            self.reload()

    def set_undo_history(self, history: UndoHistory | None) -> None:
        self._history = history
        self.step_actions.set_undo_history(history)

    def reload(self) -> None:
        """Read the lists again (after any change to tasks or alerts)."""
        source = self._source
        if source is None:
            return
        owner, everyone = self._owner, self.everyone_box.isChecked()

        def task(_state: TaskState) -> MyWork:
            return source.load_my_work(owner=owner, everyone=everyone)

        (
            self._jobs.operation(task, parent=self, key=("my_work.load", id(self)))
            .success(self._on_work_loaded)
            .failure(self._jobs.present_error)
            .run()
        )

    def _on_work_loaded(self, work: MyWork) -> None:
        if self._source is None:
            return
        self.work = work
        who = "everyone" if work.everyone else work.user
        if work.owner and not work.everyone:
            who += f" and customers of {work.owner}"
        self.who_label.setText(f"for {who} · today is {format_date(work.today)} (UTC)")
        self.tasks.set_rows(work.tasks)
        self.notices.set_rows(work.notices)
        self.steps.set_rows(work.steps)
        self.renewals.show_work(work)
        # An empty list gives its room to the others (a sentence needs one line).
        self._layout.setStretchFactor(self.tasks, 3 if work.tasks else 0)
        self._layout.setStretchFactor(self.steps, 2 if work.steps else 0)
        self._layout.setStretchFactor(self.renewals, 1 if work.renewals else 0)
        self.step_actions.update_buttons()
        self.overdue.set_rows(work.overdue_alerts)
        self.snoozed.set_rows(work.snoozed)
        self.follow_ups.set_rows(work.follow_ups)
        self.due_label.setText(f'<a href="my-work">{due_summary(work)}</a>')
        self.due_label.setToolTip(due_tooltip(work))
        if self._notice_pending:
            self._notice_pending = False
            words = notice_words(work)
            if words and not self.isVisible():
                self.notice_text.setText(
                    f"<b>{words}</b> &nbsp;<a href='my-work'>Open My work</a> (Ctrl+4)"
                )
                self._show_outside(self.notice, True)
        self._show_state()
        self.work_loaded.emit(work)

    def _show_outside(self, widget: QWidget, visible: bool) -> None:
        # The count and the notice belong to the window (its status bar, above the tabs);
        # a pane on its own (a test, a preview) keeps them hidden.
        widget.setVisible(visible and widget.parentWidget() is not self)

    def _show_state(self) -> None:
        none = self._source is None
        self.message.setVisible(none)
        for widget in (self.tasks, self.steps, self.overdue, self.snoozed, self.follow_ups):
            widget.setVisible(not none)
        self.everyone_box.setEnabled(not none)
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        task = self.current_task()
        can = task is not None and not self._busy
        self.complete_button.setEnabled(can)
        self.reschedule_button.setEnabled(can)
        self.open_button.setEnabled(task is not None)

    def _on_everyone_box_toggled(self, _checked: bool) -> None:
        self.reload()

    def _on_link_activated(self, _href: str) -> None:
        self.notice.hide()
        self.show_requested.emit()

    def showEvent(self, event: QShowEvent) -> None:
        # The user is here: the notice has said what it had to.
        self.notice.hide()
        super().showEvent(event)

    # -- actions ------------------------------------------------------------------------

    def current_task(self) -> WorkTask | None:
        record = self.tasks.current()
        return record if isinstance(record, WorkTask) else None

    def select_task(self, task_id: int) -> bool:
        """Make a task current; True if it is listed."""
        for row, record in enumerate(self.tasks.model.rows):
            if record.id == task_id:
                self.tasks.select_row(row)
                return True
        return False

    def complete_current(self) -> None:
        """Complete the selected task (Space)."""
        task = self.current_task()
        source = self._source
        if task is None or source is None or self._busy:
            return
        self._change(task, lambda _state: source.complete_task(task.id), "complete task")

    def reschedule_current(self) -> None:
        """Ask for a new due date for the selected task and move it there."""
        task = self.current_task()
        source = self._source
        if task is None or source is None or self._busy:
            return
        due = self._ask_date(task)
        if due is None:
            return
        self._change(task, lambda _state: source.reschedule_task(task.id, due), "reschedule")

    def _change(self, task: WorkTask, work: Callable[[TaskState], Undoable], label: str) -> None:
        alert_id = task.alert_id or 0

        def done(change: Undoable) -> None:
            if self._history is not None:
                self._history.push(change, lambda: self._after_undo(alert_id))
            self.task_changed.emit(alert_id)
            self.reload()

        def failed(error: BaseException) -> None:
            self._jobs.present_error(error)
            self.reload()  # show the task as it is now

        def finished() -> None:
            self._busy = False
            self._update_buttons()

        self._busy = True
        self._update_buttons()
        (
            self._jobs.operation(work, parent=self, label=label)
            .success(done)
            .failure(failed)
            .finished(finished)
            .run()
        )

    def _after_undo(self, alert_id: int) -> None:
        self.task_changed.emit(alert_id)
        self.reload()

    def _on_open_button_clicked(self) -> None:
        task = self.current_task()
        if task is not None:
            self._on_section_activated(task)

    def _on_section_activated(
        self,
        record: WorkTask
        | WorkSnooze
        | WorkFollowUp
        | WorkNotice
        | WorkStep
        | WorkOverdue
        | WorkRenewal,
    ) -> None:
        # Every row of the three lists is one of them: each names its customer, and its
        # alert unless that is gone (a task's, in a rebuilt workspace).
        self.open_requested.emit(int(record.alert_id or 0), int(record.customer_id))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Space completes the selected task (the tasks table only).
        if watched is self.tasks.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Space and not event.modifiers():
                self.complete_current()
                return True
        return super().eventFilter(watched, event)

    def set_theme(self, theme: Theme) -> None:
        for section in (self.tasks, self.steps, self.overdue, self.snoozed, self.follow_ups,
                        self.renewals):  # fmt: skip
            section.model.set_theme(theme)

"""My work's playbook steps: the steps of running playbooks due by today, with Done, Skip
and Stop playbook… (services/alerts/playbooks.py).

``StepActions`` drives the section's buttons: each change runs on the job runner and is
pushed on the window's undo history. Done on an email step does not mark it: it asks the
window to open the composer for its customer (``email_step_requested``), as "Draft email"
does on a card, and the step is done once that email is sent or logged as sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from services.alerts.playbook_records import WorkStep, stop_question
from services.core.formatting import format_date, plural
from views.item_models.work_list_model import Tone, WorkColumn
from views.kit.note_dialog import ask_optional_note
from views.kit.undo import UndoHistory
from views.my_work.source import MyWorkSource, Undoable

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState

EMPTY_STEPS = (
    "No playbook step is due. Start a playbook on an alert (B in the Alerts tab): its "
    "steps show here on their days."
)


def step_due_words(step: WorkStep) -> str:
    """ "Today" or "2 days overdue" (only steps due by today are listed)."""
    if step.due_in_days < 0:
        return f"{plural(-step.due_in_days, 'day')} overdue"
    return "Today"


def _tone(step: WorkStep) -> Tone:
    return "alarm" if step.due_in_days < 0 else "note"


STEP_COLUMNS = (
    WorkColumn(
        "Due", step_due_words, tooltip=lambda s: f"Due {format_date(s.due_date)}", tone=_tone
    ),
    WorkColumn("Customer", lambda s: s.customer),
    WorkColumn("Step", lambda s: f"{s.kind_label}: {s.text}", tooltip=lambda s: s.text),
    WorkColumn(
        "Playbook",
        lambda s: f"{s.playbook} · day {s.day}",
        tooltip=lambda s: f"Customer owner: {s.owner}" if s.owner else "No owner",
    ),
)


class StepActions(QObject):
    """Done, Skip and Stop playbook… for the selected step of a My work section.

    Signals:
        email_step_requested(step_id, alert_id, customer_id): Done on an email step:
            open the composer for its customer (alert id None: its alert is gone); the
            step is done when the email is sent, not now.
        step_changed(alert_id): a step was done, skipped, its playbook stopped, or
            that was undone.
    """

    email_step_requested = Signal(int, object, int)
    step_changed = Signal(int)

    def __init__(
        self,
        parent: QWidget,
        jobs: JobRunner,
        current: Callable[[], object | None],
        reload: Callable[[], None],
        ask_stop: Callable[[WorkStep], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        # The reason for stopping ("" for none), None: cancelled; tests inject their own.
        self._ask_stop = ask_stop or (
            lambda s: ask_optional_note(
                parent, "Stop playbook", stop_question(s.customer, s.playbook), "Stop"
            )
        )
        self._current = current
        self._reload = reload
        self._source: MyWorkSource | None = None
        self._history: UndoHistory | None = None
        self._busy = False
        self.done_button = QPushButton("Done", parent)
        self.done_button.setObjectName("stepDone")
        self.done_button.setToolTip(
            "Mark the selected step done (an email step opens the composer, and is done "
            "once the email is sent)"
        )
        self.skip_button = QPushButton("Skip", parent)
        self.skip_button.setObjectName("stepSkip")
        self.skip_button.setToolTip("Leave the selected step out; the playbook goes on")
        self.stop_button = QPushButton("Stop playbook…", parent)
        self.stop_button.setObjectName("stepStopPlaybook")
        self.stop_button.setToolTip(
            "Stop the selected step's playbook: none of its steps is left to do"
        )
        for button in (self.done_button, self.skip_button, self.stop_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.done_button.clicked.connect(lambda _c=False: self.finish(skip=False))
        self.skip_button.clicked.connect(lambda _c=False: self.finish(skip=True))
        self.stop_button.clicked.connect(lambda _c=False: self.stop())
        self.update_buttons()

    def set_source(self, source: MyWorkSource | None) -> None:
        self._source = source
        self.update_buttons()

    def set_undo_history(self, history: UndoHistory | None) -> None:
        self._history = history

    def current_step(self) -> WorkStep | None:
        record = self._current()
        return record if isinstance(record, WorkStep) else None

    def update_buttons(self, *_args: object) -> None:
        can = self.current_step() is not None and self._source is not None and not self._busy
        self.done_button.setEnabled(can)
        self.skip_button.setEnabled(can)
        self.stop_button.setEnabled(can)

    def finish(self, *, skip: bool) -> None:
        """Mark the selected step done (or skipped); Done on an email step opens the
        composer instead, and the step is done when the email is sent."""
        step, source = self.current_step(), self._source
        if step is None or source is None or self._busy:
            return
        if step.kind == "email" and not skip:
            self.email_step_requested.emit(step.id, step.alert_id, step.customer_id)
            return
        alert_id = step.alert_id or 0

        def work(_state: TaskState) -> Undoable:
            return source.complete_step(step.id, skip=skip)

        label = "skip step" if skip else "step done"
        self._run(work, alert_id, label, lambda: None)

    def stop(self) -> None:
        """Stop the selected step's playbook, once the user confirms (an optional reason)."""
        step, source = self.current_step(), self._source
        if step is None or source is None or self._busy:
            return
        note = self._ask_stop(step)
        if note is None:
            return

        def work(_state: TaskState) -> Undoable:
            return source.stop_playbook(step.run_id, note)

        self._run(work, step.alert_id or 0, "stop playbook", lambda: None)

    def _run(
        self,
        work: Callable[[TaskState], Undoable],
        alert_id: int,
        label: str,
        then: Callable[[], None],
    ) -> None:
        def done(change: Undoable) -> None:
            if self._history is not None:
                self._history.push(change, lambda: self._after(alert_id))
            then()
            self._after(alert_id)

        def failed(error: BaseException) -> None:
            self._jobs.present_error(error)
            self._reload()

        def finished() -> None:
            self._busy = False
            self.update_buttons()

        self._busy = True
        self.update_buttons()
        (
            self._jobs.operation(work, parent=self, label=label)
            .success(done)
            .failure(failed)
            .finished(finished)
            .run()
        )

    def _after(self, alert_id: int) -> None:
        self.step_changed.emit(alert_id)
        self._reload()

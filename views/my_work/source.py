"""What the My work tab needs from a workspace, as a protocol: app/ implements it.

Like :class:`views.alerts.source.AlertSource`, every method may be slow and touch the
database: views call them only inside operations of the job runner. They return the
frozen records of services.alerts.work_records, never live ORM objects.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from services.alerts.playbook_records import WorkStep
from services.alerts.records import Undoable
from services.alerts.work_records import (
    FOLLOW_UP_DAYS,
    SNOOZE_HORIZON_DAYS,
    MyWork,
    WorkFollowUp,
    WorkNotice,
    WorkOverdue,
    WorkRenewal,
    WorkSnooze,
    WorkTask,
)

# The records are the services' own (a module that imports the standard library only).
__all__ = [
    "FOLLOW_UP_DAYS",
    "SNOOZE_HORIZON_DAYS",
    "MyWork",
    "MyWorkSource",
    "Undoable",
    "WorkFollowUp",
    "WorkNotice",
    "WorkOverdue",
    "WorkRenewal",
    "WorkSnooze",
    "WorkStep",
    "WorkTask",
]


class MyWorkSource(Protocol):
    """One user's work on one open workspace, and the task actions."""

    @property
    def user(self) -> str:
        """Who "my" tasks are (the name the audit log gives the user)."""
        ...

    def load_my_work(self, *, owner: str | None, everyone: bool) -> MyWork:
        """Open tasks, snoozes coming back and follow-ups of the user (and of ``owner``,
        the owner name "Mine" matches), or everyone's."""
        ...

    def complete_task(self, task_id: int) -> Undoable:
        """Mark a task done; returns what undoing it restores."""
        ...

    def reschedule_task(self, task_id: int, due: dt.date) -> Undoable:
        """Move a task to another due date (today or later); returns what undoing it
        restores. Raises a plain error when refused."""
        ...

    def mark_notice_seen(self, event_id: int) -> None:
        """A mention or an assignment (MyWork.notices) was seen: it leaves the list."""
        ...

    def complete_step(self, step_id: int, *, skip: bool) -> Undoable:
        """Mark a playbook step done (or skipped, ``skip``); returns what undoing it puts
        back. Raises a plain error when refused (the playbook stopped meanwhile)."""
        ...

    def stop_playbook(self, run_id: int, note: str) -> Undoable:
        """Stop a running playbook by hand, with the user's reason ("" for none); returns
        what undoing it puts back. Raises a plain error when refused (it stopped)."""
        ...

"""The My work tab's view of a workspace (implements views.my_work.source.MyWorkSource).

The user is read through a callable at each call (the alert source's ``user``), so that
whoever the window says the user is, My work agrees. Every method runs on the job
runner's database worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from app.workspace import Workspace
from views.my_work.source import MyWork, Undoable


class WorkspaceMyWorkSource:
    """My work on one open workspace: the lists and the task actions."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        user: Callable[[], str],
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.workspace = workspace
        self._user = user
        # What "now" is for the lists (a test fixes it); None: the computer's clock.
        self._clock = clock

    @property
    def user(self) -> str:
        return self._user()

    def load_my_work(self, *, owner: str | None, everyone: bool) -> MyWork:
        from services.alerts.playbooks import stop_cleared_runs
        from services.alerts.work import my_work

        # A playbook whose customer ordered (or whose alert closed) shows no more steps.
        stop_cleared_runs(self.workspace.engine)
        now = self._clock() if self._clock is not None else None
        return my_work(
            self.workspace.engine, user=self.user, owner=owner, everyone=everyone, now=now
        )

    def complete_task(self, task_id: int) -> Undoable:
        from services.alerts.work import complete_task_with_undo

        return complete_task_with_undo(self.workspace.engine, task_id, actor=self.user)

    def reschedule_task(self, task_id: int, due: dt.date) -> Undoable:
        from services.alerts.work import reschedule_task

        return reschedule_task(self.workspace.engine, task_id, due, actor=self.user)

    def mark_notice_seen(self, event_id: int) -> None:
        from services.alerts.mentions import mark_notice_seen

        mark_notice_seen(self.workspace.engine, event_id, actor=self.user)

    def complete_step(self, step_id: int, *, skip: bool) -> Undoable:
        from services.alerts.playbooks import complete_step

        return complete_step(self.workspace.engine, step_id, skip=skip, actor=self.user)

    def stop_playbook(self, run_id: int, note: str) -> Undoable:
        from services.alerts.playbooks import stop_playbook

        return stop_playbook(self.workspace.engine, run_id, note, actor=self.user)

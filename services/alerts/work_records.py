"""What "My work" shows (services/alerts/work.py): frozen records, no SQLAlchemy.

Views import this module (a test loads every view with the database libraries
blocked), so it imports the standard library only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.alerts.playbook_records import WorkStep

# An alert in progress whose last contact is older than this, with nothing done since,
# is a follow-up (services.alerts.work.my_work).
FOLLOW_UP_DAYS = 7
# Snoozed alerts coming back within this many days are listed.
SNOOZE_HORIZON_DAYS = 7


@dataclass(frozen=True)
class WorkTask:
    """An open task: what to do, for whom, by when, and the alert it belongs to."""

    id: int  # the action's id
    customer_id: int
    customer: str  # name, else email
    title: str
    due_date: dt.date
    due_in_days: int  # days from today (UTC) to the due date: negative when overdue
    alert_id: int | None  # None once the alert is gone (a rebuilt workspace)
    alert: str | None  # the alert's rule title
    alert_status: str | None
    created_by: str | None
    owner: str | None  # the customer's owner

    @property
    def overdue(self) -> bool:
        return self.due_in_days < 0

    @property
    def due(self) -> bool:
        """Overdue or due today: what the status bar counts."""
        return self.due_in_days <= 0


@dataclass(frozen=True)
class WorkSnooze:
    """A snoozed alert coming back: on a date, or when its condition clears."""

    alert_id: int
    customer_id: int
    customer: str
    alert: str  # the rule's title
    reason: str
    owner: str | None
    snoozed_until: dt.datetime | None  # None: until the condition clears
    back_in_days: int | None  # days from today (UTC) to its return; None: until clear


@dataclass(frozen=True)
class WorkFollowUp:
    """An alert in progress gone quiet: contact was made, nothing done since."""

    alert_id: int
    customer_id: int
    customer: str
    alert: str
    owner: str | None
    last_contact_at: dt.datetime
    days_since: int
    why: str  # in words: "Called 9 days ago (no answer); nothing since"


@dataclass(frozen=True)
class WorkNotice:
    """A mention of the user in a note, or a customer assigned to them, until they mark
    it seen (services/alerts/mentions.py)."""

    event_id: int  # the audit event that said it
    kind: str  # "mention" or "assigned"
    what: str  # "Mentioned by Sam", "Assigned to you by Sam"
    by: str
    to: str
    customer_id: int
    customer: str
    alert_id: int | None
    text: str  # the note's words ("" for an assignment)
    at: dt.datetime  # UTC


@dataclass(frozen=True)
class WorkOverdue:
    """An alert of the user's book past its SLA with nobody acting on it yet
    (services/alerts/sla.py)."""

    alert_id: int
    customer_id: int
    customer: str
    alert: str  # the rule's title
    severity: str
    due_at: dt.datetime  # UTC
    overdue_days: int  # working days past due (at least 1)
    since: str  # "Overdue since Tue, Nov 24"


@dataclass(frozen=True)
class WorkRenewal:
    """A renewal that wants the owner's word: a call due at a checkpoint ("due"), or a
    call the model disagrees with by the margin ("disagrees"; the team lead's list)."""

    customer_id: int
    customer: str
    owner: str
    contract: str
    renewal_date: dt.date
    kind: str  # due, disagrees
    what: str  # in words
    alert_id: int = 0  # none: opening it shows the customer, whose card holds the call


@dataclass(frozen=True)
class MyWork:
    """One user's day: open tasks (overdue first), snoozes coming back, follow-ups."""

    user: str
    owner: str | None  # the owner name "Mine" matches
    everyone: bool  # every user's work, not only this user's
    today: dt.date  # UTC, as tasks' due dates count
    tasks: tuple[WorkTask, ...]
    snoozed: tuple[WorkSnooze, ...]
    follow_ups: tuple[WorkFollowUp, ...]
    follow_up_days: int = FOLLOW_UP_DAYS
    notices: tuple[WorkNotice, ...] = ()  # mentions and assignments not yet seen
    # Playbook steps due by today (services/alerts/playbooks.py), overdue first.
    steps: tuple[WorkStep, ...] = ()
    # Alerts of the user's book past their SLA, nobody acting yet (most overdue first).
    overdue_alerts: tuple[WorkOverdue, ...] = ()
    # Renewal calls due, then calls the model disagrees with (services/alerts/renewal_work.py).
    renewals: tuple[WorkRenewal, ...] = ()
    # The renewals waiting on other owners' customers, which "Mine" leaves out.
    renewals_elsewhere: int = 0

    @property
    def overdue(self) -> int:
        """Tasks overdue (playbook steps: ``steps_overdue``)."""
        return sum(1 for t in self.tasks if t.overdue)

    @property
    def due_today(self) -> int:
        """Tasks due today (playbook steps: ``steps_due_today``)."""
        return sum(1 for t in self.tasks if t.due_in_days == 0)

    @property
    def due_tasks(self) -> tuple[WorkTask, ...]:
        """Overdue or due today, overdue first."""
        return tuple(t for t in self.tasks if t.due)

    @property
    def steps_overdue(self) -> int:
        return sum(1 for s in self.steps if s.overdue)

    @property
    def steps_due_today(self) -> int:
        return sum(1 for s in self.steps if s.due_in_days == 0)

    @property
    def due_steps(self) -> tuple[WorkStep, ...]:
        """Playbook steps overdue or due today, by the tasks' rule, overdue first."""
        return tuple(s for s in self.steps if s.due)

"""What the window shows of playbooks (services/alerts/playbooks.py): frozen records,
no SQLAlchemy (views import this module, with the database libraries blocked).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# A step's kind in words (models.vocab.PLAYBOOK_STEP_KINDS).
STEP_KIND_LABELS = {"email": "Email", "call": "Call", "task": "Task", "meeting": "Meeting"}
# Why a playbook stopped, in words (models.vocab.PLAYBOOK_STOP_REASONS).
STOP_REASON_LABELS = {
    "ordered": "the customer ordered",
    "alert_closed": "the alert was closed",
    "do_not_contact": "the customer is do not contact",
    "finished": "every step is done",
    "stopped": "stopped by hand",
}


def stop_question(customer: str, playbook: str) -> str:
    """What "Stop playbook…" asks (on the card and in My work)."""
    return (
        f"Stop {playbook} for {customer}? Its steps leave My work (Ctrl+Z starts it "
        "again).\n\nWhy stop it? Optional, kept in the history."
    )


@dataclass(frozen=True)
class PlaybookChoice:
    """A playbook the user may start: its key, its name, and its steps in words."""

    key: str
    name: str
    steps: tuple[str, ...]  # "Day 3 · call: ask what would bring them back"
    help: str = ""
    custom: bool = False


@dataclass(frozen=True)
class PlaybookStatus:
    """A customer's running playbook, as the card shows it: its name, who started it
    when, how far it is, and its next step (None once every step is done or skipped)."""

    run_id: int
    name: str
    started_at: dt.datetime
    started_by: str | None
    steps_total: int
    steps_left: int
    next_kind: str | None
    next_text: str | None
    next_due: dt.date | None


@dataclass(frozen=True)
class WorkStep:
    """A playbook step due (My work): what to do, for whom, of which playbook, when."""

    id: int
    run_id: int
    customer_id: int
    customer: str
    alert_id: int | None
    playbook: str  # the playbook's name
    kind: str  # models.vocab.PLAYBOOK_STEP_KINDS
    text: str
    day: int  # the step's day in the playbook (0: the day it started)
    due_date: dt.date
    due_in_days: int  # from today (UTC): negative when overdue
    owner: str | None

    @property
    def kind_label(self) -> str:
        return STEP_KIND_LABELS.get(self.kind, self.kind)

    @property
    def overdue(self) -> bool:
        return self.due_in_days < 0

    @property
    def due(self) -> bool:
        """Overdue or due today, as a task is (what the status bar counts)."""
        return self.due_in_days <= 0

"""A meeting with a customer, scheduled from a card, as tasks (its invitation, the .ics, is
services/outreach/invitation.py). ``log_meeting`` records it as two tasks on the card's
first alert, in one audited transaction that Ctrl+Z takes back: the meeting itself on its
day ("Meeting at 14:30 (30 min): ..."), and a reminder to follow up the working day
after (services/core/working_days.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from services.alerts.config import default_actor
from services.alerts.contact import task_in
from services.alerts.lifecycle import AlertActionError, Doing, load_alert, moment, unit_of_work
from services.alerts.records import Undoable
from services.core.account_names import name_of
from services.core.formatting import format_date_time
from services.core.working_days import add_working_days

FOLLOW_UP_AFTER = 1  # the follow-up task: the working day after
# The meeting's task title, "Meeting at 14:30 (30 min): Quarterly review", written by
# log_meeting and read back by read_meeting_title (the CRM files make it an event).
_TITLE = re.compile(r"Meeting at (\d{1,2}):(\d{2}) \((\d+) min\): (.*)", re.DOTALL)


@dataclass(frozen=True)
class MeetingTask:
    """A meeting as its task says it: when it starts (aware), how long, what about."""

    start: dt.datetime
    minutes: int
    title: str


def read_meeting_title(title: str, day: dt.date | None) -> MeetingTask | None:
    """The meeting a task made by ``log_meeting`` stands for (its title and its due day,
    the meeting's day on the clock of the computer that scheduled it); None for any other
    task."""
    found = _TITLE.fullmatch(title or "")
    if found is None or day is None:
        return None
    hour, minute, minutes = int(found[1]), int(found[2]), int(found[3])
    if hour > 23 or minute > 59:
        return None
    local = dt.datetime.combine(day, dt.time(hour, minute)).astimezone()
    return MeetingTask(local, minutes, found[4].strip())


def log_meeting(
    engine: Engine,
    alert_ids: Sequence[int],
    title: str,
    start: dt.datetime,
    minutes: int,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> Undoable:
    """The meeting as a task on its day and a follow-up the working day after, on the card's
    first alert, audited; returns what undoing both takes back."""
    if not alert_ids:
        raise AlertActionError("No alert is selected.")
    if start.tzinfo is None:
        raise ValueError("a meeting starts at an aware moment")
    when, who = moment(now), actor or default_actor()
    local = start.astimezone()  # the user's clock: the day and time they picked
    with unit_of_work(engine) as session:
        doing = Doing(session, when, who)
        alert = load_alert(session, int(alert_ids[0]))
        name = name_of(session, int(alert.customer_id))  # services/core/account_names.py
        meeting = task_in(
            doing, alert, f"Meeting at {local:%H:%M} ({minutes} min): {title}", local.date()
        )
        follow_up = task_in(
            doing,
            alert,
            f"Follow up on the meeting with {name}: {title}",
            add_working_days(local.date(), FOLLOW_UP_AFTER),
        )
        return Undoable(
            label=f"Meeting with {name} on {format_date_time(local)}",
            undid="alert.task_created",
            customer_id=int(alert.customer_id),
            action_ids=(int(meeting.id), int(follow_up.id)),
        )

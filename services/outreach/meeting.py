"""A meeting with a customer, scheduled from a card: the .ics invitation and its tasks.

``invitation`` writes one VEVENT with the icalendar library (which escapes whatever the
customer's name or the reasons hold: commas, semicolons, new lines): the customer's
email as attendee, the title, the start (an aware moment, written in UTC so every
calendar places it at the same instant and shows it in its own zone) and end, and the
card's reasons as the description. ``log_meeting`` records it as two tasks on the card's
first alert, in one audited transaction that Ctrl+Z takes back: the meeting itself on its
day ("Meeting at 14:30 (30 min): ..."), and a reminder to follow up the day after.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import Engine

from models.schema import Customer
from services.alerts.config import default_actor
from services.alerts.contact import task_in
from services.alerts.lifecycle import AlertActionError, Doing, load_alert, moment, unit_of_work
from services.alerts.records import Undoable
from services.core.formatting import format_date_time

DURATIONS = (15, 30, 45, 60, 90)  # minutes offered
FOLLOW_UP_AFTER = dt.timedelta(days=1)


@dataclass(frozen=True)
class Meeting:
    """What the invitation says."""

    title: str
    start: dt.datetime  # aware
    minutes: int
    customer: str
    email: str | None
    description: str
    organizer: str | None = None  # the user's own address, when known

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.minutes)


def meeting_description(customer: str, reasons: Sequence[str]) -> str:
    """The card's reasons as the invitation's notes."""
    lines = [f"Why we are meeting {customer}:"] + [f"- {r}" for r in reasons if r.strip()]
    return "\n".join(lines)


def invitation(
    meeting: Meeting, *, uid: str | None = None, now: dt.datetime | None = None
) -> bytes:
    """The .ics file of the meeting (RFC 5545), escaped by the icalendar library."""
    if meeting.start.tzinfo is None:
        raise ValueError("a meeting starts at an aware moment")
    calendar = Calendar()
    calendar.add("prodid", "-//Account Radar//Meeting//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST" if meeting.organizer else "PUBLISH")
    event = Event()
    event.add("uid", uid or f"{uuid.uuid4()}@account-radar")
    event.add("dtstamp", (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC))
    event.add("dtstart", meeting.start.astimezone(dt.UTC))
    event.add("dtend", meeting.end.astimezone(dt.UTC))
    event.add("summary", meeting.title)
    event.add("description", meeting.description)
    if meeting.organizer:
        name, _lt, rest = meeting.organizer.partition("<")
        address = rest.rstrip(">").strip() if rest else meeting.organizer.strip()
        organizer = vCalAddress(f"mailto:{address}")
        if name.strip() and rest:
            organizer.params["cn"] = vText(name.strip())
        event.add("organizer", organizer)
    if meeting.email:
        attendee = vCalAddress(f"mailto:{meeting.email}")
        attendee.params["cn"] = vText(meeting.customer)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def write_invitation(path: Path, meeting: Meeting) -> Path:
    """Write the invitation to ``path`` (an .ics file); returns the path."""
    path.write_bytes(invitation(meeting))
    return path


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
    """The meeting as a task on its day and a follow-up the day after, on the card's
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
        customer = session.get(Customer, alert.customer_id)
        name = (customer.name or customer.email) if customer is not None else None
        name = name or f"customer {alert.customer_id}"
        meeting = task_in(
            doing, alert, f"Meeting at {local:%H:%M} ({minutes} min): {title}", local.date()
        )
        follow_up = task_in(
            doing,
            alert,
            f"Follow up on the meeting with {name}: {title}",
            (local + FOLLOW_UP_AFTER).date(),
        )
        return Undoable(
            label=f"Meeting with {name} on {format_date_time(local)}",
            undid="alert.task_created",
            customer_id=int(alert.customer_id),
            action_ids=(int(meeting.id), int(follow_up.id)),
        )

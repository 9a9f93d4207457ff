"""A meeting's calendar invitation (.ics), written with the icalendar library, which escapes
whatever the customer's name or the reasons hold (commas, semicolons, new lines): the
customer's email as attendee, the title, the start (an aware moment, written in UTC so
every calendar places it at the same instant and shows it in its own zone) and end, and
the card's reasons as the description. Standard library and icalendar only: the meeting
dialog (views/alerts/meeting_dialog.py) writes the file itself."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from services.core.output_files import write_bytes_file

DURATIONS = (15, 30, 45, 60, 90)  # minutes offered


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
    # Imported here: icalendar costs 0.2 s of CPU, off the window's start-up.
    from icalendar import Calendar, Event, vCalAddress, vText

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


def write_invitation(path: Path, meeting: Meeting, *, force: bool = False) -> Path:
    """Write the invitation to ``path`` (an .ics file) through the guarded writer (an
    existing file replaced only with ``force``, a database never); returns the path."""
    return write_bytes_file(path, invitation(meeting), force=force, what="the invitation")

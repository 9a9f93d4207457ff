"""A meeting scheduled from a card (services/outreach/meeting.py): the .ics invitation
parses back with the customer as attendee, the times the user picked and the reasons as
notes, whatever the customer's text holds; and the meeting and its follow-up are tasks
that Ctrl+Z takes back together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import text

from services.alerts.undo import undo_change
from services.outreach.invitation import Meeting, invitation, meeting_description, write_invitation
from services.outreach.meeting import log_meeting
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book, only

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def test_the_invitation_parses_back_with_attendee_times_and_reasons(tmp_path: Path) -> None:
    start = dt.datetime(2026, 11, 3, 14, 30, tzinfo=BERLIN)  # a local time, winter
    customer = 'Ada "Lo", Ltd; Berlin\nEast'  # commas, semicolons, quotes, a new line
    meeting = Meeting(
        title="Renewal; next steps, Q1",
        start=start,
        minutes=45,
        customer=customer,
        email="ada@shop.example",
        description=meeting_description(customer, ["No order in 94 days", "2 late tickets"]),
        organizer="Sam Reed <sam@radar.example>",
    )
    path = write_invitation(tmp_path / "meeting.ics", meeting)
    raw = path.read_bytes()
    assert b"\\;" in raw  # the library escaped the customer's text
    (event,) = Calendar.from_ical(raw).walk("VEVENT")
    assert str(event["summary"]) == "Renewal; next steps, Q1"
    assert event.decoded("dtstart") == start  # the same instant...
    assert event.decoded("dtstart").astimezone(BERLIN).hour == 14  # ...at 14:30 in Berlin
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(minutes=45)
    attendee = event["attendee"]
    assert str(attendee) == "mailto:ada@shop.example"
    assert str(attendee.params["cn"]) == customer
    assert str(event["organizer"]) == "mailto:sam@radar.example"
    # The reasons come back as written, new lines and all.
    assert str(event["description"]) == meeting.description
    assert str(event["description"]).endswith("- No order in 94 days\n- 2 late tickets")


def test_a_naive_start_is_refused() -> None:
    meeting = Meeting("x", dt.datetime(2026, 1, 1, 9), 30, "Ada", None, "")
    with pytest.raises(ValueError, match="aware"):
        invitation(meeting)


def test_the_meeting_and_its_follow_up_are_tasks_undone_together(book: Book) -> None:
    only(book, "ticket_past_sla")
    cid = book.customer("Ada Lo")
    book.interaction(cid, "ticket", 5, status="open")
    book.score({cid: {"churn": 0.5, "clv": 200}})
    book.generate()
    (alert,) = book.alerts(f"WHERE customer_id = {cid}")
    start = (NOW + dt.timedelta(days=2)).replace(hour=10, minute=0).astimezone()
    change = log_meeting(
        book.engine, [int(alert["id"])], "Renewal", start, 30, actor="sam", now=NOW
    )
    with book.engine.connect() as conn:
        tasks = conn.execute(
            text(f"SELECT title, due_date FROM actions WHERE customer_id = {cid} ORDER BY id")
        ).all()
    local = start.astimezone()
    assert [t[0] for t in tasks] == [
        f"Meeting at {local:%H:%M} (30 min): Renewal",
        "Follow up on the meeting with Ada Lo: Renewal",
    ]
    assert [str(t[1]) for t in tasks] == [
        local.date().isoformat(),
        (local.date() + dt.timedelta(days=1)).isoformat(),
    ]
    undo_change(book.engine, change, actor="sam", now=NOW)
    with book.engine.connect() as conn:
        left = conn.execute(text(f"SELECT count(*) FROM actions WHERE customer_id = {cid}"))
        assert left.scalar() == 0

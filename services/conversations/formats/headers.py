"""What the first lines of a transcript say about it, and dates as people write them.

Transcripts written by hand or exported by note takers often open with a block such as::

    Meeting: Renewal check-in
    Date: November 20, 2026 3:30 PM
    Attendees: Minh Williams, Dana Whitfield <dana@ourco.example>

Those lines are the conversation's title, date and people, never turns of speakers named
"Meeting", "Date" or "Attendees". ``header_line`` tells such a line; ``Header`` gathers a
block of them.

``written_date`` reads a date in the usual written forms, with or without a time: ISO
("2026-11-20", "2026-11-20 15:30", "2026-11-20T15:30:00Z"), "2026/11/20", "20 Nov 2026",
"20 November 2026 15:30", "November 20, 2026", "Nov 20, 2026 3:30 PM", each optionally
after a weekday ("Friday, November 20, 2026") and with "at" before the time. A time
without a zone (or with "UTC", "GMT", "Z") is UTC; an offset ("+01:00") is applied; a
zone named otherwise ("CET") keeps the day and drops the time, which would be wrong by
hours. A date without a time is noon UTC, the same day in most of the world. Day-first
numbers ("11/12/2026") are never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from email.utils import parseaddr

from services.conversations.formats._common import distinct, person
from services.conversations.model import Person

# A header's name, as written (any case), and what it gives.
HEADER_FIELDS = {
    "date": "date",
    "when": "date",
    "time": "time",
    "title": "title",
    "subject": "title",
    "meeting": "title",
    "topic": "title",
    "attendees": "people",
    "participants": "people",
}
_HEADER = re.compile(r"^\s*([A-Za-z]+)\s*:\s*(.*?)\s*$")
# One person of a list: a name, "Name <address>", or "\"Last, First\" <address>".
_ATTENDEE = re.compile(r'(?:"[^"]*"|<[^>]*>|[^,;])+')
_LIST_ITEM = re.compile(r"^\s*[-*•]\s+(\S.*?)\s*$")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DATES = (
    r"(?P<year>\d{4})[-/](?P<number>\d{1,2})[-/](?P<day>\d{1,2})",
    rf"{_DAY}\s+{_MONTH},?\s+{_YEAR}",
    rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}",
)
_TIME = (
    r"(?:(?:,|\s+at|\s*T)?\s*(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?:\.\d+)?)?\s*(?P<half>[ap]\.?m\.?)?"
    r"(?:\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}:?\d{2}|(?:UTC|GMT)[+-]\d{1,2}(?::?\d{2})?"
    r"|[A-Z]{2,5}))?)?"
)
_WRITTEN = tuple(re.compile(rf"^\s*{_WEEKDAY}{date}{_TIME}\s*$", re.IGNORECASE) for date in _DATES)
# The same dates anywhere in a text, such as a file's name ("Acme call 20 Nov 2026.txt").
_ANYWHERE = tuple(re.compile(rf"(?<![\w]){date}(?![\w])", re.IGNORECASE) for date in _DATES[1:])


def _zone(value: str) -> dt.tzinfo | None:
    """The zone a time is written in; None when it is a name that cannot be trusted."""
    text = value.upper()
    if text in ("", "Z", "UTC", "GMT"):
        return dt.UTC
    found = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?", text)
    if found is None:
        return None
    sign = -1 if found[1] == "-" else 1
    offset = dt.timedelta(hours=int(found[2]), minutes=int(found[3] or 0))
    return dt.timezone(sign * offset) if offset < dt.timedelta(hours=15) else None


def _day(match: re.Match[str]) -> dt.date | None:
    parts = match.groupdict()
    month = parts.get("number") or _MONTHS.get((parts.get("month") or "").lower(), 0)
    try:
        return dt.date(int(parts["year"]), int(month), int(parts["day"]))
    except (ValueError, TypeError):
        return None


def _at(day: dt.date, parts: dict[str, str | None]) -> dt.datetime | None:
    """``day`` at the time written in ``parts`` (noon UTC when none is written)."""
    if parts.get("hour") is None:
        return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    hour, minute = int(parts["hour"] or 0), int(parts.get("minute") or 0)
    half = (parts.get("half") or "").lower().replace(".", "")
    if half and not 1 <= hour <= 12:  # noqa: PLR2004
        return None
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif parts.get("minute") is None:
        return None  # "2026-11-20 15" is no time a person writes
    zone = _zone(parts.get("zone") or "")
    if zone is None:
        return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    try:
        moment = dt.datetime(
            day.year, day.month, day.day, hour, minute, int(parts.get("second") or 0), tzinfo=zone
        )
    except ValueError:
        return None
    return moment.astimezone(dt.UTC)


def written_date(text: str) -> dt.datetime | None:
    """The moment (UTC) ``text`` writes, in the forms of the module's docstring; None when
    it is not one of them."""
    for pattern in _WRITTEN:
        found = pattern.match(text)
        if found is not None:
            day = _day(found)
            return _at(day, found.groupdict()) if day is not None else None
    return None


def date_in(text: str) -> dt.datetime | None:
    """The first written day ("20 Nov 2026", "November 20, 2026") found anywhere in
    ``text``, at noon UTC; None when it holds none."""
    for pattern in _ANYWHERE:
        for found in pattern.finditer(text):
            day = _day(found)
            if day is not None:
                return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    return None


def header_line(line: str) -> tuple[str, str] | None:
    """(what it gives, its value) for a header line such as "Date: 2026-11-20", else None.
    "Attendees:" alone is a header whose people follow as a list."""
    found = _HEADER.match(line)
    if found is None:
        return None
    what = HEADER_FIELDS.get(found[1].lower())
    return (what, found[2]) if what is not None else None


def people_in(value: str) -> list[Person]:
    """The people of an attendees line: "Anna Berg, Sam Lee <sam@x.example>; Jo"."""
    found: list[Person] = []
    for part in _ATTENDEE.findall(value):
        for each in [part] if "<" in part or "@" in part else re.split(r"\s+and\s+", part):
            name, address = parseaddr(each) if "<" in each or "@" in each else (each, "")
            who = person(name.strip().strip('"'), address if "@" in address else "")
            if who.name or who.email:
                found.append(who)
    return found


@dataclass
class Header:
    """What a transcript's header block said; ``problems`` are (line, reason) of header
    lines that could not be read."""

    title: str = ""
    date: dt.datetime | None = None
    people: list[Person] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    _time: str = ""
    _date_text: str = ""
    _date_line: int = 0
    _listing: bool = False  # a bare "Attendees:" line: a list of people follows

    def take(self, line: str, number: int) -> bool:
        """Whether ``line`` (number ``number``) belongs to the header block; when it does,
        what it says is kept."""
        if self._listing and (item := _LIST_ITEM.match(line)) is not None:
            self.people.extend(people_in(item[1]))
            return True
        self._listing = False
        found = header_line(line)
        if found is None:
            return False
        what, value = found
        if what == "people":
            self.people.extend(people_in(value))
            self._listing = not value
        elif what == "title":
            self.title = self.title or value
        elif what == "time":
            self._time = value
        elif value and not self._date_text:
            self._date_text, self._date_line = value, number
        return True

    def finish(self) -> None:
        """Read the date and time lines once the block is over."""
        if not self._date_text:
            return
        written = f"{self._date_text} {self._time}".strip()
        self.date = written_date(written) or written_date(self._date_text)
        if self.date is None:
            self.problems.append(
                (
                    self._date_line,
                    f"“{self._date_text[:60]}” is not a date Account Radar can read (write it "
                    "as 2026-11-20, 20 Nov 2026 or November 20, 2026, with a time if known); "
                    "the conversation was read without it",
                )
            )

    def speaker(self, name: str) -> Person:
        """The person a speaker's name is: the one the header names so (with their
        address, when it gives one), else a person of that name alone."""
        key = " ".join(name.lower().split())
        named = (who for who in self.people if " ".join(who.name.lower().split()) == key)
        return next(named, Person(name=name)) if key else Person(name=name)

    def participants(self, speakers: list[Person]) -> tuple[Person, ...]:
        """The people the header names, then the speakers, each once."""
        return distinct(self.people + speakers)

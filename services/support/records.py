"""Support analytics' records (services/support/report.py computes them): frozen, so that
the window's worker and the command line hand them on as they are. DEFINITIONS says each
measure in words, once, for every surface."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

__all__ = [
    "DEFINITIONS",
    "REPEAT_DAYS",
    "SECTIONS",
    "SMALL_RATED",
    "SupportGroup",
    "SupportReport",
    "Ticket",
]

# A customer who opens another ticket within this many days of one's resolution comes back.
REPEAT_DAYS = 7
# Below this many rated tickets, a group's share rated good is marked as not solid yet.
SMALL_RATED = 10
# The report's tables: (key, title). The key names the group on the command line
# ("channel:email", "type:Refund") and in CSV.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("channel", "Tickets by channel"),
    ("priority", "Tickets by priority"),
    ("resolution", "Time to resolution by type"),
    ("agent", "Satisfaction by agent"),
    ("satisfaction", "Satisfaction by type"),
    ("repeat", "Repeat contacts by type"),
)
NO_CHANNEL = "No channel"
NO_PRIORITY = "No priority"
NO_TYPE = "No type"
NO_AGENT = "No agent"

DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Ticket",
        "a help desk ticket imported into the workspace (Zendesk's ticket export, or a "
        "help desk's CSV with a Kind column saying ticket), counted in the month it was "
        "opened, on the clock the help desk wrote it with (the workspace's time zone when it "
        "wrote UTC).",
    ),
    (
        "Open",
        "a ticket whose status is not solved, closed, resolved or cancelled. An open "
        "ticket has no time to resolution: it is counted apart, never as zero.",
    ),
    (
        "Time to resolution",
        "from the ticket's creation to its solved (or resolved) time as the help desk "
        "recorded it. Median: half the resolved tickets took less. 90th percentile: 9 in "
        "10 took at most this long (read between the two nearest tickets).",
    ),
    (
        "Satisfaction",
        "the share of rated tickets rated good (good / (good + bad)); a rating offered "
        f"and not answered is not a rating. Fewer than {SMALL_RATED} rated: too few to "
        "read much into, marked *.",
    ),
    (
        "Repeat contact",
        f"a customer who opened another ticket within {REPEAT_DAYS} days of a ticket's "
        "resolution (of its creation while it is open), counted against that earlier "
        "ticket's type: the share is of the customers with a ticket of that type in the "
        "period.",
    ),
)


class Ticket(NamedTuple):
    """One ticket as the report reads it: times are local (the help desk's clock)."""

    id: int
    customer_id: int
    external_id: str
    subject: str
    created: dt.datetime
    resolved: dt.datetime | None  # when the help desk recorded it solved
    is_open: bool
    status: str
    channel: str
    priority: str
    type: str
    agent: str
    satisfaction: str | None  # "good", "bad", or None when not rated
    day: dt.date  # the local day it was opened

    @property
    def hours(self) -> float | None:
        """Hours from creation to resolution; None while open or when not recorded."""
        if self.is_open or self.resolved is None:
            return None
        return max(0.0, (self.resolved - self.created).total_seconds() / 3600.0)


def _quantile(values: tuple[float, ...], q: float) -> float | None:
    """The q-quantile by linear interpolation between the nearest values."""
    if not values:
        return None
    ordered = sorted(values)
    at = (len(ordered) - 1) * q
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


@dataclass(frozen=True)
class SupportGroup:
    """The tickets of one row of a table (a channel, a priority, a type, an agent) and
    what they add up to. ``ticket_ids`` are the tickets behind the row's figures."""

    section: str
    key: str
    label: str
    tickets: tuple[Ticket, ...]
    months: tuple[int, ...] = ()  # volume: tickets per month of the period
    # Repeat contacts: the customers with a ticket of the group, and those who came back.
    customers: tuple[int, ...] = ()
    returned: tuple[int, ...] = ()
    repeat_ids: tuple[int, ...] = ()  # the tickets they came back with

    @property
    def count(self) -> int:
        return len(self.tickets)

    @property
    def ticket_ids(self) -> tuple[int, ...]:
        return tuple(t.id for t in self.tickets) + self.repeat_ids

    @cached_property  # a table reads it on every paint
    def open(self) -> int:
        return sum(1 for t in self.tickets if t.is_open)

    @cached_property  # a table reads it on every paint
    def hours(self) -> tuple[float, ...]:
        return tuple(h for t in self.tickets if (h := t.hours) is not None)

    @property
    def resolved(self) -> int:
        """The tickets no longer open (with a resolution time recorded or not)."""
        return self.count - self.open

    @cached_property  # a table reads it on every paint
    def timed(self) -> int:
        """Resolved tickets with their resolution time: those the times are of."""
        return len(self.hours)

    @property
    def untimed(self) -> int:
        """Resolved tickets whose resolution time the help desk did not record."""
        return self.resolved - self.timed

    @cached_property  # a table reads it on every paint
    def median_hours(self) -> float | None:
        return _quantile(self.hours, 0.5)

    @cached_property  # a table reads it on every paint
    def p90_hours(self) -> float | None:
        return _quantile(self.hours, 0.9)

    @cached_property  # a table reads it on every paint
    def good(self) -> int:
        return sum(1 for t in self.tickets if t.satisfaction == "good")

    @cached_property  # a table reads it on every paint
    def rated(self) -> int:
        return sum(1 for t in self.tickets if t.satisfaction in ("good", "bad"))

    @property
    def share_good(self) -> float | None:
        return self.good / self.rated if self.rated else None

    @property
    def small(self) -> bool:
        """Satisfaction of too few rated tickets to read much into."""
        return self.section in ("agent", "satisfaction") and self.rated < SMALL_RATED

    @property
    def repeat_share(self) -> float | None:
        return len(self.returned) / len(self.customers) if self.customers else None

    @property
    def name(self) -> str:
        """The group's name on the command line: section:key."""
        return "all" if self.section == "all" else f"{self.section}:{self.key}"


@dataclass(frozen=True)
class SupportReport:
    """Support over a period: volume by channel and priority per month, time to
    resolution by type, satisfaction by agent and by type, and repeat contacts by type."""

    first_day: dt.date
    last_day: dt.date  # included
    month_labels: tuple[str, ...]
    overall: SupportGroup
    groups: Mapping[str, tuple[SupportGroup, ...]]  # by section key (SECTIONS)
    tickets: Mapping[int, Ticket]  # every ticket a group names, by id
    names: Mapping[int, str] = field(default_factory=dict)  # customers' names
    has_tickets: bool = False  # the workspace holds any ticket at all (any period)
    span: tuple[dt.date, dt.date] | None = None  # the first and last ticket's day
    has_resolution_times: bool = False  # any ticket with a solved time recorded
    has_priority: bool = False
    has_agent: bool = False
    has_type: bool = False
    as_of: dt.date | None = None
    # Repeat contacts over all the period's tickets: the tickets followed by another.
    overall_repeat: SupportGroup | None = None

    def total(self, section: str) -> SupportGroup:
        """The first row of a section's table: all the period's tickets."""
        if section == "repeat" and self.overall_repeat is not None:
            return self.overall_repeat
        return self.overall

    @property
    def month_keys(self) -> tuple[str, ...]:
        """The months of the period as YYYY-MM (month_labels' keys)."""
        first = self.first_day.year * 12 + self.first_day.month - 1
        return tuple(
            f"{(first + n) // 12}-{(first + n) % 12 + 1:02d}" for n in range(len(self.month_labels))
        )

    def section(self, key: str) -> tuple[SupportGroup, ...]:
        """The groups of one of SECTIONS."""
        return self.groups.get(key, ())

    def find(self, name: str) -> SupportGroup | None:
        """A group by its name (``section:key``, or ``all``); None when there is none."""
        if name.strip().lower() == "all":
            return self.overall
        section, _, key = name.partition(":")
        if section.strip().lower() == "repeat" and not key.strip():
            return self.overall_repeat  # "repeat:": every ticket a customer came back after
        for group in self.section(section.strip().lower()):
            if group.key.lower() == key.strip().lower():
                return group
        return None

    def tickets_of(self, group: SupportGroup) -> tuple[Ticket, ...]:
        """The tickets behind a group's figures, oldest first."""
        found = [self.tickets[i] for i in group.ticket_ids if i in self.tickets]
        return tuple(sorted(found, key=lambda t: (t.created, t.id)))

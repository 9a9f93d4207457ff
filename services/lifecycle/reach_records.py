"""The best times to reach out as records and words, plain (the window's views read them
without the database libraries); services/lifecycle/reach.py counts them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.replies.records import wilson

__all__ = [
    "BY",
    "SLOT_HOURS",
    "WEEKDAYS",
    "ReachGroup",
    "ReachReport",
    "ReachSlot",
    "best_words",
    "hint_for",
    "percent",
    "slot_words",
]

BY = (("all", "All customers"), ("segment", "By segment"), ("stage", "By stage"))
SLOT_HOURS = 2
FIRST_HOUR = 1  # slots start at odd hours: 7–9, 9–11, 11–13...
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class ReachSlot:
    """A weekday and two hours, and the emails sent in it."""

    weekday: int  # 0 Monday
    hour: int  # the first hour
    sent: int
    replied: int

    @property
    def rate(self) -> float:
        """The share of its emails that got a reply."""
        return self.replied / self.sent if self.sent else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """The 95 % Wilson interval of the rate."""
        return wilson(self.replied, self.sent) or (0.0, 1.0)

    @property
    def label(self) -> str:
        """ "Tuesday 9–11"."""
        end = (self.hour + SLOT_HOURS) % 24
        return f"{WEEKDAYS[self.weekday]} {self.hour}–{end}"


@dataclass(frozen=True)
class ReachGroup:
    """One group's slots (busiest first) and its best slot, if one stands out."""

    by: str  # "all", "segment", "stage"
    label: str
    sent: int
    replied: int
    slots: tuple[ReachSlot, ...]
    best: ReachSlot | None
    floor: int

    @property
    def counted(self) -> tuple[ReachSlot, ...]:
        """The slots with enough emails to say."""
        return tuple(s for s in self.slots if s.sent >= self.floor)


@dataclass(frozen=True)
class ReachReport:
    """Every group's best time to reach out, from the emails of the period."""

    first_day: dt.date
    last_day: dt.date
    zone: str
    floor: int
    groups: tuple[ReachGroup, ...]

    def group(self, by: str, label: str) -> ReachGroup | None:
        """The group of that breakdown and label, if it had emails."""
        return next((g for g in self.groups if g.by == by and g.label == label), None)


def percent(value: float) -> str:
    """A rate as a whole percentage; under 10 %, one decimal."""
    return f"{value:.1%}" if value < 0.1 else f"{value:.0%}"


def slot_words(slot: ReachSlot) -> str:
    """ "Tuesday 9–11, 41 replies of 180 (23%, likely 17% to 29%)"."""
    low, high = slot.interval
    return (
        f"{slot.label}, {slot.replied:,} repl{'y' if slot.replied == 1 else 'ies'} of "
        f"{slot.sent:,} ({percent(slot.rate)}, likely {percent(low)} to {percent(high)})"
    )


def best_words(group: ReachGroup) -> str:
    """The group's best time to reach out in a sentence, or why none is named."""
    counted = group.counted
    if group.best is not None:
        return f"Best reached: {slot_words(group.best)}."
    if not group.replied:
        emails = "1 email" if group.sent == 1 else f"{group.sent:,} emails"
        return f"No replies yet to learn from ({emails}, none answered)."
    if len(counted) < 2:
        return (
            f"Too few to say: fewer than two weekdays and hours with {group.floor} emails "
            f"or more ({'1 email' if group.sent == 1 else f'{group.sent:,} emails'} in all)."
        )
    top = sorted(counted, key=lambda s: -s.rate)[:2]
    return (
        "No best time: the likely reply rates of the best times overlap ("
        + "; ".join(slot_words(s) for s in top)
        + ")."
    )


def hint_for(report: ReachReport, segment: str | None, stage_label: str | None) -> str:
    """The composer's hint for one customer: their segment's best time, else their
    stage's, else everyone's; or why none is named, for everyone."""
    for by, label in (("segment", segment), ("stage", stage_label)):
        group = report.group(by, label) if label else None
        if group is not None and group.best is not None:
            return f"{best_words(group)[:-1]} ({label} customers)."
    whole = report.group("all", "All customers")
    if whole is None:
        return "Best time to reach out: no emails sent yet to learn it from."
    if whole.best is not None:
        return f"{best_words(whole)[:-1]} (all customers)."
    return best_words(whole)


def send_at_words(report: ReachReport, segment: str | None, stage_label: str | None) -> str:
    """The review queue's suggestion for one customer: "Send at: Tuesday 9–11, when
    Champions customers answer best (25 replies of 40)"; "" where no best time is named."""
    for by, label in (("segment", segment), ("stage", stage_label), ("all", "All customers")):
        group = report.group(by, label) if label else None
        if group is not None and group.best is not None:
            who = "customers" if by == "all" else f"{label} customers"
            best = group.best
            return (
                f"Send at: {best.label}, when {who} answer best ({best.replied:,} "
                f"repl{'y' if best.replied == 1 else 'ies'} of {best.sent:,}); your choice."
            )
    return ""

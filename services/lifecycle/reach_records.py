"""The best times to reach out as records and words, plain (the window's views read them
without the database libraries); services/lifecycle/reach.py counts them.

An email is answered by a reply (services/replies), by a return (the customer came back:
a paid order within the attribution window after it, as Results counts outreach), or by
either: the report's ``measure``. A return after an email is not proof the email brought
it, so the words say "came back after", never "brought back"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.core.formatting import format_percent
from services.replies.records import wilson

__all__ = [
    "BY",
    "MEASURES",
    "SLOT_HOURS",
    "WEEKDAYS",
    "ReachGroup",
    "ReachReport",
    "ReachSlot",
    "answered_words",
    "best_words",
    "hint_for",
    "measure_note",
    "percent",
    "send_at_words",
    "slot_words",
]

BY = (("all", "All customers"), ("segment", "By segment"), ("stage", "By stage"))
SLOT_HOURS = 2
FIRST_HOUR = 1  # slots start at odd hours: 7–9, 9–11, 11–13...
# What answers an email: (key, the words after "12 of 40 emails").
MEASURES = (
    ("either", "replied or came back after"),
    ("reply", "replied"),
    ("return", "came back after"),
)
MEASURE_WORDS = dict(MEASURES)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class ReachSlot:
    """A weekday and two hours, and the emails sent in it."""

    weekday: int  # 0 Monday
    hour: int  # the first hour
    sent: int
    answered: int  # by a reply, a return or either: the report's measure

    @property
    def rate(self) -> float:
        """The share of its emails that were answered."""
        return self.answered / self.sent if self.sent else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """The 95 % Wilson interval of the rate."""
        return wilson(self.answered, self.sent) or (0.0, 1.0)

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
    answered: int
    slots: tuple[ReachSlot, ...]
    best: ReachSlot | None
    floor: int
    measure: str = "reply"  # MEASURES

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
    measure: str = "reply"  # MEASURES
    window_days: int = 30  # the attribution window of a return
    waiting: int = 0  # emails left out: their window has not closed (return, either)

    def group(self, by: str, label: str) -> ReachGroup | None:
        """The group of that breakdown and label, if it had emails."""
        return next((g for g in self.groups if g.by == by and g.label == label), None)


def percent(value: float) -> str:
    """A rate as the app shows every percentage (services/core/formatting.py)."""
    return format_percent(value)


def answered_words(answered: int, sent: int, measure: str) -> str:
    """ "41 of 180 replied or came back after"."""
    return f"{answered:,} of {sent:,} {MEASURE_WORDS[measure]}"


def slot_words(slot: ReachSlot, measure: str = "reply") -> str:
    """ "Tuesday 9–11, 41 of 180 replied (23%, likely 17% to 29%)"."""
    low, high = slot.interval
    return (
        f"{slot.label}, {answered_words(slot.answered, slot.sent, measure)} "
        f"({percent(slot.rate)}, likely {percent(low)} to {percent(high)})"
    )


NONE_YET = {
    "reply": "No replies yet to learn from",
    "return": "No customer came back after an email yet to learn from",
    "either": "No replies, and no customer came back after an email, yet to learn from",
}


def best_words(group: ReachGroup) -> str:
    """The group's best time to reach out in a sentence, or why none is named."""
    counted = group.counted
    measure = group.measure
    if group.best is not None:
        return f"Best reached: {slot_words(group.best, measure)}."
    emails = "1 email" if group.sent == 1 else f"{group.sent:,} emails"
    if not group.answered:
        return f"{NONE_YET[measure]} ({emails}, none answered)."
    if len(counted) < 2:
        return (
            f"Too few emails per time to compare ({emails} in all): a best time needs at "
            f"least two weekday-and-hour slots with {group.floor} emails or more each."
        )
    top = sorted(counted, key=lambda s: -s.rate)[:2]
    return (
        "No best time: the likely rates of the best times overlap ("
        + "; ".join(slot_words(s, measure) for s in top)
        + ")."
    )


def measure_note(report: ReachReport) -> str:
    """What answered an email in this report, in a sentence or two."""
    window = report.window_days
    came_back = (
        f"came back after it (a paid order within {window} days; not proof the email brought it)"
    )
    words = {
        "reply": "Answered: a reply to the email.",
        "return": f"Answered: the customer {came_back}.",
        "either": f"Answered: a reply to the email, or the customer {came_back}.",
    }[report.measure]
    if report.waiting:
        emails = "1 email" if report.waiting == 1 else f"{report.waiting:,} emails"
        words += (
            f" {emails} of the last {window} days left out: whether the customer comes back "
            "is known once the days have passed."
        )
    return words


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
                f"Send at: {best.label}, when {who} answer best "
                f"({answered_words(best.answered, best.sent, group.measure)}); your choice."
            )
    return ""

"""The best times to reach out as records and words, plain (the window's views read them
without the database libraries); services/lifecycle/reach.py counts them.

An email is answered by a reply (services/replies), by a return (the customer came back:
a paid order within the attribution window after it, as Results counts outreach), or by
either: the report's ``measure``. A return after an email is not proof the email brought
it, so the words say "came back after", never "brought back".

A group's answer comes from the finest way of cutting the week its emails allow (LEVELS):
the weekday and two hours, else the weekday and half day (morning 0–12, afternoon 12–24),
else the weekday, else morning or afternoon; a way allows it when at least two of its times
have the floor's emails each. At that level the time with the best rate among those is
named only when its 95 % Wilson interval lies wholly above the interval of every other
email of the group pooled (the rest); otherwise "No time stands out", with both rates. A
group whose emails allow no level answers nothing of its own: a customer's answer is their
segment's, else their stage's, else all customers' (``answer_for``)."""

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
    "LEVELS",
    "ReachCell",
    "ReachGroup",
    "ReachReport",
    "ReachSlot",
    "answer_for",
    "answered_words",
    "best_words",
    "hint_for",
    "measure_note",
    "percent",
    "queue_words",
    "send_at_words",
    "slot_words",
    "chance_words",
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
# The ways of cutting the week, finest first: (key, what a time is).
LEVELS = (
    ("slot", "weekday and two hours"),
    ("half", "weekday and half day"),
    ("weekday", "weekday"),
    ("daypart", "morning or afternoon"),
)
NOON = 12  # a morning is 0–12, an afternoon 12–24, local time
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class _Answered:
    """The rate of a time's emails answered, and its interval."""

    sent: int
    answered: int

    @property
    def rate(self) -> float:
        """The share of its emails that were answered."""
        return self.answered / self.sent if self.sent else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """The 95 % Wilson interval of the rate."""
        return wilson(self.answered, self.sent) or (0.0, 1.0)


@dataclass(frozen=True)
class ReachSlot(_Answered):
    """A weekday and two hours, and the emails sent in it."""

    weekday: int  # 0 Monday
    hour: int  # the first hour
    sent: int
    answered: int  # by a reply, a return or either: the report's measure

    @property
    def label(self) -> str:
        """ "Tuesday 9–11"."""
        end = (self.hour + SLOT_HOURS) % 24
        return f"{WEEKDAYS[self.weekday]} {self.hour}–{end}"


@dataclass(frozen=True)
class ReachCell(_Answered):
    """A time at one level ("Tuesday 9–11", "Tuesday morning (0–12)", "Tuesday",
    "Mornings (0–12)") and the emails sent in it."""

    label: str
    sent: int
    answered: int


@dataclass(frozen=True)
class ReachGroup:
    """One group's slots (busiest first) and its answer: the level its emails allow (None:
    too few at every level), that level's times (busiest first), the one with the best
    rate among those with the floor's emails (``top``) and, when it stands out above the
    rest, ``best`` (the same time)."""

    by: str  # "all", "segment", "stage"
    label: str
    sent: int
    answered: int
    slots: tuple[ReachSlot, ...]
    best: ReachCell | None
    floor: int
    measure: str = "reply"  # MEASURES
    level: str | None = None  # LEVELS
    cells: tuple[ReachCell, ...] = ()
    top: ReachCell | None = None
    p_value: float | None = None  # the two-proportion test of top above the rest, one-sided

    @property
    def counted(self) -> tuple[ReachCell, ...]:
        """The times of the level with enough emails to say."""
        return tuple(c for c in self.cells if c.sent >= self.floor)

    @property
    def rest(self) -> ReachCell | None:
        """Every other email of the group, pooled: what the top time is held against."""
        if self.top is None:
            return None
        return ReachCell("the rest", self.sent - self.top.sent, self.answered - self.top.answered)


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


def slot_words(slot: ReachSlot | ReachCell, measure: str = "reply") -> str:
    """ "Tuesday 9–11, 41 of 180 replied (23%, likely 17% to 29%)"."""
    low, high = slot.interval
    return (
        f"{slot.label}, {answered_words(slot.answered, slot.sent, measure)} "
        f"({percent(slot.rate)}, likely {percent(low)} to {percent(high)})"
    )


def rate_words(cell: ReachCell) -> str:
    """ "22% (likely 12% to 37%, 9 of 40)"."""
    low, high = cell.interval
    return (
        f"{percent(cell.rate)} (likely {percent(low)} to {percent(high)}, "
        f"{cell.answered:,} of {cell.sent:,})"
    )


NONE_YET = {
    "reply": "No replies yet to learn from",
    "return": "No customer came back after an email yet to learn from",
    "either": "No replies, and no customer came back after an email, yet to learn from",
}


def best_words(group: ReachGroup) -> str:
    """The group's best time to reach out in a sentence, or why none is named: no effect
    first where the intervals overlap."""
    measure = group.measure
    top, rest = group.top, group.rest
    compared = len(group.counted)
    if group.best is not None and rest is not None:
        return (
            f"Best reached: {slot_words(group.best, measure)}, against {rate_words(rest)} "
            f"at other times; more than chance among {compared} times "
            f"({chance_words(group.p_value)})."
        )
    emails = "1 email" if group.sent == 1 else f"{group.sent:,} emails"
    if not group.answered:
        return f"{NONE_YET[measure]} ({emails}, none answered)."
    if top is None or rest is None:
        pooled = {
            "segment": " Their drafts use their stage's, else all customers'.",
            "stage": " Their drafts use all customers'.",
        }.get(group.by, "")
        return (
            f"Too few emails to compare times ({emails} in all): even mornings against "
            f"afternoons need {group.floor} emails each.{pooled}"
        )
    if top.interval[0] <= rest.interval[1]:
        why = "the likely ranges overlap"
    else:
        why = (
            f"the best of {compared} times is often this high by chance "
            f"({chance_words(group.p_value)}, needs below {0.025 / compared:.2g})"
        )
    return (
        f"No time stands out: {top.label} {rate_words(top)} against {rate_words(rest)} at "
        f"other times; {why}."
    )


def chance_words(p: float | None) -> str:
    """ "two-proportion test, p = 0.004" (one-sided: the top time above the rest)."""
    shown = "p < 0.001" if p is not None and p < 0.001 else f"p = {p or 1.0:.3f}"
    return f"two-proportion test, {shown}"


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


def answer_for(
    report: ReachReport, segment: str | None, stage_label: str | None
) -> tuple[ReachGroup, str] | None:
    """The group that answers for one customer and who it speaks for ("Champions
    customers", "all customers"): their segment's when its emails allow an answer, else
    their stage's, else all customers'; None when no email was sent."""
    for by, label in (("segment", segment), ("stage", stage_label)):
        group = report.group(by, label) if label else None
        if group is not None and group.level is not None:
            return group, f"{label} customers"
    whole = report.group("all", "All customers")
    return (whole, "all customers") if whole is not None else None


def hint_for(report: ReachReport, segment: str | None, stage_label: str | None) -> str:
    """The composer's line for one customer (``answer_for``): the best time, or why none
    is named, and whose emails say it."""
    found = answer_for(report, segment, stage_label)
    if found is None:
        return "Best time to reach out: no emails sent yet to learn it from."
    group, who = found
    return f"{best_words(group)[:-1]} ({who})."


def send_at_words(report: ReachReport, segment: str | None, stage_label: str | None) -> str:
    """The review queue's suggestion for one customer: "Send at: Tuesday 9–11, when
    Champions customers answer best (25 of 40 replied)"; "" where no time stands out."""
    found = answer_for(report, segment, stage_label)
    if found is None or found[0].best is None:
        return ""
    group, who = found
    best = group.best
    assert best is not None
    return (
        f"Send at: {best.label}, when {who} answer best "
        f"({answered_words(best.answered, best.sent, group.measure)}); your choice."
    )


def queue_words(report: ReachReport, customers: list[tuple[str | None, str | None]]) -> str:
    """The review queue's one line for its customers ((segment, stage) each): the answer
    they share, else all customers' (a draft whose own group names a time says so under
    its recipient)."""
    answers = {found[1]: found for c in customers if (found := answer_for(report, *c))}
    whole = answer_for(report, None, None)
    if whole is None:
        return hint_for(report, None, None)
    group, who = next(iter(answers.values())) if len(answers) == 1 else whole
    words = f"{best_words(group)[:-1]} ({who})."
    if len(answers) > 1 and any(g.best is not None for g, _ in answers.values()):
        words += " A draft whose segment or stage has a time of its own names it."
    return words

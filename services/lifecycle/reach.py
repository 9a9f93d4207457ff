"""When to reach out: the weekday and hours at which each group of customers answered the
app's emails best, from the emails of a period and their replies (a reply is defined once,
in services/replies/definition.py; the emails and replies are services.replies').

An email belongs to the slot of the weekday and two hours (9–11, 11–13...) it was sent in,
in the workspace's time zone; a slot's reply rate is its replied emails over its emails,
with the 95 % Wilson interval. Customers are grouped all together, by the RFM segment of
the latest scoring and by their lifecycle stage today. A slot with fewer emails than the
floor (setting ``lifecycle.reach_min_emails``) is too few to say. A best slot is named only
when its interval lies wholly above every other slot's that reached the floor: where
intervals overlap, none is named.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.schema import ScoreSnapshot
from services.core.local_dates import workspace_zone
from services.replies.records import SentEmail, wilson
from services.settings.views import DateSettings, LifecycleSettings

__all__ = [
    "BY",
    "ReachGroup",
    "ReachReport",
    "ReachSlot",
    "best_words",
    "reach_report",
    "reach_times",
    "slot_of",
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


def slot_of(sent_at: dt.datetime, zone: ZoneInfo) -> tuple[int, int]:
    """(weekday, first hour) of the slot a naive-UTC moment falls in, in ``zone``."""
    local = sent_at.replace(tzinfo=dt.UTC).astimezone(zone)
    hour = FIRST_HOUR + ((local.hour - FIRST_HOUR) // SLOT_HOURS) * SLOT_HOURS
    weekday = local.weekday()
    if hour < 0:  # 0:00 to 1:00 belongs to the slot begun the day before at 23:00
        hour, weekday = hour + 24, (weekday - 1) % 7
    return weekday, hour


def _best(slots: tuple[ReachSlot, ...], floor: int) -> ReachSlot | None:
    counted = [s for s in slots if s.sent >= floor]
    if len(counted) < 2:
        return None
    top = max(counted, key=lambda s: (s.rate, s.sent))
    low = top.interval[0]
    if all(low > s.interval[1] for s in counted if s is not top):
        return top
    return None


def reach_times(
    emails: Iterable[SentEmail],
    zone: ZoneInfo,
    floor: int,
    groups: Mapping[str, Mapping[int, str]] | None = None,
) -> tuple[ReachGroup, ...]:
    """The slots of every group: all emails, then each breakdown of ``groups`` (by ->
    customer id -> label)."""
    counts: dict[tuple[str, str], dict[tuple[int, int], list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0])
    )
    for email in emails:
        slot = slot_of(email.sent_at, zone)
        keys = [("all", "All customers")]
        for by, labels in (groups or {}).items():
            label = labels.get(email.customer_id)
            if label:
                keys.append((by, label))
        for key in keys:
            cell = counts[key][slot]
            cell[0] += 1
            cell[1] += email.reply_at is not None
    out = []
    order = {by: n for n, (by, _title) in enumerate(BY)}
    for (by, label), cells in sorted(counts.items(), key=lambda kv: (order.get(kv[0][0], 9),
                                                                      kv[0][1])):  # fmt: skip
        slots = tuple(
            sorted(
                (ReachSlot(w, h, n, r) for (w, h), (n, r) in cells.items()),
                key=lambda s: (-s.sent, s.weekday, s.hour),
            )
        )
        out.append(
            ReachGroup(
                by,
                label,
                sum(s.sent for s in slots),
                sum(s.replied for s in slots),
                slots,
                _best(slots, floor),
                floor,
            )  # fmt: skip
        )
    return tuple(out)


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
    if len(counted) < 2:
        return (
            f"Too few to say: fewer than two weekdays and hours with {group.floor} emails "
            f"or more ({group.sent:,} emails in all)."
        )
    top = sorted(counted, key=lambda s: -s.rate)[:2]
    return (
        "No best time: the likely reply rates of the best times overlap ("
        + "; ".join(slot_words(s) for s in top)
        + ")."
    )


def _segments(session: Session) -> dict[int, str]:
    from services.scoring.queries import latest_run_id

    run_id = latest_run_id(session)
    if run_id is None:
        return {}
    rows = session.execute(
        select(ScoreSnapshot.customer_id, ScoreSnapshot.segment).where(
            ScoreSnapshot.scoring_run_id == run_id, ScoreSnapshot.segment.is_not(None)
        )
    )
    return {int(c): str(s) for c, s in rows}


def reach_report(
    engine: Engine,
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    today: dt.date | None = None,
) -> ReachReport:
    """The best times to reach out, from the emails sent from ``since`` to ``until``."""
    from services.lifecycle.book import stage_book
    from services.replies.report import replies_report

    replies = replies_report(engine, since, until, today=today)
    with Session(engine) as session:
        zone_name = workspace_zone(DateSettings.read(session).time_zone or None)
        floor = int(LifecycleSettings.read(session).reach_min_emails)
        segments = _segments(session)
    stages = {s.customer_id: s.label for s in stage_book(engine).staged if s.stage}
    groups = reach_times(replies.emails, ZoneInfo(zone_name), floor,
                         {"segment": segments, "stage": stages})  # fmt: skip
    return ReachReport(replies.first_day, replies.last_day, zone_name, floor, groups)


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

"""Support analytics, defined once here for every surface (Results ▸ Support, ``report
support``); records.DEFINITIONS says each measure in words.

The tickets are the interactions of kind "ticket". Zendesk's export stores the channel
(from "Via"), the status and the satisfaction in their own columns and keeps the rest in
``attributes`` under the export's column names: "Priority", "Ticket type", "Assignee",
"Solved at" ("2024-07-10 14:58:25 -0400"), "Full resolution time in minutes"; other help
desks' exports imported as tickets keep theirs the same way ("Agent", "Type", "Resolved
time"...): :data:`_KEYS` lists the names read, case and underscores aside.

A ticket belongs to the period by the local day it was opened (the help desk's clock; the
workspace's time zone when it wrote UTC), and to the month of that day. By default the
period runs from the first day of the month eleven months back to today, in the
workspace's time zone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.schema import Customer, Interaction
from services.core.account_names import name_map
from services.core.local_dates import workspace_zone
from services.core.rollups import CLOSED_TICKET_STATUSES
from services.settings.views import DateSettings
from services.support.records import (
    NO_AGENT,
    NO_CHANNEL,
    NO_PRIORITY,
    NO_TYPE,
    REPEAT_DAYS,
    SupportGroup,
    SupportReport,
    Ticket,
)

__all__ = ["period_bounds", "support_report", "workspace_today"]

# The attribute names each field is read from (lower case, underscores as spaces), first
# found wins: Zendesk's export, Freshdesk's, Help Scout's and plain CSVs.
_KEYS: dict[str, tuple[str, ...]] = {
    "priority": ("priority", "ticket priority"),
    "type": ("ticket type", "type", "category"),
    "agent": ("assignee", "agent", "assigned agent", "assigned to", "assignee name", "agent name"),
    "solved": (
        "solved at", "resolved at", "resolved time", "resolved", "solved", "resolution date",
        "closed at", "closed time", "closed",
    ),
    "minutes": ("full resolution time in minutes", "resolution time in minutes"),
}  # fmt: skip
_PRIORITY_ORDER = ("urgent", "critical", "high", "normal", "medium", "low")
_CLOSED = {s.lower() for s in CLOSED_TICKET_STATUSES}
_OFFSET = re.compile(r"\s+([+-]\d{2}:?\d{2})$")


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s (before, when negative)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_bounds(
    since: dt.date | None, until: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The period's first and last day (included): by default from the first day of the
    month eleven months before ``until`` (else today) to ``until`` (else today)."""
    last = until or today
    first = since or add_months(last, -11)
    return first, last


def workspace_today(engine: Engine) -> dt.date:
    """Today in the workspace's time zone."""
    with Session(engine) as session:
        zone = workspace_zone(DateSettings.read(session).time_zone or None)
    return dt.datetime.now(ZoneInfo(zone)).date()


def _attributes(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return {}
    return {str(k).strip().lower().replace("_", " "): v for k, v in raw.items()}


def _text(attributes: Mapping[str, Any], field: str) -> str:
    for key in _KEYS[field]:
        value = attributes.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _utc(text: str, offset_minutes: int | None) -> dt.datetime | None:
    """A time the help desk wrote, in naive UTC: one with no offset is on the ticket's
    own clock (its creation's offset)."""
    cleaned = text.strip()
    if len(cleaned) > 6 and cleaned[-6] == " " and cleaned[-5] in "+-":
        cleaned = cleaned[:-6] + cleaned[-5:]  # "... 14:58:25 -0400": Zendesk's
    else:
        cleaned = _OFFSET.sub(r"\1", cleaned)
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        when = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    if when.tzinfo is not None:
        return when.astimezone(dt.UTC).replace(tzinfo=None)
    return when - dt.timedelta(minutes=offset_minutes or 0)


def _solved(attributes: Mapping[str, Any], stored: dt.datetime, offset: int | None) -> Any:
    """When the ticket was solved, in naive UTC, from the time recorded or else the full
    resolution time in minutes; None when neither is there."""
    text = _text(attributes, "solved")
    when = _utc(text, offset) if text else None
    if when is not None:
        return when
    minutes = _text(attributes, "minutes")
    try:
        return stored + dt.timedelta(minutes=float(minutes)) if minutes else None
    except ValueError:
        return None


def _ticket(row: Any) -> Ticket:
    tid, cid, external, subject, stored, offset, status, channel, satisfaction, raw = row
    if stored.tzinfo is not None:
        stored = stored.astimezone(dt.UTC).replace(tzinfo=None)
    attributes = _attributes(raw)
    status_text = str(status or "").strip()
    solved = _solved(attributes, stored, offset)
    # A ticket with no status is not counted as open (as everywhere in the app).
    is_open = bool(status_text) and status_text.lower() not in _CLOSED
    rating = str(satisfaction or "").strip().lower()
    shift = dt.timedelta(minutes=offset or 0)  # the help desk's clock (local_dates.py)
    created = stored + shift
    return Ticket(
        id=int(tid),
        customer_id=int(cid),
        external_id=str(external or ""),
        subject=str(subject or ""),
        created=created,
        resolved=solved + shift if solved else None,
        is_open=is_open,
        status=status_text,
        channel=str(channel or "").strip(),
        priority=_text(attributes, "priority"),
        type=_text(attributes, "type"),
        agent=_text(attributes, "agent"),
        satisfaction=rating if rating in ("good", "bad") else None,
        day=created.date(),
    )


def _read(engine: Engine, first: dt.date) -> tuple[list[Ticket], dict[int, str], Any]:
    """The tickets opened from two days before ``first`` on (a day's margin either side
    of UTC), their customers' names, and the first and last ticket's stored time."""
    i = Interaction
    early = dt.datetime.combine(first - dt.timedelta(days=2), dt.time())
    with Session(engine) as session:
        rows = session.execute(
            select(i.id, i.customer_id, i.external_id, i.subject, i.occurred_at,
                   i.utc_offset_minutes, i.status, i.channel, i.satisfaction, i.attributes)
            .join(Customer, Customer.id == i.customer_id)
            .where(i.kind == "ticket", i.occurred_at >= early)
        ).all()  # fmt: skip
        span = session.execute(
            select(func.min(i.occurred_at), func.max(i.occurred_at)).where(i.kind == "ticket")
        ).one()
        # The accounts' names (services/core/account_names.py).
        names = name_map(session, {int(row[1]) for row in rows})
    tickets = [_ticket(row[:10]) for row in rows]
    return tickets, names, span


def _order(key: str, count: int, missing: str, ranks: tuple[str, ...] = ()) -> tuple[Any, ...]:
    """Known ranks first (priorities), then the biggest groups, the missing one last."""
    rank = ranks.index(key) if key in ranks else len(ranks)
    return (key == missing.lower(), rank, -count, key)


def _split(
    section: str,
    tickets: Iterable[Ticket],
    value: Callable[[Ticket], str],
    missing: str,
    ranks: tuple[str, ...] = (),
) -> list[tuple[str, str, tuple[Ticket, ...]]]:
    """(key, label, tickets) per value of ``value``, in order."""
    parts: dict[str, list[Ticket]] = defaultdict(list)
    labels: dict[str, str] = {}
    for t in tickets:
        raw = value(t) or missing
        key = raw.lower()
        parts[key].append(t)
        labels.setdefault(key, raw[:1].upper() + raw[1:])
    keys = sorted(parts, key=lambda k: _order(k, len(parts[k]), missing, ranks))
    return [(k, labels[k], tuple(parts[k])) for k in keys]


def _month_counts(tickets: Iterable[Ticket], months: list[dt.date]) -> tuple[int, ...]:
    index = {(m.year, m.month): n for n, m in enumerate(months)}
    counts = [0] * len(months)
    for t in tickets:
        counts[index[(t.day.year, t.day.month)]] += 1
    return tuple(counts)


def _followed(tickets: list[Ticket]) -> dict[int, tuple[int, ...]]:
    """For each ticket, the same customer's tickets opened after it and within
    REPEAT_DAYS of its resolution (of its creation while open or when not recorded)."""
    by_customer: dict[int, list[Ticket]] = defaultdict(list)
    for t in tickets:
        by_customer[t.customer_id].append(t)
    window = dt.timedelta(days=REPEAT_DAYS)
    out: dict[int, tuple[int, ...]] = {}
    for own in by_customer.values():
        own.sort(key=lambda t: (t.created, t.id))
        for n, t in enumerate(own):
            anchor = t.resolved if t.resolved is not None and not t.is_open else t.created
            limit, later = anchor + window, []
            for m in range(n + 1, len(own)):
                if own[m].created > limit:
                    break  # opened in order: every later one is later still
                later.append(own[m].id)
            if later:
                out[t.id] = tuple(later)
    return out


def _repeat_group(
    key: str, label: str, tickets: tuple[Ticket, ...], followed: Mapping[int, tuple[int, ...]]
) -> SupportGroup:
    """The customers of ``tickets`` and those who came back after one of them."""
    back = [t for t in tickets if t.id in followed]
    before = {t.id for t in back}
    repeats = sorted({u for t in back for u in followed[t.id]})
    return SupportGroup(
        "repeat", key, label, tuple(back),
        customers=tuple(sorted({t.customer_id for t in tickets})),
        returned=tuple(sorted({t.customer_id for t in back})),
        repeat_ids=tuple(i for i in repeats if i not in before),
    )  # fmt: skip


def support_report(
    engine: Engine,
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    today: dt.date | None = None,
) -> SupportReport:
    """Support over the days from ``since`` to ``until`` included (see period_bounds),
    read as the session's user may (a manager on a shared workspace: their book)."""
    today = today or workspace_today(engine)
    first, last = period_bounds(since, until, today)
    read, names, span = _read(engine, first)
    period = sorted((t for t in read if first <= t.day <= last), key=lambda t: (t.created, t.id))
    months = [add_months(first, n) for n in range(
        (last.year - first.year) * 12 + last.month - first.month + 1)]  # fmt: skip
    followed = _followed(read)

    def volume(section: str, value: Callable[[Ticket], str], missing: str,
               ranks: tuple[str, ...] = ()) -> tuple[SupportGroup, ...]:  # fmt: skip
        return tuple(
            SupportGroup(section, k, label, ts, _month_counts(ts, months))
            for k, label, ts in _split(section, period, value, missing, ranks)
        )

    groups = {
        "channel": volume("channel", lambda t: t.channel, NO_CHANNEL),
        "priority": volume("priority", lambda t: t.priority, NO_PRIORITY, _PRIORITY_ORDER),
        "resolution": volume("resolution", lambda t: t.type, NO_TYPE),
        "agent": volume("agent", lambda t: t.agent, NO_AGENT),
        "satisfaction": volume("satisfaction", lambda t: t.type, NO_TYPE),
        "repeat": tuple(
            _repeat_group(k, label, ts, followed)
            for k, label, ts in _split("repeat", period, lambda t: t.type, NO_TYPE)
        ),
    }
    whole = _repeat_group("", "All tickets", tuple(period), followed)
    overall = SupportGroup("all", "", "All tickets", tuple(period), _month_counts(period, months),
                           whole.customers, whole.returned, ())  # fmt: skip
    repeats = {u for t in period for u in followed.get(t.id, ())}
    shown = {t.id: t for t in read if first <= t.day <= last or t.id in repeats}
    return SupportReport(
        first_day=first,
        last_day=last,
        month_labels=tuple(f"{m:%b %Y}" for m in months),
        overall=overall,
        groups=groups,
        tickets=shown,
        names={t.customer_id: names.get(t.customer_id, "") for t in shown.values()},
        has_tickets=span[0] is not None,
        span=(span[0].date(), span[1].date()) if span[0] is not None else None,
        has_resolution_times=any(t.resolved is not None for t in period),
        has_priority=any(t.priority for t in period),
        has_agent=any(t.agent for t in period),
        has_type=any(t.type for t in period),
        as_of=today,
        overall_repeat=whole,
    )

"""A customer's product usage, as the customer pane, scoring and the usage-drop alert read
it: Monday-to-Sunday weeks and the last 30 days, defined here once.

Active users over a period count each person once: the union of the days' user keys when
the source gave them (event exports), else the largest daily or weekly figure (aggregate
files), a lower bound. A weekly aggregate row (``period_days`` 7) counts in the week of its
first day.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from models.schema import UsageDay

# The records live apart (views read them without the database); kept importable from here.
from services.usage.records import UsagePeriod as UsagePeriod
from services.usage.records import UsageSummary as UsageSummary

# The window of "the last 30 days" and the one features seen in the workspace are read from.
RECENT_DAYS = 30
FEATURES_SEEN_DAYS = 90
HISTORY_WEEKS = 26


def week_start(day: dt.date) -> dt.date:
    """The Monday of a day's week."""
    return day - dt.timedelta(days=day.weekday())


def summarise(rows: Iterable[UsageDay], start: dt.date, end: dt.date) -> UsagePeriod:
    """Usage rows whose day falls in start..end (inclusive), summed as one period."""
    users: set[str] = set()
    largest_active = 0
    sessions = logins = events = documents = 0
    minutes = 0.0
    features: dict[str, int] = {}
    days: set[dt.date] = set()
    for row in rows:
        if not start <= row.day <= end:
            continue
        days.add(row.day)
        users.update(row.users or ())
        largest_active = max(largest_active, row.active_users or 0)
        sessions += row.sessions or 0
        logins += row.logins or 0
        events += row.events or 0
        documents += row.documents_viewed or 0
        minutes += row.minutes or 0.0
        for name, count in (row.features or {}).items():
            features[name] = features.get(name, 0) + int(count)
    return UsagePeriod(
        start=start,
        end=end,
        active_users=max(len(users), largest_active),
        sessions=sessions,
        logins=logins,
        minutes=round(minutes, 1),
        events=events,
        documents_viewed=documents,
        features=dict(sorted(features.items())),
        days_active=len(days),
    )


def weeks_of(rows: Sequence[UsageDay], as_of: dt.date, count: int) -> tuple[UsagePeriod, ...]:
    """The ``count`` weeks ending with the week of ``as_of``, oldest first; a week with no
    row is a week of zeros (no use is a figure, not a gap), the current week cut at as_of."""
    last = week_start(as_of)
    starts = [last - dt.timedelta(weeks=n) for n in range(count - 1, -1, -1)]
    return tuple(
        summarise(rows, start, min(start + dt.timedelta(days=6), as_of)) for start in starts
    )


def workspace_features(session: Session, *, as_of: dt.date) -> tuple[str, ...]:
    """The features any customer used in the 90 days to as_of, by name.

    On SQLite the database keeps each distinct text of features once (a few thousand
    texts at a million customers, where the days hold millions) and Python reads their
    names: listing every day's keys with json_each cost 8.4 s of CPU at a million
    customers, the distinct texts 2.5 s, on the worker that loads the first customer's
    detail. The days are read in one pass in storage order (NOT INDEXED), as in
    services/usage/weekly.py: through the day index each is a random read."""
    since = as_of - dt.timedelta(days=FEATURES_SEEN_DAYS - 1)
    in_window = (UsageDay.day.between(since, as_of), UsageDay.features.is_not(None))
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return _features_of_texts(session, since, as_of)
    if dialect != "postgresql":
        seen: set[str] = set()
        for features in session.scalars(select(UsageDay.features).where(*in_window)):
            seen.update(features or {})
        return tuple(sorted(seen))
    keys = func.jsonb_object_keys(UsageDay.features).table_valued("key").render_derived()
    is_object = func.jsonb_typeof(UsageDay.features) == "object"
    names = select(keys.c.key).join_from(UsageDay, keys, true()).where(*in_window, is_object)
    return tuple(sorted(str(name) for name in session.scalars(names.distinct())))


def _features_of_texts(session: Session, since: dt.date, as_of: dt.date) -> tuple[str, ...]:
    """The names in the distinct texts of features of the days since..as_of (SQLite: the
    column holds JSON text; a text that is not an object names nothing, as json_each's
    object test did)."""
    texts = session.connection().exec_driver_sql(
        "SELECT DISTINCT features FROM usage_days NOT INDEXED "
        "WHERE day BETWEEN ? AND ? AND features IS NOT NULL",
        (since.isoformat(), as_of.isoformat()),
    )
    seen: set[str] = set()
    for (text,) in texts:
        value = json.loads(text) if isinstance(text, str | bytes) else text
        if isinstance(value, dict):
            seen.update(str(name) for name in value)
    return tuple(sorted(seen))


def has_usage(session: Session) -> bool:
    """Whether the workspace holds any product usage (one row looked up, not all counted:
    the customer pane asks on every selection)."""
    return session.scalar(select(UsageDay.id).limit(1)) is not None


def customer_usage(
    session: Session,
    customer_id: int,
    *,
    as_of: dt.date,
    weeks: int = HISTORY_WEEKS,
    features_seen: Sequence[str] | None = None,
) -> UsageSummary | None:
    """A customer's usage as of a day; None when no usage was ever imported for them.
    ``features_seen``: the workspace's, when the caller has them already as of that day
    (workspace_features reads every customer's last 90 days)."""
    first_week = week_start(as_of) - dt.timedelta(weeks=weeks - 1)
    since = min(first_week, as_of - dt.timedelta(days=2 * RECENT_DAYS - 1))
    rows = list(
        session.scalars(
            select(UsageDay).where(
                UsageDay.customer_id == customer_id, UsageDay.day.between(since, as_of)
            )
        )
    )
    last_active = session.scalar(
        select(func.max(UsageDay.day)).where(
            UsageDay.customer_id == customer_id, UsageDay.day <= as_of
        )
    )
    if not rows and last_active is None:
        return None
    recent_start = as_of - dt.timedelta(days=RECENT_DAYS - 1)
    recent = summarise(rows, recent_start, as_of)
    previous = summarise(
        rows, recent_start - dt.timedelta(days=RECENT_DAYS), recent_start - dt.timedelta(days=1)
    )
    return UsageSummary(
        as_of=as_of,
        recent=recent,
        previous=previous,
        weeks=weeks_of(rows, as_of, weeks),
        features_used=tuple(name for name, count in recent.features.items() if count > 0),
        features_seen=(
            tuple(features_seen)
            if features_seen is not None
            else workspace_features(session, as_of=as_of)
        ),
        last_active=last_active,
    )

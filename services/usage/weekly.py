"""Every customer's weekly usage at once, for the rules and scoring that read all customers.

The same weeks and figures as services/usage/summary.py (its ``week_start`` Monday weeks; a
row counts in the week of its day, a weekly row in the week of its first day; active users
count each person once: the union of the days' user keys, else the largest daily figure),
read with one query into numpy matrices instead of one customer at a time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import String, Text, select, type_coerce
from sqlalchemy.orm import Session

from models.schema import UsageDay
from services.usage.summary import week_start

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class WeeklyUsage:
    """Weekly figures of the customers with usage in the weeks: row i of each matrix is
    ``customers[i]`` (ascending ids), column j the week starting ``starts[j]`` (oldest
    first)."""

    customers: IntArray
    starts: tuple[dt.date, ...]
    sessions: FloatArray
    active_users: FloatArray
    days_active: FloatArray

    def rows_of(self, ids: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        """Each id's row here, and whether it has one."""
        if self.customers.size == 0:
            return np.zeros(ids.size, np.int64), np.zeros(ids.size, bool)
        pos = np.minimum(np.searchsorted(self.customers, ids), self.customers.size - 1)
        return pos.astype(np.int64), self.customers[pos] == ids


def full_weeks_to(as_of: dt.date) -> dt.date:
    """The Monday of the last full week on or before as_of (the week of as_of when as_of
    is a Sunday): weeks compared whole compare like with like, weekdays and weekends."""
    last = week_start(as_of)
    return last if as_of.weekday() == 6 else last - dt.timedelta(weeks=1)


def weekly_usage(session: Session, *, last_week: dt.date, weeks: int) -> WeeklyUsage:
    """The ``weeks`` Monday weeks ending with the week starting ``last_week``, one read."""
    first = last_week - dt.timedelta(weeks=weeks - 1)
    end = last_week + dt.timedelta(days=6)
    u = UsageDay.__table__.c
    # The stored day and JSON as the driver gives them (no per-row parsing): the user keys
    # are read once per distinct list below.
    rows = (
        session.connection()
        .execute(
            select(
                u.customer_id, type_coerce(u.day, String), u.sessions, u.active_users,
                type_coerce(u.users, Text),
            ).where(u.day.between(first, end))
        )
        .all()
    )  # fmt: skip
    starts = tuple(first + dt.timedelta(weeks=k) for k in range(weeks))
    if not rows:
        empty = np.zeros((0, weeks))
        return WeeklyUsage(np.zeros(0, np.int64), starts, empty, empty, empty)
    names = ("customer", "day", "sessions", "active", "users")
    # By columns: pandas probing a million Row objects one by one is slow.
    frame = pd.DataFrame(dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)))
    day = np.array([str(d)[:10] for d in frame["day"].tolist()], dtype="datetime64[D]")
    week = ((day - np.datetime64(first, "D")).astype(np.int64) // 7).astype(np.int64)
    customers, row = np.unique(frame["customer"].to_numpy(np.int64), return_inverse=True)
    n = customers.size
    flat = row * weeks + week

    def total(values: Any) -> FloatArray:
        return np.asarray(
            np.bincount(flat, np.asarray(values, np.float64), n * weeks), np.float64
        ).reshape(n, weeks)

    sessions = total(frame["sessions"].fillna(0))
    largest = np.zeros(n * weeks)
    np.maximum.at(largest, flat, frame["active"].fillna(0).to_numpy(np.float64))
    days = pd.Series(day).groupby(flat).nunique()
    days_active = np.zeros(n * weeks)
    days_active[days.index.to_numpy()] = days.to_numpy()
    people = _people(flat, frame["users"].to_numpy(object), n * weeks)
    active = np.maximum(largest, people).reshape(n, weeks)
    return WeeklyUsage(customers, starts, sessions, active, days_active.reshape(n, weeks))


def _people(flat: IntArray, users: npt.NDArray[np.object_], size: int) -> FloatArray:
    """Distinct user keys per cell (customer-week); each distinct stored list read once."""
    out = np.zeros(size)
    stored = [x if isinstance(x, str) or x is None else json.dumps(x) for x in users.tolist()]
    cells = pd.DataFrame({"cell": flat, "users": stored}).dropna().drop_duplicates()
    if cells.empty:
        return out
    read = {text: _keys(text) for text in cells["users"].unique().tolist()}
    cells["users"] = cells["users"].map(read)
    exploded = cells.explode("users").dropna()
    counts = exploded.groupby("cell")["users"].nunique()
    out[counts.index.to_numpy(np.int64)] = counts.to_numpy(np.float64)
    return out


def _keys(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):  # a driver that hands JSON back as text
        value = json.loads(value)
    return tuple(str(v) for v in value) if isinstance(value, list) else ()

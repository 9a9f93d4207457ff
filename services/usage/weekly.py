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
from services.usage.pg_weekly import cells_postgres
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
    starts = tuple(first + dt.timedelta(weeks=k) for k in range(weeks))
    conn = session.connection()
    cells = _cells_sqlite(conn, first, end) if conn.dialect.name == "sqlite" else None
    if conn.dialect.name == "postgresql":
        cells = cells_postgres(conn, first, end, _CELLS)
    if cells is None:
        cells = _cells(session, first, end)
    if cells.empty:
        empty = np.zeros((0, weeks))
        return WeeklyUsage(np.zeros(0, np.int64), starts, empty, empty, empty)
    customers, row = np.unique(cells["customer"].to_numpy(np.int64), return_inverse=True)
    n = customers.size
    flat = row * weeks + cells["week"].to_numpy(np.int64)

    def cell_values(name: str) -> FloatArray:
        out = np.zeros(n * weeks)
        out[flat] = cells[name].to_numpy(np.float64)
        return out.reshape(n, weeks)

    if "people" not in cells:
        read = {text: _union(text) for text in cells["users"].dropna().unique().tolist()}
        cells["people"] = cells["users"].map(read).fillna(0)
    active = np.maximum(cell_values("active"), cell_values("people"))
    return WeeklyUsage(customers, starts, cell_values("sessions"), active, cell_values("days"))


# One row per customer and week: sessions, the largest daily active users, days with use,
# and the distinct stored user lists of the week as one JSON text of lists (SQLite's reader
# counts them as it reads: "people" in place of "users").
_CELLS = ("customer", "week", "sessions", "active", "days", "users")
_CHUNK = 100_000


def _cells_sqlite(conn: Any, first: dt.date, end: dt.date) -> pd.DataFrame:
    """The cells, summed by SQLite (no per-row work in Python).

    The rows are read in one pass over the table in storage order (NOT INDEXED): a
    customer's rows are stored together, so the weeks' rows reached through the day index
    are a random read each (at a million customers, 3 million of them: four times the
    cost of the whole pass). The cells come back as plain tuples from the DBAPI cursor
    (a pandas frame built from SQLAlchemy rows probes each row's attributes)."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(
            "SELECT customer_id, CAST(julianday(day) - julianday(?) AS INTEGER) / 7 AS w, "
            "SUM(COALESCE(sessions, 0)), MAX(COALESCE(active_users, 0)), COUNT(DISTINCT day), "
            "'[' || group_concat(DISTINCT users) || ']' FROM usage_days NOT INDEXED "
            "WHERE day BETWEEN ? AND ? GROUP BY customer_id, w",
            (first.isoformat(), first.isoformat(), end.isoformat()),
        )
        chunks = []
        read: dict[str, float] = {}  # each distinct text of lists counted once
        while rows := cursor.fetchmany(_CHUNK):
            # By columns, a chunk at a time: a million cells as tuples would hold
            # hundreds of megabytes at once.
            parts = list(zip(*rows, strict=True))
            chunks.append(
                pd.DataFrame(
                    {
                        "customer": np.array(parts[0], np.int64),
                        "week": np.array(parts[1], np.int64),
                        "sessions": np.array(parts[2], np.float64),
                        "active": np.array(parts[3], np.float64),
                        "days": np.array(parts[4], np.float64),
                        "people": _people(parts[5], read),
                    }
                )
            )
    finally:
        cursor.close()
    if not chunks:
        return pd.DataFrame(columns=list(_CELLS))
    return pd.concat(chunks, ignore_index=True)


def _cells(session: Session, first: dt.date, end: dt.date) -> pd.DataFrame:
    """The cells from the rows (any database)."""
    u = UsageDay.__table__.c
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
    if not rows:
        return pd.DataFrame(columns=list(_CELLS))
    names = ("customer", "day", "sessions", "active", "users")
    # By columns: pandas probing a million Row objects one by one is slow.
    frame = pd.DataFrame(dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)))
    day = np.array([str(d)[:10] for d in frame["day"].tolist()], dtype="datetime64[D]")
    frame["week"] = (day - np.datetime64(first, "D")).astype(np.int64) // 7
    frame["day"] = day
    frame["users"] = [
        x if isinstance(x, str) or x is None else json.dumps(x) for x in frame["users"].tolist()
    ]
    grouped = frame.groupby(["customer", "week"], sort=False)
    cells = grouped.agg(
        sessions=("sessions", lambda v: v.fillna(0).sum()),
        active=("active", lambda v: v.fillna(0).max()),
        days=("day", "nunique"),
    ).reset_index()
    lists = frame.dropna(subset=["users"]).drop_duplicates(["customer", "week", "users"])
    joined = lists.groupby(["customer", "week"])["users"].agg(lambda v: "[" + ",".join(v) + "]")
    return cells.merge(joined.reset_index(), on=["customer", "week"], how="left")


def _people(texts: tuple[str | None, ...], read: dict[str, float]) -> FloatArray:
    """How many distinct user keys each JSON text of lists holds (0 for None); ``read``
    keeps the counts of the texts seen."""
    out = np.zeros(len(texts))
    for k, text in enumerate(texts):
        if text is not None:
            count = read.get(text)
            if count is None:
                count = read[text] = _union(text)
            out[k] = count
    return out


def _union(text: str) -> float:
    """How many distinct user keys a JSON text of lists holds."""
    keys: set[str] = set()
    for value in json.loads(text):
        if isinstance(value, list):
            keys.update(str(v) for v in value)
    return float(len(keys))

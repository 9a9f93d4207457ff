"""Small database helpers shared by the alert modules: raw reads and bulk writes.

Large reads go through the DBAPI cursor (plain tuples, no per-row processing: 100,000
rows in a fraction of the time SQLAlchemy rows take); bulk writes through
``exec_driver_sql`` executemany. Both run on the caller's connection, so inside its
transaction. Timestamps are bound as stored: naive UTC text on SQLite (the format
SQLAlchemy writes, so that text comparison stays chronological), naive UTC datetimes on
PostgreSQL. The readers (the list, the detail, the dashboard) share ``reading`` (a read
transaction of their own), ``STATUS_SQL`` (the status the user sees) and
``driver_texts`` (an alert's stored drivers as texts).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, Table

from models.db import translate_db_errors
from models.schema import Action, Alert, AlertRule, AuditEvent, Customer, Outreach

if TYPE_CHECKING:
    import pandas as pd

ALERTS: Table = Alert.__table__  # type: ignore[assignment]
AUDIT: Table = AuditEvent.__table__  # type: ignore[assignment]
RULES: Table = AlertRule.__table__  # type: ignore[assignment]
ACTIONS: Table = Action.__table__  # type: ignore[assignment]
OUTREACH: Table = Outreach.__table__  # type: ignore[assignment]
CUSTOMERS: Table = Customer.__table__  # type: ignore[assignment]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_NONE: Any = None  # compared element-wise with np.equal (typed loosely for numpy's stubs)

# The status the user sees: a snooze whose date has come reads "open".
STATUS_SQL = (
    "CASE WHEN a.status = 'snoozed' AND a.snoozed_until IS NOT NULL AND a.snoozed_until <= ? "
    "THEN 'open' ELSE a.status END"
)


@contextlib.contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection in a read transaction of its own (one snapshot of the workspace)."""
    with translate_db_errors(), engine.connect() as conn, conn.begin():
        yield conn


def sql(conn: Connection, text: str) -> str:
    """The statement with ``?`` placeholders in the driver's own style."""
    return text if conn.dialect.paramstyle == "qmark" else text.replace("?", "%s")


def differs(conn: Connection, column: str) -> str:
    """``column`` differs from a ``?`` parameter, NULLs compared as values (SQLite's
    ``IS NOT``: its ``IS DISTINCT FROM`` needs 3.39, newer than some Linux systems have)."""
    if conn.dialect.name == "sqlite":
        return f"{column} IS NOT ?"
    return f"{column} IS DISTINCT FROM ?"


def update_from_arrays(
    conn: Connection,
    table: str,
    columns: Sequence[tuple[str, str, Sequence[Any]]],
    assignments: str,
    params: Sequence[Any] = (),
    *,
    join: str = "",
) -> None:
    """PostgreSQL: one ``UPDATE table SET assignments FROM unnest(arrays) AS v(...)
    WHERE table.id = v.id`` for many rows at once, in place of an UPDATE per row (the
    rows arrive as one array per column: (name, SQL type, values), ``id`` among them).

    ``assignments`` names the new values ``v.<name>`` and the current ones
    ``<table>.<column>`` (PostgreSQL evaluates every assignment on the row as it was);
    ``params`` fill its ``%s`` placeholders, before the arrays; ``join`` (such as
    ``JOIN score_snapshots s ON s.id = v.snapshot_id``) brings in more of each row."""
    arrays = ", ".join(f"%s::{kind}[]" for _, kind, _ in columns)
    names = ", ".join(name for name, _, _ in columns)
    values = [list(v) for _, _, v in columns]
    if not values or not values[0]:
        return
    conn.exec_driver_sql(
        f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({names}) {join} "
        f"WHERE {table}.id = v.id",
        (*params, *values),
    )


def stamp(conn: Connection, value: dt.datetime) -> Any:
    """A timestamp as the database stores it (naive UTC; text on SQLite)."""
    naive = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if conn.dialect.name == "sqlite":
        return naive.isoformat(sep=" ", timespec="microseconds")
    return naive


def fetch(conn: Connection, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """All rows of one statement as plain tuples, through the DBAPI cursor."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql(conn, text), tuple(params))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def number_grid(
    conn: Connection, text: str, params: Sequence[Any], count: int
) -> npt.NDArray[np.float64]:
    """All rows of a statement of ``count`` numbers as one float64 grid (None as NaN),
    through the DBAPI cursor 100,000 rows at a time: half the cost of SQLite writing
    every number out as text for numpy to parse, and never a million tuples at once."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql(conn, text), tuple(params))
        chunks = [np.zeros((0, count))]
        while rows := cursor.fetchmany(100_000):
            chunks.append(np.array(rows, dtype=np.float64).reshape(len(rows), count))
    finally:
        cursor.close()
    return np.concatenate(chunks)


def columns(rows: list[tuple[Any, ...]], count: int) -> list[npt.NDArray[np.object_]]:
    """Rows turned into ``count`` object columns (a 2-D object array is the cheapest way
    from DBAPI tuples to numpy columns)."""
    if not rows:
        return [np.zeros(0, dtype=object) for _ in range(count)]
    grid = np.array(rows, dtype=object).reshape(len(rows), count)
    return [grid[:, k] for k in range(count)]


def floats(values: Sequence[Any] | npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """float64, NaN for None."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return values.astype(np.float64)
    array = np.asarray(values, dtype=object)
    if array.size == 0:
        return np.zeros(0)
    array = np.where(np.equal(array, _NONE), np.nan, array)
    result: npt.NDArray[np.float64] = array.astype(np.float64)
    return result


def ints(values: Sequence[Any] | npt.NDArray[Any]) -> IntArray:
    """int64."""
    return np.asarray(values).astype(np.int64) if len(values) else np.zeros(0, np.int64)


def is_none(values: npt.NDArray[Any]) -> BoolArray:
    """True where an object array holds None."""
    result: BoolArray = np.equal(values, _NONE)
    return result


def bools(values: Sequence[Any] | npt.NDArray[Any]) -> BoolArray:
    """bool (SQLite gives 0/1, PostgreSQL True/False; None is False)."""
    array = np.asarray(values, dtype=object)
    result: BoolArray = np.where(np.equal(array, _NONE), False, array).astype(bool)
    return result


def timestamps(values: Sequence[Any] | npt.NDArray[Any]) -> pd.DatetimeIndex:
    """UTC timestamps from stored values (ISO text on SQLite, datetimes on PostgreSQL)."""
    import pandas as pd  # here: the alert list's read does not need it (queries._stamps)

    index = pd.to_datetime(pd.Series(list(values), dtype=object), format="ISO8601", utc=True)
    return pd.DatetimeIndex(index)


def positions(ids: IntArray, keys: IntArray) -> tuple[IntArray, BoolArray]:
    """Positions of ``keys`` in the sorted ``ids``, and which keys were found."""
    if ids.size == 0:
        return np.zeros(keys.size, np.int64), np.zeros(keys.size, bool)
    pos = np.minimum(np.searchsorted(ids, keys), ids.size - 1)
    return pos.astype(np.int64), ids[pos] == keys


def aware(value: dt.datetime) -> dt.datetime:
    """The datetime in UTC, aware (naive values are taken as UTC)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def as_datetime(value: Any) -> dt.datetime:
    """A stored timestamp (datetime or ISO text) as an aware UTC datetime."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(str(value))
    return aware(value)


def midnight(day: dt.date) -> dt.datetime:
    """The start of a UTC day."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def driver_texts(value: Any) -> tuple[str, ...]:
    """The texts of an alert's stored drivers (a JSON list of {"text": ...})."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return ()
    if not isinstance(value, list):
        return ()
    return tuple(str(d["text"]) for d in value if isinstance(d, dict) and d.get("text"))

"""Writing a usage import's customer-days, and undoing it.

A re-import replaces the figures of the (customer, source, day) rows it covers: a day it
brings anew is inserted (tagged with the import), a day already stored is updated in place
and its values before are kept in import_changes, so that undo puts them back; a day whose
figures are the same is left alone (importing the same file twice changes nothing). A row
keeps the id of the import that first wrote it, as orders do: a later import that changed
it must be undone first (services/importing/history.py says so).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update
from sqlalchemy.orm import Session

from models.schema import ImportChange, UsageDay
from services.importing.usage.aggregate import DayFigures

__all__ = ["FIGURE_COLUMNS", "undo_usage", "write_days"]

TABLE: Table = UsageDay.__table__  # type: ignore[assignment]
CHANGES: Table = ImportChange.__table__  # type: ignore[assignment]
FIGURE_COLUMNS = (
    "period_days",
    "events",
    "sessions",
    "logins",
    "active_users",
    "minutes",
    "documents_viewed",
    "features",
    "users",
)


_JSON = ("features", "users")


def _stored_form(column: str, value: Any) -> Any:
    """A value as the writer stores and compares it (JSON as sorted text)."""
    if column in _JSON and value is not None and not isinstance(value, str):
        return json.dumps(value, sort_keys=True)
    return value


def _values(f: DayFigures) -> list[Any]:
    # The user keys are hex digits: their JSON needs no escaping (and this is the hot loop).
    users = None if f.users is None else '["' + '", "'.join(f.users) + '"]'
    features = None if f.features is None else json.dumps(f.features, sort_keys=True)
    return [
        f.period_days,
        f.events,
        f.sessions,
        f.logins,
        f.active_users,
        f.minutes,
        f.documents_viewed,
        features,
        users,
    ]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-6
    return bool(a == b)


class _Cursor:
    """The import connection's DBAPI cursor, with ``?`` placeholders on both databases
    (as services/importing/storage.py writes: no per-row cost of the ORM's types)."""

    def __init__(self, conn: Connection) -> None:
        self.sqlite = conn.dialect.name == "sqlite"
        self.ph = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self.cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]

    def sql(self, text: str) -> str:
        return text if self.ph == "?" else text.replace("?", self.ph)

    def day(self, value: dt.date) -> Any:
        return value.isoformat() if self.sqlite else value

    def close(self) -> None:
        self.cur.close()


def _stored(
    cur: _Cursor, source: str, customers: Sequence[int], first: dt.date, last: dt.date
) -> dict[tuple[int, str], tuple[Any, ...]]:
    """(customer, ISO day) -> (id, figures in stored form) of the stored rows in range."""
    out: dict[tuple[int, str], tuple[Any, ...]] = {}
    columns = ", ".join(FIGURE_COLUMNS)
    for start in range(0, len(customers), 500):
        part = list(customers[start : start + 500])
        cur.cur.execute(
            cur.sql(
                f"SELECT id, customer_id, day, {columns} FROM usage_days WHERE source = ? "
                f"AND day BETWEEN ? AND ? AND customer_id IN ({','.join('?' * len(part))})"
            ),
            (source, cur.day(first), cur.day(last), *part),
        )
        for row in cur.cur.fetchall():
            day = row[2] if isinstance(row[2], str) else row[2].isoformat()
            figures = tuple(
                _stored_form(c, v) for c, v in zip(FIGURE_COLUMNS, row[3:], strict=True)
            )
            out[(int(row[1]), day)] = (int(row[0]), *figures)
    return out


def write_days(
    session: Session,
    run_id: int,
    source: str,
    batches: Iterable[Sequence[DayFigures]],
    written: Callable[[int], None] | None = None,
) -> tuple[int, int, int]:
    """Write the figures for ``source``, batch by batch; (inserted, updated, unchanged)
    customer-days. ``written`` hears how many are done after each batch."""
    totals = [0, 0, 0]
    cur = _Cursor(session.connection())
    try:
        for figures in batches:
            for i, n in enumerate(_write_batch(cur, run_id, source, figures)):
                totals[i] += n
            if written is not None:
                written(sum(totals))
    finally:
        cur.close()
    return totals[0], totals[1], totals[2]


def _write_batch(
    cur: _Cursor, run_id: int, source: str, figures: Sequence[DayFigures]
) -> tuple[int, int, int]:
    if not figures:
        return 0, 0, 0
    customers = sorted({f.customer_id for f in figures})
    stored = _stored(
        cur, source, customers, min(f.day for f in figures), max(f.day for f in figures)
    )
    new: list[tuple[Any, ...]] = []
    changed: list[tuple[Any, ...]] = []
    log: list[tuple[Any, ...]] = []
    unchanged = 0
    for f in figures:
        values = _values(f)
        now = stored.get((f.customer_id, f.day.isoformat()))
        if now is None:
            new.append((f.customer_id, source, cur.day(f.day), *values, run_id))
            continue
        if all(_same(v, w) for v, w in zip(values, now[1:], strict=True)):
            unchanged += 1
            continue
        changed.append((*values, now[0]))
        before = {
            c: json.loads(v) if c in _JSON and isinstance(v, str) else v
            for c, v in zip(FIGURE_COLUMNS, now[1:], strict=True)
        }
        log.append((run_id, TABLE.name, now[0], json.dumps(before)))
    columns = ", ".join(FIGURE_COLUMNS)
    if new:
        marks = ",".join("?" * (len(FIGURE_COLUMNS) + 4))
        cur.cur.executemany(
            cur.sql(
                f"INSERT INTO usage_days (customer_id, source, day, {columns}, import_run_id) "
                f"VALUES ({marks})"
            ),
            new,
        )
    if changed:
        sets = ", ".join(f"{c} = ?" for c in FIGURE_COLUMNS)
        cur.cur.executemany(cur.sql(f"UPDATE usage_days SET {sets} WHERE id = ?"), changed)
        cur.cur.executemany(
            cur.sql(
                "INSERT INTO import_changes (import_run_id, table_name, row_id, before) "
                "VALUES (?, ?, ?, ?)"
            ),
            log,
        )
    return len(new), len(changed), unchanged


def undo_usage(session: Session, run_id: int) -> tuple[int, int]:
    """Undo an import's customer-days: the ones it changed get their figures back, the
    ones it added are deleted; (deleted, restored). The entries it handled leave
    import_changes, so that the rest of undo does not see them; a merge's re-pointed rows
    (only their customer_id kept) and the days a merge folded into the survivor's
    (services/importing/usage/merge.py) are left to the rest of undo, which puts the
    merged customer back first."""
    conn = session.connection()
    changes = CHANGES
    entries = conn.execute(
        select(changes.c.id, changes.c.row_id, changes.c.before)
        .where(changes.c.import_run_id == run_id, changes.c.table_name == TABLE.name)
        .order_by(changes.c.id.desc())
    ).all()
    handled = []
    for entry_id, row_id, raw in entries:
        before = json.loads(raw) if isinstance(raw, str) else dict(raw)
        # Kept as JSON text (_stored_form); the JSON columns take the value itself.
        values = {
            c: json.loads(before[c]) if c in _JSON and isinstance(before[c], str) else before[c]
            for c in FIGURE_COLUMNS
            if c in before
        }
        if not values or before.get("__deleted__"):  # a merge's folded day: put back whole
            continue
        conn.execute(update(TABLE).where(TABLE.c.id == row_id).values(**values))
        handled.append(entry_id)
    for start in range(0, len(handled), 500):
        conn.execute(delete(changes).where(changes.c.id.in_(handled[start : start + 500])))
    deleted = conn.execute(delete(TABLE).where(TABLE.c.import_run_id == run_id)).rowcount
    return int(deleted or 0), len(handled)

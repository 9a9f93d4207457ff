"""Writing a usage import's customer-days, and undoing it.

The figures of several files add up: a (customer, source, day) an import brings anew is
inserted (tagged with the import); one already stored gets the import's figures added to
its own (events, sessions, logins, minutes and documents summed, people and features
joined) and its values before are kept in import_changes, so that undo puts them back
exactly. The same file imported again (the same SHA-256) adds nothing to the days an
earlier import of it wrote: those are left alone and counted unchanged, and only the days
of customers matched since (their customers imported in between) are added. A row keeps
the id of the import that first wrote it, as orders do: a later import that changed it
must be undone first (services/importing/history.py says so).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update
from sqlalchemy.orm import Session

from models.schema import ImportChange, UsageDay
from services.importing.usage.aggregate import MAX_USERS_PER_DAY, DayFigures

__all__ = ["FIGURE_COLUMNS", "days_written_by", "undo_usage", "write_days"]

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


def _plus(a: Any, b: Any) -> Any:
    return None if a is None and b is None else (a or 0) + (b or 0)


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _added(new: list[Any], now: Sequence[Any]) -> list[Any]:
    """The stored figures (in stored form) with a file's figures for the same day added."""
    period, events, sessions, logins, active, minutes, documents, features, users = now
    n_features, n_users = _loaded(new[7]), _loaded(new[8])
    uses: dict[str, int] = dict(_loaded(features) or {})
    for name, count in (n_features or {}).items():
        uses[name] = uses.get(name, 0) + int(count)
    people = None
    if users is not None or n_users is not None:
        people = sorted(set(_loaded(users) or ()) | set(n_users or ()))[:MAX_USERS_PER_DAY]
    largest = max(active or 0, new[4] or 0, len(people or ()))
    summed_minutes = _plus(minutes, new[5])
    return [
        period,
        (events or 0) + (new[1] or 0),
        _plus(sessions, new[2]),
        _plus(logins, new[3]),
        None if active is None and new[4] is None and people is None else largest,
        None if summed_minutes is None else round(float(summed_minutes), 2),
        _plus(documents, new[6]),
        json.dumps(uses, sort_keys=True) if uses else None,
        None if people is None else json.dumps(people),
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


def days_written_by(session: Session, runs: Sequence[int]) -> set[int]:
    """The ids of the usage days these imports inserted or changed."""
    out: set[int] = set()
    conn = session.connection()
    for start in range(0, len(runs), 500):
        part = list(runs[start : start + 500])
        out.update(conn.scalars(select(TABLE.c.id).where(TABLE.c.import_run_id.in_(part))).all())
        out.update(
            conn.scalars(
                select(CHANGES.c.row_id).where(
                    CHANGES.c.import_run_id.in_(part), CHANGES.c.table_name == TABLE.name
                )
            ).all()
        )
    return out


def write_days(
    session: Session,
    run_id: int,
    source: str,
    batches: Iterable[Sequence[DayFigures]],
    written: Callable[[int], None] | None = None,
    *,
    counted: set[int] | None = None,
) -> tuple[int, int, int]:
    """Add the figures for ``source`` to the stored days, batch by batch; (inserted,
    updated, unchanged) customer-days. ``counted``: the ids of the days that already hold
    this very file's figures (an earlier import of it), left alone. ``written`` hears how
    many are done after each batch."""
    totals = [0, 0, 0]
    cur = _Cursor(session.connection())
    try:
        for figures in batches:
            for i, n in enumerate(_write_batch(cur, run_id, source, figures, counted or set())):
                totals[i] += n
            if written is not None:
                written(sum(totals))
    finally:
        cur.close()
    return totals[0], totals[1], totals[2]


def _write_batch(
    cur: _Cursor, run_id: int, source: str, figures: Sequence[DayFigures], counted: set[int]
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
        if now[0] in counted:  # this file's figures are in it already
            unchanged += 1
            continue
        values = _added(values, now[1:])
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

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
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

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
_BATCH = 2_000


def _values(f: DayFigures) -> dict[str, Any]:
    return {c: getattr(f, c) for c in FIGURE_COLUMNS}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-6
    return bool(a == b)


def _stored(
    conn: Connection, source: str, customers: Sequence[int], first: dt.date, last: dt.date
) -> dict[tuple[int, dt.date], dict[str, Any]]:
    out: dict[tuple[int, dt.date], dict[str, Any]] = {}
    columns = [TABLE.c.id, TABLE.c.customer_id, TABLE.c.day, *(TABLE.c[c] for c in FIGURE_COLUMNS)]
    for start in range(0, len(customers), 500):
        part = list(customers[start : start + 500])
        rows = conn.execute(
            select(*columns).where(
                TABLE.c.source == source,
                TABLE.c.customer_id.in_(part),
                TABLE.c.day.between(first, last),
            )
        )
        for row in rows.mappings():
            out[(int(row["customer_id"]), row["day"])] = dict(row)
    return out


def write_days(
    conn: Connection, run_id: int, source: str, figures: Sequence[DayFigures]
) -> tuple[int, int, int]:
    """Write the figures for ``source``; (inserted, updated, unchanged) customer-days."""
    if not figures:
        return 0, 0, 0
    customers = sorted({f.customer_id for f in figures})
    first = min(f.day for f in figures)
    last = max(f.day for f in figures)
    stored = _stored(conn, source, customers, first, last)
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    log: list[dict[str, Any]] = []
    unchanged = 0
    for f in figures:
        values = _values(f)
        now = stored.get((f.customer_id, f.day))
        if now is None:
            new.append(
                {"customer_id": f.customer_id, "source": source, "day": f.day, **values}
                | {"import_run_id": run_id}
            )
            continue
        diff = {c: v for c, v in values.items() if not _same(v, now[c])}
        if not diff:
            unchanged += 1
            continue
        changed.append({"b_id": now["id"], **values})
        log.append(
            {
                "import_run_id": run_id,
                "table_name": TABLE.name,
                "row_id": now["id"],
                "before": {c: now[c] for c in FIGURE_COLUMNS},
            }
        )
    for start in range(0, len(new), _BATCH):
        conn.execute(insert(TABLE), new[start : start + _BATCH])
    if changed:
        statement = (
            update(TABLE)
            .where(TABLE.c.id == bindparam("b_id"))
            .values({c: bindparam(c) for c in FIGURE_COLUMNS})
        )
        for start in range(0, len(changed), _BATCH):
            conn.execute(statement, changed[start : start + _BATCH])
        for start in range(0, len(log), _BATCH):
            conn.execute(insert(CHANGES), log[start : start + _BATCH])
    return len(new), len(changed), unchanged


def undo_usage(conn: Connection, run_id: int) -> tuple[int, int]:
    """Undo an import's customer-days: the ones it changed get their figures back, the
    ones it added are deleted; (deleted, restored). Its usage_days entries leave
    import_changes, so that the rest of undo does not see them."""
    changes = CHANGES
    entries = conn.execute(
        select(changes.c.row_id, changes.c.before)
        .where(changes.c.import_run_id == run_id, changes.c.table_name == TABLE.name)
        .order_by(changes.c.id.desc())
    ).all()
    for row_id, before in entries:
        values = {c: before.get(c) for c in FIGURE_COLUMNS if c in before}
        conn.execute(update(TABLE).where(TABLE.c.id == row_id).values(**values))
    conn.execute(
        delete(changes).where(changes.c.import_run_id == run_id, changes.c.table_name == TABLE.name)
    )
    deleted = conn.execute(delete(TABLE).where(TABLE.c.import_run_id == run_id)).rowcount
    return int(deleted or 0), len(entries)

"""Writing a scoring's snapshots: 100,000 rows in one go, by the fastest door each
database has (SQLite: a raw executemany; PostgreSQL: COPY, services/core/_bulk.py; others:
a Core insert)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, Text, bindparam, cast, insert

from models.schema import ScoreSnapshot

INSERT_CHUNK = 20_000
# SQLite's page cache while the snapshots are written (KiB; the import's size): the
# default 2 MB is smaller than a million customers' index pages, which were then written
# out to the WAL and read back again and again before the commit.
WRITE_CACHE_KIB = 262_144

SNAPSHOT_COLUMNS = (
    "customer_id",
    "as_of",
    "horizon_days",
    "engagement_score",
    "churn_risk",
    "predicted_orders",
    "predicted_revenue_cents",
    "clv_12m_cents",
    "segment",
    "health_score",
    "confidence",
    "drivers",
    "model_version",
    "created_at",
    "scoring_run_id",
    "p_alive",
    "revenue_at_risk_cents",
    "components",
    "churn_risk_low",
    "churn_risk_high",
    "predicted_orders_low",
    "predicted_orders_high",
    "clv_12m_low_cents",
    "clv_12m_high_cents",
)

_JSON_COLUMNS = ("drivers", "components")


def insert_snapshots(
    conn: Connection,
    columns_of: Callable[[int, int], dict[str, list[Any]]],
    constants: dict[str, Any],
    n: int,
    step: Callable[[float, str], None],
) -> None:
    """Bulk insert of n rows, INSERT_CHUNK at a time: ``columns_of(start, stop)`` gives
    the rows' values by column (JSON columns as JSON text), ``constants`` the values
    every row shares."""
    if conn.dialect.name == "sqlite":
        with write_cache(conn):
            _insert_sqlite(conn, columns_of, constants, n, step)
        return
    if conn.dialect.name == "postgresql":
        # COPY (services/core/_bulk.py): the JSON columns' text goes in as it is, timestamps
        # as the naive UTC the column stores.
        from services.core._bulk import copy_in

        values = dict(constants)
        values["created_at"] = constants["created_at"].astimezone(dt.UTC).replace(tzinfo=None)
        fixed_names = [c for c in SNAPSHOT_COLUMNS if c in values]
        for start in range(0, n, INSERT_CHUNK):
            stop = min(start + INSERT_CHUNK, n)
            columns = columns_of(start, stop)
            names = [c for c in SNAPSHOT_COLUMNS if c in columns or c in fixed_names]
            per_row = [columns.get(c) for c in names]
            fixed = [values.get(c) for c in names]
            chunk = zip(
                *[
                    col if col is not None else [fixed[i]] * (stop - start)
                    for i, col in enumerate(per_row)
                ],
                strict=True,
            )
            copy_in(conn, "score_snapshots", names, chunk)
            step(0.8 + 0.18 * stop / max(n, 1), "Saving the scores")
        return
    # Other databases: Core insert, JSON text cast to the column's JSON type.
    json_type = ScoreSnapshot.__table__.c.drivers.type
    stmt = insert(ScoreSnapshot).values(
        {c: cast(bindparam(c, type_=Text), json_type) for c in _JSON_COLUMNS}
    )
    for start in range(0, n, INSERT_CHUNK):
        stop = min(start + INSERT_CHUNK, n)
        columns = columns_of(start, stop)
        keys = list(columns)
        records = [
            {**constants, **dict(zip(keys, row, strict=True))}
            for row in zip(*[columns[k] for k in keys], strict=True)
        ]
        conn.execute(stmt, records)
        step(0.8 + 0.18 * stop / max(n, 1), "Saving the scores")


@contextlib.contextmanager
def write_cache(conn: Connection) -> Iterator[None]:
    """On SQLite, a page cache of WRITE_CACHE_KIB for this connection while inside (a
    pragma that may change within a transaction), then as it was; elsewhere nothing."""
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    conn.exec_driver_sql(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        if not conn.invalidated:
            conn.exec_driver_sql(f"PRAGMA cache_size = {previous}")


def _insert_sqlite(
    conn: Connection,
    columns_of: Callable[[int, int], dict[str, list[Any]]],
    constants: dict[str, Any],
    n: int,
    step: Callable[[float, str], None],
) -> None:
    """The SQLite door: a raw executemany per chunk."""
    # Raw executemany: no per-value type processing for 100,000 rows. Dates and
    # timestamps in SQLAlchemy's SQLite text formats.
    values = dict(constants)
    values["as_of"] = constants["as_of"].isoformat()
    values["created_at"] = (
        constants["created_at"].astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    )
    if "." not in values["created_at"]:
        values["created_at"] += ".000000"
    names = list(SNAPSHOT_COLUMNS)
    sql = (
        f"INSERT INTO score_snapshots ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    )
    fixed = [values.get(c) for c in names]
    for start in range(0, n, INSERT_CHUNK):
        stop = min(start + INSERT_CHUNK, n)
        columns = columns_of(start, stop)
        per_row = [columns.get(c) for c in names]
        rows = list(
            zip(
                *[
                    col if col is not None else [fixed[i]] * (stop - start)
                    for i, col in enumerate(per_row)
                ],
                strict=True,
            )
        )
        conn.exec_driver_sql(sql, rows)
        step(0.8 + 0.18 * stop / max(n, 1), "Saving the scores")

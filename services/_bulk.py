"""PostgreSQL's bulk reads and writes for scoring and alerts.

A million rows read through a cursor become a million Python tuples (and dates) before
numpy sees them; ``read_columns`` has the server hand over the whole result as one text of
numbers, which numpy parses at once. Writing, ``copy_in`` sends rows with
COPY FROM STDIN (through a temporary table) instead of an INSERT per batch. Both run on
the caller's connection, so inside its transaction. SQLite has its own fast paths
(group_concat, executemany) in the modules that use these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection


def read_columns(conn: Connection, sql: str, names: Sequence[str]) -> pd.DataFrame:
    """The result of ``sql`` (plain SQL, no parameters: numbers and checked codes only;
    numeric columns only) as a frame with columns ``names``; NULL is NaN.

    The server joins the whole result into one text of numbers (string_agg, as SQLite's
    group_concat does on the other side), which numpy parses in C: one value over the
    wire instead of a message per row."""
    columns = [f"c{i}" for i in range(len(names))]
    cells = " || ',' || ".join(f"COALESCE(CAST({c} AS TEXT), 'nan')" for c in columns)
    text = conn.exec_driver_sql(
        f"SELECT string_agg({cells}, ',') FROM ({sql}) AS t ({', '.join(columns)})"
    ).scalar()
    values = (
        np.fromstring(text, sep=",", dtype=np.float64) if text else np.zeros(0, np.float64)
    ).reshape(-1, len(names))
    return pd.DataFrame({name: values[:, i] for i, name in enumerate(names)})


def copy_in(
    conn: Connection, table: str, names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write ``rows`` (values in ``names`` order, as psycopg adapts them) into ``table``
    with COPY; returns how many.

    PostgreSQL refuses COPY FROM into a table under row-level security (a shared
    workspace's, services/team/security.py), so the rows go into a temporary table by
    COPY and on with one INSERT … SELECT, which the policies check."""
    driver = conn.connection.driver_connection
    assert driver is not None
    columns = ", ".join(f'"{n}"' for n in names)
    staging = f"_bulk_{table}"
    count = 0
    with driver.cursor() as cursor:
        cursor.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" '
            f'(LIKE "{table}" INCLUDING DEFAULTS) ON COMMIT DROP'
        )
        cursor.execute(f'TRUNCATE "{staging}"')
        with cursor.copy(f'COPY "{staging}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        cursor.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{staging}"')
        cursor.execute(f'TRUNCATE "{staging}"')
    return count

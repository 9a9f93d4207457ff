"""PostgreSQL's COPY for the bulk reads and writes of scoring and alerts.

A million rows read through a cursor become a million Python tuples (and dates) before
numpy sees them; ``COPY (query) TO STDOUT`` hands over the text of the whole result,
which pandas' C parser turns into columns at once. Writing, ``copy_in`` sends rows with
COPY FROM STDIN instead of an INSERT per batch. Both run on the caller's connection, so
inside its transaction. SQLite has its own fast paths (group_concat, executemany) in the
modules that use these.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection

# COPY's text format writes NULL as \N; nothing else is read as missing.
_NULL = "\\N"


def copy_out(conn: Connection, sql: str, names: Sequence[str]) -> pd.DataFrame:
    """The result of ``sql`` (plain SQL, no parameters: numbers and checked codes only)
    as a frame with columns ``names``; NULL is NaN. Numeric columns only: text values
    would arrive with COPY's escapes."""
    driver = conn.connection.driver_connection
    assert driver is not None
    buffer = io.BytesIO()
    with driver.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
        for chunk in copy:
            buffer.write(chunk)
    if buffer.tell() == 0:
        return pd.DataFrame({name: pd.Series(dtype="float64") for name in names})
    buffer.seek(0)
    return pd.read_csv(
        buffer,
        sep="\t",
        header=None,
        names=list(names),
        na_values=[_NULL],
        keep_default_na=False,
        engine="c",
    )


def copy_in(
    conn: Connection, table: str, names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write ``rows`` (values in ``names`` order, as psycopg adapts them) into ``table``
    with COPY; returns how many."""
    driver = conn.connection.driver_connection
    assert driver is not None
    columns = ", ".join(f'"{n}"' for n in names)
    count = 0
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count

"""Publish's bulk copy: a SQLite workspace's rows into PostgreSQL by COPY, in large batches.

The rows are read through SQLite's own cursor (no per-value conversion in Python) and
written with psycopg's COPY in its text form, where PostgreSQL converts each value by
the column's type: the stored text of a timestamp or a date, 0/1 for a boolean, JSON's
text for JSONB, integers and floats as they are (a float's text round-trips exactly).
The secondary indexes and the foreign keys are set aside before the load and made again
after it, each in one pass over the loaded rows (the keys checked then, all at once),
rather than kept up row by row. Everything happens on the caller's connection, in its
transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table

BATCH_ROWS = 50_000
# A session setting (no superuser needed): the index builds after the load sort in memory.
INDEX_BUILD_MEMORY = "256MB"

Progress = Callable[[str, int, int], None]  # (table, rows copied so far, rows in table)

_SECONDARY_INDEXES = """
SELECT quote_ident(ns.nspname) || '.' || quote_ident(ic.relname), pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class tc ON tc.oid = i.indrelid
JOIN pg_namespace ns ON ns.oid = tc.relnamespace
WHERE ns.nspname = current_schema()
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
ORDER BY ic.relname
"""

_FOREIGN_KEYS = """
SELECT k.conrelid::regclass::text, quote_ident(k.conname), pg_get_constraintdef(k.oid)
FROM pg_constraint k
WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace
ORDER BY k.conrelid::regclass::text, k.conname
"""


@dataclass
class SetAside:
    """What was dropped before the load, as the statements that make it again."""

    indexes: list[str] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)


def set_aside_indexes_and_keys(out: Connection) -> SetAside:
    """Drop the foreign keys and the indexes no constraint holds; return how to remake them."""
    aside = SetAside()
    for table, name, definition in out.exec_driver_sql(_FOREIGN_KEYS).all():
        out.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        aside.foreign_keys.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for name, definition in out.exec_driver_sql(_SECONDARY_INDEXES).all():
        out.exec_driver_sql(f"DROP INDEX {name}")
        aside.indexes.append(definition)
    return aside


def restore_indexes_and_keys(out: Connection, aside: SetAside) -> None:
    """Build the indexes, then add the foreign keys back (each checks every loaded row)."""
    out.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
    for statement in aside.indexes + aside.foreign_keys:
        out.exec_driver_sql(statement)


def copy_table(
    raw_source: Any,
    cursor: Any,
    table: Table,
    *,
    where: tuple[str, list[Any]] | None = None,
    total: int = 0,
    progress: Progress | None = None,
) -> int:
    """COPY every row of ``table`` from the SQLite DB-API connection ``raw_source`` through
    the psycopg ``cursor`` (the target's, in its transaction); ``where`` narrows the rows
    (an SQL condition and its parameters). Returns the rows copied."""
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    query = f'SELECT {columns} FROM "{table.name}"'
    params: list[Any] = []
    if where is not None:
        query += f" WHERE {where[0]}"
        params = where[1]
    done = 0
    reader = raw_source.cursor()
    try:
        reader.execute(query, params)
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            write = copy.write_row
            while rows := reader.fetchmany(BATCH_ROWS):
                for row in rows:
                    write(row)
                done += len(rows)
                if progress is not None:
                    progress(table.name, done, total)
    finally:
        reader.close()
    return done

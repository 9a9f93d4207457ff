"""The import's hold on the database: one connection and transaction per file with the
SQLite settings for bulk writing (restored afterwards), a big insert's secondary indexes
rebuilt once after it, and the clock of the phases that the log and the benchmark read."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from services.core.rollups import marked_current
from services.importing.canonical import Batch
from services.importing.storage import WriteResult

log = logging.getLogger(__name__)

# Above this many new rows (and more than the table holds), secondary indexes of the
# table are rebuilt once after the insert instead of being updated row by row.
REBUILD_INDEXES_FROM = 200_000


class Clock:
    """Phase timings of one file's import, logged (the benchmark reads them)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.last = time.perf_counter()
        self.last_cpu = time.process_time()
        self.laps: list[tuple[str, float, float]] = []

    def lap(self, phase: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.laps.append((phase, now - self.last, cpu - self.last_cpu))
        self.last, self.last_cpu = now, cpu

    def log(self) -> None:
        """Wall seconds, and the process's CPU seconds in brackets (a loaded machine
        stretches the first, not the second); then the process's peak memory so far."""
        parts = ", ".join(f"{p} {s:.2f}s ({c:.2f})" for p, s, c in self.laps)
        log.info("import of %s: %s; peak %d MB", self.name, parts, peak_mb())


def peak_mb() -> int:
    """The process's peak resident memory so far, in MB (0 where it cannot be read)."""
    if sys.platform == "win32":
        return 0
    import resource  # not on Windows

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak / (1 << 20) if sys.platform == "darwin" else peak / 1024)


def _raw_pragma(conn: Connection, sql: str) -> Any:
    # Through the driver: a statement through SQLAlchemy would begin a transaction.
    raw = conn.connection.driver_connection
    assert raw is not None
    return raw.execute(sql).fetchone()


# The import connection's SQLite settings while it writes, restored afterwards:
# - a 320 MB page cache (the default 2 MB thrashes once the indexes outgrow it) and
#   in-memory temporary storage for the sorts of the index rebuilds. A transaction
#   whose pages outgrow the cache spills some to the WAL before COMMIT; when one of
#   those is written again, SQLite overwrites its frame and at COMMIT reads back every
#   frame after it to redo their checksums: the whole WAL read once more. At 256 MB a
#   1,000,000-row orders file (a 245 MB workspace) spilled and paid that (0.12 s of CPU);
#   at 320 MB its pages fit, and the cache grows only as far as the pages it holds;
# - foreign key checks off: each checked row costs a parent lookup (about a second per
#   million orders). The writer guarantees the references itself: it writes only
#   customer ids it inserted or looked up in this transaction (Store.check_customers),
#   the run id it inserted, and when it merges two customers it re-points every table
#   that refers to customers (read from the schema) before deleting one, so no cascade
#   is needed. PRAGMA foreign_keys cannot change inside a transaction: it is set before
#   BEGIN and restored after COMMIT or ROLLBACK, errors included.
_IMPORT_PRAGMAS = {"cache_size": "-327680", "temp_store": "MEMORY", "foreign_keys": "OFF"}


@contextlib.contextmanager
def import_transaction(engine: Engine, *, commit: bool) -> Iterator[Session]:
    """One connection and transaction, as a Session the import's steps share (its
    connection() is the import's connection); committed only when ``commit`` and no
    error. On a shared workspace, an import that commits is for a lead or an admin."""
    if commit:
        from services.core.access import require_whole_workspace

        require_whole_workspace(engine, "an import")
    with translate_db_errors(), engine.connect() as conn:
        saved: dict[str, Any] = {}
        if conn.dialect.name == "sqlite":
            for name, value in _IMPORT_PRAGMAS.items():
                saved[name] = _raw_pragma(conn, f"PRAGMA {name}")[0]
                _raw_pragma(conn, f"PRAGMA {name} = {value}")
        try:
            trans = conn.begin()
            try:
                with Session(bind=conn) as session:
                    yield session
            except BaseException:
                trans.rollback()
                raise
            if commit:
                trans.commit()
            else:
                trans.rollback()
        finally:
            if saved:
                try:
                    for name, value in saved.items():
                        _raw_pragma(conn, f"PRAGMA {name} = {int(value)}")
                except Exception:
                    # Never hand a connection without foreign keys back to the pool.
                    conn.invalidate()
                    raise


@contextlib.contextmanager
def bulk_indexes(session: Session, batch: Batch, clock: Clock) -> Iterator[None]:
    """For a big insert into a small table (SQLite), rebuild secondary indexes once after.

    The customers (and their identities) the records create count too: a big file of
    records without a customers part, into a workspace holding fewer customers than a
    tenth of its rows, may create as many customers as it has rows over ten, none of them
    merged (only a customers part merges), so their indexes are rebuilt once as well."""
    conn = session.connection()
    rebuild: list[tuple[str, str]] = []
    if conn.dialect.name == "sqlite":
        for table in _bulk_tables(conn, batch):
            rows = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                (table,),
            ).all()
            for name, sql in rows:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
                rebuild.append((name, sql))
    try:
        yield
    finally:
        # On error the transaction rolls back and the indexes come back with it.
        pass
    for _name, sql in rebuild:
        conn.exec_driver_sql(sql)
    if rebuild:
        clock.lap("indexes")


def _bulk_tables(conn: Connection, batch: Batch) -> list[str]:
    """The tables whose secondary indexes are rebuilt after this batch (see above)."""
    tables: list[str] = []
    biggest = 0
    for kind, frame in batch.frames.items():
        if kind == "customers" or len(frame) < REBUILD_INDEXES_FROM:
            continue
        present = conn.exec_driver_sql(f"SELECT COUNT(*) FROM {kind}").scalar_one()
        if int(present) * 2 > len(frame):
            continue
        tables.append(kind)
        biggest = max(biggest, len(frame))
    if tables and "customers" not in batch.frames:
        customers = conn.exec_driver_sql("SELECT COUNT(*) FROM customers").scalar_one()
        if int(customers) * 10 < biggest:
            tables += ["customers", "customer_identities"]
    return tables


def rollups_current(session: Session, result: WriteResult, money_notes: list[str]) -> bool:
    """Whether the customer rollups are still current after writing this file: it changed
    nothing they read (a re-sync of unchanged rows) and they were current before it.

    The rollups read customers, orders, tickets and deals: a file that inserted, updated,
    created or merged nothing, and settled no currency, leaves them as they were, and
    they were current when the stored flag says so (any other write marks them stale).
    """
    touched = result.inserted or result.updated or result.customers_created or result.merged
    if touched or money_notes:
        return False
    return marked_current(session)

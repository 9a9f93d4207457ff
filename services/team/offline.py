"""Offline copies of a shared workspace: ``take_offline`` copies what the
connected database user can see into a workspace file of its own, for working with the
server out of reach (on a plane); services/team/sync.py pushes what was done in it back.

What the copy holds: every customer the user can SELECT (PostgreSQL's row-level security
decides; the app never filters by owner) with their identities, rollups, opportunities
and subscriptions; the latest two score snapshots of each (the scores and their trend
arrows) and those the alerts point at; the scoring runs; the alerts, actions, outreach,
escalations and drafts of those customers with their audit history; settings and alert
rules; and the orders and interactions of the last ``months`` months. Rows whose parent
was not copied (not visible, or outside the window) lose the reference (a nullable one)
or are left out, so the file passes SQLite's foreign key check.

How: the schema through the same migrations as every workspace, then one read-only
REPEATABLE READ transaction on the server (every table from the same snapshot), each
table streamed with ``COPY (SELECT ...) TO STDOUT`` with its values already in the form
SQLite stores them (timestamps as the text SQLAlchemy writes, booleans as 0/1, JSON as
text) into ``executemany``, with the secondary indexes built after the rows. All of it
goes to ``<file>.partial`` and is moved into place only when complete and checked: a
failure or a cancel leaves nothing half-written and any previous copy as it was. A
previous copy holding actions not yet synced back is never replaced.

Where it came from is recorded in the copy's settings (``offline.copy``: the server's
address without password, the database user, when, the months, the highest ids copied)
and the baseline sync needs in three tables of its own (``offline_*_baseline``: each
alert's version and lifecycle, each customer's marks, each task's due date and done time,
as copied). A workspace without the setting is not an offline copy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    Table,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.types import TypeDecorator, TypeEngine

from models import (
    experiments,  # noqa: F401  (registers its tables)
    schema,  # noqa: F401  (registers every table)
)
from models.base import Base, utcnow
from models.db import describe_db_error, is_sqlite, make_engine, translate_db_errors
from models.errors import UserFacingError, WorkspaceError
from models.migrate import HEAD_REVISION, upgrade
from services.core.offline_origin import (
    BASELINE_DDL,
    BASELINE_FILL,
    DEFAULT_MONTHS,
    ORIGIN_KEY,
    OfflineOrigin,
    aware,
    origin_of_file,
    server_address,
)
from services.team.offline_changes import unsynced_actions

log = logging.getLogger(__name__)

# Settings of the server's workspace that are about this computer's files, not the team's:
# a copy must not import from a watched folder (customer data comes from the server).
LOCAL_SETTINGS = ("import.watched_folder", "import.watched_files")
# Tables a copy never takes: the imports and what they changed (their reports quote the
# rows; undoing imports is the server's) and the receipts of pushed actions (the server's
# own bookkeeping).
NOT_COPIED = frozenset({"import_changes", "import_runs", "sync_receipts"})

Progress = Callable[[float, str], None]
Cancelled = Callable[[], bool]


class TakeOfflineCancelled(UserFacingError):
    """The user stopped taking the copy; nothing was written."""


class PasswordNeeded(WorkspaceError):
    """The server wants a password for the database account (none was given, or it was
    not the right one)."""


def connect_server(server: Engine) -> Connection:
    """A connection to the shared workspace; plain words when there is none to be had."""
    where = _where(server.url)
    try:
        return server.connect()
    except OperationalError as exc:
        said = str(exc.orig or exc).lower()
        if "password" in said:
            user = server.url.username or "your account"
            raise PasswordNeeded(
                f"{where} wants the password of the database account {user} (none was given, "
                "or it is not the right one). Give it in the address, in PGPASSWORD or in "
                "~/.pgpass."
            ) from exc
        message = describe_db_error(exc, where)
        if message is None:
            raise
        raise WorkspaceError(message) from exc


@dataclass
class OfflineCopy:
    """What take_offline wrote: where, from where, how many rows of each table, how long."""

    path: Path
    origin: OfflineOrigin
    copied: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)  # rows whose parent was not copied
    seconds: float = 0.0
    size_bytes: int = 0

    @property
    def customers(self) -> int:
        return self.copied.get("customers", 0)

    def lines(self) -> list[str]:
        """What was copied, for the terminal."""
        out = [
            f"Offline copy of {self.origin.label} (as {self.origin.user}) written to "
            f"{self.path}: {self.customers:,} customers, orders and interactions since "
            f"{self.origin.since.date().isoformat()}, {self.size_bytes / 1e6:,.1f} MB "
            f"in {self.seconds:.1f} s."
        ]
        out += [f"  {table:<24} {n:>12,}" for table, n in self.copied.items() if n]
        for table, n in self.left_out.items():
            out.append(f"  ({n:,} {table} left out: they point at rows not in the copy)")
        return out


# --- taking a copy --------------------------------------------------------------------------


def take_offline(
    server: Engine,
    path: str | Path,
    *,
    months: int = DEFAULT_MONTHS,
    progress: Progress | None = None,
    cancel: Cancelled | None = None,
    now: dt.datetime | None = None,
) -> OfflineCopy:
    """Copy what the server's database user can see into the workspace file ``path``
    (orders and interactions of the last ``months`` months), atomically.

    A file already at ``path`` is replaced only when it is an offline copy with nothing
    left to sync back; a workspace of one's own is never replaced.
    """
    return _take(server, Path(path), months=months, progress=progress, cancel=cancel, now=now)


def _take(
    server: Engine,
    path: Path,
    *,
    months: int,
    progress: Progress | None,
    cancel: Cancelled | None,
    now: dt.datetime | None,
) -> OfflineCopy:
    started = time.perf_counter()
    if is_sqlite(server.url):
        raise WorkspaceError(
            "Take offline copies a shared workspace (PostgreSQL); this one is already a file "
            "on this computer."
        )
    if months < 1:
        raise WorkspaceError("Take at least one month of orders and interactions.")
    path = path.expanduser().resolve()
    if path.is_dir():
        raise WorkspaceError(f"{path} is a folder; give the copy a file name.")
    when = aware(now) if now is not None else utcnow()
    since = dt.datetime.combine(
        when.date() - relativedelta(months=months), dt.time(), tzinfo=dt.UTC
    )
    where = _where(server.url)
    refuse_replacing(path, server)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(
            f"Cannot create the folder {path.parent}: {exc.strerror or exc}. Choose a "
            "location you can write to."
        ) from exc
    partial = path.with_name(path.name + ".partial")
    _remove(partial)  # left by a take that was killed: ours, never complete
    copy = OfflineCopy(
        path=path,
        origin=OfflineOrigin(
            copy_id=uuid.uuid4().hex,
            server=server_address(server.url),
            database=str(server.url.database or ""),
            host=str(server.url.host or ""),
            user="",
            taken_at=when,
            months=months,
            since=since,
        ),
    )
    step = _Steps(progress, cancel)
    try:
        step(0.0, "Preparing the copy")
        local = make_engine(f"sqlite:///{partial}")
        try:
            upgrade(local, backup=False)  # the same migrations as every workspace
        finally:
            local.dispose()
        with connect_server(server) as source, translate_db_errors(where):
            copy.origin = _copy_all(source, partial, copy, step)
        step(0.99, "Checking the copy")
        _check(partial, copy)
        replace_copy(partial, path, server)
    except BaseException:
        _remove(partial)
        raise
    copy.seconds = time.perf_counter() - started
    copy.size_bytes = path.stat().st_size
    step.done(f"Copied {copy.customers:,} customers")
    return copy


def _where(url: URL) -> str:
    database = url.database or "the database"
    return f"The shared workspace {database}" + (f" on {url.host}" if url.host else "")


class _Steps:
    """Progress and cancel in one place: each call reports and may stop the take."""

    def __init__(self, progress: Progress | None, cancel: Cancelled | None) -> None:
        self._progress = progress
        self._cancel = cancel

    def __call__(self, fraction: float, message: str) -> None:
        if self._cancel is not None and self._cancel():
            raise TakeOfflineCancelled(
                "Taking the offline copy was cancelled; nothing was written."
            )
        if self._progress is not None:
            self._progress(min(fraction, 0.99), message)

    def done(self, message: str) -> None:
        if self._progress is not None:
            self._progress(1.0, message)


def refuse_other_file(path: Path) -> None:
    """WorkspaceError when a file at ``path`` is anything but an offline copy (a workspace
    of one's own, its -wal file, any other file): a new copy never replaces it. Checked
    without the server, before any work."""
    if (path.exists() or path.is_symlink()) and origin_of_file(path) is None:
        raise WorkspaceError(
            f"{path} is not an offline copy (it may be a workspace of your own); it was left "
            "as it is. Save the copy under another name."
        )


def refuse_replacing(path: Path, server: Engine) -> None:
    """WorkspaceError unless the file at ``path`` may be replaced by a new copy: nothing
    there, or an offline copy with nothing left to sync back to ``server``."""
    if not path.exists():
        return
    refuse_other_file(path)
    waiting = unsynced_actions(path, server)
    if waiting:
        shown = "; ".join(waiting[:3]) + (" …" if len(waiting) > 3 else "")
        raise WorkspaceError(
            f"The offline copy at {path} holds {len(waiting)} action(s) not yet synced back "
            f"({shown}). Sync back first (File ▸ Sync back), or save the new copy under "
            "another name; the copy was left as it is."
        )


def replace_copy(partial: Path, path: Path, server: Engine) -> None:
    """Move a complete copy into place; the copy it replaces must be closed everywhere and
    have nothing left to sync back (checked again here: it may have been used since)."""
    if path.exists():
        refuse_replacing(path, server)
        _release(path)
    os.replace(partial, path)


def _release(path: Path) -> None:
    """Make sure no program has the old copy open and its write-ahead log is folded in
    (a stale -wal beside a new file would be read into it)."""
    try:
        conn = sqlite3.connect(path, timeout=0.5, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = DELETE").fetchone()
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        raise WorkspaceError(
            f"The offline copy at {path} is open in another window or program. Close it, "
            "then try again; it was left as it is."
        ) from exc
    for suffix in ("-wal", "-shm", "-journal"):
        _remove(path.with_name(path.name + suffix))


def _remove(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(OSError):
            leftover.unlink(missing_ok=True)


# --- the rows -------------------------------------------------------------------------------

_VISIBLE = "t.customer_id IN (SELECT id FROM customers)"
# Per table, which of the visible rows the copy takes (SQL on the table as ``t``; :since is
# the start of the window). A table not listed here (a newer one) is taken whole, or for
# the copied customers when it has a customer_id.
_FILTERS: dict[str, str] = {
    "orders": f"{_VISIBLE} AND t.order_date >= %(since)s",
    "interactions": f"{_VISIBLE} AND t.occurred_at >= %(since)s",
    # The latest two of each customer (the scores and their trend), and those alerts show.
    "score_snapshots": (
        "t.id IN (SELECT s.id FROM customers c CROSS JOIN LATERAL (SELECT id FROM "
        "score_snapshots x WHERE x.customer_id = c.id ORDER BY x.as_of DESC, x.id DESC "
        "LIMIT 2) s UNION SELECT a.score_snapshot_id FROM alerts a WHERE a.customer_id IN "
        "(SELECT id FROM customers) AND a.score_snapshot_id IS NOT NULL)"
    ),
    # The history of what is copied, and the workspace-wide events (settings, runs).
    "audit_events": (
        "(t.entity_type = 'alert' AND t.entity_id IN (SELECT id FROM alerts WHERE "
        "customer_id IN (SELECT id FROM customers))) OR (t.entity_type = 'customer' AND "
        "t.entity_id IN (SELECT id FROM customers)) OR (t.entity_type = 'action' AND "
        "t.entity_id IN (SELECT id FROM actions WHERE customer_id IN (SELECT id FROM "
        "customers))) OR t.entity_type IS NULL OR t.entity_type NOT IN "
        "('alert', 'customer', 'action')"
    ),
    "settings": "t.key NOT IN ({}) AND t.key NOT LIKE 'offline.%%'".format(
        ", ".join(f"'{k}'" for k in LOCAL_SETTINGS)
    ),
}


def _sql_type(column_type: TypeEngine[Any]) -> tuple[str, str]:
    """(SQL template turning the column into what SQLite stores, psycopg's type name)."""
    kind: Any = column_type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, DateTime):
        return "to_char({}, 'YYYY-MM-DD HH24:MI:SS.US')", "text"
    if isinstance(kind, Date):
        return "to_char({}, 'YYYY-MM-DD')", "text"
    if isinstance(kind, Boolean):
        return "({})::int::int8", "int8"
    if isinstance(kind, JSON):
        return "({})::text", "text"
    if isinstance(kind, Integer):
        return "({})::int8", "int8"
    if isinstance(kind, Float):
        return "({})::float8", "float8"
    return "({})::text", "text"


def _select_sql(table: Table) -> tuple[str, list[str]]:
    exprs, types = [], []
    for column in table.columns:
        template, type_name = _sql_type(column.type)
        exprs.append(template.format(f't."{column.name}"'))
        types.append(type_name)
    condition = _FILTERS.get(table.name)
    if condition is None and "customer_id" in table.columns:
        condition = _VISIBLE
    sql = f'SELECT {", ".join(exprs)} FROM "{table.name}" t'
    if condition:
        sql += f" WHERE {condition}"
    return sql, types


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_COPIED]


def _copy_all(source: Connection, partial: Path, copy: OfflineCopy, step: _Steps) -> OfflineOrigin:
    """Every table from one snapshot of the server into the partial file; returns the
    origin with the user and the highest ids filled in."""
    source.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    revision = source.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    if revision != HEAD_REVISION:
        raise WorkspaceError(
            f"The shared workspace's schema is {revision}, this app's is {HEAD_REVISION}: "
            "the app and the server must be the same version to take an offline copy. "
            "Update Account Radar (or ask for the server to be upgraded)."
        )
    user = str(source.exec_driver_sql("SELECT current_user").scalar())
    origin = copy.origin
    # COPY takes no parameters: the one value is written in, from our own datetime.
    since = origin.since.replace(tzinfo=None).isoformat(sep=" ")
    params = {"since": f"'{since}'::timestamp"}
    tables = _tables()
    weights = _estimates(source, tables)
    total = float(sum(weights.values())) or 1.0
    done_weight = 0.0
    driver = source.connection.driver_connection
    assert driver is not None
    out = sqlite3.connect(partial, isolation_level=None)
    try:
        # A file nobody else sees until it is complete: no journal, no syncs while filling
        # it (a crash leaves a .partial that the next take removes).
        out.execute("PRAGMA journal_mode = OFF")
        out.execute("PRAGMA synchronous = OFF")
        out.execute("PRAGMA foreign_keys = OFF")
        out.execute("PRAGMA cache_size = -200000")
        indexes = out.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
        out.execute("BEGIN")
        for name, _sql in indexes:
            out.execute(f'DROP INDEX "{name}"')
        for table in tables:
            out.execute(f'DELETE FROM "{table.name}"')  # anything a migration seeded
        for table in tables:
            start = 0.03 + done_weight / total * 0.9
            share = weights[table.name] / total * 0.9
            report = _table_progress(step, table.name, start, share, weights[table.name])
            report(0)
            if table.name == "customer_rollups" and _rollups_stale(source):
                copy.copied[table.name] = _copy_live_rollups(source, out)
            else:
                copy.copied[table.name] = _copy_table(driver, out, table, params, report)
            done_weight += weights[table.name]
        copy.left_out = _drop_dangling(out)
        for name, n in copy.left_out.items():
            copy.copied[name] = copy.copied.get(name, 0) - n
        step(0.94, "Indexing the copy")
        for _name, sql in indexes:
            out.execute(sql)
        for ddl in BASELINE_DDL + BASELINE_FILL:
            out.execute(ddl)
        max_ids = {}
        for table in tables:
            if "id" in table.columns and isinstance(table.c.id.type, Integer):
                value = out.execute(f'SELECT MAX(id) FROM "{table.name}"').fetchone()[0]
                max_ids[table.name] = int(value or 0)
        origin = OfflineOrigin(
            copy_id=origin.copy_id,
            server=origin.server,
            database=origin.database,
            host=origin.host,
            user=user,
            taken_at=origin.taken_at,
            months=origin.months,
            since=origin.since,
            max_ids=max_ids,
        )
        stamp = origin.taken_at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        out.execute(
            "INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?, ?, ?)",
            (ORIGIN_KEY, json.dumps(origin.as_json()), stamp),
        )
        # The rollups came whole (or live) for exactly the copied customers.
        out.execute(
            "INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES "
            "('rollups.stale', 'false', ?)",
            (stamp,),
        )
        copy.copied["settings"] = out.execute("SELECT COUNT(*) FROM settings").fetchone()[0]
        out.execute("COMMIT")
        # The planner's statistics (a sample of each index: a fraction of a second).
        out.execute("PRAGMA analysis_limit = 1000")
        out.execute("ANALYZE")
    finally:
        out.close()
    return origin


def _table_progress(
    step: _Steps, name: str, start: float, share: float, expected: float
) -> Callable[[int], None]:
    label = name.replace("_", " ")

    def report(rows: int) -> None:
        step(start + share * min(rows / expected, 1.0), f"Copying {label}: {rows:,} rows")

    return report


def _estimates(source: Connection, tables: list[Table]) -> dict[str, float]:
    """Each table's size as PostgreSQL's statistics guess it (for the progress only)."""
    rows = source.exec_driver_sql(
        "SELECT relname, GREATEST(reltuples, 0) FROM pg_class WHERE relkind = 'r' AND "
        "relnamespace = 'public'::regnamespace"
    ).all()
    known = {str(name): float(n) for name, n in rows}
    return {t.name: max(known.get(t.name, 0.0), 1.0) for t in tables}


def _copy_table(
    driver: Any,
    out: sqlite3.Connection,
    table: Table,
    params: dict[str, Any],
    report: Callable[[int], None],
) -> int:
    """One table streamed from the server with COPY into the copy; returns the rows."""
    sql, types = _select_sql(table)
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    marks = ", ".join("?" for _ in table.columns)
    insert = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    counted = [0]

    def rows(source_rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        for n, row in enumerate(source_rows, start=1):
            if n % 20_000 == 0:
                counted[0] = n
                report(n)
            yield row
            counted[0] = n

    with driver.cursor() as cursor, cursor.copy(f"COPY ({sql % params}) TO STDOUT") as stream:
        stream.set_types(types)
        out.executemany(insert, rows(stream.rows()))
    report(counted[0])
    return counted[0]


def _rollups_stale(source: Connection) -> bool:
    """Whether the server's rollups cannot be taken as they are (marked stale, or not
    covering every customer): the copy then takes the live aggregates."""
    stale, customers, rollups = source.exec_driver_sql(
        "SELECT (SELECT value FROM settings WHERE key = 'rollups.stale'), "
        "(SELECT COUNT(*) FROM customers), (SELECT COUNT(*) FROM customer_rollups WHERE "
        "customer_id IN (SELECT id FROM customers))"
    ).one()
    return stale in (True, "true") or customers != rollups


def _copy_live_rollups(source: Connection, out: sqlite3.Connection) -> int:
    from services.core.money import load_money_context
    from services.core.rollups import ROLLUP_COLUMNS, live_rollups

    rows = source.execute(live_rollups(load_money_context(source))).all()

    def stored(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return aware(value).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        if isinstance(value, Decimal):  # PostgreSQL's SUM of cents: a whole number
            return int(value) if value == value.to_integral_value() else float(value)
        return value

    out.executemany(
        f"INSERT INTO customer_rollups ({', '.join(ROLLUP_COLUMNS)}) VALUES "
        f"({', '.join('?' for _ in ROLLUP_COLUMNS)})",
        ([stored(v) for v in row] for row in rows),
    )
    return len(rows)


def _drop_dangling(out: sqlite3.Connection) -> dict[str, int]:
    """References to rows the copy does not hold: a nullable one is cleared, a row that
    cannot be without its parent is left out (children first, so none is orphaned)."""
    left_out: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_COPIED:
            continue
        for fk in table.foreign_keys:
            column, parent = fk.parent, fk.column
            missing = (
                f'"{column.name}" IS NOT NULL AND "{column.name}" NOT IN '
                f'(SELECT "{parent.name}" FROM "{parent.table.name}")'
            )
            if column.nullable:
                out.execute(f'UPDATE "{table.name}" SET "{column.name}" = NULL WHERE {missing}')
            else:
                gone = out.execute(f'DELETE FROM "{table.name}" WHERE {missing}').rowcount
                if gone:
                    left_out[table.name] = left_out.get(table.name, 0) + gone
    return left_out


def _check(partial: Path, copy: OfflineCopy) -> None:
    """The copy holds what was copied, and nothing points at a missing row."""
    conn = sqlite3.connect(partial)
    try:
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        counts = {
            table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for table in copy.copied
        }
    finally:
        conn.close()
    problems = [f"{len(broken)} row(s) point at missing rows"] if broken else []
    problems += [
        f"{table}: {copy.copied[table]:,} rows copied, {n:,} in the file"
        for table, n in counts.items()
        if n != copy.copied[table]
    ]
    if problems:
        raise WorkspaceError(
            "The offline copy did not come out whole, so it was not saved: "
            + "; ".join(problems[:3])
            + ". Please report this."
        )

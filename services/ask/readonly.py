"""Run one query that can only read the ask_ views, with a row limit and a time limit.

A saved question and a query a model wrote go through the same door, and the door does
not trust either:

- SQLite: a connection of its own, opened read-only (``mode=ro``: SQLite itself refuses
  every write to the workspace file), with ``PRAGMA query_only``, and an authorizer that
  allows only SELECT, reads made through the ask_ views (never a table named directly,
  nor sqlite_master) and plain functions; PRAGMA, ATTACH, transactions and every kind
  of write are denied while the query is prepared, before anything runs. The views are
  TEMPORARY views of that connection (services/ask/views.py), so the file is left
  byte-identical whatever the SQL says. A progress handler stops the query at its time
  limit or when the user cancels.
- PostgreSQL: the views are temporary views of the session; the query runs in a READ
  ONLY transaction with a statement time-out, and its table names are checked against
  the views (roles that can read only the views come with shared workspaces).
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from models.db import describe_db_error, is_sqlite, sqlite_path
from models.errors import WorkspaceError
from services.ask.errors import (
    AskError,
    QueryCancelled,
    QueryFailed,
    QueryRefused,
    QueryTimeout,
    QueryTooBig,
)
from services.ask.metrics import at_risk_threshold
from services.ask.sqlcheck import (
    COMMENTS,
    ONLY_VIEWS,
    TABLE_FUNCTIONS,
    check_postgres_sql,
    precheck,
)
from services.ask.views import VIEW_NAMES, view_sql
from services.core.money import load_money_context
from services.core.rollups import marked_current

log = logging.getLogger(__name__)

DEFAULT_ROW_LIMIT = 1000
DEFAULT_TIME_LIMIT_S = 5.0
# What a query may hold in memory. SQLite: no value (a text, a blob, a group_concat())
# longer than MAX_VALUE_BYTES, at most MAX_COLUMNS columns, and MAX_HEAP_BYTES of SQLite's
# memory in all; PostgreSQL: work_mem for each sort or hash, and the rows read a few at a
# time. Either way a cell comes back cut at MAX_CELL_CHARS, and the rows stop at
# MAX_RESULT_CHARS in all (the answer then says there are more).
MAX_VALUE_BYTES = 1_000_000
MAX_COLUMNS = 100
MAX_HEAP_BYTES = 256 * 1024 * 1024
MAX_CELL_CHARS = 32_000
MAX_RESULT_CHARS = 64_000_000
POSTGRES_WORK_MEM = "32MB"
_FETCH = 10  # rows PostgreSQL sends at a time (each cell already cut)
# Functions a query may not call even where the build has them.
_DENIED_FUNCTIONS = frozenset(
    {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer", "sqlite_offset"}
)


@dataclass(frozen=True)
class QueryResult:
    """What a query returned: column names, at most row_limit rows, and whether more
    rows were left out."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    truncated: bool
    elapsed_s: float


def _never() -> bool:
    return False


def cut_note(limit: int = MAX_CELL_CHARS) -> str:
    """What ends a text cut at the cell limit."""
    return f" … [cut at {limit:,} characters]"


def _cap_cell(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        return value[:MAX_CELL_CHARS] + cut_note()
    if isinstance(value, bytes | bytearray | memoryview) and len(value) > MAX_CELL_CHARS:
        return bytes(value[:MAX_CELL_CHARS])
    return value


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes) else 8


def collect_rows(
    fetch: Callable[[int], Sequence[Any]],
    row_limit: int,
    convert: Callable[[Any], Any] = _cap_cell,
    at_once: int = 1,
) -> tuple[list[tuple[Any, ...]], bool]:
    """At most ``row_limit`` rows from ``fetch(n)``, ``at_once`` at a time (a row holds
    its values whole until it is cut), each cell cut at MAX_CELL_CHARS, and no more than
    MAX_RESULT_CHARS in all; and whether rows were left out."""
    rows: list[tuple[Any, ...]] = []
    total = 0
    while len(rows) <= row_limit:
        chunk = fetch(min(at_once, row_limit + 1 - len(rows)))
        if not chunk:
            return rows, False
        for raw in chunk:
            row = tuple(convert(v) for v in raw)
            rows.append(row)
            total += sum(_size(v) for v in row)
            if total > MAX_RESULT_CHARS and len(rows) <= row_limit:
                return rows, bool(fetch(1))
    return rows[:row_limit], True


def _too_many_columns() -> QueryTooBig:
    return QueryTooBig(
        f"The query returns more than {MAX_COLUMNS} columns, more than a question may; ask "
        "for fewer columns."
    )


def _too_big(message: str) -> QueryTooBig | None:
    """The plain error for a query that went past a memory bound, else None."""
    text = message.lower()
    if "length too large" in text or "exceeds the maximum" in text:
        return QueryTooBig(
            "The query made a value larger than the database can hold and was stopped; "
            "ask for fewer or shorter values."
        )
    if "string or blob too big" in text:
        return QueryTooBig(
            f"The query made a value longer than {MAX_VALUE_BYTES // 1_000_000} MB, more "
            "than a question may hold, and was stopped; ask for fewer or shorter values."
        )
    if "too many columns" in text:
        return _too_many_columns()
    if "out of memory" in text or "memory alloc" in text:
        return QueryTooBig(
            "The query needed more memory than a question may use and was stopped; ask "
            "for fewer rows or a narrower period."
        )
    return None


def run_query(
    engine: Engine,
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    row_limit: int = DEFAULT_ROW_LIMIT,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    cancelled: Callable[[], bool] | None = None,
) -> QueryResult:
    """Run one read-only query against the ask_ views; see the module docstring.

    Raises QueryRefused (it would write, or read outside the views, or is more than one
    statement), QueryFailed (the database's error), QueryTimeout, QueryCancelled.
    """
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise QueryRefused("There is no query to run.")
    if not _STARTS_LIKE_SELECT.match(COMMENTS.sub(" ", text)):
        first = text.split(None, 1)[0].upper() if text.split() else ""
        raise QueryRefused(f"The query starts with {first}; a question runs one SELECT.")
    precheck(text)
    if is_sqlite(engine.url):
        return _run_sqlite(engine, text, params, row_limit, time_limit_s, cancelled or _never)
    return _run_postgres(engine, text, params, row_limit, time_limit_s, cancelled or _never)


_STARTS_LIKE_SELECT = re.compile(r"\s*\(*\s*(select|with|values)\b", re.IGNORECASE)


# --- SQLite -----------------------------------------------------------------------------


def _read_only_uri(path: str) -> str:
    return f"file:{quote(str(Path(path).resolve()))}?mode=ro"


class _Guard:
    """The authorizer: what a prepared statement may do, and why it was refused."""

    def __init__(self) -> None:
        self.refusal: str | None = None

    def deny(self, why: str) -> int:
        if self.refusal is None:
            self.refusal = why
        return sqlite3.SQLITE_DENY

    def __call__(
        self, action: int, arg1: str | None, arg2: str | None, db: str | None, source: str | None
    ) -> int:
        if action == sqlite3.SQLITE_SELECT or action == sqlite3.SQLITE_RECURSIVE:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            if source in VIEW_NAMES:
                return sqlite3.SQLITE_OK  # a column read through one of the views
            if db == "temp" and arg1 in VIEW_NAMES:
                return sqlite3.SQLITE_OK  # the view itself
            if db is None:
                return sqlite3.SQLITE_OK  # a CTE of the query's own, not a stored table
            if arg1 in TABLE_FUNCTIONS and source is None:
                return sqlite3.SQLITE_OK  # json_each()/json_tree() over a value
            return self.deny(ONLY_VIEWS.format(views=", ".join(sorted(VIEW_NAMES)), table=arg1))
        if action == sqlite3.SQLITE_FUNCTION:
            name = (arg2 or "").lower()
            if name in _DENIED_FUNCTIONS:
                return self.deny(f"The function {name}() is not allowed in a question.")
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA:
            return self.deny(f"PRAGMA {arg1 or ''} is not allowed: a question can only read.")
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            return self.deny("ATTACH and DETACH are not allowed: a question reads this "
                             "workspace only.")  # fmt: skip
        if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master" and source is None:
            # SQLite registering a table-valued function the query names (pragma_*,
            # dbstat...): only json_each and json_tree are registered up front.
            return self.deny(
                "A question can read the ask_ views and json_each() or "
                "json_tree(); other table-valued functions are not allowed."
            )
        if action == sqlite3.SQLITE_TRANSACTION:
            return self.deny("Transactions are not allowed: a question can only read.")
        return self.deny(f"The query would {_ACTION_WORDS.get(action, 'change the workspace')}; "
                         "a question can only read (SELECT).")  # fmt: skip


_ACTION_WORDS = {
    sqlite3.SQLITE_INSERT: "insert rows",
    sqlite3.SQLITE_UPDATE: "update rows",
    sqlite3.SQLITE_DELETE: "delete rows",
    sqlite3.SQLITE_CREATE_TABLE: "create a table",
    sqlite3.SQLITE_CREATE_TEMP_TABLE: "create a table",
    sqlite3.SQLITE_CREATE_VIEW: "create a view",
    sqlite3.SQLITE_CREATE_TEMP_VIEW: "create a view",
    sqlite3.SQLITE_CREATE_INDEX: "create an index",
    sqlite3.SQLITE_CREATE_TRIGGER: "create a trigger",
    sqlite3.SQLITE_DROP_TABLE: "drop a table",
    sqlite3.SQLITE_DROP_VIEW: "drop a view",
    sqlite3.SQLITE_DROP_TEMP_VIEW: "drop a view",
    sqlite3.SQLITE_DROP_INDEX: "drop an index",
    sqlite3.SQLITE_ALTER_TABLE: "alter a table",
    sqlite3.SQLITE_REINDEX: "rebuild an index",
    sqlite3.SQLITE_ANALYZE: "analyse tables",
}


def _threshold(conn: Connection) -> float:
    """The dashboard's at-risk threshold, read on the caller's connection."""
    with Session(bind=conn) as session:
        return at_risk_threshold(session)


def _rollups_current(conn: Connection) -> bool:
    """Whether the views may read the rollups' last order (marked current, no write since)."""
    with Session(bind=conn) as session:
        return marked_current(session)


@contextlib.contextmanager
def _sqlite_connection(engine: Engine) -> Iterator[sqlite3.Connection]:
    path = sqlite_path(engine.url)
    if path is None or path == ":memory:":
        raise AskError("Questions need a workspace saved in a file.")
    with engine.connect() as conn:  # the money context and the threshold: reads, no write
        money = load_money_context(conn)
        threshold = _threshold(conn)
        current = _rollups_current(conn)
    try:
        db = sqlite3.connect(
            _read_only_uri(path), uri=True, timeout=5.0, isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
    except sqlite3.Error as exc:
        raise AskError(f"The workspace could not be opened for reading: {exc}") from exc
    try:
        # A big sort spills to disk, not to memory. (First: changing it drops the temp
        # schema, and the views with it.)
        db.execute("PRAGMA temp_store = FILE")
        views = view_sql(
            money, dialect="sqlite", at_risk_threshold=threshold, rollups_current=current
        )
        for name, body in views.items():
            db.execute(f"CREATE TEMP VIEW {name} AS {body}")
        for function in sorted(TABLE_FUNCTIONS):  # registered now, before the authorizer
            db.execute(f"SELECT 1 FROM {function}('[]')").fetchall()
        db.execute("PRAGMA query_only = ON")
        db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        db.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_COLUMNS)
        with _heap_limit():
            yield db
    finally:
        db.close()


_HEAP_LIMIT: list[Callable[[int], int] | None] = []


def _heap_limit_call() -> Callable[[int], int] | None:
    """SQLite's sqlite3_hard_heap_limit64 (its PRAGMA can only lower the limit, never lift
    it again), from the library Python's sqlite3 runs on; None where it cannot be found."""
    if not _HEAP_LIMIT:
        import _sqlite3
        import ctypes
        import ctypes.util

        call: Callable[[int], int] | None = None
        for name in (_sqlite3.__file__, ctypes.util.find_library("sqlite3")):
            try:
                function = ctypes.CDLL(name).sqlite3_hard_heap_limit64
            except (OSError, AttributeError, TypeError):
                continue
            function.restype, function.argtypes = ctypes.c_int64, [ctypes.c_int64]
            call = function
            break
        if call is None:
            log.info("SQLite's heap limit is out of reach; questions run without it")
        _HEAP_LIMIT.append(call)
    return _HEAP_LIMIT[0]


@contextlib.contextmanager
def _heap_limit() -> Iterator[None]:
    """SQLite's memory capped at MAX_HEAP_BYTES while the query runs. The limit is the
    process's (every connection's): the app runs one database task at a time, and the
    earlier limit comes back as soon as the query ends."""
    call = _heap_limit_call()
    if call is None:
        yield
        return
    previous = call(-1)  # a negative argument reads the limit
    call(MAX_HEAP_BYTES if previous <= 0 else min(previous, MAX_HEAP_BYTES))
    try:
        yield
    finally:
        call(max(previous, 0))


def _run_sqlite(
    engine: Engine,
    sql: str,
    params: Mapping[str, Any] | None,
    row_limit: int,
    time_limit_s: float,
    cancelled: Callable[[], bool],
) -> QueryResult:
    with _sqlite_connection(engine) as db:
        guard = _Guard()
        db.set_authorizer(guard)
        started = time.perf_counter()
        deadline = started + time_limit_s
        stop: list[str] = []

        def progress() -> int:
            if cancelled():
                stop.append("cancelled")
                return 1
            if time.perf_counter() > deadline:
                stop.append("timeout")
                return 1
            return 0

        db.set_progress_handler(progress, 2_000)
        try:
            cursor = db.execute(sql, dict(params or {}))
            rows, truncated = collect_rows(cursor.fetchmany, row_limit)
        except sqlite3.ProgrammingError as exc:
            if "one statement" in str(exc):
                raise QueryRefused(
                    "The query is more than one statement; a question runs one SELECT."
                ) from exc
            raise QueryFailed(str(exc), sql) from exc
        except sqlite3.Warning as exc:  # "You can only execute one statement at a time."
            raise QueryRefused(
                "The query is more than one statement; a question runs one SELECT."
            ) from exc
        except MemoryError as exc:  # SQLite's SQLITE_NOMEM: past its heap limit
            raise _too_big("out of memory") or QueryTooBig(str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            if guard.refusal is not None:
                raise QueryRefused(guard.refusal) from exc
            if stop and stop[0] == "cancelled":
                raise QueryCancelled("The question was stopped.") from exc
            if stop:
                raise QueryTimeout(
                    f"The query took longer than {time_limit_s:g} s and was stopped; ask for "
                    "fewer rows or a narrower period."
                ) from exc
            too_big = _too_big(str(exc))
            if too_big is not None:
                raise too_big from exc
            fault = _environment_fault(exc)
            if fault is not None:
                raise WorkspaceError(fault) from exc
            raise QueryFailed(_plain_sqlite_error(exc), sql) from exc
        if cursor.description is None:
            raise QueryRefused("The query returns no rows; a question runs one SELECT.")
        columns = tuple(str(d[0]) for d in cursor.description)
        elapsed = time.perf_counter() - started
    return QueryResult(columns, rows, truncated, elapsed)


_FAULTS = ("malformed", "not a database", "disk image", "disk i/o", "locked", "busy")


def _environment_fault(exc: sqlite3.Error) -> str | None:
    """The plain message for a damaged, unreadable or locked workspace file, else None."""
    text = str(exc).lower()
    if any(word in text for word in _FAULTS):
        return describe_db_error(exc, "The workspace")
    return None


def _plain_sqlite_error(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "cannot modify" in text:
        return "the query tried to change a view; a question can only read"
    if "readonly" in text or "read-only" in text or "query_only" in text:
        return "the query tried to write; a question can only read"
    return text


# --- PostgreSQL -------------------------------------------------------------------------

READER_ROLE = "account_radar_ask_reader"


def _plain(value: Any) -> Any:
    """A value as SQLite gives it: PostgreSQL's NUMERIC (money / 100.0, round(), avg())
    as a float, or an int when it has no fraction digits (sum() of integers)."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= 0:
            return int(value)
        return float(value)
    return value


def _reader_role(conn: Any) -> bool:
    """Make sure the role questions run as exists (NOLOGIN, no rights but SELECT on the
    session's ask_ views) and that this user may take it on. False when this user is not
    allowed to create or grant it: the text check and the READ ONLY transaction then guard
    alone, and the log says so."""
    from sqlalchemy.exc import DBAPIError

    try:
        with conn.begin():
            if (
                conn.exec_driver_sql(
                    f"SELECT 1 FROM pg_roles WHERE rolname = '{READER_ROLE}'"
                ).first()
                is None
            ):
                conn.exec_driver_sql(f"CREATE ROLE {READER_ROLE} NOLOGIN")
            member = conn.exec_driver_sql(
                f"SELECT pg_has_role(current_user, '{READER_ROLE}', 'MEMBER')"
            ).scalar()
            if not member:
                conn.exec_driver_sql(f"GRANT {READER_ROLE} TO current_user")
        return True
    except DBAPIError as exc:
        log.warning("Questions run without the reader role %s (%s)", READER_ROLE,
                    str(exc.orig).splitlines()[0] if exc.orig is not None else exc)  # fmt: skip
        return False


def _position(error: Any) -> int | None:
    """Where in the query PostgreSQL found the error (a character offset from 1)."""
    diag = getattr(error, "diag", None)
    value = getattr(diag, "statement_position", None)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


# Types of a fixed, small size (booleans, numbers, dates, times, uuid): they come back as
# they are; every other value is cut to the cell limit by the server, as text.
_FIXED_TYPES = frozenset({16, 20, 21, 23, 26, 700, 701, 1700, 1082, 1083, 1114, 1184, 1186,
                          1266, 2950})  # fmt: skip
_PROBE = "SELECT * FROM (\n"
_CAPPED = "SELECT {cells} FROM (\n"


def _postgres_rows(
    conn: Connection, sql: str, params: dict[str, Any], row_limit: int, offset: list[int]
) -> tuple[tuple[str, ...], list[tuple[Any, ...]], bool]:
    """The query's columns and rows, each cell cut at MAX_CELL_CHARS by the server and
    the rows read a few at a time (a server-side cursor), so that no value larger than
    that, and no more rows than the limit, reach this computer. ``offset[0]`` is set to
    where the query starts in each statement run (for the position of an error)."""
    from sqlalchemy import text as sql_text

    offset[0] = len(_PROBE)
    probe = conn.execute(sql_text(f"{_PROBE}{sql}\n) AS ask_query LIMIT 0"), params)
    columns = tuple(probe.keys())
    types = [d[1] for d in (probe.cursor.description or [])] if probe.cursor else []
    probe.close()
    if len(columns) > MAX_COLUMNS:
        raise _too_many_columns()
    aliases = [f"c{i}" for i in range(len(columns))]
    cells = [
        a if t in _FIXED_TYPES else f"left(CAST({a} AS text), {MAX_CELL_CHARS + 1}) AS {a}"
        for a, t in zip(aliases, types, strict=True)
    ]
    head = _CAPPED.format(cells=", ".join(cells) or "*")
    offset[0] = len(head)
    names = f"({', '.join(aliases)})" if aliases else ""
    result = conn.execute(
        sql_text(f"{head}{sql}\n) AS ask_query{names} LIMIT {row_limit + 1}"),
        params,
        execution_options={"stream_results": True, "max_row_buffer": _FETCH},
    )
    try:
        rows, truncated = collect_rows(
            result.fetchmany, row_limit, lambda v: _cap_cell(_plain(v)), at_once=_FETCH
        )
    finally:
        result.close()
    return columns, rows, truncated


def _run_postgres(
    engine: Engine,
    sql: str,
    params: Mapping[str, Any] | None,
    row_limit: int,
    time_limit_s: float,
    cancelled: Callable[[], bool],
) -> QueryResult:
    from sqlalchemy.exc import DBAPIError

    check_postgres_sql(sql)
    if cancelled():
        raise QueryCancelled("The question was stopped.")
    with engine.connect() as conn:
        money = load_money_context(conn)
        threshold = _threshold(conn)
        current = _rollups_current(conn)
        conn.rollback()
        reader = _reader_role(conn)
        views = view_sql(
            money, dialect="postgresql", at_risk_threshold=threshold, rollups_current=current
        )
        with conn.begin():
            for name, body in views.items():
                conn.exec_driver_sql(f"CREATE TEMP VIEW {name} AS {body}".replace("%", "%%"))
                if reader:
                    conn.exec_driver_sql(f"GRANT SELECT ON pg_temp.{name} TO {READER_ROLE}")
        started = time.perf_counter()
        offset = [0]  # where the query starts in the statement that ran
        try:
            with conn.begin():
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                if reader:
                    conn.exec_driver_sql(f"SET LOCAL ROLE {READER_ROLE}")
                conn.exec_driver_sql(
                    f"SET LOCAL statement_timeout = {max(1, int(time_limit_s * 1000))}"
                )
                conn.exec_driver_sql(f"SET LOCAL work_mem = '{POSTGRES_WORK_MEM}'")
                columns, rows, truncated = _postgres_rows(
                    conn, sql, dict(params or {}), row_limit, offset
                )
                conn.rollback()
        except DBAPIError as exc:
            message = str(exc.orig) if exc.orig is not None else str(exc)
            too_big = _too_big(message.splitlines()[0] if message else "")
            if too_big is not None:
                raise too_big from exc
            if "statement timeout" in message or "canceling statement" in message:
                raise QueryTimeout(
                    f"The query took longer than {time_limit_s:g} s and was stopped; ask for "
                    "fewer rows or a narrower period."
                ) from exc
            if "read-only transaction" in message:
                raise QueryRefused("The query tried to write; a question can only read.") from exc
            denied = re.search(r"permission denied for (?:table|relation|view) (\w+)", message)
            if denied:
                raise QueryRefused(
                    ONLY_VIEWS.format(views=", ".join(sorted(VIEW_NAMES)), table=denied.group(1))
                ) from exc
            position = _position(exc.orig)
            at = position - offset[0] if position is not None and position > offset[0] else None
            raise QueryFailed(message.splitlines()[0], sql, at) from exc
        finally:
            with contextlib.suppress(Exception):
                conn.rollback()
                with conn.begin():
                    for name in VIEW_NAMES:
                        conn.exec_driver_sql(f"DROP VIEW IF EXISTS pg_temp.{name}")
        elapsed = time.perf_counter() - started
    return QueryResult(columns, rows, truncated, elapsed)

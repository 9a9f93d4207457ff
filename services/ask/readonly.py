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
from collections.abc import Callable, Iterator, Mapping
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
from services.money import load_money_context

log = logging.getLogger(__name__)

DEFAULT_ROW_LIMIT = 1000
DEFAULT_TIME_LIMIT_S = 5.0
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


@contextlib.contextmanager
def _sqlite_connection(engine: Engine) -> Iterator[sqlite3.Connection]:
    path = sqlite_path(engine.url)
    if path is None or path == ":memory:":
        raise AskError("Questions need a workspace saved in a file.")
    with engine.connect() as conn:  # the money context and the threshold: reads, no write
        money = load_money_context(conn)
        threshold = _threshold(conn)
    try:
        db = sqlite3.connect(
            _read_only_uri(path), uri=True, timeout=5.0, isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
    except sqlite3.Error as exc:
        raise AskError(f"The workspace could not be opened for reading: {exc}") from exc
    try:
        views = view_sql(money, dialect="sqlite", at_risk_threshold=threshold)
        for name, body in views.items():
            db.execute(f"CREATE TEMP VIEW {name} AS {body}")
        for function in sorted(TABLE_FUNCTIONS):  # registered now, before the authorizer
            db.execute(f"SELECT 1 FROM {function}('[]')").fetchall()
        db.execute("PRAGMA query_only = ON")
        yield db
    finally:
        db.close()


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
            rows = cursor.fetchmany(row_limit + 1)
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
            fault = _environment_fault(exc)
            if fault is not None:
                raise WorkspaceError(fault) from exc
            raise QueryFailed(_plain_sqlite_error(exc), sql) from exc
        if cursor.description is None:
            raise QueryRefused("The query returns no rows; a question runs one SELECT.")
        columns = tuple(str(d[0]) for d in cursor.description)
        elapsed = time.perf_counter() - started
    truncated = len(rows) > row_limit
    return QueryResult(columns, [tuple(r) for r in rows[:row_limit]], truncated, elapsed)


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


def _run_postgres(
    engine: Engine,
    sql: str,
    params: Mapping[str, Any] | None,
    row_limit: int,
    time_limit_s: float,
    cancelled: Callable[[], bool],
) -> QueryResult:
    from sqlalchemy import text as sql_text
    from sqlalchemy.exc import DBAPIError

    check_postgres_sql(sql)
    if cancelled():
        raise QueryCancelled("The question was stopped.")
    with engine.connect() as conn:
        money = load_money_context(conn)
        threshold = _threshold(conn)
        conn.rollback()
        reader = _reader_role(conn)
        views = view_sql(money, dialect="postgresql", at_risk_threshold=threshold)
        with conn.begin():
            for name, body in views.items():
                conn.exec_driver_sql(f"CREATE TEMP VIEW {name} AS {body}".replace("%", "%%"))
                if reader:
                    conn.exec_driver_sql(f"GRANT SELECT ON pg_temp.{name} TO {READER_ROLE}")
        started = time.perf_counter()
        try:
            with conn.begin():
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                if reader:
                    conn.exec_driver_sql(f"SET LOCAL ROLE {READER_ROLE}")
                conn.exec_driver_sql(
                    f"SET LOCAL statement_timeout = {max(1, int(time_limit_s * 1000))}"
                )
                result = conn.execute(sql_text(sql), dict(params or {}))
                columns = tuple(result.keys())
                rows = [tuple(map(_plain, r)) for r in result.fetchmany(row_limit + 1)]
                conn.rollback()
        except DBAPIError as exc:
            message = str(exc.orig) if exc.orig is not None else str(exc)
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
            raise QueryFailed(message.splitlines()[0], sql) from exc
        finally:
            with contextlib.suppress(Exception):
                conn.rollback()
                with conn.begin():
                    for name in VIEW_NAMES:
                        conn.exec_driver_sql(f"DROP VIEW IF EXISTS pg_temp.{name}")
        elapsed = time.perf_counter() - started
    truncated = len(rows) > row_limit
    return QueryResult(columns, rows[:row_limit], truncated, elapsed)

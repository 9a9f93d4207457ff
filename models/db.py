"""Engine and session factory, SQLite connection setup, and database error translation."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models.errors import WorkspaceError

SQLITE_BUSY_TIMEOUT_MS = 5000
# Seconds a PostgreSQL connection attempt may take (a URL's own connect_timeout wins).
POSTGRES_CONNECT_TIMEOUT_S = 10
# An execution option (``engine.execution_options(**{WRITE_FIRST: True})``): on SQLite the
# transaction takes the write lock when it begins (BEGIN IMMEDIATE), so that a unit of
# work that reads, checks and then writes waits for another writer to finish first and
# reads what it wrote. Without it, a read snapshot taken before another writer commits
# cannot be written from ("database is locked" at once, whatever the busy timeout).
# PostgreSQL ignores it.
WRITE_FIRST = "radar_write_first"


def _iso_date(value: dt.date) -> str:
    return value.isoformat()


def _iso_datetime(value: dt.datetime) -> str:
    return value.isoformat(" ")


# Dates and times reach SQLite as ISO text, exactly as sqlite3's built-in adapters wrote
# them. Those adapters are deprecated since Python 3.12 (and warn on every query that
# passes a date); registering the same conversion here keeps the stored text identical on
# every Python the app supports.
sqlite3.register_adapter(dt.date, _iso_date)
sqlite3.register_adapter(dt.datetime, _iso_datetime)


def is_sqlite(url: str | URL) -> bool:
    """True when the URL points at SQLite (a file or memory)."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> str | None:
    """The file path of a SQLite URL, or None for memory and other databases."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return u.database


def _configure_sqlite(engine: Engine) -> None:
    path = sqlite_path(engine.url)
    if path is not None and not path.startswith("file:"):
        # A new workspace file is the user's alone (its journal and WAL files take its
        # mode): created private just before SQLite's first connection would create it.
        from models.private_files import create_private_file

        @event.listens_for(engine, "do_connect")
        def _on_do_connect(*_args: Any) -> None:
            with contextlib.suppress(OSError):  # a missing folder: SQLite says so
                create_private_file(path)

    # Python 3.11's sqlite3 opens transactions implicitly and too late (not before
    # SELECT), which breaks SERIALIZABLE reads and SAVEPOINTs. The SQLAlchemy recipe:
    # switch the driver to autocommit and emit BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # WRITE_FIRST: the write lock at BEGIN, before the first read (see there).
        immediate = conn.get_execution_options().get(WRITE_FIRST)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create an engine for a workspace URL with the connection setup it needs."""
    u = make_url(url)
    try:
        if u.get_backend_name() == "sqlite":
            engine = create_engine(u, **kwargs)
            _configure_sqlite(engine)
            return engine
        if u.get_backend_name() == "postgresql" and "connect_timeout" not in u.query:
            # libpq waits for ever by default: a server that does not answer (a VPN that
            # is down) must fail in plain words, not hang the open.
            connect_args = dict(kwargs.pop("connect_args", {}))
            connect_args.setdefault("connect_timeout", POSTGRES_CONNECT_TIMEOUT_S)
            kwargs["connect_args"] = connect_args
        return create_engine(u, pool_pre_ping=True, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise WorkspaceError(
            f"Account Radar cannot open '{u.drivername}' databases: its driver is not "
            "installed. Use a workspace file, or a PostgreSQL URL of the form "
            "postgresql+psycopg://user@host/database."
        ) from exc


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextlib.contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error, always close."""
    session = factory()
    try:
        with translate_db_errors():
            yield session
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def describe_db_error(exc: BaseException, where: str = "the workspace") -> str | None:
    """A plain-words message for an environment fault in the database, or None for bugs."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "locked" in text or "busy" in text:
        return (
            f"{where} is locked by another program (another Account Radar window or a "
            "scheduled sync). Close it, then try again."
        )
    if "readonly" in text or "read-only" in text:
        return (
            f"{where} is read-only. Make the file and its folder writable, or copy it "
            "somewhere you can write, then open it again."
        )
    if "disk is full" in text or "database or disk is full" in text:
        return "The disk is full. Free some space, then try again; nothing was saved."
    if "disk i/o error" in text:
        # What SQLite reports when the journal or WAL cannot grow on a full disk.
        return (
            f"{where} could not be written: the disk is full or the drive is not "
            "available. Free some space (or reconnect the drive), then try again; "
            "nothing was saved."
        )
    if "not a database" in text or "malformed" in text or "disk image" in text:
        return (
            f"{where} is damaged and cannot be read. Open a backup (files named "
            "*.backup-*.radar.sqlite next to it) or build a new workspace."
        )
    if "unable to open" in text:
        return f"{where} cannot be opened: the folder is missing or not accessible."
    if "password authentication failed" in text or "no password supplied" in text:
        return (
            f"{where} refused the user name or password. Check them and try again (the "
            "password can be in the system keyring, PGPASSWORD or ~/.pgpass)."
        )
    if "permission denied" in text or "row-level security" in text:
        # A shared workspace's grants and row-level security (services/team/security.py).
        return (
            f"Your account may not make this change in {where[:1].lower()}{where[1:]}: "
            "it is outside your book or for a team lead or an admin. Ask your team lead; "
            "nothing was changed."
        )
    if "could not connect" in text or "connection refused" in text:
        return f"Could not connect to {where}. Check the address and that the server runs."
    return None


@contextlib.contextmanager
def translate_db_errors(where: str = "The workspace") -> Iterator[None]:
    """Turn database environment faults into WorkspaceError; let bugs through."""
    try:
        yield
    except (OperationalError, DBAPIError, sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
        message = describe_db_error(exc, where)
        if message is None:
            raise
        raise WorkspaceError(message) from exc

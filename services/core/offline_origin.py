"""Where an offline copy came from (services/team/offline.py), as recorded in the copy:
the ``offline.copy`` setting (the server's address without password, the database user,
when, the months of orders and interactions, the highest ids copied) and the three
``offline_*_baseline`` tables (each alert's version and lifecycle, each customer's marks,
each task's due date and done time, as copied), which services/team/offline_changes.py
compares the copy with. A workspace without the setting is not an offline copy.

Standard library and SQLAlchemy's URL only: cheap to import, no cycle with the modules
that take and sync copies.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from models.db import is_sqlite, translate_db_errors

ORIGIN_KEY = "offline.copy"
DEFAULT_MONTHS = 24

# The baseline tables: what sync compares the copy with (services/team/sync.py). Kept
# outside the ORM on purpose: they exist only in offline copies.
BASELINE_DDL = (
    "CREATE TABLE offline_alert_baseline (alert_id INTEGER PRIMARY KEY, version INTEGER, "
    "status TEXT, outcome TEXT, snoozed_until TEXT, snooze_until_clear INTEGER)",
    "CREATE TABLE offline_customer_baseline (customer_id INTEGER PRIMARY KEY, "
    "do_not_contact INTEGER, quiet_override_at TEXT)",
    "CREATE TABLE offline_task_baseline (action_id INTEGER PRIMARY KEY, due_date TEXT, "
    "done_at TEXT)",
)
BASELINE_FILL = (
    "INSERT INTO offline_alert_baseline SELECT id, version, status, outcome, snoozed_until, "
    "snooze_until_clear FROM alerts",
    "INSERT INTO offline_customer_baseline SELECT id, do_not_contact, quiet_override_at "
    "FROM customers",
    "INSERT INTO offline_task_baseline SELECT id, due_date, done_at FROM actions "
    "WHERE kind = 'task'",
)


@dataclass(frozen=True)
class OfflineOrigin:
    """Where an offline copy came from, and what sync needs to know about it."""

    copy_id: str
    server: str  # the SQLAlchemy URL without its password
    database: str
    host: str
    user: str
    taken_at: dt.datetime
    months: int
    since: dt.datetime
    max_ids: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The server in a few words: "team@db.example.com"."""
        return f"{self.database}@{self.host}" if self.host else self.database

    def as_json(self) -> dict[str, Any]:
        """The value stored in the copy's settings."""
        return {
            "copy_id": self.copy_id,
            "server": self.server,
            "database": self.database,
            "host": self.host,
            "user": self.user,
            "taken_at": self.taken_at.isoformat(),
            "months": self.months,
            "since": self.since.isoformat(),
            "max_ids": self.max_ids,
        }

    @classmethod
    def from_json(cls, value: Any) -> OfflineOrigin | None:
        """The origin stored in a copy; None when the value is not one."""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return None
        if not isinstance(value, dict):
            return None
        try:
            return cls(
                copy_id=str(value["copy_id"]),
                server=str(value["server"]),
                database=str(value.get("database") or ""),
                host=str(value.get("host") or ""),
                user=str(value.get("user") or ""),
                taken_at=aware(dt.datetime.fromisoformat(str(value["taken_at"]))),
                months=int(value.get("months") or DEFAULT_MONTHS),
                since=aware(dt.datetime.fromisoformat(str(value["since"]))),
                max_ids={str(k): int(v) for k, v in dict(value.get("max_ids") or {}).items()},
            )
        except (KeyError, TypeError, ValueError):
            return None


def aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def server_address(url: URL) -> str:
    """The server's URL as recorded in a copy: everything but the password."""
    bare = URL.create(
        url.drivername,
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )  # (URL.set(password=None) leaves the password as it is)
    return bare.render_as_string(hide_password=False)


# --- reading a copy's origin ----------------------------------------------------------------


def read_origin(engine: Engine) -> OfflineOrigin | None:
    """The origin of the workspace at ``engine`` if it is an offline copy, else None."""
    if not is_sqlite(engine.url):
        return None
    with translate_db_errors(), engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT value FROM settings WHERE key = ?", (ORIGIN_KEY,)
        ).first()
    return OfflineOrigin.from_json(row[0]) if row is not None else None


def origin_of_file(path: Path) -> OfflineOrigin | None:
    """The origin of the workspace file at ``path`` (None: not an offline copy, or not a
    workspace at all), read without changing the file."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (ORIGIN_KEY,)).fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    return OfflineOrigin.from_json(row[0]) if row is not None else None


def origin_in(session: Session) -> OfflineOrigin | None:
    """The origin of the copy the session is on (None: not an offline copy), read in the
    caller's transaction."""
    row = (
        session.connection()
        .exec_driver_sql("SELECT value FROM settings WHERE key = ?", (ORIGIN_KEY,))
        .first()
    )
    return OfflineOrigin.from_json(row[0]) if row is not None else None

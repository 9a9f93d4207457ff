"""Schema migrations: inspect a database, back it up, and upgrade it to the newest revision."""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from models.db import is_sqlite, sqlite_path, translate_db_errors
from models.errors import WorkspaceError
from models.private_files import create_private_file, make_private_folder
from models.vocab import SQLITE_COMPANIONS

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# The newest revision in migrations/versions. Kept here so that opening a current
# workspace needs no Alembic import (a third of a second at every start); a test checks
# it against Alembic's own answer, so a new revision cannot forget to update it.
HEAD_REVISION = "0029"
# Revisions that rebuild no table (they add indexes, a column in place with ALTER TABLE
# ADD COLUMN, filled by an UPDATE, or new tables, empty when made): an upgrade made of them
# alone needs no foreign-key check of every row (minutes on a million-customer workspace).
INDEX_ONLY_REVISIONS = frozenset(
    {"0018", "0019", "0020", "0021", "0022", "0023", "0024", "0025", "0026", "0027", "0028", "0029"}
)


def alembic_config() -> Config:
    """An Alembic config pointing at our migration scripts (no ini file needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest schema revision this build knows, as Alembic computes it."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@dataclass(frozen=True)
class SchemaState:
    """What an existing database holds, before anything is written to it."""

    revision: str | None
    tables: frozenset[str]

    @property
    def empty(self) -> bool:
        return not self.tables

    @property
    def is_workspace(self) -> bool:
        return "alembic_version" in self.tables and "customers" in self.tables


def inspect_schema(engine: Engine) -> SchemaState:
    """Read the current revision and table names without changing anything."""
    from alembic.runtime.migration import MigrationContext

    with translate_db_errors(), engine.connect() as conn:
        tables = frozenset(inspect(conn).get_table_names())
        revision = MigrationContext.configure(conn).get_current_revision()
    return SchemaState(revision=revision, tables=tables)


_BUILT_IN_MIGRATIONS = MIGRATIONS_DIR


def _fast_revision(engine: Engine) -> str | None:
    """The stored revision by plain SQL, or None when there is no workspace table."""
    with translate_db_errors(), engine.connect() as conn:
        has_table = inspect(conn).has_table("alembic_version")
        if not has_table:
            return None
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).fetchall()
    return str(rows[0][0]) if len(rows) == 1 else None


def pending_revisions(current: str | None) -> set[str]:
    """The revisions an upgrade from ``current`` (None: an empty database) applies."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.iterate_revisions("head", current or "base")}


def known_revisions() -> set[str]:
    """Every revision id of this build's migration history."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def backup_sqlite(engine: Engine, destination: Path) -> Path:
    """Copy a SQLite workspace to destination with SQLite's online backup API."""
    path = sqlite_path(engine.url)
    if path is None:
        raise WorkspaceError(
            "Backups from the app work for SQLite workspaces only; for a PostgreSQL "
            "workspace use pg_dump."
        )
    destination = destination.expanduser().resolve()
    if destination == Path(path).resolve():
        raise WorkspaceError(
            "The backup cannot overwrite the workspace itself; choose another file."
        )
    workspace = Path(path).resolve()
    if destination in {workspace.with_name(workspace.name + end) for end in SQLITE_COMPANIONS}:
        raise WorkspaceError(
            f"The backup cannot overwrite {destination.name}: it is part of the workspace "
            "(the file SQLite keeps its latest changes in while it is open); choose another "
            "file."
        )
    make_private_folder(destination.parent)
    tmp = destination.with_name(destination.name + ".partial")
    _remove_partial(tmp)  # left by a copy that was killed: ours, and never complete
    try:
        with translate_db_errors():
            with contextlib.suppress(OSError):  # an unwritable folder: SQLite says so
                create_private_file(tmp)  # a copy of the customers: the user's alone
            src = sqlite3.connect(path, timeout=5)
            try:
                dst = sqlite3.connect(tmp)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
            finally:
                src.close()
        # Only a complete copy gets the final name: a crash mid-way never leaves a torn
        # backup.
        tmp.replace(destination)
    except BaseException:
        _remove_partial(tmp)  # a failed copy (a full disk, say) leaves nothing behind
        raise
    return destination


def _remove_partial(tmp: Path) -> None:
    for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
        with contextlib.suppress(OSError):
            leftover.unlink(missing_ok=True)


def upgrade(engine: Engine, *, backup: bool = True) -> Path | None:
    """Bring the schema to head; back up an existing older SQLite workspace first.

    Returns the backup path when one was taken.
    """
    if MIGRATIONS_DIR == _BUILT_IN_MIGRATIONS and _fast_revision(engine) == HEAD_REVISION:
        return None  # the common case: already current, no Alembic needed
    state = inspect_schema(engine)
    head = head_revision()
    if state.revision == head:
        return None
    if state.revision is not None and state.revision not in known_revisions():
        raise WorkspaceError(
            "This workspace was written by a newer version of Account Radar. "
            "Update the app to open it; the file was left untouched."
        )
    if not state.empty and not state.is_workspace:
        raise WorkspaceError(
            "This database is not an Account Radar workspace (it holds other tables). "
            "Choose another file; this one was left untouched."
        )
    backup_path = None
    path = sqlite_path(engine.url)
    if backup and path is not None and state.is_workspace:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        p = Path(path)
        stem = p.name.removesuffix(".sqlite").removesuffix(".radar")
        # Backups of an upgrade that was killed mid-copy: incomplete, ours by their name.
        for stale in p.parent.glob(f"{glob.escape(stem)}.backup-*.radar.sqlite.partial"):
            _remove_partial(stale)
        backup_path = backup_sqlite(
            engine, p.with_name(f"{stem}.backup-{state.revision}-{stamp}.radar.sqlite")
        )
    from alembic import command

    cfg = alembic_config()
    rebuilds = state.revision is None or not pending_revisions(state.revision) <= (
        INDEX_ONLY_REVISIONS
    )
    with translate_db_errors(), engine.connect() as conn:
        sqlite = is_sqlite(engine.url)
        if sqlite:
            # Batch mode rebuilds a table by copy, DROP and rename. With foreign keys on,
            # dropping `customers` would cascade-delete every order pointing at it. The
            # pragma only takes effect outside a transaction, hence the raw connection
            # before BEGIN; integrity is checked before the commit instead.
            _raw_pragma(conn, "PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite and rebuilds:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise WorkspaceError(
                            f"Upgrading the workspace would leave {len(broken)} row(s) "
                            "pointing at missing rows, so nothing was changed. Please "
                            "report this; your data is as it was."
                        )
        finally:
            if sqlite:
                _raw_pragma(conn, "PRAGMA foreign_keys = ON")
    return backup_path


def _raw_pragma(conn: Connection, sql: str) -> None:
    """Run a pragma on the driver connection, outside any transaction SQLAlchemy began."""
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute(sql)

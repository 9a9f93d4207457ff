"""Finding, validating and opening a workspace (one database). No Qt here: the CLI uses it."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, make_session_factory, sqlite_path
from models.errors import WorkspaceError
from models.migrate import upgrade
from services.core.rollups import watch_for_stale_rollups
from services.settings import WORKSPACE_LOCATION, adopt_personal_settings, organisation_value
from services.team.connect import (
    check_connection,
    check_schema,
    connect_url,
    shared_address,
    upgrade_shared,
)

APP_NAME = "AccountRadar"
DEFAULT_FILE_NAME = "default.radar.sqlite"
ENV_VAR = "ACCOUNT_RADAR_DB"
SQLITE_MAGIC = b"SQLite format 3\x00"


def default_workspace_path() -> Path:
    """The per-user default workspace file (platformdirs user data dir)."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / DEFAULT_FILE_NAME


def to_url(location: str) -> str:
    """A path or an SQLAlchemy URL, as a URL."""
    location = location.strip()
    if not location:
        raise WorkspaceError("The workspace location is empty. Give a file path or a database URL.")
    if "://" in location:
        try:
            make_url(location)
        except (ArgumentError, ValueError) as exc:
            raise WorkspaceError(f"'{location}' is not a valid database URL.") from exc
        return location
    path = Path(location).expanduser().resolve()
    return f"sqlite:///{path}"


def resolve_url(
    db: str | None = None, environ: Mapping[str, str] | None = None, *, last_used: bool = False
) -> str:
    """The workspace URL: --db, else $ACCOUNT_RADAR_DB, else the organisation's
    ``workspace.location``, else the default file. A location the organisation locks is
    the only one: another --db or $ACCOUNT_RADAR_DB is refused. ``last_used`` (the window):
    before the organisation's default and the default file, the workspace this person
    opened last, when it still exists (services/core/recent.py)."""
    env = os.environ if environ is None else environ
    location, locked = organisation_value(WORKSPACE_LOCATION)
    if location:
        try:
            organisation_url = to_url(os.path.expandvars(os.path.expanduser(str(location))))
        except WorkspaceError as exc:
            raise WorkspaceError(f"The organisation's workspace location: {exc}") from None
        asked = db if db is not None else env.get(ENV_VAR)
        if locked and asked is not None and to_url(asked) != organisation_url:
            raise WorkspaceError(
                f"Your organisation sets the workspace ({location}); it can't be changed here."
            )
        if locked:
            return organisation_url
        if db is None and ENV_VAR not in env:
            return (_last_used() if last_used else None) or organisation_url
    # An empty --db or variable is a mistake, not a request for the default workspace.
    if db is not None:
        return to_url(db)
    if ENV_VAR in env:
        try:
            return to_url(env[ENV_VAR])
        except WorkspaceError as exc:
            raise WorkspaceError(f"{ENV_VAR}: {exc}") from None
    if last_used and (last := _last_used()):
        return last
    return to_url(str(default_workspace_path()))


def _last_used() -> str | None:
    """The URL of the workspace file this person opened last, if it still exists."""
    from services.core.recent import last_workspace

    last = last_workspace()
    return to_url(last) if last else None


def workspace_exists(url: str) -> bool:
    """True when a SQLite workspace file already holds data (non-SQLite URLs: assumed)."""
    path = sqlite_path(url)
    if path is None:
        return True
    p = Path(path)
    return p.is_file() and p.stat().st_size > 0


def check_existing_file(path: Path, *, need_write: bool = True) -> None:
    """Refuse, with a clear message and without writing, files we must not touch."""
    if path.is_dir():
        raise WorkspaceError(f"{path} is a folder, not a workspace file. Give a file path.")
    parent = path.parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(
                f"Cannot create the folder {parent}: {exc.strerror or exc}. "
                "Choose a location you can write to."
            ) from exc
    if not path.exists():
        if not os.access(parent, os.W_OK):
            raise WorkspaceError(
                f"Cannot create a workspace in {parent}: the folder is read-only. "
                "Choose a location you can write to."
            )
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise WorkspaceError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if head and head != SQLITE_MAGIC:
        raise WorkspaceError(
            f"{path} is not an Account Radar workspace (it is not a SQLite database). "
            "Choose another file; this one was left untouched."
        )
    if need_write and _read_only(path):
        raise WorkspaceError(
            f"{path} is read-only. Make the file and its folder writable, or copy it "
            "somewhere you can write, then open it again."
        )


def _read_only(path: Path) -> bool:
    # os.access alone is not enough: for root (and on some shares) it ignores the mode,
    # but a file the user marked read-only must still be respected.
    no_write_bits = not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    return no_write_bits or not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)


@dataclass
class Workspace:
    """An open workspace: its URL, engine and session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    backup_path: Path | None = None
    created: bool = False
    _closed: bool = field(default=False, repr=False)

    @property
    def path(self) -> Path | None:
        p = sqlite_path(self.url)
        return Path(p) if p else None

    @property
    def display_name(self) -> str:
        """What to show the user: the file path; user@host/database for a shared
        workspace; another URL without its password."""
        if self.path is not None:
            return str(self.path)
        shared = shared_address(self.url)
        if shared is not None:
            return shared.display
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        if not self._closed:
            self.engine.dispose()
            self._closed = True


def open_existing_workspace(url: str, *, backup: bool = True) -> Workspace:
    """Open a workspace that must already exist (every command but demo, import, db upgrade).

    A mistyped --db must not leave an empty workspace behind: only the commands that
    bring data in may create one (an empty PostgreSQL database is refused with the way
    in: ``workspace publish``).
    """
    path = sqlite_path(url)
    if path is not None and not workspace_exists(url):
        raise WorkspaceError(
            f"There is no workspace at {path}: check the --db path, or build one with "
            "'demo' or 'import'."
        )
    return open_workspace(url, backup=backup, create_in_empty_database=False)


def open_workspace(
    url: str,
    *,
    backup: bool = True,
    create_in_empty_database: bool = True,
    password: str | None = None,
) -> Workspace:
    """Open (creating if needed) a workspace and upgrade its schema.

    Raises WorkspaceError with a plain message for files that are not workspaces,
    damaged, read-only or locked; such files are never written.

    A shared workspace (PostgreSQL) connects with the URL's password, else ``password``
    (typed in the window), else the one kept in the keyring or this session, else libpq's
    PGPASSWORD or ~/.pgpass (services/team/connect.py); the Workspace keeps its URL
    without the password. A refused login, an unreachable server, a database that is not
    a workspace (or newer than this app) are refused in plain words before anything is
    written. An empty server database gets a schema only when
    ``create_in_empty_database`` (the commands that bring data in), and is otherwise
    refused with the publish hint; a new workspace file is created either way.
    """
    path = sqlite_path(url)
    created = False
    if path is not None:
        p = Path(path)
        check_existing_file(p)
        created = not p.exists() or p.stat().st_size == 0
    shared = shared_address(url)
    engine_url, source = connect_url(url, password) if shared is not None else (url, "none")
    engine = make_engine(engine_url)
    watch_for_stale_rollups(engine)
    try:
        if shared is not None:
            check_connection(engine, shared, source)
            state = check_schema(engine, shared, create=create_in_empty_database)
            upgrade_shared(engine, shared, state)
            backup_path = None
            created = state.empty
            url = shared.url  # what the Workspace keeps, shows and saves: no password
        else:
            backup_path = upgrade(engine, backup=backup)
    except BaseException:
        engine.dispose()
        raise
    if path is not None:
        # WAL lets the window read while a sync writes. It is a property of the file, so
        # it is set only now that the file is known to be our workspace.
        # Raw connection: the pragma must run outside the transaction SQLAlchemy begins.
        raw = engine.raw_connection()
        try:
            with contextlib.suppress(sqlite3.OperationalError):  # e.g. a network share
                raw.driver_connection.execute("PRAGMA journal_mode = WAL")  # type: ignore[union-attr]
        finally:
            raw.close()
    # Settings that are now the person's own (the provider, the signature): this
    # workspace's values become theirs where they have none, so they follow them.
    adopt_personal_settings(engine)
    return Workspace(
        url=url,
        engine=engine,
        sessions=make_session_factory(engine),
        backup_path=backup_path,
        created=created,
    )


def new_workspace_path(location: str) -> Path:
    """The file a new workspace named ``location`` goes to: a name without a workspace
    suffix gets ``.radar.sqlite`` (a file dialog may hand over the bare name)."""
    path = Path(location).expanduser()
    if not path.name.lower().endswith((".sqlite", ".db")):
        path = path.with_name(path.name + ".radar.sqlite")
    return path.resolve()


def refuse_existing_file(path: Path) -> None:
    """WorkspaceError when a new workspace's file is already there (whatever it holds)."""
    if path.exists():
        raise WorkspaceError(
            f"{path} already exists and was left as it is. Give the new workspace a new "
            "file name, or open that file with File ▸ Open workspace…."
        )


def create_workspace(url: str) -> Workspace:
    """Create a new, empty workspace at url and open it; a file already there is refused
    and left untouched (a new workspace never replaces one)."""
    path = sqlite_path(url)
    if path is not None:
        refuse_existing_file(Path(path))
    return open_workspace(url)


@contextlib.contextmanager
def command_workspace(db: str | None, *, create: bool = False) -> Iterator[Workspace]:
    """The workspace a command works on (``--db``, else $ACCOUNT_RADAR_DB, else the default
    file), closed when the command is done with it. Only ``create=True`` (the commands
    that bring data in: demo, import, db upgrade) may make a new one; the others refuse a
    mistyped path instead of leaving an empty workspace behind."""
    url = resolve_url(db)
    workspace = open_workspace(url) if create else open_existing_workspace(url)
    try:
        yield workspace
    finally:
        workspace.close()

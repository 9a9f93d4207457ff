"""Connecting to a team's shared workspace on PostgreSQL: the address, the
password, and plain words for everything that can go wrong on the way in.

Each person connects as their own database user. A shared workspace's URL is saved and
shown **without** its password; the password lives in the system keyring under
``postgres:<user>@<host>:<port>/<database>`` (services/core/credentials.py), or for this
session only when there is no keyring. ``connect_url`` joins it back just before a
connection is made, in this one place for the command line and the window; with none
stored, libpq's own PGPASSWORD and ~/.pgpass apply (psycopg reads them by itself).

``check_connection``, ``check_schema`` and ``upgrade_shared`` turn what the server says
into errors the user can act on: a wrong user name or password, a server that cannot be
reached, no such database, an empty database (publish a workspace into it), one that is
not a workspace, a workspace newer than the app, a schema this user may not upgrade. An
empty database or one with other tables is never given a schema here.

The keyring is imported only when a shared workspace is opened (it is slow to load).
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from models.db import POSTGRES_CONNECT_TIMEOUT_S, translate_db_errors
from models.errors import WorkspaceError
from models.migrate import HEAD_REVISION, SchemaState, inspect_schema, known_revisions, upgrade

DEFAULT_PORT = 5432
DRIVER = "postgresql+psycopg"
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE for "permission denied"

# Where the password of a connection came from: in the URL itself, typed in the window,
# the system keyring, this session, libpq's PGPASSWORD or ~/.pgpass, or nowhere.
PasswordSource = Literal["url", "typed", "keyring", "session", "libpq", "none"]
Field = Literal["host", "port", "database", "user", "password"]


@dataclass(frozen=True)
class SharedAddress:
    """Where a shared workspace is and who connects to it; never a password."""

    host: str
    port: int
    database: str
    user: str
    url: str  # to save and show: the same URL without its password

    @classmethod
    def create(cls, host: str, port: int, database: str, user: str) -> SharedAddress:
        """The address the window's dialog describes (the default port left out)."""
        url = URL.create(
            DRIVER,
            username=user.strip(),
            host=host.strip(),
            port=None if port == DEFAULT_PORT else port,
            database=database.strip(),
        )
        address = shared_address(url.render_as_string(hide_password=False))
        assert address is not None
        return address

    @property
    def display(self) -> str:
        """What the window's title and status show: user@host/database (no password)."""
        port = "" if self.port == DEFAULT_PORT else f":{self.port}"
        return f"{self.user}@{self.host}{port}/{self.database}"

    @property
    def key_name(self) -> str:
        """The name the password is kept under in the keyring and the session."""
        from services.core.credentials import postgres_key_name

        return postgres_key_name(self.user, self.host, self.port, self.database)


def _parse(url: str) -> URL | None:
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        return None


def is_shared_url(url: str) -> bool:
    """True for a PostgreSQL URL (a team's shared workspace)."""
    u = _parse(url)
    return u is not None and u.get_backend_name() == "postgresql"


def shared_address(url: str) -> SharedAddress | None:
    """The address of a PostgreSQL URL; None for a workspace file or anything else.

    What libpq assumes for a part left out is assumed here too: the login name of this
    computer's user, a database named after the user, localhost, port 5432.
    """
    u = _parse(url)
    if u is None or u.get_backend_name() != "postgresql":
        return None
    user = u.username or getpass.getuser()
    return SharedAddress(
        host=u.host or "localhost",
        port=u.port or DEFAULT_PORT,
        database=u.database or user,
        user=user,
        url=u._replace(password=None).render_as_string(hide_password=False),
    )


def has_password(url: str) -> bool:
    """True when the URL itself holds a password (it should not be saved or shown)."""
    u = _parse(url)
    return u is not None and bool(u.password)


def without_password(url: str) -> str:
    """The URL to save, show or log: a PostgreSQL URL loses its password, others stay."""
    address = shared_address(url)
    return address.url if address is not None else url


# -- the password --------------------------------------------------------------------------


def stored_password(address: SharedAddress) -> tuple[str | None, PasswordSource]:
    """The password kept for ``address``: the system keyring's, else this session's."""
    from services.core.credentials import resolve_secret

    value, source = resolve_secret(address.key_name)
    if value and source in ("keyring", "session"):
        return value, "keyring" if source == "keyring" else "session"
    return None, "none"


def _libpq_has_password() -> bool:
    if os.environ.get("PGPASSWORD"):
        return True
    passfile = os.environ.get("PGPASSFILE") or str(Path.home() / ".pgpass")
    return Path(passfile).is_file()


def connect_url(url: str, typed: str | None = None) -> tuple[str, PasswordSource]:
    """The URL to connect with (never to save, show or log) and where its password came
    from: the URL's own, else ``typed``, else the keyring's, else this session's. With
    none of them the URL goes as it is, and libpq looks in PGPASSWORD and ~/.pgpass."""
    u = _parse(url)
    if u is None or u.get_backend_name() != "postgresql":
        return url, "none"
    if u.password:
        return url, "url"
    address = shared_address(url)
    assert address is not None
    if typed:
        password, source = typed, "typed"
    else:
        stored, found = stored_password(address)
        if stored is None:
            return url, "libpq" if _libpq_has_password() else "none"
        password, source = stored, found
    joined = u.set(password=password).render_as_string(hide_password=False)
    return joined, source  # type: ignore[return-value]


def keyring_problem_words() -> str | None:
    """Why the password cannot be remembered in the system keyring, with what happens
    instead; None when it can. Blocking (the keyring may be slow to start)."""
    from services.core.credentials import keyring_problem

    problem = keyring_problem()
    if problem is None:
        return None
    # keyring_problem() ends with advice for an API key: say what it means here.
    head, sep, _ = problem.partition(". Set the ")
    head = head + "." if sep else problem
    return f"{head} The password is kept for this session only."


def remember_password(address: SharedAddress, password: str, *, in_keyring: bool) -> str | None:
    """Keep a password that just opened ``address``: for this session, and in the system
    keyring when ``in_keyring`` (otherwise any stored one is removed from it). Returns a
    sentence when the keyring could not be used, else None. Blocking (the keyring)."""
    from services.core.credentials import CredentialsError, delete_secret, set_secret
    from services.core.credentials import set_session_secret as hold

    name = address.key_name
    try:
        if in_keyring:
            set_secret(name, password)
        else:
            delete_secret(name)
    except CredentialsError as exc:
        hold(name, password)
        return f"The password is kept for this session only: {exc}"
    hold(name, password)
    return None


# -- plain words for what went wrong -------------------------------------------------------


class SharedWorkspaceError(WorkspaceError):
    """A shared workspace cannot be opened; ``field`` is the dialog field to fix (if any)."""

    def __init__(self, message: str, *, field: Field | None = None) -> None:
        super().__init__(message)
        self.field = field


class LoginRefused(SharedWorkspaceError):
    """The server refused the user name or password, or wants one and none was given.

    ``dialog_text`` is the window's wording (the dialog shows the address beside it); the
    message itself says, for the command line, how to fix a stored password."""

    def __init__(
        self, message: str, *, address: SharedAddress, source: PasswordSource, dialog_text: str
    ) -> None:
        super().__init__(message, field="password")
        self.address = address
        self.source = source
        self.dialog_text = dialog_text


def _open_command(address: SharedAddress) -> str:
    return f"`python main.py workspace open {address.url}`"


def login_refused(address: SharedAddress, source: PasswordSource, missing: bool) -> LoginRefused:
    """The error for a refused login, worded for where the password came from."""
    who = f"{address.user}@{address.host}/{address.database}"
    if missing:
        message = (
            f"The server asks for a password for {who} and none is stored. Run "
            f"{_open_command(address)} and type it once (it is kept in the system keyring), "
            "or set PGPASSWORD, or add it to ~/.pgpass."
        )
        dialog = f"The server asks for the password of the database user {address.user}."
    elif source == "keyring" or source == "session":
        where = "stored in the system keyring" if source == "keyring" else "given earlier"
        message = (
            f"The server refused the password {where} for {who}; it may have been changed. "
            f"Run {_open_command(address)} and type the current one (it replaces the stored "
            "one)."
        )
        dialog = (
            f"The server refused the password {where} for {address.user}; it may have "
            "been changed. Type the current one."
        )
    elif source == "libpq":
        message = (
            f"The server refused the password from PGPASSWORD or ~/.pgpass for {who}. "
            "Correct it there, or unset it and run "
            f"{_open_command(address)} to type it in the window."
        )
        dialog = (
            f"The server refused the password from PGPASSWORD or ~/.pgpass for "
            f"{address.user}. Type the current one."
        )
    else:
        message = (
            f"The server refused the user name or password for {who}. Check both and try again."
        )
        dialog = "Wrong user name or password: the server refused them. Check both and try again."
    return LoginRefused(message, address=address, source=source, dialog_text=dialog)


def connect_error(
    exc: OperationalError,
    address: SharedAddress,
    source: PasswordSource,
    timeout_s: object = POSTGRES_CONNECT_TIMEOUT_S,
) -> SharedWorkspaceError:
    """What a failed connection attempt means, in words for the user."""
    text = str(exc.orig or exc)
    lowered = text.lower()
    server = address.host if address.port == DEFAULT_PORT else f"{address.host}:{address.port}"
    if "password authentication failed" in lowered or (
        "role" in lowered and "does not exist" in lowered
    ):
        return login_refused(address, source, missing=False)
    if "no password supplied" in lowered:
        return login_refused(address, source, missing=True)
    if "database" in lowered and "does not exist" in lowered:
        return SharedWorkspaceError(
            f"The server {server} has no database named {address.database}. Check the "
            "database name.",
            field="database",
        )
    if "no pg_hba.conf entry" in lowered:
        return SharedWorkspaceError(
            f"The server {server} does not let the user {address.user} connect to "
            f"{address.database} from this computer. Ask your administrator to allow it "
            "(pg_hba.conf).",
            field="user",
        )
    if "failed to resolve host" in lowered or "could not translate host name" in lowered:
        why = f"no server is known by the name {address.host}"
    elif "connection refused" in lowered:
        why = f"nothing answered on port {address.port}"
    elif "timeout expired" in lowered or "timed out" in lowered:
        unit = "second" if str(timeout_s) == "1" else "seconds"
        why = f"it did not answer within {timeout_s} {unit}"
    elif "network is unreachable" in lowered or "no route to host" in lowered:
        why = "this computer has no network route to it"
    elif "server closed the connection" in lowered or "could not connect" in lowered:
        why = "the connection was cut"
    else:
        # Another refusal by the server (too many connections, SSL required...): its own
        # words, which name no password.
        first = " ".join(text.split())
        return SharedWorkspaceError(f"The server {server} refused the connection: {first}")
    return SharedWorkspaceError(
        f"Could not reach the database server {server}: {why}. Check the server's address "
        "and port, and your network (VPN), then try again.",
        field="host",
    )


def check_connection(engine: Engine, address: SharedAddress, source: PasswordSource) -> None:
    """Connect once; a refusal or an unreachable server raises in plain words."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        timeout = engine.url.query.get("connect_timeout", POSTGRES_CONNECT_TIMEOUT_S)
        raise connect_error(exc, address, source, timeout) from exc


def check_schema(engine: Engine, address: SharedAddress, *, create: bool) -> SchemaState:
    """What the database holds, refused unless it is a workspace this app can open (an
    empty one too when ``create``) and this user may read. Writes nothing."""
    where = f"The database {address.database} on {address.host}"
    with translate_db_errors(where), engine.connect() as conn:
        # Table names need no rights; the revision does: the rights are checked first.
        tables = frozenset(inspect(conn).get_table_names())
        ours = SchemaState(revision=None, tables=tables).is_workspace
        if (
            ours
            and not conn.exec_driver_sql(
                "SELECT has_table_privilege('customers', 'SELECT') "
                "AND has_table_privilege('alembic_version', 'SELECT')"
            ).scalar()
        ):
            raise SharedWorkspaceError(
                f"The database user {address.user} may not read this workspace. Ask your "
                "administrator to grant it SELECT, INSERT, UPDATE and DELETE on the "
                "workspace's tables and USAGE on its sequences.",
                field="user",
            )
    if not tables:
        if create:
            return SchemaState(revision=None, tables=tables)
        raise SharedWorkspaceError(
            f"This database ({address.database} on {address.host}) is empty: publish a "
            "workspace to it with "
            f"`python main.py workspace publish --to {address.url}`. Nothing was created "
            "in it.",
            field="database",
        )
    if not ours:
        names = sorted(tables)
        shown = ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
        raise SharedWorkspaceError(
            f"{where} is not an Account Radar workspace: it holds other tables ({shown}). "
            "Check the database name; nothing was changed in it.",
            field="database",
        )
    state = inspect_schema(engine)
    if state.revision != HEAD_REVISION and state.revision not in known_revisions():
        raise SharedWorkspaceError(
            f"This shared workspace was written by a newer version of Account Radar (schema "
            f"{state.revision}; this version knows up to {HEAD_REVISION}). Update the app to "
            "open it; nothing was changed."
        )
    return state


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def _as_owner(address: SharedAddress) -> str:
    return make_url(address.url).set(username="OWNER").render_as_string(hide_password=False)


def upgrade_shared(engine: Engine, address: SharedAddress, state: SchemaState) -> None:
    """Bring an older shared workspace (or an empty database, when it may be created) to
    this version's schema, in one transaction; a user without the rights is told to ask
    the administrator, and nothing changes."""
    if state.revision == HEAD_REVISION:
        return
    try:
        upgrade(engine, backup=False)  # a server database: its backups are pg_dump's
    except (DBAPIError, WorkspaceError) as exc:
        # The refusal itself, or its plain-words translation (models.db).
        cause = exc if isinstance(exc, DBAPIError) else exc.__cause__
        if not isinstance(cause, DBAPIError) or _sqlstate(cause) != INSUFFICIENT_PRIVILEGE:
            raise
        if state.empty:
            message = (
                f"The database user {address.user} may not create tables in "
                f"{address.database}. Ask your administrator to publish a workspace to it "
                f"(`python main.py workspace publish --to URL`); nothing was created."
            )
        else:
            message = (
                f"This shared workspace's schema ({state.revision}) is older than this "
                f"version of Account Radar needs ({HEAD_REVISION}), and the database user "
                f"{address.user} may not upgrade it. Ask your administrator to run "
                f"`python main.py --db {_as_owner(address)} db upgrade` as the workspace's "
                "owner; nothing was changed."
            )
        raise SharedWorkspaceError(message) from exc
    if not state.empty:
        # A new schema may bring tables or columns the team's policies and grants cover:
        # the owner who upgraded it sets them up again (idempotent) before anyone works.
        from services.core.access import group_roles
        from services.team.security import reapply_team_security

        with engine.connect() as conn:
            groups = group_roles(str(conn.exec_driver_sql("SELECT current_database()").scalar()))
            has_team = conn.execute(
                text("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :r"),
                {"r": groups["admin"]},
            ).first()
        if has_team is not None:
            reapply_team_security(engine)

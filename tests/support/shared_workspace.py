"""A team's shared workspace on a throwaway PostgreSQL server with password logins, for
the tests of opening one (the services, the command line and the window).

``shared_server(bin_dir, folder)`` builds a small demo workspace file, publishes it to
the database ``team`` (services.team.publish, as `workspace publish` does), creates the
team member ``ana`` (a login with a password that a URL must escape) with the rights a
member gets (SELECT, INSERT, UPDATE, DELETE on every table, USAGE on the sequences), and
turns password logins on: from then on only the superuser 'radar' gets in without one.

``private_secrets()`` is what every such test runs under: an in-memory keyring (never
the machine's), no session secrets, and none of libpq's own passwords (PGPASSWORD,
~/.pgpass) that the machine may have.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from app.workspace import open_workspace, to_url
from services.core.credentials import clear_session_secrets
from services.demo import build_demo
from services.team.publish import publish
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.postgres_server import PostgresServer, postgres_server

TEAM_DB = "team"
ANA = "ana"
# Characters a URL must escape (@ : / % and a space): the password must survive the
# trip through the keyring and into the connection intact.
ANA_PASSWORD = "an@ s:ecret/%42"
CUSTOMERS = 60


@dataclass
class SharedServer:
    """The server, with URLs for the team member and the superuser."""

    server: PostgresServer

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return self.server.port

    def url(self, database: str = TEAM_DB, user: str = ANA, password: str | None = None) -> str:
        """A URL as a user would write it (the password, when given, escaped)."""
        from sqlalchemy.engine import URL

        return URL.create(
            "postgresql+psycopg",
            username=user,
            password=password,
            host=self.host,
            port=self.port,
            database=database,
        ).render_as_string(hide_password=False)

    def admin_sql(self, sql: str, database: str = TEAM_DB) -> list[tuple[object, ...]]:
        """Run SQL as the superuser (autocommit); the rows it returns, if any."""
        engine = create_engine(self.server.url(database), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                result = conn.exec_driver_sql(sql)
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def tables(self, database: str) -> list[str]:
        engine = create_engine(self.server.url(database))
        try:
            return sorted(inspect(engine).get_table_names())
        finally:
            engine.dispose()

    def createdb(self, database: str) -> str:
        """A new empty database (ana may connect, as anyone may); its name."""
        self.server.createdb(database)
        return database


@contextlib.contextmanager
def shared_server(bin_dir: Path, folder: Path) -> Iterator[SharedServer]:
    """A server holding the published ``team`` workspace, ana, and password logins."""
    with postgres_server(bin_dir) as server:
        source_path = folder / "team.radar.sqlite"
        source = open_workspace(to_url(str(source_path)), backup=False)
        try:
            build_demo(source.engine, customers=CUSTOMERS, seed=5)
            server.createdb(TEAM_DB)
            report = publish(source.engine, server.url(TEAM_DB))
            assert report.problems == []
        finally:
            source.close()
        shared = SharedServer(server)
        # SQL quoting, then the driver's (a bare % would read as a placeholder).
        quoted = ANA_PASSWORD.replace("'", "''").replace("%", "%%")
        for sql in (
            f"CREATE ROLE {ANA} LOGIN PASSWORD '{quoted}'",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ANA}",
            f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {ANA}",
        ):
            shared.admin_sql(sql)
        server.password_auth()
        yield shared


def start_shared_server(folder: Path) -> contextlib.AbstractContextManager[SharedServer]:
    """``shared_server`` on the installed binaries; skips the test without them."""
    from tests.support.postgres_server import pg_bin

    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries are not installed (Debian: postgresql)")
    return shared_server(bin_dir, folder)


@contextlib.contextmanager
def private_secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """An in-memory keyring, no session secrets, no PGPASSWORD or ~/.pgpass."""
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent/account-radar-test/pgpass")
    clear_session_secrets()
    try:
        with installed_keyring(MemoryKeyring()) as backend:
            yield backend
    finally:
        clear_session_secrets()


def silent_listener() -> socket.socket:
    """A loopback socket that takes connections and never answers (a server that hangs);
    closing it ends the connections waiting on it at once."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # the kernel completes the handshakes; nobody ever reads
    return listener


def free_port() -> int:
    """A loopback port nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

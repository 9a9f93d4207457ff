"""The two databases a workspace lives in, for the tests that run on both.

A test (or fixture) that asks for ``workspace_url`` runs twice: on a new SQLite file and
on a new PostgreSQL database of one throwaway server on loopback shared by the whole
session (started the first time a test needs it, with fsync off: nothing it holds is
kept). Each PostgreSQL database is a copy of a migrated template, so a test starts from
the same empty, migrated workspace on either side, and is dropped after the test.

Without PostgreSQL's server binaries (Debian: postgresql) the PostgreSQL runs are
skipped with that reason; .ci/run installs them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from app.workspace import open_workspace, to_url
from models.db import sqlite_path
from tests.support.postgres_server import SUPERUSER, PostgresServer, pg_bin

# The params of the fixtures that run a test on each database.
DATABASES = ("sqlite", "postgresql")
TEMPLATE = "radar_template"


def database_params() -> list[object]:
    """``params=`` for a fixture that runs on each database (each run marked with its
    name: ``-m postgresql`` picks the PostgreSQL runs)."""
    return [pytest.param(name, marks=getattr(pytest.mark, name)) for name in DATABASES]


class PostgresCluster:
    """The session's server: a migrated template and a fresh copy of it per test."""

    def __init__(self, bin_dir: Path) -> None:
        self.server = PostgresServer(bin_dir)
        self.server.start(durable=False)
        self._names = itertools.count(1)
        self.server.createdb(TEMPLATE)
        open_workspace(self.server.url(TEMPLATE), backup=False).close()

    def _admin(self, sql: str) -> None:
        engine = create_engine(self.server.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(sql)
        finally:
            engine.dispose()

    def new_database(self) -> str:
        """A new database, a copy of the migrated template; its superuser URL."""
        name = f"t{next(self._names)}"
        self._admin(f'CREATE DATABASE {name} TEMPLATE {TEMPLATE} OWNER "{SUPERUSER}"')
        return self.server.url(name)

    def copy_database(self, url: str) -> str:
        """A new database holding what the one at ``url`` holds (nobody may be connected
        to it: close its workspace first); its superuser URL."""
        source = url.rsplit("/", 1)[1]
        name = f"t{next(self._names)}"
        self._admin(f'CREATE DATABASE {name} TEMPLATE {source} OWNER "{SUPERUSER}"')
        return self.server.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        self.server.cleanup()


def start_cluster() -> PostgresCluster:
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries are not installed (Debian: postgresql)")
    return PostgresCluster(bin_dir)


def migrated_file(folder: Path) -> Path:
    """A migrated, empty workspace file (the SQLite twin of the template)."""
    path = folder / "empty.radar.sqlite"
    open_workspace(to_url(str(path)), backup=False).close()
    return path


def sqlite_copy(empty: Path, folder: Path, name: str = "w.radar.sqlite") -> str:
    path = folder / name
    shutil.copyfile(empty, path)
    return to_url(str(path))


def new_workspace_url(request: pytest.FixtureRequest, database: str, folder: Path) -> str:
    """A new, migrated, empty workspace on ``database`` ('sqlite': a file in ``folder``;
    'postgresql': a database on the session's server, dropped when ``request``'s scope
    ends): its URL. For fixtures of any scope; function-scoped tests ask for the
    ``workspace_url`` fixture instead."""
    if database == "sqlite":
        return sqlite_copy(request.getfixturevalue("_empty_workspace_file"), folder)
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    url = cluster.new_database()
    request.addfinalizer(lambda: cluster.drop(url))
    return url


def copy_workspace_url(
    request: pytest.FixtureRequest, url: str, folder: Path, name: str = "copy.radar.sqlite"
) -> str:
    """A new workspace holding what the closed workspace at ``url`` holds: a copy of its
    file (as ``folder/name``), or a new database made from it on the session's server
    (dropped when ``request``'s scope ends). Its URL."""
    path = sqlite_path(url)
    if path is not None:
        target = folder / name
        shutil.copyfile(path, target)
        return to_url(str(target))
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    copy = cluster.copy_database(url)
    request.addfinalizer(lambda: cluster.drop(copy))
    return copy


def stored_json(value: object) -> object:
    """A JSON object or array read with raw SQL: SQLite hands back its text, PostgreSQL
    the value already decoded; either way, the value. (A JSON string is ambiguous: read
    those through the model's column, which decodes on both.)"""
    return json.loads(value) if isinstance(value, str | bytes) else value


def stored_datetime(value: object) -> dt.datetime | None:
    """A timestamp read with raw SQL (SQLite's text, PostgreSQL's datetime): naive UTC."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def stored_date(value: object) -> dt.date | None:
    """A date read with raw SQL (SQLite's text, PostgreSQL's date)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def json_sql(engine: Engine, column: str, key: str, *, as_text: bool = False) -> str:
    """SQL for one key of a JSON column: its value (``as_text``: as text, for LIKE)."""
    if engine.dialect.name == "postgresql":
        return f"({column} ->> '{key}')" if as_text else f"({column} -> '{key}')"
    return f"json_extract({column}, '$.{key}')"


def read_rows(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    """The rows of one query (named ``:params``) on the workspace at ``url``, on a
    connection of its own."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()

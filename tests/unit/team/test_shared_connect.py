"""Opening a team's shared workspace on PostgreSQL (services/team/connect.py through
app.workspace): the password joined from the keyring (never kept in the URL), and plain
words for a refused login, an unreachable server and a database that is empty, foreign,
newer than the app or older and not ours to upgrade. A real throwaway server with
password logins; an in-memory keyring."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from app.workspace import open_existing_workspace, open_workspace
from models.migrate import HEAD_REVISION
from services.core import credentials
from services.team.connect import (
    LoginRefused,
    SharedAddress,
    SharedWorkspaceError,
    connect_url,
    has_password,
    remember_password,
    shared_address,
    without_password,
)
from tests.support.memory_keyring import MemoryKeyring
from tests.support.shared_workspace import (
    ANA,
    ANA_PASSWORD,
    CUSTOMERS,
    SharedServer,
    free_port,
    private_secrets,
    silent_listener,
    start_shared_server,
)
from tests.unit.team.older_schema import downgrade


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedServer]:
    with start_shared_server(tmp_path_factory.mktemp("team")) as server:
        yield server


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    with private_secrets(monkeypatch) as backend:
        yield backend


def key_of(team: SharedServer) -> str:
    return f"postgres:{ANA}@127.0.0.1:{team.port}/team"


def customers(workspace: object) -> int:
    with workspace.engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.exec_driver_sql("SELECT COUNT(*) FROM customers").scalar_one())


# -- the address and the URL, no server ---------------------------------------------------


def test_the_address_names_the_key_and_shows_no_password() -> None:
    url = "postgresql+psycopg://ana:pw%40x@DB.Example.com:6543/radar?sslmode=require"
    address = shared_address(url)
    assert address is not None
    assert (address.host, address.port, address.database, address.user) == (
        "DB.Example.com",
        6543,
        "radar",
        "ana",
    )
    assert address.key_name == "postgres:ana@db.example.com:6543/radar"
    assert address.key_name == credentials.postgres_key_name("ana", "DB.Example.com", 6543, "radar")
    assert address.display == "ana@DB.Example.com:6543/radar"
    assert address.url == "postgresql+psycopg://ana@DB.Example.com:6543/radar?sslmode=require"
    assert without_password(url) == address.url
    assert has_password(url)
    assert not has_password(address.url)
    # The default port is left out of what is shown, not of the key.
    plain = SharedAddress.create("db.example.com", 5432, "radar", "ana")
    assert plain.display == "ana@db.example.com/radar"
    assert plain.url == "postgresql+psycopg://ana@db.example.com/radar"
    assert plain.key_name == "postgres:ana@db.example.com:5432/radar"
    # Files are not shared workspaces.
    assert shared_address("sqlite:////tmp/x.radar.sqlite") is None
    assert without_password("sqlite:////tmp/x.radar.sqlite") == "sqlite:////tmp/x.radar.sqlite"


def test_connect_url_joins_the_keyring_then_the_session_password(secrets: MemoryKeyring) -> None:
    url = "postgresql+psycopg://ana@db.example.com/radar"
    address = shared_address(url)
    assert address is not None
    assert connect_url(url) == (url, "none")
    credentials.set_session_secret(address.key_name, "from the session")
    joined, source = connect_url(url)
    assert source == "session"
    assert shared_address(joined) == address  # the same place, only a password added
    from sqlalchemy.engine import make_url

    assert make_url(joined).password == "from the session"
    assert remember_password(address, ANA_PASSWORD, in_keyring=True) is None
    assert secrets.passwords[("Account Radar", address.key_name)] == ANA_PASSWORD
    joined, source = connect_url(url)
    assert (make_url(joined).password, source) == (ANA_PASSWORD, "keyring")
    # A typed password comes before the stored one; a URL's own before both.
    assert make_url(connect_url(url, "typed")[0]).password == "typed"
    assert connect_url("postgresql+psycopg://ana:own@db.example.com/radar")[1] == "url"
    # Unticked "remember": out of the keyring, kept for the session.
    assert remember_password(address, "newer", in_keyring=False) is None
    assert ("Account Radar", address.key_name) not in secrets.passwords
    assert connect_url(url)[1] == "session"


def test_without_a_keyring_the_password_is_kept_for_the_session() -> None:
    import keyring.backends.fail

    from tests.support.memory_keyring import installed_keyring

    address = SharedAddress.create("db.example.com", 5432, "radar", "ana")
    with installed_keyring(keyring.backends.fail.Keyring()):
        note = remember_password(address, "pw", in_keyring=True)
        assert note is not None
        assert note.startswith("The password is kept for this session only")
        assert "No system keyring" in note
        assert connect_url(address.url)[1] == "session"


# -- a real server -------------------------------------------------------------------------


def test_a_url_without_password_opens_with_the_keyrings(team: SharedServer) -> None:
    url = team.url()
    address = shared_address(url)
    assert address is not None
    credentials.set_secret(address.key_name, ANA_PASSWORD)
    assert address.key_name == key_of(team)
    workspace = open_existing_workspace(url)
    try:
        assert customers(workspace) == CUSTOMERS
        assert workspace.url == url  # as given: no password
        assert ANA_PASSWORD not in workspace.url
        assert workspace.display_name == f"ana@127.0.0.1:{team.port}/team"
        assert workspace.engine.url.username == ANA
        assert ANA_PASSWORD not in str(workspace.engine.url)  # SQLAlchemy hides it
    finally:
        workspace.close()


def test_a_password_in_the_url_is_dropped_from_what_the_workspace_keeps(
    team: SharedServer, secrets: MemoryKeyring
) -> None:
    workspace = open_existing_workspace(team.url(password=ANA_PASSWORD))
    try:
        assert workspace.url == team.url()
        assert customers(workspace) == CUSTOMERS
    finally:
        workspace.close()
    assert secrets.passwords == {}  # a URL's password is not stored by opening


def test_a_refused_stored_password_says_how_to_fix_it(team: SharedServer) -> None:
    credentials.set_secret(key_of(team), "an old password")
    with pytest.raises(LoginRefused) as caught:
        open_existing_workspace(team.url())
    error = caught.value
    assert error.source == "keyring"
    assert "refused the password stored in the system keyring" in str(error)
    assert f"python main.py workspace open {team.url()}" in str(error)
    assert "an old password" not in str(error)
    assert "Type the current one" in error.dialog_text


def test_no_password_anywhere_says_where_one_can_go(team: SharedServer) -> None:
    with pytest.raises(LoginRefused) as caught:
        open_existing_workspace(team.url())
    assert "asks for a password" in str(caught.value)
    assert "PGPASSWORD" in str(caught.value)
    assert "workspace open" in str(caught.value)


def test_a_wrong_typed_password_or_user_is_one_plain_refusal(team: SharedServer) -> None:
    for url, password in ((team.url(), "wrong"), (team.url(user="nobody"), ANA_PASSWORD)):
        with pytest.raises(LoginRefused, match="refused the user name or password") as caught:
            open_workspace(url, password=password, create_in_empty_database=False)
        assert caught.value.source == "typed"
        assert password not in str(caught.value)


def test_a_server_that_is_not_there_or_does_not_answer_is_said_plainly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = free_port()
    url = f"postgresql+psycopg://ana@127.0.0.1:{port}/team"
    with pytest.raises(SharedWorkspaceError, match="Could not reach the database server") as e:
        open_workspace(url, password="x", create_in_empty_database=False)
    assert f"nothing answered on port {port}" in str(e.value)
    assert "Check the server's address" in str(e.value)
    assert e.value.field == "host"
    # A server that takes the connection and never answers: the connect timeout ends it.
    listener = silent_listener()
    try:
        silent = f"postgresql+psycopg://ana@127.0.0.1:{listener.getsockname()[1]}/team"
        started = time.monotonic()
        with pytest.raises(SharedWorkspaceError, match="did not answer within 1 second. "):
            open_workspace(silent + "?connect_timeout=1", password="x")
        assert time.monotonic() - started < 8
    finally:
        listener.close()


def test_an_empty_database_gets_the_publish_hint_and_stays_empty(team: SharedServer) -> None:
    team.createdb("blank")
    credentials.set_secret(key_of(team).replace("/team", "/blank"), ANA_PASSWORD)
    url = team.url("blank")
    with pytest.raises(SharedWorkspaceError) as caught:
        open_existing_workspace(url)
    assert str(caught.value).startswith("This database (blank on 127.0.0.1) is empty")
    assert f"`python main.py workspace publish --to {url}`" in str(caught.value)
    assert team.tables("blank") == []
    # Even a command that may create a workspace cannot, as a member: said, nothing made.
    with pytest.raises(SharedWorkspaceError, match="may not create tables"):
        open_workspace(url)
    assert team.tables("blank") == []


def test_a_database_of_other_tables_is_refused_and_left_alone(team: SharedServer) -> None:
    team.createdb("billing")
    team.admin_sql("CREATE TABLE invoices (id integer)", "billing")
    with pytest.raises(SharedWorkspaceError, match="not an Account Radar workspace") as caught:
        open_workspace(team.url("billing"), password=ANA_PASSWORD)
    assert "invoices" in str(caught.value)
    assert team.tables("billing") == ["invoices"]


def test_a_workspace_newer_than_the_app_is_refused(team: SharedServer) -> None:
    team.admin_sql("UPDATE alembic_version SET version_num = '9999'")
    try:
        with pytest.raises(SharedWorkspaceError, match="newer version of Account Radar"):
            open_workspace(team.url(), password=ANA_PASSWORD)
    finally:
        team.admin_sql(f"UPDATE alembic_version SET version_num = '{HEAD_REVISION}'")


def test_an_older_schema_this_user_may_not_upgrade_sends_them_to_the_admin(
    team: SharedServer,
) -> None:
    # The schema as the previous version left it: migration 0012 and every later one not
    # applied yet.
    downgrade(team.server.url("team"), "0011")
    try:
        with pytest.raises(SharedWorkspaceError) as caught:
            open_workspace(team.url(), password=ANA_PASSWORD)
        message = str(caught.value)
        assert "may not upgrade it" in message
        assert "Ask your administrator" in message
        assert f"--db postgresql+psycopg://OWNER@127.0.0.1:{team.port}/team db upgrade" in message
        assert team.admin_sql("SELECT version_num FROM alembic_version") == [("0011",)]
        assert "team_members" not in team.tables("team")
    finally:
        # The owner upgrades it: what the administrator is asked to do.
        workspace = open_workspace(team.server.url("team"))
        workspace.close()
        team.admin_sql(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ANA}"
        )
    assert team.admin_sql("SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]


def test_a_user_without_read_rights_is_told_to_ask_for_them(team: SharedServer) -> None:
    team.admin_sql("CREATE ROLE bob LOGIN PASSWORD 'bob-pw'")
    with pytest.raises(SharedWorkspaceError, match="may not read this workspace"):
        open_workspace(team.url(user="bob"), password="bob-pw")

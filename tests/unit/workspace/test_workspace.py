"""Opening, validating, migrating and backing up workspaces, on real SQLite files."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Float, Integer, Numeric, func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

import models.db
import models.migrate
from app.workspace import ENV_VAR, default_workspace_path, open_workspace, resolve_url
from models.base import Base
from models.db import session_scope
from models.errors import WorkspaceError
from models.integrity import check_workspace
from models.schema import Customer, Order
from services.settings import SettingError, get_setting, set_setting
from tests.support.paths import ROOT


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def test_resolve_url_prefers_db_then_env_then_default(tmp_path: Path) -> None:
    env = {ENV_VAR: str(tmp_path / "env.radar.sqlite")}
    assert resolve_url(str(tmp_path / "a.sqlite"), env) == f"sqlite:///{tmp_path / 'a.sqlite'}"
    assert resolve_url(None, env) == f"sqlite:///{tmp_path / 'env.radar.sqlite'}"
    assert resolve_url(None, {}) == f"sqlite:///{default_workspace_path()}"
    assert default_workspace_path().name == "default.radar.sqlite"
    assert "AccountRadar" in str(default_workspace_path())
    assert resolve_url("postgresql+psycopg://u:p@host/db", {}) == "postgresql+psycopg://u:p@host/db"
    with pytest.raises(WorkspaceError, match="not a valid database URL"):
        resolve_url("nonsense://::", {})


def test_new_workspace_in_missing_folder_is_created_at_head(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "w.radar.sqlite"
    ws = open_workspace(url_of(path))
    try:
        assert ws.created
        assert path.is_file()
        with ws.engine.connect() as conn:
            rev = conn.execute(text("select version_num from alembic_version")).scalar_one()
            assert rev == models.migrate.head_revision()
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 5000
    finally:
        ws.close()
    again = open_workspace(url_of(path))
    assert not again.created
    assert again.backup_path is None
    again.close()


def test_session_scope_is_atomic_and_enforces_foreign_keys(tmp_path: Path) -> None:
    ws = open_workspace(url_of(tmp_path / "w.radar.sqlite"))
    try:

        def crash_mid_way() -> None:
            with session_scope(ws.sessions) as s:
                s.add(Customer(name="Half written", source="t", external_id="1"))
                s.flush()
                raise RuntimeError("crash mid-way")

        with pytest.raises(RuntimeError, match="crash mid-way"):
            crash_mid_way()
        with session_scope(ws.sessions) as s:
            assert s.scalar(select(func.count()).select_from(Customer)) == 0
        with pytest.raises(Exception, match="FOREIGN KEY"), session_scope(ws.sessions) as s:
            s.add(Order(customer_id=999, order_date=dt.datetime(2026, 1, 1), amount_cents=100))
    finally:
        ws.close()


def test_timestamps_round_trip_as_utc(tmp_path: Path) -> None:
    ws = open_workspace(url_of(tmp_path / "w.radar.sqlite"))
    try:
        eastern = dt.timezone(dt.timedelta(hours=-5))
        with session_scope(ws.sessions) as s:
            c = Customer(name="Ada", source="t", external_id="1")
            s.add(c)
            s.flush()
            s.add(
                Order(
                    customer_id=c.id,
                    order_date=dt.datetime(2026, 3, 1, 9, 0, tzinfo=eastern),
                    amount_cents=12345,
                )
            )
        with session_scope(ws.sessions) as s:
            order = s.scalars(select(Order)).one()
            assert order.order_date == dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC)
            assert order.amount_cents == 12345
            assert isinstance(order.amount_cents, int)
    finally:
        ws.close()


def test_money_is_never_a_float_column() -> None:
    money_words = ("amount", "revenue", "clv", "price", "priority", "total", "spend")
    checked = 0
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(w in column.name for w in money_words):
                checked += 1
                assert isinstance(column.type, Integer | BigInteger | Numeric), column
                assert not isinstance(column.type, Float), column
    assert checked >= 6


def test_schema_compiles_for_postgresql() -> None:
    dialect = postgresql.dialect()
    for table in Base.metadata.sorted_tables:
        ddl = str(CreateTable(table).compile(dialect=dialect))
        assert table.name in ddl
        for index in table.indexes:
            str(CreateIndex(index).compile(dialect=dialect))
    assert "JSONB" in str(CreateTable(Customer.__table__).compile(dialect=dialect))


def test_not_a_sqlite_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("id,name\n1,Ada\n")
    before = sha(path)
    with pytest.raises(WorkspaceError, match="not an Account Radar workspace"):
        open_workspace(url_of(path))
    assert sha(path) == before


def test_foreign_sqlite_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("create table recipes (id integer primary key, title text)")
    con.execute("insert into recipes values (1, 'soup')")
    con.commit()
    con.close()
    before = sha(path)
    with pytest.raises(WorkspaceError, match="not an Account Radar workspace"):
        open_workspace(url_of(path))
    assert sha(path) == before


def test_corrupt_file_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "w.radar.sqlite"
    open_workspace(url_of(path)).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xde\xad\xbe\xef" * ((4096 - 100) // 4)  # wreck the schema page
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    before = sha(path)
    with pytest.raises(WorkspaceError, match="damaged"):
        open_workspace(url_of(path))
    assert sha(path) == before


def test_read_only_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "w.radar.sqlite"
    open_workspace(url_of(path)).close()
    path.chmod(0o444)
    before = sha(path)
    try:
        with pytest.raises(WorkspaceError, match="read-only"):
            open_workspace(url_of(path))
        assert sha(path) == before
    finally:
        path.chmod(0o644)


def test_locked_file_gets_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models.db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "w.radar.sqlite"
    ws = open_workspace(url_of(path))
    ws.close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")  # WAL would let readers through
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(WorkspaceError, match="locked by another program"):
            open_workspace(url_of(path))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# The built-in head, and the id of one more revision that the tests add on top of it.
HEAD = models.migrate.HEAD_REVISION
NEXT = f"{int(HEAD) + 1:04d}"


def _migrations_with_second_revision(tmp_path: Path, body: str | None = None) -> Path:
    root = tmp_path / "migrations"
    shutil.copytree(
        models.migrate.MIGRATIONS_DIR, root, ignore=shutil.ignore_patterns("__pycache__")
    )
    (root / "versions" / f"{NEXT}_test_notes.py").write_text(
        '"""test revision"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = '{NEXT}'\ndown_revision = '{HEAD}'\nbranch_labels = None\n"
        "depends_on = None\n"
        "def upgrade():\n"
        + (
            body
            or "    with op.batch_alter_table('customers') as b:\n"
            "        b.add_column(sa.Column('nickname', sa.String(64)))\n"
        )
        + "def downgrade():\n    pass\n"
    )
    return root


def test_upgrading_an_older_workspace_backs_it_up_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.radar.sqlite"
    ws = open_workspace(url_of(path))
    with session_scope(ws.sessions) as s:
        s.add(Customer(name="Grace", source="t", external_id="7"))
    ws.close()

    monkeypatch.setattr(
        models.migrate, "MIGRATIONS_DIR", _migrations_with_second_revision(tmp_path)
    )
    ws = open_workspace(url_of(path))
    try:
        assert ws.backup_path is not None
        assert ws.backup_path.is_file()
        assert f"backup-{HEAD}" in ws.backup_path.name
        with ws.engine.connect() as conn:
            assert (
                conn.execute(text("select version_num from alembic_version")).scalar_one() == NEXT
            )
            row = conn.execute(text("select name, nickname from customers")).one()
            assert tuple(row) == ("Grace", None)  # data kept through the batch copy
    finally:
        ws.close()
    backup = sqlite3.connect(ws.backup_path)
    assert backup.execute("select version_num from alembic_version").fetchone() == (HEAD,)
    assert backup.execute("select name from customers").fetchall() == [("Grace",)]
    backup.close()


def test_a_migration_that_rebuilds_a_parent_table_keeps_every_child_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.demo import build_demo

    path = tmp_path / "w.radar.sqlite"
    ws = open_workspace(url_of(path))
    build_demo(ws.engine, customers=40, seed=1, today=dt.date(2026, 11, 21))
    tables = ("customers", "orders", "interactions", "opportunities", "subscriptions")
    with ws.engine.connect() as conn:
        before = {t: conn.execute(text(f"select count(*) from {t}")).scalar_one() for t in tables}
    ws.close()
    assert before["orders"] > 0
    assert before["interactions"] > 0

    # Dropping a column makes batch mode copy, DROP and rename `customers`.
    rebuild = "    with op.batch_alter_table('customers') as b:\n        b.drop_column('phone')\n"
    monkeypatch.setattr(
        models.migrate, "MIGRATIONS_DIR", _migrations_with_second_revision(tmp_path, rebuild)
    )
    ws = open_workspace(url_of(path))
    try:
        with ws.engine.connect() as conn:
            after = {
                t: conn.execute(text(f"select count(*) from {t}")).scalar_one() for t in tables
            }
            columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(customers)")]
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert "phone" not in columns
        assert after == before
    finally:
        ws.close()


def test_workspace_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.radar.sqlite"
    open_workspace(url_of(path)).close()
    con = sqlite3.connect(path)
    con.execute("update alembic_version set version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(WorkspaceError, match="newer version"):
        open_workspace(url_of(path))


def test_health_check_reports_counts_and_integrity(tmp_path: Path) -> None:
    ws = open_workspace(url_of(tmp_path / "w.radar.sqlite"))
    try:
        with session_scope(ws.sessions) as s:
            s.add_all([Customer(name=f"C{i}", source="t", external_id=str(i)) for i in range(3)])
        report = check_workspace(ws.engine)
        assert report.problems == []
        assert report.counts["customers"] == 3
        assert report.counts["orders"] == 0
        assert report.lines()[-1] == "Result: OK"
    finally:
        ws.close()


def test_settings_are_typed_and_stored_in_the_workspace(tmp_path: Path) -> None:
    ws = open_workspace(url_of(tmp_path / "w.radar.sqlite"))
    try:
        with session_scope(ws.sessions) as s:
            assert get_setting(s, "workspace.name") == ""
            set_setting(s, "workspace.name", "Team East")
        with session_scope(ws.sessions) as s:
            assert get_setting(s, "workspace.name") == "Team East"
            with pytest.raises(SettingError, match="must be of type"):
                set_setting(s, "workspace.name", 42)
            with pytest.raises(SettingError, match="Unknown setting"):
                get_setting(s, "no.such.key")
    finally:
        ws.close()


def test_head_revision_constant_matches_the_migration_scripts() -> None:
    # The fast path at start-up trusts HEAD_REVISION; a new migration must update it.
    assert models.migrate.head_revision() == models.migrate.HEAD_REVISION


def test_opening_a_current_workspace_does_not_import_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "w.radar.sqlite"
    open_workspace(url_of(path)).close()
    code = (
        "import sys\n"
        "from app.workspace import open_workspace\n"
        f"open_workspace({url_of(path)!r}).close()\n"
        "print('alembic' in sys.modules)\n"
    )
    root = ROOT
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_migrations_build_exactly_the_schema_the_models_declare(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from models.base import Base

    ws = open_workspace(url_of(tmp_path / "m.radar.sqlite"))
    try:
        with ws.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        ws.close()
    assert diffs == []

"""Backups never leave a half-written ``.partial`` file behind."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import models.migrate
from app.workspace import open_workspace, to_url
from models.db import session_scope
from models.errors import WorkspaceError
from models.migrate import backup_sqlite
from models.schema import Customer
from tests.unit.workspace.test_workspace import HEAD, _migrations_with_second_revision


def _workspace(path: Path) -> None:
    ws = open_workspace(to_url(str(path)))
    with session_scope(ws.sessions) as s:
        s.add(Customer(name="Grace", source="t", external_id="7"))
    ws.close()


def test_a_failed_backup_removes_its_partial_file(tmp_path: Path) -> None:
    source = tmp_path / "w.radar.sqlite"
    _workspace(source)
    # The copy is made, then cannot take its name (a folder with files is in the way).
    blocked = tmp_path / "backup.sqlite"
    blocked.mkdir()
    (blocked / "keep.txt").write_text("x", encoding="utf-8")
    ws = open_workspace(to_url(str(source)))
    try:
        with pytest.raises(OSError, match="backup.sqlite"):
            backup_sqlite(ws.engine, blocked)
    finally:
        ws.close()
    assert not (tmp_path / "backup.sqlite.partial").exists()
    assert (blocked / "keep.txt").read_text(encoding="utf-8") == "x"


def test_a_partial_file_left_by_a_killed_backup_is_replaced(tmp_path: Path) -> None:
    source = tmp_path / "w.radar.sqlite"
    _workspace(source)
    leftover = tmp_path / "b.radar.sqlite.partial"
    leftover.write_bytes(b"half a copy")
    ws = open_workspace(to_url(str(source)))
    try:
        written = backup_sqlite(ws.engine, tmp_path / "b.radar.sqlite")
    finally:
        ws.close()
    assert not leftover.exists()
    con = sqlite3.connect(written)
    assert con.execute("select name from customers").fetchall() == [("Grace",)]
    con.close()


def test_an_upgrade_clears_the_partial_backups_of_a_killed_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.radar.sqlite"
    _workspace(path)
    stale = tmp_path / f"w.backup-{HEAD}-20261101-101010.radar.sqlite.partial"
    stale.write_bytes(b"\0" * 4096)
    unrelated = tmp_path / "other.backup-0001-20261101-101010.radar.sqlite.partial"
    unrelated.write_bytes(b"not ours to judge")
    monkeypatch.setattr(
        models.migrate, "MIGRATIONS_DIR", _migrations_with_second_revision(tmp_path)
    )
    ws = open_workspace(to_url(str(path)))
    try:
        assert ws.backup_path is not None
        assert ws.backup_path.is_file()
    finally:
        ws.close()
    assert not stale.exists()
    assert unrelated.exists()
    assert not list(tmp_path.glob("w.backup-*.partial"))


def test_the_backup_never_writes_over_the_workspace(tmp_path: Path) -> None:
    source = tmp_path / "w.radar.sqlite"
    _workspace(source)
    ws = open_workspace(to_url(str(source)))
    try:
        with pytest.raises(WorkspaceError, match="cannot overwrite the workspace"):
            backup_sqlite(ws.engine, source)
    finally:
        ws.close()


def test_a_disk_io_error_is_explained_as_a_full_or_missing_disk() -> None:
    from models.db import translate_db_errors

    expected = pytest.raises(WorkspaceError, match="disk is full or the drive is not available")
    with expected, translate_db_errors():
        raise sqlite3.OperationalError("disk I/O error")

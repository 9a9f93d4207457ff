"""The one guarded writer (services/core/output_files.py): check, temporary file, rename."""

from __future__ import annotations

import errno
import sqlite3
import stat
from pathlib import Path

import pytest

from services.core.output_files import (
    OutputPathError,
    OutputWriteError,
    write_atomically,
    write_text_file,
)


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("last month's report\n", encoding="utf-8")

    def half_then_fail(temporary: Path) -> None:
        temporary.write_text("half a new rep", encoding="utf-8")
        raise RuntimeError("a bug halfway through")

    with pytest.raises(RuntimeError, match="halfway"):
        write_atomically(target, half_then_fail, force=True)
    assert target.read_text(encoding="utf-8") == "last month's report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]

    def full_disk(temporary: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputWriteError, match="disk is full"):
        write_atomically(target, full_disk, force=True)
    assert target.read_text(encoding="utf-8") == "last month's report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_an_existing_file_is_replaced_only_with_force_and_then_private(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("keep\n", encoding="utf-8")
    target.chmod(0o644)
    with pytest.raises(OutputPathError, match="--force"):
        write_text_file(target, "new\n")
    assert target.read_text(encoding="utf-8") == "keep\n"
    write_text_file(target, "new\n", force=True)
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_a_database_and_its_companions_are_never_written_even_with_force(
    tmp_path: Path,
) -> None:
    database = tmp_path / "another-program.db"  # any name: the header says what it is
    conn = sqlite3.connect(database)
    conn.execute("CREATE TABLE t (n INTEGER)")
    conn.commit()
    conn.close()
    before = database.read_bytes()
    for name in ("another-program.db", "another-program.db-wal", "another-program.db-shm"):
        with pytest.raises(OutputPathError, match="never written over"):
            write_text_file(tmp_path / name, "report\n", force=True)
    assert database.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["another-program.db"]


def test_a_link_of_another_name_to_a_databases_shm_file_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "other.db"
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (n INTEGER)")
    conn.commit()
    shm = tmp_path / "other.db-shm"
    assert shm.exists()
    before = shm.read_bytes()
    link = tmp_path / "report.csv"
    link.symlink_to(shm)
    try:
        with pytest.raises(OutputPathError, match="part of other.db"):
            write_text_file(link, "report\n", force=True)
        assert link.is_symlink()
        assert shm.read_bytes() == before
    finally:
        conn.close()

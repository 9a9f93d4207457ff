"""`main.py import --rejects-csv` never writes over the workspace's companion files (its
-wal, -shm and -journal), even with --force and while another program holds it open, and checks the
folder of the rejects file before anything lands; `db check` reads a workspace on a
read-only drive. Real processes and files."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.commands.test_cli import ROOT, count, one_line_error, run
from tests.support.paths import DATA

ORDERS = DATA / "samples" / "generic" / "orders.csv"
CUSTOMERS = DATA / "samples" / "generic" / "customers.csv"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    db = tmp_path / "w.radar.sqlite"
    first = run("--db", str(db), "import", str(CUSTOMERS), home=tmp_path)
    assert first.returncode == 0, first.stderr
    return db


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_a_companion_of_the_open_workspace_is_refused_even_with_force(
    workspace: Path, tmp_path: Path, suffix: str
) -> None:
    # Another program holds the workspace open with 50 committed changes still in the WAL.
    other = sqlite3.connect(workspace, isolation_level=None)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        other.execute("PRAGMA wal_autocheckpoint = 0")
        names = [r[0] for r in other.execute("SELECT id FROM customers ORDER BY id LIMIT 50")]
        assert len(names) == 50
        for cid in names:
            other.execute("UPDATE customers SET name = ? WHERE id = ?", (f"Changed {cid}", cid))
        companion = Path(f"{workspace}{suffix}")
        existed = companion.exists()
        before = companion.read_bytes() if existed else None
        result = run(
            "--db",
            str(workspace),
            "import",
            str(ORDERS),
            "--rejects-csv",
            str(companion),
            "--force",
            home=tmp_path,
        )
        assert result.returncode == 1
        assert one_line_error(result) == (
            f"error: {companion} is part of w.radar.sqlite (the file SQLite keeps its latest "
            "changes in while it is open); nothing was written. Give another file name."
        )
        assert companion.exists() == existed
        if before is not None and suffix == "-wal":
            assert companion.read_bytes() == before
        changed = other.execute(
            "SELECT COUNT(*) FROM customers WHERE name LIKE 'Changed %'"
        ).fetchone()[0]
        assert changed == 50
    finally:
        other.close()
    # Nothing of the import landed, the other program's changes are kept, the check is OK.
    assert count(workspace, "orders") == 0
    con = sqlite3.connect(workspace)
    try:
        kept = con.execute("SELECT COUNT(*) FROM customers WHERE name LIKE 'Changed %'")
        assert kept.fetchone()[0] == 50
    finally:
        con.close()
    check = run("--db", str(workspace), "db", "check", home=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


def test_rejects_csv_into_a_missing_folder_is_refused_before_anything_lands(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.radar.sqlite"
    missing = tmp_path / "no-such-folder" / "rejects.csv"
    result = run(
        "--db", str(db), "import", str(ORDERS), "--rejects-csv", str(missing), home=tmp_path
    )
    assert result.returncode == 1
    assert one_line_error(result) == (
        f"error: The folder {missing.parent} does not exist, so the rejected rows cannot be "
        "written there. Create it or give another path for --rejects-csv; nothing was imported."
    )
    assert not missing.parent.exists()
    assert not db.exists() or count(db, "orders") == 0


def _read_only_check(folder: Path, db: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`db check` of ``db`` with ``folder`` read-only: a read-only bind mount in a private
    mount namespace for root (who writes through file modes), file modes otherwise."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return run("--db", str(db), "db", "check", home=home)
        finally:
            folder.chmod(0o755)
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare to mount a read-only folder")
    mount_point = home / "mounted"
    mount_point.mkdir()
    script = (
        f'mount --bind "{folder}" "{mount_point}" && '
        f'mount -o remount,bind,ro "{mount_point}" || exit 97; '
        f'exec "{sys.executable}" "{ROOT / "main.py"}" --db "{mount_point / db.name}" db check'
    )
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_RADAR_DB"}
    env.update(HOME=str(home), ACCOUNT_RADAR_LOG_DIR=str(home / "log"))
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=300,
    )
    if result.returncode == 97 or "unshare failed" in result.stderr:
        pytest.skip(f"cannot mount a read-only folder here: {result.stderr.strip()}")
    return result


def test_db_check_on_a_read_only_folder_checks_the_workspace(
    workspace: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / workspace.name
    shutil.copyfile(workspace, db)
    result = _read_only_check(folder, db, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.splitlines()[-1] == "Result: OK"
    assert any(line.split() == ["customers", "300"] for line in result.stdout.splitlines())
    assert sorted(p.name for p in folder.iterdir()) == [db.name]

"""Files that hold customers' data are the user's alone: a new workspace, its backups,
exports, rejected rows and the log are created 0600 (their new folders 0700) whatever
the umask lets others read; and the log keeps no email address nor a database error's
row values. Real files, a real SQLite database, the real command line."""

from __future__ import annotations

import io
import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from app.cli.main import main
from app.logging_setup import PrivateRotatingFileHandler, RedactingFormatter, redact
from services.importing.files import write_rejects_csv
from services.importing.types import RejectedRow
from services.usecases.exporting import write_table

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def _lenient_umask() -> Iterator[None]:
    """The usual umask (022: everyone may read what is created), which the files must
    not rely on."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(args), out=out, err=err), out.getvalue(), err.getvalue()


def test_a_new_workspace_and_its_backup_are_private(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    code, _, err = run("--db", str(db), "db", "upgrade")
    assert code == 0, err
    assert mode(db) == 0o600
    backup = tmp_path / "backups" / "monday" / "w.radar.sqlite"
    code, _, err = run("--db", str(db), "db", "backup", str(backup))
    assert code == 0, err
    assert mode(backup) == 0o600
    assert mode(backup.parent) == 0o700


def test_an_export_is_private_even_where_it_replaces_a_readable_file(tmp_path: Path) -> None:
    frame = pd.DataFrame({"customer_id": ["C-1"], "email": ["ana@fern.example"]})
    for name in ("new.csv", "new.xlsx"):
        write_table(frame, tmp_path / name)
        assert mode(tmp_path / name) == 0o600, name
    old = tmp_path / "old.csv"
    old.write_text("x\n", encoding="utf-8")
    assert mode(old) == 0o644
    write_table(frame, old, force=True)
    assert mode(old) == 0o600


def test_rejected_rows_are_written_private(tmp_path: Path) -> None:
    target = tmp_path / "rejects.csv"
    write_rejects_csv([RejectedRow("c.csv", 2, "bad email 'ana@'")], target)
    assert mode(target) == 0o600
    replaced = tmp_path / "old-rejects.csv"
    replaced.write_text("x\n", encoding="utf-8")
    write_rejects_csv([RejectedRow("c.csv", 2, "bad")], replaced, force=True)
    assert mode(replaced) == 0o600


def test_the_log_is_private_through_its_rotations(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o700)
    path = folder / "account-radar.log"
    path.write_text("written by an older version\n", encoding="utf-8")
    assert mode(path) == 0o644
    handler = PrivateRotatingFileHandler(path, maxBytes=300, backupCount=2, encoding="utf-8")
    log = logging.getLogger("tests.private_log")
    log.addHandler(handler)
    try:
        for i in range(12):
            log.warning("line %d of the log, long enough to rotate it after a few lines", i)
    finally:
        log.removeHandler(handler)
        handler.close()
    files = sorted(folder.iterdir())
    assert [p.name for p in files] == [
        "account-radar.log", "account-radar.log.1", "account-radar.log.2",
    ]  # fmt: skip
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_setup_logging_makes_a_private_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.logging_setup as setup

    monkeypatch.setenv(setup.LOG_DIR_ENV, str(tmp_path / "state" / "logs"))
    monkeypatch.setattr(setup, "_configured", None)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = setup.setup_logging()
        logging.getLogger("tests.private").warning("hello")
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


def test_the_log_keeps_no_email_address_nor_a_rows_values(tmp_path: Path) -> None:
    path = tmp_path / "account-radar.log"
    handler = PrivateRotatingFileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s"))
    log = logging.getLogger("tests.redacted_log")
    log.addHandler(handler)
    engine = create_engine("sqlite://")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE customers (email TEXT UNIQUE, name TEXT)"))
            conn.execute(text("INSERT INTO customers VALUES ('ana@fern.example', 'Ana Ruiz')"))
        # The row's values come from elsewhere, as an import's do: a traceback quotes the
        # failing statement's source lines (every line of it from Python 3.13 on).
        row = dict(zip("en", ("ana@fern.example", "Ana [the second] Ruiz"), strict=True))
        try:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO customers VALUES (:e, :n)"), row)
        except Exception:
            log.exception("the import of %s failed", "customers.csv")
        log.warning("Emailed the digest to %s.", "lead.o'neil+radar@fern.co.uk")
    finally:
        log.removeHandler(handler)
        handler.close()
        engine.dispose()
    written = path.read_text(encoding="utf-8")
    assert "IntegrityError" in written  # the bug is still there to read
    assert "INSERT INTO customers VALUES (?, ?)" in written  # and its statement
    assert "[parameters left out of the log]" in written
    assert "Emailed the digest to <email>." in written
    for secret in ("ana@fern.example", "Ana [the second] Ruiz", "fern.co.uk", "lead.o"):
        assert secret not in written, secret


def test_postgres_key_values_and_failing_rows_are_left_out() -> None:
    message = (
        'duplicate key value violates unique constraint "uq_email"\n'
        "DETAIL:  Key (email, name)=(ana@fern.example, Ana (AR) Ruiz) already exists.\n"
        "new row violates check constraint. Failing row contains (7, Ana Ruiz, 555-0100)."
    )
    cleaned = redact(message)
    assert "Key (email, name)=(…) already exists." in cleaned
    assert "Failing row contains (…)" in cleaned
    assert "Ana" not in cleaned
    assert "555-0100" not in cleaned

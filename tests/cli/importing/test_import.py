"""`main.py import` and `main.py imports` end to end: real processes, files and exit codes."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from app.cli.main import main
from app.workspace import open_workspace
from services.core import writing
from services.core.writing import workspace_writer
from tests.cli.commands.test_cli import count, one_line_error, run
from tests.support.paths import DATA

GENERIC = DATA / "samples" / "generic"
MALFORMED = DATA / "malformed"


def test_import_plain_orders_then_reimport_then_undo(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    first = run("--db", str(db), "import", str(GENERIC / "orders.csv"), home=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == (
        "orders.csv (generic_orders, orders): landed as import 1: 246 rows read, "
        "246 inserted, 0 updated, 0 unchanged, 0 rejected"
    )
    assert "81 new customer(s) created from the records" in first.stdout
    assert "%" in first.stderr  # progress goes to stderr
    assert count(db, "orders") == 246
    assert count(db, "customers") == 81
    again = run("--db", str(db), "import", str(GENERIC / "orders.csv"), home=tmp_path)
    assert again.returncode == 0
    assert "0 inserted, 0 updated, 246 unchanged" in again.stdout
    listing = run("--db", str(db), "imports", "list", home=tmp_path)
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "when", "(UTC)"]
    assert lines[1].split()[0] == "2"
    assert "orders.csv" in lines[1]
    assert "landed" in lines[1]
    undo = run("--db", str(db), "imports", "undo", "2", home=tmp_path)
    assert undo.returncode == 0
    assert "Undid import 2 (orders.csv)" in undo.stdout
    undo1 = run("--db", str(db), "imports", "undo", "1", home=tmp_path)
    assert undo1.returncode == 0
    assert count(db, "orders") == 0
    assert count(db, "customers") == 0
    assert one_line_error(run("--db", str(db), "imports", "undo", "1", home=tmp_path)) == (
        "error: Import 1 (orders.csv) was already undone."
    )


def test_nothing_importable_exits_1_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    result = run("--db", str(db), "import", str(MALFORMED / "image_renamed.csv"), home=tmp_path)
    assert result.returncode == 1
    assert "not imported: image_renamed.csv is not a text CSV file" in result.stdout
    error = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert error == [
        "error: nothing was imported: image_renamed.csv is not a text CSV file (it is a PNG "
        "image). Export the data as CSV (comma, semicolon or tab separated) or as an Excel "
        ".xlsx workbook, then import that file."
    ]
    assert "Traceback" not in result.stderr


def test_unmapped_file_names_its_columns_and_the_way_out(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    result = run("--db", str(db), "import", str(MALFORMED / "mystery_columns.csv"), home=tmp_path)
    assert result.returncode == 1
    assert "columns it could not map: 'a', 'b', 'c'" in result.stdout
    assert "--profile NAME" in result.stdout
    assert "window" in result.stdout


def test_missing_path_and_bad_kind(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    missing = run("--db", str(db), "import", str(tmp_path / "nope.csv"), home=tmp_path)
    assert missing.returncode == 1
    assert one_line_error(missing).endswith(
        "nope.csv does not exist. Check the path and try again."
    )
    assert not db.exists()  # nothing was created for a typo
    usage = run("--db", str(db), "import", "--kind", "fish", "x.csv", home=tmp_path)
    assert usage.returncode == 2


def test_rejects_are_listed_up_to_20_and_exported(tmp_path: Path) -> None:
    src = tmp_path / "many_bad.csv"
    lines = ["customer_id,order_id,order_date,amount"]
    lines += [f"C{i},O{i},2026-01-01,-{i}.00" for i in range(1, 31)]  # 30 negative amounts
    lines += ["C99,O99,2026-01-02,5.00"]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "w.radar.sqlite"
    out_csv = tmp_path / "rejects.csv"
    result = run("--db", str(db), "import", str(src), "--rejects-csv", str(out_csv), home=tmp_path)
    assert result.returncode == 0  # one row landed: success, with rejects
    shown = [ln for ln in result.stdout.splitlines() if ln.startswith("  rejected:")]
    assert len(shown) == 20
    assert "  ... and 10 more; full list: --rejects-csv PATH" in result.stdout
    with out_csv.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["file", "row", "reason"]
    assert len(rows) == 31
    assert rows[1][:2] == ["many_bad.csv", "2"]
    assert count(db, "orders") == 1


def test_dry_run_in_process(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(db), "import", "--dry-run", str(GENERIC)], out, err)
    assert code == 0
    text = out.getvalue()
    assert text.splitlines()[0] == "dry run: nothing was saved"
    assert "customers.csv (generic_customers, customers): would land: 300 rows read" in text
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT COUNT(*) FROM customers").fetchone()[0] == 0
        assert con.execute("SELECT COUNT(*) FROM import_runs").fetchone()[0] == 0
    finally:
        con.close()


def test_imports_undo_while_scoring_runs_says_so_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writing, "WAIT_SECONDS", 0.2)
    db = tmp_path / "w.radar.sqlite"
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", str(db), "import", str(GENERIC / "orders.csv")], out, err) == 0
    workspace = open_workspace(f"sqlite:///{db}", backup=False)
    codes: list[int] = []
    err = io.StringIO()
    try:
        # Scoring holds the workspace here while the command line asks for the undo (a
        # thread of its own, as another process would be).
        with workspace_writer(workspace.engine, "scoring"):
            undo = threading.Thread(
                target=lambda: codes.append(
                    main(["--db", str(db), "imports", "undo", "1"], io.StringIO(), err)
                )
            )
            undo.start()
            undo.join()
    finally:
        workspace.close()
    assert codes == [1]
    assert err.getvalue().startswith(f"error: Scoring (process {os.getpid()}, started ")
    assert "so undoing import 1 cannot start now; nothing was changed. Try" in err.getvalue()
    assert (count(db, "customers"), count(db, "orders")) == (81, 246)

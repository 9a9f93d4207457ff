"""Commands that write or read files never destroy data, end to end."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.commands.test_cli import ROOT, count, one_line_error, run

ORDERS = "customer_id,order_id,order_date,amount\nA1,O1,2026-01-05,10.00\nA2,O2,2026-02-01,-4\n"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    db = tmp_path / "w.radar.sqlite"
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    result = run("--db", str(db), "import", str(orders), home=tmp_path)
    assert result.returncode == 0, result.stderr
    return db


def test_rejects_csv_never_overwrites_the_workspace(tmp_path: Path, workspace: Path) -> None:
    before = _digest(workspace)
    orders = tmp_path / "orders.csv"
    for extra in ([], ["--force"]):
        result = run(
            "--db", str(workspace), "import", str(orders), "--rejects-csv", str(workspace),
            *extra, home=tmp_path,
        )  # fmt: skip
        assert result.returncode == 1
        assert "nothing was written" in one_line_error(result)
    assert _digest(workspace) == before
    assert count(workspace, "orders") == 1


def test_rejects_csv_never_overwrites_a_file_being_imported(
    tmp_path: Path, workspace: Path
) -> None:
    orders = tmp_path / "orders.csv"
    result = run(
        "--db", str(workspace), "import", str(orders), "--rejects-csv", str(orders), "--force",
        home=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert orders.read_text(encoding="utf-8") == ORDERS


def test_rejects_csv_asks_for_force_before_replacing_a_file(
    tmp_path: Path, workspace: Path
) -> None:
    orders = tmp_path / "orders.csv"
    keep = tmp_path / "keep.csv"
    keep.write_text("precious\n", encoding="utf-8")
    refused = run(
        "--db", str(workspace), "import", str(orders), "--rejects-csv", str(keep), home=tmp_path
    )
    assert refused.returncode == 1
    assert "--force" in one_line_error(refused)
    assert keep.read_text(encoding="utf-8") == "precious\n"
    forced = run(
        "--db", str(workspace), "import", str(orders), "--rejects-csv", str(keep), "--force",
        home=tmp_path,
    )  # fmt: skip
    assert forced.returncode == 0, forced.stderr
    assert keep.read_text(encoding="utf-8").startswith("file,row,reason")


def test_export_asks_for_force_and_never_writes_the_workspace(tmp_path: Path) -> None:
    db = tmp_path / "d.radar.sqlite"
    assert run("--db", str(db), "demo", "--customers", "120", home=tmp_path).returncode == 0
    assert run("--db", str(db), "score", home=tmp_path).returncode == 0
    keep = tmp_path / "keep.csv"
    keep.write_text("precious\n", encoding="utf-8")
    refused = run("--db", str(db), "export", "customers", str(keep), home=tmp_path)
    assert refused.returncode == 1
    assert "already exists" in one_line_error(refused)
    assert keep.read_text(encoding="utf-8") == "precious\n"
    forced = run("--db", str(db), "export", "customers", str(keep), "--force", home=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "precious" not in keep.read_text(encoding="utf-8")
    # The workspace itself, under a name the export accepts (a link ending in .csv).
    alias = tmp_path / "alias.csv"
    alias.symlink_to(db)
    before = _digest(db)
    result = run("--db", str(db), "export", "scores", str(alias), "--force", home=tmp_path)
    assert result.returncode == 1
    assert "nothing was written" in one_line_error(result)
    assert _digest(db) == before


@pytest.mark.parametrize(
    "command",
    [
        ["imports", "list"],
        ["imports", "undo", "1"],
        ["alerts"],
        ["export", "scores", "out.csv"],
        ["db", "check"],
        ["draft", "someone"],
        ["score"],
    ],
)
def test_commands_that_need_data_never_create_a_workspace(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "mistyped.radar.sqlite"
    result = run("--db", str(missing), *command, home=tmp_path)
    assert result.returncode == 1
    assert "There is no workspace" in one_line_error(result)
    assert not missing.exists()
    assert not (tmp_path / "out.csv").exists()


def test_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "orders.csv"
    os.mkfifo(fifo)
    result = run("--db", str(tmp_path / "w.sqlite"), "import", str(fifo), home=tmp_path)
    assert result.returncode == 1
    assert "not a regular file" in one_line_error(result)


def test_import_folder_says_what_lies_in_subfolders_and_recursive_takes_it(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "exports"
    (folder / "2026" / "11").mkdir(parents=True)
    (folder / "2026" / "11" / "orders.csv").write_text(ORDERS, encoding="utf-8")
    db = tmp_path / "w.radar.sqlite"
    flat = run("--db", str(db), "import", str(folder), home=tmp_path)
    assert flat.returncode == 1
    assert "--recursive" in one_line_error(flat)
    deep = run("--db", str(db), "import", str(folder), "--recursive", home=tmp_path)
    assert deep.returncode == 0, deep.stderr
    assert count(db, "orders") == 1


def test_a_file_name_that_is_not_utf8_imports(tmp_path: Path) -> None:
    raw_dir = os.fsencode(tmp_path)
    name = raw_dir + b"/orders\xff.csv"
    with open(name, "wb") as handle:
        handle.write(ORDERS.encode())
    db = tmp_path / "w.radar.sqlite"
    env = {**os.environ, "HOME": str(tmp_path), "ACCOUNT_RADAR_LOG_DIR": str(tmp_path / "log")}
    env.pop("ACCOUNT_RADAR_DB", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), "import", os.fsdecode(name)],
        capture_output=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    assert b"orders\\" in result.stdout
    assert b"landed as import" in result.stdout
    assert count(db, "orders") == 1


def test_output_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    db = tmp_path / "d.radar.sqlite"
    assert run("--db", str(db), "demo", "--customers", "150", home=tmp_path).returncode == 0
    env = {**os.environ, "HOME": str(tmp_path), "ACCOUNT_RADAR_LOG_DIR": str(tmp_path / "log")}
    main = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), "export", "customers",
         str(tmp_path / "c.csv")],
        env=env,
    )  # fmt: skip
    assert main.wait(timeout=300) == 0
    listing = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), "imports", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert listing.stdout is not None
    listing.stdout.close()  # the reader is gone before the first line is written
    _, err = listing.communicate(timeout=300)
    assert listing.returncode == 0
    assert b"BrokenPipe" not in err
    assert b"Traceback" not in err

"""A UTF-8 file with a stray Windows-1252 byte keeps its UTF-8 names; only the lines that
are not UTF-8 are read as Windows-1252, and the report names them (issue 13)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.workspace import open_workspace, to_url
from services.importing.reader import read_table
from services.importing.service import run_import


def _customers(path: Path, body: bytes) -> Path:
    path.write_bytes(b"customer_id,name,email\n" + body)
    return path


def test_stray_byte_leaves_good_utf8_intact(tmp_path: Path) -> None:
    path = _customers(
        tmp_path / "customers.csv",
        "C1,José Núñez,jose@example.com\n".encode()
        + b"C2,Ren\xe9e Martin,renee@example.com\n"  # typed in a Windows program
        + "C3,Zoë Ødegaard,zoe@example.com\n".encode()
        + b"C4,Plain Name,plain@example.com\n",
    )
    table = read_table(path)
    assert table.repaired_lines == (3,)
    names = ["José Núñez", "Renée Martin", "Zoë Ødegaard", "Plain Name"]
    assert table.frame["name"].tolist() == names
    db = tmp_path / "w.radar.sqlite"
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        report = run_import(ws.engine, [path], kind="customers")
    finally:
        ws.close()
    (file,) = report.files
    assert file.landed
    assert file.inserted == 4
    assert any(
        n.startswith("1 line was not UTF-8 and read as Windows-1252 (line 3 of the file)")
        for n in file.notes
    )
    assert not any("read as Windows-1252 (the file is not UTF-8)" in n for n in file.notes)
    con = sqlite3.connect(db)
    try:
        stored = [r[0] for r in con.execute("SELECT name FROM customers ORDER BY external_id")]
    finally:
        con.close()
    assert stored == names


def test_a_windows_1252_file_is_still_read_as_one(tmp_path: Path) -> None:
    path = _customers(
        tmp_path / "customers.csv",
        "C1,José Núñez,jose@example.com\nC2,Renée Martin,renee@example.com\n".encode("cp1252"),
    )
    table = read_table(path)
    assert table.encoding == "cp1252"
    assert table.repaired_lines == ()
    assert table.frame["name"].tolist() == ["José Núñez", "Renée Martin"]

"""A UTF-8 file with a stray Windows-1252 byte keeps its UTF-8 names; only the lines that
are not UTF-8 are read as Windows-1252, and the report names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.workspace import open_workspace
from models.errors import UserFacingError
from services.importing.reader import read_table
from services.importing.service import run_import
from tests.support.databases import read_rows


def _customers(path: Path, body: bytes) -> Path:
    path.write_bytes(b"customer_id,name,email\n" + body)
    return path


def test_stray_byte_leaves_good_utf8_intact(tmp_path: Path, workspace_url: str) -> None:
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
    ws = open_workspace(workspace_url, backup=False)
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
    stored = [
        r[0] for r in read_rows(workspace_url, "SELECT name FROM customers ORDER BY external_id")
    ]
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


def test_utf8_with_bytes_windows_1252_lacks_is_read_not_refused(tmp_path: Path) -> None:
    # "č" is C4 8D in UTF-8, and 0x8D is no character in Windows-1252: the whole file was
    # neither, and a single stray byte made the import refuse a file of good Czech names.
    path = _customers(
        tmp_path / "customers.csv",
        "C1,Tomáš Růžička,tomas@example.com\n".encode()
        + b"C2,Ren\xe9e Martin,renee@example.com\n"
        + "C3,Lenka Čermáková,lenka@example.com\n".encode(),
    )
    table = read_table(path)
    assert table.encoding == "utf-8"
    assert table.repaired_lines == (3,)
    assert table.frame["name"].tolist() == ["Tomáš Růžička", "Renée Martin", "Lenka Čermáková"]


def test_a_file_neither_utf8_nor_windows_1252_is_still_refused(tmp_path: Path) -> None:
    # Bytes undefined in Windows-1252 and no UTF-8 character anywhere: not text we can read.
    path = _customers(tmp_path / "customers.csv", b"C1,Ren\x81e,renee@example.com\n")
    with pytest.raises(UserFacingError, match="neither UTF-8 nor Windows-1252"):
        read_table(path)

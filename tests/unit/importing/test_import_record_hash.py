"""Row hashes of the raw records (services/importing/rowhash.py, record_hashes): the reader
keeps where each row lies in the file, the hash is taken over those bytes, and a re-sync
skips exactly the rows the cell hashes skipped, on the real-format files of tests/data
(BOM, CRLF, semicolons, quoted newlines, malformed rows) and on both databases."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import Engine

from services.importing import service
from services.importing.reader import read_table
from services.importing.rowhash import record_hashes

DATA = Path(__file__).resolve().parents[2] / "data"
TEXT_FILES = sorted(
    p
    for p in [*DATA.glob("malformed/*"), *DATA.glob("samples/*/*")]
    if p.suffix in (".csv", ".tsv") and p.stat().st_size > 0
)


def _readable(path: Path) -> bool:
    try:
        read_table(path)
    except Exception:  # the files the reader refuses (they have tests of their own)
        return False
    return True


# The real-format text files the reader takes (tests/unit/importing/test_import_deferred.py
# reads the same list).
READABLE = [p for p in TEXT_FILES if _readable(p)]


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name)
def test_each_rows_bytes_are_its_cells(path: Path) -> None:
    """The bytes the reader records for a row parse to exactly that row's cells."""
    table = read_table(path)
    # Every one of these is read straight from the file (none is UTF-16 or repaired).
    assert table.record_spans is not None
    data = path.read_bytes()
    starts, ends = table.record_spans
    assert len(starts) == len(table.frame)
    encoding = "cp1252" if table.encoding == "cp1252" else "utf-8"
    assert table.delimiter is not None
    for (a, b), cells in zip(
        zip(starts.tolist(), ends.tolist(), strict=True),
        table.frame.itertuples(index=False, name=None),
        strict=True,
    ):
        text = data[a:b].decode(encoding).removesuffix("\r")
        parsed = next(csv.reader(io.StringIO(text, newline=""), delimiter=table.delimiter))
        assert parsed == list(cells)
    hashes = record_hashes(table)
    assert hashes is not None
    assert len(hashes) == len(table.frame)


CRLF_FILE = (
    "\ufeffcustomer_id;order_id;order_date;amount;category\r\n"
    '"C1";O1;2026-01-05;10,00;"tops\r\nand more"\r\n'
    "C1;O2;2026-01-06;20,00;\r\n"
    'C2;O3;2026-01-07;30,00;"shoes; red"\r\n'
    "C2;O4;not a date;40,00;bags\r\n"
)


def test_a_resync_skips_quoted_newlines_bom_and_semicolons(
    ws: Engine, tmp_path: Path, converted: list[int]
) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(CRLF_FILE.encode("utf-8"))
    first = service.run_import(ws, [path])
    assert [(f.inserted, f.rejected) for f in first.files] == [(3, 1)]
    again = service.run_import(ws, [path])
    # Only the row rejected before is read again, and rejected for the same reason.
    assert converted == [4, 1]
    assert [(f.inserted, f.updated, f.unchanged, f.rejected) for f in again.files] == [(0, 0, 3, 1)]
    assert [r.reason for r in again.files[0].rejects] == [r.reason for r in first.files[0].rejects]
    # One edited row (inside the quoted field) is the only one converted.
    path.write_bytes(CRLF_FILE.replace("and more", "and less").encode("utf-8"))
    edited = service.run_import(ws, [path])
    assert converted[-1] == 2
    assert [(f.updated, f.unchanged) for f in edited.files] == [(1, 2)]


def test_requoted_cells_are_compared_not_skipped(
    ws: Engine, tmp_path: Path, converted: list[int]
) -> None:
    """Other bytes for the same cells (quotes added) take the full path and stay unchanged."""
    path = tmp_path / "orders.csv"
    path.write_text(
        "customer_id,order_id,order_date,amount\nC1,O1,2026-01-05,10.00\n", encoding="utf-8"
    )
    service.run_import(ws, [path])
    path.write_text(
        'customer_id,order_id,order_date,amount\n"C1","O1","2026-01-05","10.00"\n',
        encoding="utf-8",
    )
    report = service.run_import(ws, [path])
    assert converted[-1] == 1
    assert [(f.updated, f.unchanged) for f in report.files] == [(0, 1)]
    service.run_import(ws, [path])
    assert converted[-1] == 0


def test_windows_line_ends_are_the_same_rows(
    ws: Engine, tmp_path: Path, converted: list[int]
) -> None:
    path = tmp_path / "orders.csv"
    lines = ["customer_id,order_id,order_date,amount", "C1,O1,2026-01-05,10.00", "C2,O2,,1"]
    path.write_bytes("\n".join(lines).encode("utf-8"))  # no newline after the last row
    first = service.run_import(ws, [path])
    path.write_bytes("\r\n".join([*lines, ""]).encode("utf-8"))
    again = service.run_import(ws, [path])
    assert converted == [2, 1]  # only the row rejected before (no date) is read again
    assert [(f.unchanged, f.rejected) for f in again.files] == [(1, 1)]
    assert [r.reason for r in again.files[0].rejects] == [r.reason for r in first.files[0].rejects]


def test_a_transcoded_file_hashes_its_cells(
    ws: Engine, tmp_path: Path, converted: list[int]
) -> None:
    path = tmp_path / "orders.csv"
    text = "customer_id,order_id,order_date,amount\nC1,O1,2026-01-05,10.00\n"
    path.write_bytes(text.encode("utf-16"))
    assert read_table(path).record_spans is None
    service.run_import(ws, [path])
    again = service.run_import(ws, [path])
    assert converted == [1, 0]
    assert [f.unchanged for f in again.files] == [1]


def test_a_file_changed_since_it_was_read_is_not_hashed_by_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,order_id\nC1,O1\n", encoding="utf-8")
    table = read_table(path)
    assert record_hashes(table) is not None
    stamp = path.stat()
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
    assert record_hashes(table) is None

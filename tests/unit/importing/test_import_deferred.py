"""A re-sync parses only the records whose hash is not stored (services/importing/deferred.py
and resync.py): the records are located and hashed from the file's bytes first, and the
unchanged ones are never parsed. The same counts as the full read, on both databases;
files the byte scan cannot vouch for are read in full, as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, text

from services.importing import deferred, planning, resync, service
from services.importing.generic import mapping as generic_mapping
from services.importing.reader import read_table
from tests.unit.importing.test_import_record_hash import READABLE

HEADER = "\ufeffcustomer_id;order_id;order_date;amount;category\r\n"


def _row(i: int, note: str = "and more") -> str:
    return f'C{i % 7};O{i};2026-01-{1 + i % 28:02d};{i},50;"tops\r\n{note}; {i}"\r\n'


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[set[int]]:
    """The row numbers of each parse of pending records (the head of the read first)."""
    seen: list[set[int]] = []
    real = deferred.parse_records

    def spying(pending: deferred.Pending, which: Any) -> Any:
        seen.append(set(pending.rows[np.asarray(which, dtype=np.int64)].tolist()))
        return real(pending, which)

    monkeypatch.setattr(deferred, "parse_records", spying)
    monkeypatch.setattr(deferred, "HEAD_ROWS", 4)  # a head shorter than these files
    return seen


def _counts(report: service.ImportReport) -> list[tuple[int, int, int, int, int]]:
    return [(f.rows_read, f.inserted, f.updated, f.unchanged, f.rejected) for f in report.files]


def _orders(engine: Engine) -> dict[str, tuple[object, ...]]:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT external_id, amount_cents, category FROM orders"))
        return {str(r[0]): tuple(r[1:]) for r in found}


def test_the_head_samples_what_the_mapping_reads() -> None:
    assert deferred.HEAD_ROWS >= 20 * generic_mapping._SAMPLE


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name)
def test_a_deferred_read_completed_is_the_full_read(path: Path) -> None:
    """Every real-format file: the deferred read, once parsed, is what read_table gives;
    or it declines (None) and read_table reads the file."""
    table = deferred.read_deferred(path)
    if table is None:
        return
    full = read_table(path)
    assert (table.header, table.encoding, table.delimiter) == (
        full.header,
        full.encoding,
        full.delimiter,
    )
    assert table.malformed == full.malformed
    assert table.longest_record == full.longest_record
    assert deferred.complete(table)
    assert table.frame.equals(full.frame)
    assert table.row_numbers.tolist() == full.row_numbers.tolist()
    assert full.record_spans is not None
    assert table.record_spans is not None
    assert [s.tolist() for s in table.record_spans] == [s.tolist() for s in full.record_spans]
    assert table.rows_estimate == full.rows_estimate


def test_one_edit_inside_a_quoted_multiline_field_parses_only_that_record(
    ws: Engine, tmp_path: Path, parsed: list[set[int]]
) -> None:
    path = tmp_path / "orders.csv"
    rows = [_row(i) for i in range(1, 41)]
    path.write_bytes((HEADER + "".join(rows)).encode("utf-8"))
    assert _counts(service.run_import(ws, [path])) == [(40, 40, 0, 0, 0)]
    before = _orders(ws)
    rows[16] = _row(17, "and less")  # spreadsheet row 18: inside the quoted field
    path.write_bytes((HEADER + "".join(rows)).encode("utf-8"))
    parsed.clear()
    report = service.run_import(ws, [path])
    assert _counts(report) == [(40, 0, 1, 39, 0)]
    # The head (4 rows, for the mapping), then the edited record alone.
    assert parsed[0] == {2, 3, 4, 5}
    assert all(rows_parsed == {18} for rows_parsed in parsed[1:])
    assert len(parsed) > 1
    after = _orders(ws)
    assert after["O17"][1] == "tops\r\nand less; 17"
    assert {k: v for k, v in after.items() if k != "O17"} == {
        k: v for k, v in before.items() if k != "O17"
    }
    parsed.clear()
    assert _counts(service.run_import(ws, [path])) == [(40, 0, 0, 40, 0)]
    assert parsed[1:] == [set()]  # nothing but the head parsed


def test_a_new_row_repeating_a_skipped_id_parses_the_skipped_one_too(
    ws: Engine, tmp_path: Path, parsed: list[set[int]]
) -> None:
    path = tmp_path / "orders.csv"
    rows = [_row(i) for i in range(1, 21)]
    path.write_bytes((HEADER + "".join(rows)).encode("utf-8"))
    service.run_import(ws, [path])
    # O3 again at the end: the later row wins, so the stored O3 row cannot be skipped.
    later = 'C5;O3;2026-02-01;99,00;"bags\r\nlater"\r\n'
    path.write_bytes((HEADER + "".join(rows) + later).encode("utf-8"))
    parsed.clear()
    report = service.run_import(ws, [path])
    assert {4, 22} <= set().union(*parsed[1:])
    assert _counts(report) == [(21, 0, 1, 19, 0)]
    assert _orders(ws)["O3"] == (9900, "bags\r\nlater")


def test_rejected_rows_are_checked_again(
    ws: Engine, tmp_path: Path, parsed: list[set[int]]
) -> None:
    path = tmp_path / "orders.csv"
    rows = [_row(i) for i in range(1, 11)]
    rows[5] = 'C1;O6;not a date;1,00;"x\r\ny"\r\n'
    path.write_bytes((HEADER + "".join(rows)).encode("utf-8"))
    first = service.run_import(ws, [path])
    assert _counts(first) == [(10, 9, 0, 0, 1)]
    parsed.clear()
    again = service.run_import(ws, [path])
    assert _counts(again) == [(10, 0, 0, 9, 1)]
    assert all(rows_parsed == {7} for rows_parsed in parsed[1:])
    assert [r.reason for r in again.files[0].rejects] == [r.reason for r in first.files[0].rejects]


@pytest.mark.parametrize(
    "body",
    [
        'customer_id,order_id,order_date,amount\nC1,O1,2026-01-05,10.00\nC1,O2,2026-01-06,5" x\n',
        "customer_id,order_id,order_date,amount\rC1,O1,2026-01-05,10.00\r",
        'customer_id,order_id,order_date,amount\nC1,"O1" ,2026-01-05,10.00\n',
    ],
    ids=["stray quote", "old Mac line ends", "text after a closing quote"],
)
def test_files_the_scan_cannot_vouch_for_are_read_in_full(tmp_path: Path, body: str) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(body, encoding="utf-8", newline="")
    assert deferred.read_deferred(path) is None
    assert planning.open_table(path, defer=True).pending is None


def test_transcoded_files_are_read_in_full(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    header = HEADER.lstrip("\ufeff")
    path.write_bytes((header + _row(1)).encode("utf-16"))
    assert deferred.read_deferred(path) is None
    path.write_bytes((header + "C1;O1;2026-01-05;1,00;Jos\xe9\r\n").encode("cp1252"))
    assert deferred.read_deferred(path) is None


def test_when_the_parser_disagrees_the_file_is_read_in_full(
    ws: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "orders.csv"
    rows = [_row(i) for i in range(1, 11)]
    path.write_bytes((HEADER + "".join(rows)).encode("utf-8"))
    service.run_import(ws, [path])
    rows[2] = _row(3, "edited")
    path.write_bytes((HEADER + "".join(rows)).encode("utf-8"))
    monkeypatch.setattr(deferred, "complete", lambda table, keep=None: False)
    read_again: list[Path] = []
    real = resync._read_again

    def reading(table: Any) -> None:
        read_again.append(table.path)
        real(table)

    monkeypatch.setattr(resync, "_read_again", reading)
    report = service.run_import(ws, [path])
    assert read_again == [path]
    assert _counts(report) == [(10, 0, 1, 9, 0)]
    assert _orders(ws)["O3"][1] == "tops\r\nedited; 3"

"""Hardening of the import reader against damaged and hostile workbooks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from models.errors import UserFacingError
from services.importing.reader import read_table


def _workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["customer_id", "amount"])
    for i in range(200):
        ws.append([f"C{i}", i])
    wb.save(path)


def test_truncated_xlsx_is_called_a_damaged_workbook(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    _workbook(good)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(UserFacingError) as info:
        read_table(cut)
    message = str(info.value)
    assert "damaged or incomplete Excel workbook" in message
    assert "not a text CSV" not in message


def test_xlsx_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    _workbook(good)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        # 30 MB of zeros compresses to about 30 KB: a ratio far beyond any real workbook.
        dst.writestr("xl/media/padding.bin", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(UserFacingError) as info:
        read_table(bomb)
    assert "too much to read safely" in str(info.value)


def test_normal_xlsx_still_reads(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    _workbook(good)
    table = read_table(good)
    assert len(table) == 200


def test_out_of_range_dates_reject_the_row_not_the_file() -> None:
    import pandas as pd

    from services.importing.values import parse_dates, parse_datetimes

    s = pd.Series(["2024-01-02", "0001-01-01", "9999-12-31"])
    dates, bad = parse_dates(s)
    assert str(dates[0]) == "2024-01-02"
    assert list(bad) == [False, True, True]
    stamps, bad_stamps = parse_datetimes(s)[:2]
    assert stamps.notna().tolist() == [True, False, False]
    assert list(bad_stamps) == [False, True, True]


def test_an_out_of_range_date_is_called_out_of_range(tmp_path: Path, workspace_url: str) -> None:
    from app.workspace import open_workspace
    from services.importing.service import run_import

    generic = tmp_path / "orders.csv"
    generic.write_text(
        "customer_id,email,order_id,order_date,amount\n"
        "1,a@example.com,o1,0001-01-01,10\n"
        "2,b@example.com,o2,31/31/2026,10\n"
        "3,c@example.com,o3,2024-01-05,10\n"
        "4,d@example.com,o4,01/02/9999,10\n"
        + "".join(f"{i},e{i}@example.com,o{i},2024-02-{i:02d},10\n" for i in range(5, 15)),
        encoding="utf-8",
    )
    workspace = open_workspace(workspace_url, backup=False)
    try:
        report = run_import(workspace.engine, [generic]).files[0]
    finally:
        workspace.close()
    assert (report.kind, report.inserted, report.rejected) == ("orders", 11, 3)
    reasons = {r.row: r.reason for r in report.rejects}
    assert reasons[2] == (
        "'0001-01-01' is outside the dates a workspace keeps (years 1678 to 2261) (order_date)"
    )
    assert reasons[3] == "cannot read '31/31/2026' as a date (order_date)"
    assert reasons[5].startswith("'01/02/9999' is outside the dates a workspace keeps")
    assert 4 not in reasons

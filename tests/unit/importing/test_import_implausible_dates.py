"""Dates before 1990 or more than a year ahead are imported as given and named in the
report, with their rows, so the user can check them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.workspace import open_workspace
from services.importing.service import run_import


def test_odd_dates_are_kept_and_named_with_their_rows(tmp_path: Path, workspace_url: str) -> None:
    today = dt.date.today()
    far = today.replace(year=today.year + 3, day=1).isoformat()
    soon = (today + dt.timedelta(days=30)).isoformat()
    rows = [
        ("C1", "O1", "2024-05-01", "10.00"),  # row 2: fine
        ("C1", "O2", "1985-03-01", "11.00"),  # row 3: before 1990
        ("C2", "O3", far, "12.00"),  # row 4: three years ahead
        ("C2", "O4", "1899-12-30", "13.00"),  # row 5: Excel's day zero
        ("C3", "O5", soon, "14.00"),  # row 6: within a year: fine
    ]
    path = tmp_path / "orders.csv"
    path.write_text(
        "customer_id,order_id,order_date,amount\n" + "".join(",".join(r) + "\n" for r in rows),
        encoding="utf-8",
    )
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = run_import(ws.engine, [path])
    finally:
        ws.close()
    (file,) = report.files
    assert file.landed
    assert file.inserted == 5
    assert file.rejected == 0
    odd = [n for n in file.notes if n.startswith("check:")]
    assert odd == [
        "check: 3 orders rows have an order date before 1990 or more than a year from today "
        "(rows 3, 4, 5); imported as given"
    ]
    assert "  note: " + odd[0] in report.lines()


def test_ordinary_dates_raise_no_question(tmp_path: Path, workspace_url: str) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "customer_id,order_id,order_date,amount\nC1,O1,2024-05-01,10.00\nC1,O2,1990-01-01,9\n",
        encoding="utf-8",
    )
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = run_import(ws.engine, [path])
    finally:
        ws.close()
    assert not [n for n in report.files[0].notes if n.startswith("check:")]

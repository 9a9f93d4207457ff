"""Two columns with one name are never read silently: the file is refused with
the names, unless the columns are mapped explicitly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.workspace import Workspace, open_workspace
from services.importing.service import preview_file, run_import

CSV = "customer_id,order_id,order_date,amount,amount\nA1,O1,2026-01-05,10.00,99.00\n"


@pytest.fixture
def ws(workspace_url: str) -> Iterator[Workspace]:
    """A new workspace, on SQLite then on PostgreSQL."""
    workspace = open_workspace(workspace_url, backup=False)
    try:
        yield workspace
    finally:
        workspace.close()


def test_duplicate_columns_refuse_the_file_with_their_names(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    report = run_import(ws.engine, [path])
    assert not report.landed
    error = report.files[0].error or ""
    assert "'amount' (columns 4 and 5)" in error
    with ws.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM orders")).scalar_one() == 0
    preview = preview_file(ws.engine, path)
    assert any("'amount' (columns 4 and 5)" in p for p in preview.problems)


def test_an_explicit_mapping_chooses_which_column(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    mapping: dict[str, str | None] = {
        "customer_id": "customer_id",
        "order_id": "order_id",
        "order_date": "order_date",
        "amount": None,
        "amount (2)": "amount",
    }
    report = run_import(ws.engine, [path], kind="orders", mappings={str(path): mapping})
    assert report.landed, report.lines()
    with ws.engine.connect() as conn:
        cents = conn.execute(text("SELECT amount_cents FROM orders")).scalar_one()
    assert cents == 9900

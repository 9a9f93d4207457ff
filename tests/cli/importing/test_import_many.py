"""A multi-file import where one file fails keeps the others: their summaries are printed,
they stay imported, later files are still tried, and the command exits 1."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

import services.core.rollups as rollups
from app.cli.main import main
from services.importing import run


def orders_file(path: Path, customer: str, n: int) -> Path:
    lines = ["customer_id,order_id,order_date,amount"]
    lines += [f"{customer},{customer}-{i},2026-0{1 + i % 9}-1{i % 9},{10 + i}.50" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def orders_of(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT c.external_id, COUNT(*) FROM orders o JOIN customers c "
            "ON c.id = o.customer_id GROUP BY 1"
        ).fetchall()
    finally:
        con.close()
    return {str(k): int(v) for k, v in rows}


def test_a_file_that_fails_unexpectedly_keeps_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = orders_file(tmp_path / "a.csv", "A1", 3)
    broken = orders_file(tmp_path / "b.csv", "B1", 4)
    last = orders_file(tmp_path / "c.csv", "C1", 5)
    real = rollups.refresh_rollups
    calls: list[int] = []

    def refresh(conn, *told):  # type: ignore[no-untyped-def]
        # A bug met while b.csv is being written: its rows are in, uncommitted.
        calls.append(1)
        if len(calls) == 2:
            raise KeyError("a bug")
        return real(conn, *told)

    monkeypatch.setattr(run, "refresh_rollups", refresh)
    db = tmp_path / "w.radar.sqlite"
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(db), "import", str(first), str(broken), str(last)], out, err)
    assert code == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("a.csv (generic_orders, orders): landed as import 1: 3 rows read")
    assert any(
        line.startswith("b.csv") and "unexpected failure (KeyError)" in line for line in lines
    )
    assert any(
        line.startswith("c.csv (generic_orders, orders): landed as import 2") for line in lines
    )
    assert "1 of 3 files were not imported (b.csv); the others landed" in err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
    assert orders_of(db) == {"A1": 3, "C1": 5}


def test_a_file_with_a_user_facing_problem_keeps_the_others(tmp_path: Path) -> None:
    first = orders_file(tmp_path / "a.csv", "A1", 3)
    empty = tmp_path / "b.csv"
    empty.write_text("customer_id,order_id,order_date,amount\n", encoding="utf-8")
    db = tmp_path / "w.radar.sqlite"
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(db), "import", str(first), str(empty)], out, err)
    assert code == 1
    assert out.getvalue().splitlines()[0].startswith("a.csv (generic_orders, orders): landed")
    assert "b.csv has a header but no data rows" in out.getvalue()
    assert "1 of 2 files were not imported (b.csv)" in err.getvalue()
    assert orders_of(db) == {"A1": 3}

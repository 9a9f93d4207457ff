"""A re-sync (the same export again, a few rows edited): which rows are new, changed and
unchanged, on both databases (SQLite compares in a staging table, services/importing/
staging.py), and the customer rollups after it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from services.core.rollups import stale_rollups
from services.importing import service
from services.importing.staging import STAGE

HEADER = "customer_id,order_id,order_date,amount,category\n"
FIRST = [
    "C1,O1,2026-01-05,10.00,it's tops",
    "C1,O2,2026-01-06,20.00,",
    "C2,O3,2026-01-07,30.00,shoes",
    "C2,O4,2026-01-08,40.00,bags",
    "C3,O5,2026-01-09,50.00,a,b",
]


def _file(path: Path, lines: list[str]) -> Path:
    quoted = [line if line.count(",") == 4 else line.replace("a,b", '"a,b"') for line in lines]
    path.write_text(HEADER + "".join(f"{line}\n" for line in quoted), encoding="utf-8")
    return path


def _orders(engine: Engine) -> dict[str, tuple[object, ...]]:
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT external_id, amount_cents, category, customer_id FROM orders")
        )
        return {str(r[0]): tuple(r[1:]) for r in found}


def test_unchanged_rows_read_unchanged_and_edits_are_found(ws: Engine, tmp_path: Path) -> None:
    service.run_import(ws, [_file(tmp_path / "orders.csv", FIRST)])
    before = _orders(ws)
    again = service.run_import(ws, [_file(tmp_path / "orders.csv", FIRST)])
    assert [(f.inserted, f.updated, f.unchanged) for f in again.files] == [(0, 0, 5)]
    assert _orders(ws) == before
    edited = list(FIRST)
    edited[1] = "C1,O2,2026-01-06,20.00,knitwear"  # an empty field filled
    edited[2] = "C2,O3,2026-01-07,31.00,shoes"  # a corrected amount
    edited[4] = "C1,O5,2026-01-09,50.00,a,b"  # the order moved to another customer
    edited.append("C4,O6,2026-01-10,60.00,tops")  # a new order
    report = service.run_import(ws, [_file(tmp_path / "newer.csv", edited)])
    assert [(f.inserted, f.updated, f.unchanged) for f in report.files] == [(1, 3, 2)]
    after = _orders(ws)
    assert after["O1"] == before["O1"]  # the quote in its text compared as the same
    assert after["O2"][1] == "knitwear"
    assert after["O3"][0] == 3100
    assert after["O5"][2] == after["O1"][2]
    assert after["O6"][:2] == (6000, "tops")
    # Undo puts back exactly what the edits replaced.
    assert report.files[0].run_id is not None
    service.undo_import(ws, report.files[0].run_id)
    assert _orders(ws) == before


def test_rollups_stay_current_across_a_resync(ws: Engine, tmp_path: Path) -> None:
    service.run_import(ws, [_file(tmp_path / "orders.csv", FIRST)])
    service.run_import(ws, [_file(tmp_path / "orders.csv", FIRST)])  # nothing changed
    with Session(ws) as session:
        assert stale_rollups(session) == 0
    edited = [*FIRST[:2], "C2,O3,2026-01-07,99.00,shoes", *FIRST[3:]]
    service.run_import(ws, [_file(tmp_path / "newer.csv", edited)])
    with Session(ws) as session:
        assert stale_rollups(session) == 0
        revenue = session.execute(
            text(
                "SELECT r.paid_revenue_cents FROM customer_rollups r "
                "JOIN customers c ON c.id = r.customer_id WHERE c.external_id = 'C2'"
            )
        ).scalar_one()
    assert revenue == 9900 + 4000


def test_the_staging_table_is_gone_after_the_import(ws: Engine, tmp_path: Path) -> None:
    service.run_import(ws, [_file(tmp_path / "orders.csv", FIRST)])
    service.run_import(ws, [_file(tmp_path / "orders.csv", FIRST)])
    if ws.dialect.name != "sqlite":
        return
    with ws.connect() as conn:
        left = conn.execute(
            text("SELECT COUNT(*) FROM sqlite_temp_master WHERE name = :n"), {"n": STAGE}
        ).scalar_one()
    assert left == 0

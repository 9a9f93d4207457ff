"""Row hashes (services/importing/rowhash.py): a re-sync converts only the rows whose
stored hash differs, on both databases, and keeps every count, reject, undo and identity
rule of the full comparison; a different mapping, a changed setting or a row stored
before the hashes existed sends the rows through the full path again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from services.core.local_dates import TIME_ZONE_SETTING
from services.importing import service
from services.importing.rowhash import row_cells
from services.settings import set_setting

HEADER = "customer_id,order_id,order_date,amount,category\n"
ROWS = [
    "C1,O1,2026-01-05,10.00,tops",
    "C1,O2,2026-01-06,20.00,",
    "C2,O3,2026-01-07,30.00,shoes",
    "C2,O4,2026-01-08,40.00,bags",
    "C3,O5,2026-01-09,50.00,knitwear",
]
BAD = "C4,O9,not a date,1.00,tops"


def _file(path: Path, lines: list[str]) -> Path:
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def _counts(report: service.ImportReport) -> list[tuple[int, int, int, int, int]]:
    return [(f.rows_read, f.inserted, f.updated, f.unchanged, f.rejected) for f in report.files]


def _orders(engine: Engine) -> dict[str, tuple[object, ...]]:
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT external_id, amount_cents, category, customer_id, row_hash FROM orders")
        )
        return {str(r[0]): tuple(r[1:]) for r in found}


def test_an_unchanged_file_is_not_converted_again(
    ws: Engine, tmp_path: Path, converted: list[int]
) -> None:
    path = _file(tmp_path / "orders.csv", [*ROWS, BAD])
    first = service.run_import(ws, [path])
    assert _counts(first) == [(6, 5, 0, 0, 1)]
    stored = _orders(ws)
    assert all(v[3] is not None for v in stored.values())
    again = service.run_import(ws, [path])
    # Only the row rejected before is read again; it is rejected for the same reason.
    assert converted == [6, 1]
    assert _counts(again) == [(6, 0, 0, 5, 1)]
    assert [r.reason for r in again.files[0].rejects] == [r.reason for r in first.files[0].rejects]
    assert [(k.kind, k.unchanged) for k in again.files[0].by_kind] == [("orders", 5)]
    assert _orders(ws) == stored


def test_edits_take_the_full_path_and_undo_restores_their_hash(
    ws: Engine, tmp_path: Path, converted: list[int]
) -> None:
    service.run_import(ws, [_file(tmp_path / "orders.csv", ROWS)])
    before = _orders(ws)
    edited = list(ROWS)
    edited[1] = "C1,O2,2026-01-06,20.00,knitwear"  # an empty field filled
    edited[4] = "C1,O5,2026-01-09,50.00,knitwear"  # the order moved to another customer
    edited.append("C4,O6,2026-01-10,60.00,tops")  # a new order
    newer = _file(tmp_path / "newer.csv", edited)
    report = service.run_import(ws, [newer])
    assert converted[-1] == 3
    assert _counts(report) == [(6, 1, 2, 3, 0)]
    after = _orders(ws)
    assert after["O2"][1] == "knitwear"
    assert after["O5"][2] == after["O1"][2]
    assert after["O2"][3] != before["O2"][3]
    run_id = report.files[0].run_id
    assert run_id is not None
    service.undo_import(ws, run_id)
    # Undo puts back the rows and the hashes of the rows they were.
    assert _orders(ws) == before
    # Importing the newer file again finds the same edits.
    assert _counts(service.run_import(ws, [newer])) == [(6, 1, 2, 3, 0)]


def test_a_different_mapping_or_setting_compares_every_row(
    ws: Engine, tmp_path: Path, converted: list[int]
) -> None:
    path = _file(tmp_path / "orders.csv", ROWS)
    service.run_import(ws, [path])
    mapping: dict[str, str | None] = {
        "customer_id": "customer_id",
        "order_id": "order_id",
        "order_date": "order_date",
        "amount": "amount",
        "category": None,  # kept in attributes instead
    }
    mapped = service.run_import(ws, [path], mappings={str(path): mapping})
    assert converted[-1] == 5
    assert _counts(mapped) == [(5, 0, 4, 1, 0)]  # O2's empty category adds nothing
    service.run_import(ws, [path], mappings={str(path): mapping})
    assert converted[-1] == 0
    with Session(ws) as session:
        set_setting(session, TIME_ZONE_SETTING, "Europe/Berlin")
        session.commit()
    report = service.run_import(ws, [path], mappings={str(path): mapping})
    assert converted[-1] == 5
    assert _counts(report) == [(5, 0, 0, 5, 0)]
    service.run_import(ws, [path], mappings={str(path): mapping})
    assert converted[-1] == 0


def test_rows_stored_before_the_hashes_are_compared_once(
    ws: Engine, tmp_path: Path, converted: list[int]
) -> None:
    path = _file(tmp_path / "orders.csv", ROWS)
    service.run_import(ws, [path])
    with ws.begin() as conn:
        conn.execute(text("UPDATE orders SET row_hash = NULL"))
    report = service.run_import(ws, [path])
    assert converted[-1] == 5
    assert _counts(report) == [(5, 0, 0, 5, 0)]
    assert all(v[3] is not None for v in _orders(ws).values())
    assert _counts(service.run_import(ws, [path])) == [(5, 0, 0, 5, 0)]
    assert converted[-1] == 0


def test_a_repeated_id_is_never_skipped(ws: Engine, tmp_path: Path, converted: list[int]) -> None:
    lines = [*ROWS, "C3,O5,2026-01-09,55.00,knitwear"]  # O5 twice: the later row wins
    path = _file(tmp_path / "orders.csv", lines)
    service.run_import(ws, [path])
    again = service.run_import(ws, [path])
    assert converted[-1] == 2
    assert _counts(again) == [(6, 0, 0, 5, 0)]
    assert _orders(ws)["O5"][0] == 5500


def test_an_update_by_another_file_replaces_the_hash(ws: Engine, tmp_path: Path) -> None:
    path = _file(tmp_path / "orders.csv", ROWS)
    service.run_import(ws, [path])
    # Another export of the same orders (another header): its own hash for the row.
    other = tmp_path / "other.csv"
    other.write_text(
        "customer_id,order id,order_date,amount,category\nC1,O1,2026-01-05,11.00,tops\n",
        encoding="utf-8",
    )
    mapping: dict[str, str | None] = {
        "customer_id": "customer_id",
        "order id": "order_id",
        "order_date": "order_date",
        "amount": "amount",
        "category": "category",
    }
    assert _counts(service.run_import(ws, [other], mappings={str(other): mapping})) == [
        (1, 0, 1, 0, 0)
    ]
    # The original file's row is no longer what is stored: it is compared and restored.
    assert _counts(service.run_import(ws, [path])) == [(5, 0, 1, 4, 0)]
    assert _orders(ws)["O1"][0] == 1000


def test_the_hash_is_stable() -> None:
    """The same cells hash to the same number on every run and platform (SipHash with a
    fixed key), unlike Python's hash()."""
    frame = pd.DataFrame({"a": ["C1", ""], "b": ["10.00", "tops"]}, dtype=object)
    cells = row_cells(frame)
    assert cells.dtype == np.uint64
    assert cells.tolist() == [2241533353369609041, 12814570070467357898]

"""A first import of many records writes them a slice at a time (``Writer._insert_sliced``,
bounded memory at a million customers' orders) and gives the workspace the one insert of
all of them gives, table for table, on SQLite and PostgreSQL: the same rows, ids,
rejects, repeats, attributes and columns empty in some slices only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from services.importing import service, writer
from tests.support.table_digest import table_digests
from tests.unit.importing.test_import_bulk_paths import (  # noqa: F401  (the fixture)
    _same_moments,
    workspaces,
)


def _orders(rows: int) -> str:
    """Orders whose currency, status, category and note change between blocks of rows, a
    repeated order id and a row with no amount (rejected)."""
    lines = ["customer_id,order_id,order_date,amount,currency,status,category,note"]
    for i in range(rows):
        block = i // 9
        amount = "" if i == 23 else f"{i % 90}.{i % 100:02d}"
        currency = "EUR" if block % 3 == 1 else "USD"
        status = "refunded" if block % 4 == 2 else "paid"
        category = "" if block % 2 else f"c{i % 4}"
        note = f"note {i}" if block % 5 == 3 else ""
        order = "O7" if i == 40 else f"O{i}"
        lines.append(
            f"C{i % 13},{order},2026-01-{1 + i % 28:02d} 10:{i % 60:02d},{amount},{currency},"
            f"{status},{category},{note}"
        )
    return "\n".join(lines) + "\n"


def _import(engine: Engine, files: list[Path]) -> list[tuple[Any, ...]]:
    report = service.run_import(engine, files)
    return [
        (f.inserted, f.updated, f.unchanged, f.rejected, tuple(r.row for r in f.rejects), f.notes)
        for f in report.files
    ]


def test_a_sliced_first_import_stores_what_one_insert_stores(
    workspaces: tuple[Engine, Engine],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = tmp_path / "o1.csv", tmp_path / "o2.csv"
    first.write_text(_orders(100), encoding="utf-8")
    second.write_text(_orders(130), encoding="utf-8")  # 30 new rows: not a first import
    sliced: list[int] = []
    real = writer.Writer._insert_sliced

    def counting(self: writer.Writer, table: str, frame: Any, *args: Any) -> Any:
        sliced.append(len(frame))
        return real(self, table, frame, *args)

    bulk, whole = workspaces
    with monkeypatch.context() as m:
        m.setattr(writer, "SLICE_ROWS", 7)
        m.setattr(writer.Writer, "_insert_sliced", counting)
        counts = _import(bulk, [first, second])
    assert sliced == [98]  # 100 rows, one rejected, one repeating a later row's id
    assert _import(whole, [first, second]) == counts
    assert counts[0][:5] == (98, 0, 0, 1, (25,))
    assert counts[1][:4] == (30, 0, 98, 1)
    for engine in workspaces:
        _same_moments(engine)
    assert table_digests(bulk) == table_digests(whole)
    with bulk.connect() as conn:
        stored = conn.execute(
            text("SELECT COUNT(*), COUNT(category), COUNT(attributes) FROM orders")
        ).one()
    assert stored[0] == 128
    assert 0 < stored[1] < 128
    assert 0 < stored[2] < 128

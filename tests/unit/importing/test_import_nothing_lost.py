"""Nothing an import or its undo does loses data: ids undo may restore are never given to
another customer, orders files with unreadable dates stay orders files, and errors never
print a customer's data. Real files imported into real workspaces (SQLite and PostgreSQL).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import IntegrityError

from app.workspace import open_workspace
from models.errors import UserFacingError
from services.importing import service

HEADER = "customer_id,email,name,phone,address\n"
ANN = "C1,ann@example.com,Ann Archer,+1 555 0101,1 Apple Street\n"
BOB = "C2,bob@example.com,Bob Baker,+1 555 0202,2 Birch Road\n"
# One record naming Ann's id and Bob's email: the two are one person (Bob merged into Ann).
SAME_PERSON = "C1,bob@example.com,,,\n"
CAROL = "C3,carol@example.com,Carol Cole,+1 555 0303,3 Cedar Lane\n"


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def import_file(engine: Engine, path: Path) -> int:
    report = service.run_import(engine, [path])
    (only,) = report.files
    assert only.landed, only.error
    assert only.run_id is not None
    return only.run_id


def customers(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text("SELECT id, external_id, email, name, phone FROM customers ORDER BY id")
            )
        ]


def merge_then_add(engine: Engine, folder: Path) -> tuple[int, int, int]:
    """Import A (Ann, Bob), B (merges Bob into Ann), C (adds Carol): the three run ids."""
    a = import_file(engine, write(folder, "a.csv", ANN + BOB))
    b = import_file(engine, write(folder, "b.csv", SAME_PERSON))
    assert [c[1] for c in customers(engine)] == ["C1"]
    c = import_file(engine, write(folder, "c.csv", CAROL))
    return a, b, c


def test_undo_of_a_merge_after_a_later_import_restores_the_merged_customer(
    ws: Engine, tmp_path: Path
) -> None:
    a, b, c = merge_then_add(ws, tmp_path)
    by_id = {row[1]: row[0] for row in customers(ws)}
    # Carol never takes the id Bob had (the highest id before the merge deleted him).
    assert by_id["C3"] == 3
    result = service.undo_import(ws, b)
    assert result.restored >= 1
    rows = customers(ws)
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [
        ("C1", "ann@example.com", "Ann Archer", "+1 555 0101"),
        ("C2", "bob@example.com", "Bob Baker", "+1 555 0202"),
        ("C3", "carol@example.com", "Carol Cole", "+1 555 0303"),
    ]
    assert [r[0] for r in rows] == [1, 2, 3]
    # Every import is still undoable, newest first, down to an empty workspace.
    service.undo_import(ws, c)
    service.undo_import(ws, a)
    assert customers(ws) == []


def test_new_customers_stay_above_every_id_undo_may_restore(ws: Engine, tmp_path: Path) -> None:
    merge_then_add(ws, tmp_path)
    # An orders file creating customers from its records takes the same allocator.
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "customer_email,order_id,order_date,amount\ndave@example.com,O-1,2026-01-05,10.00\n",
        encoding="utf-8",
    )
    import_file(ws, orders)
    ids = [r[0] for r in customers(ws)]
    assert ids == [1, 3, 4]


def test_a_workspace_where_an_old_version_reused_the_id_refuses_undo_in_plain_words(
    tmp_path: Path,
) -> None:
    """A workspace written before the fix: Carol got Bob's id. Undo of the merge names
    the import to undo first, never fails on a UNIQUE constraint."""
    from tests.support.databases import migrated_file, sqlite_copy

    url = sqlite_copy(migrated_file(tmp_path / "empty"), tmp_path)
    workspace = open_workspace(url, backup=False)
    try:
        engine = workspace.engine
        _a, b, c = merge_then_add(engine, tmp_path)
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            conn.exec_driver_sql("UPDATE customers SET id = 2 WHERE id = 3")
            conn.exec_driver_sql(
                "UPDATE customer_identities SET customer_id = 2 WHERE customer_id = 3"
            )
            conn.exec_driver_sql(
                "UPDATE customer_rollups SET customer_id = 2 WHERE customer_id = 3"
            )
        listed = {r.run_id: r for r in service.list_imports(engine)}
        assert not listed[b].can_undo
        assert listed[b].undo_blocked_reason == (
            f"import {c} (c.csv) reused the id of a customer this import merged away; undo it first"
        )
        with pytest.raises(UserFacingError) as caught:
            service.undo_import(engine, b)
        assert "undo it first" in str(caught.value)
        assert "555" not in str(caught.value)
        service.undo_import(engine, c)
        service.undo_import(engine, b)
        assert [r[1] for r in customers(engine)] == ["C1", "C2"]
    finally:
        workspace.close()


def test_an_unexpected_database_error_prints_no_customer_data(tmp_path: Path) -> None:
    from app.cli.main import _failure_text

    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, phone TEXT)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1, '+1 555 0101')")
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (?, ?)", (1, "+1 555 0202, 2 Birch Road"))
    engine.dispose()
    assert "555" in str(caught.value)  # what used to reach the console
    shown = _failure_text(caught.value)
    assert shown == "UNIQUE constraint failed: t.id"
    assert isinstance(caught.value.orig, sqlite3.IntegrityError)


ORDERS_HEADER = "customer_email,order_id,order_date,amount\n"


@pytest.mark.parametrize(
    ("rows", "landed", "rejected"),
    [
        # Every date unreadable: an orders file none of whose rows could be read.
        (
            [
                "ann@example.com,O-1,2026-13-01,10.00",
                "bob@example.com,O-2,2026-01-05T25:00,12.50",
                "cat@example.com,O-3,46023,9.99",
            ],
            0,
            3,
        ),
        # Most dates unreadable: the good row lands as an order, the others are rejected.
        (
            [
                "ann@example.com,O-1,2026-13-01,10.00",
                "bob@example.com,O-2,2026-01-05,12.50",
                "cat@example.com,O-3,46023,9.99",
            ],
            1,
            2,
        ),
    ],
)
def test_an_orders_file_with_unreadable_dates_stays_an_orders_file(
    ws: Engine, tmp_path: Path, rows: list[str], landed: int, rejected: int
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    (report,) = service.run_import(ws, [path]).files
    assert report.kind == "orders"
    assert report.detected_format == "generic_orders"
    assert report.landed == bool(landed)
    assert [(r.row, r.reason) for r in report.rejects if r.row != 3] == [
        (2, "cannot read '2026-13-01' as a date (order_date)"),
        (4, "cannot read '46023' as a date (order_date)"),
    ]
    assert report.rejected == rejected
    with ws.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM orders")).scalar() == landed
        # Never the order fields in customers' attributes.
        attributes = conn.execute(text("SELECT attributes FROM customers")).scalars().all()
    assert not any(a and "order_id" in str(a) for a in attributes)


@pytest.mark.parametrize(
    "mark",
    ["\u2066", "\u2069", "\u034f", "\ufe0f", "\u3164", "\U000e0041", "\u180e", "\u206a"],
    ids=["LRI", "PDI", "CGJ", "VS16", "hangul-filler", "tag-A", "MVS", "ISS"],
)
def test_every_invisible_mark_is_left_out_of_an_address(
    ws: Engine, tmp_path: Path, mark: str
) -> None:
    import_file(ws, write(tmp_path, "a.csv", ANN))
    orders = tmp_path / "orders.csv"
    orders.write_text(
        ORDERS_HEADER + f"ann@example.com{mark},O-1,2026-01-05,10.00\n"
        f"ann{mark}@example.com,O-2,2026-01-06,12.00\n",
        encoding="utf-8",
    )
    import_file(ws, orders)
    with ws.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM customers")).scalar() == 1
        assert conn.execute(text("SELECT COUNT(DISTINCT customer_id) FROM orders")).scalar() == 1


def test_an_email_with_an_invisible_character_is_the_same_customer(
    ws: Engine, tmp_path: Path
) -> None:
    import_file(ws, write(tmp_path, "a.csv", ANN))
    orders = tmp_path / "orders.csv"
    orders.write_text(
        ORDERS_HEADER
        + "ann@example.com\u200b,O-1,2026-01-05,10.00\n"
        + "\ufeffANN@example.com\u200d ,O-2,2026-01-06,12.00\n",
        encoding="utf-8",
    )
    import_file(ws, orders)
    customers_file = tmp_path / "b.csv"
    customers_file.write_text("email,name\nann@example.com\u200b,Ann Archer\n", encoding="utf-8")
    import_file(ws, customers_file)
    with ws.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM customers")).scalar() == 1
        assert conn.execute(text("SELECT DISTINCT customer_id FROM orders")).scalars().all() == [1]
        assert conn.execute(text("SELECT email FROM customers")).scalar() == "ann@example.com"

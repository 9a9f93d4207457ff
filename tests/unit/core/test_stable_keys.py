"""A customer's stable key and its hash follow the source's ids, not the row ids the
import order gave them (services/core/_stable.py)."""

from __future__ import annotations

import numpy as np
from sqlalchemy import text

from app.workspace import open_workspace
from services.core._stable import stable_hashes, stable_keys


def _add_customers(conn, rows: list[tuple[str, str | None, str | None]]) -> list[int]:
    """Insert the customers (source, external id, email); their ids in that order."""
    for source, external_id, email in rows:
        conn.execute(
            text(
                "INSERT INTO customers (source, external_id, email, email_normalized, "
                "do_not_contact, created_at, updated_at) "
                "VALUES (:s, :e, :m, :m, 0, '2026-01-01', '2026-01-01')"
            ),
            {"s": source, "e": external_id, "m": email},
        )
    return [r[0] for r in conn.execute(text("SELECT id FROM customers ORDER BY id"))]


def _hashes_by_key(tmp_path, name: str, rows: list[tuple[str, str | None, str]]) -> dict:
    workspace = open_workspace(f"sqlite:///{tmp_path / name}", backup=False)
    with workspace.engine.begin() as conn:
        ids = _add_customers(conn, rows)
        hashes = stable_hashes(conn, ids)
        keys = [
            f"{r[0]}/{r[1] or r[2]}"
            for r in conn.execute(
                text("SELECT source, external_id, email_normalized FROM customers ORDER BY id")
            )
        ]
    workspace.close()
    return dict(zip(keys, hashes.tolist(), strict=True))


def test_the_hash_of_a_customer_does_not_depend_on_the_import_order(tmp_path) -> None:
    rows = [
        ("shopify", "1001", "ann@example.org"),
        ("shopify", "1002", "bob@example.org"),
        ("csv", None, "cara@example.org"),
    ]
    forward = _hashes_by_key(tmp_path, "a.sqlite", rows)
    backward = _hashes_by_key(tmp_path, "b.sqlite", list(reversed(rows)))
    assert forward == backward
    assert len(set(forward.values())) == 3


def test_every_kind_of_key_is_written_as_before(tmp_path) -> None:
    """The keys, byte for byte, for each way a customer is known: a source id (even with
    an email), an email only (any script), nothing (NULL or empty email: the row id), and
    an id with no customer row."""
    workspace = open_workspace(f"sqlite:///{tmp_path / 'k.sqlite'}", backup=False)
    rows = [
        ("shopify", "1001", "ann@example.org"),
        ("csv", None, "zoë@exämple.org"),
        ("manual", None, None),
        ("csv", None, ""),
        ("hubspot", "", "dan@example.org"),
    ]
    with workspace.engine.begin() as conn:
        ids = _add_customers(conn, rows)
        keys = stable_keys(conn, np.array([ids[4], 999, *ids[:4]], dtype=np.int64))
        empty = stable_keys(conn, np.zeros(0, dtype=np.int64))
    workspace.close()
    assert keys.dtype == object
    assert keys.tolist() == [
        "hubspot\x1f",
        "#999",
        "shopify\x1f1001",
        "csv\x1ezoë@exämple.org",
        f"manual\x1e#{ids[2]}",
        f"csv\x1e#{ids[3]}",
    ]
    assert empty.shape == (0,)

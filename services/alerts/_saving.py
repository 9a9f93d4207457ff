"""Writing a generation's alerts, by the fastest statements each database has: SQLite
runs a statement per row (executemany, cheap in-process); PostgreSQL one statement for
every row (arrays through unnest(), = ANY, joins), since a statement per row costs it a
round of planning and checks each (services/alerts/generate.py decides what to write).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from services.alerts._db import ALERTS, columns, differs, fetch, ints, sql, update_from_arrays
from services.alerts.records import HELD_BACK

ProgressFn = Callable[[float, str], None]

CHUNK = 20_000
# PostgreSQL's bulk statements: each alert row ``v`` with its snapshot (for the drivers).
SNAPSHOT_JOIN = "JOIN score_snapshots s ON s.id = v.snapshot_id"


def hold_back(conn: Connection, held: pd.DataFrame, at: Any, actor: str) -> None:
    """Keep the alerts the daily cap left out (not as work) so the user can see them and
    raise one now. They replace those the last scoring held back: one held back again is
    refreshed in place, keeping its id (a window still listing it raises that customer's
    alert, never another that took its id); the others go (raised, or no longer holding)."""
    ids, cust, rule = columns(
        fetch(conn, "SELECT id, customer_id, rule_key FROM alerts WHERE status = ?", (HELD_BACK,)),
        3,
    )
    before = pd.DataFrame(
        {"id": ints(ids), "customer_id": ints(cust), "rule_key": pd.Series(rule, dtype=object)}
    ).drop_duplicates(["customer_id", "rule_key"])
    if held.empty:
        conn.exec_driver_sql(sql(conn, "DELETE FROM alerts WHERE status = ?"), (HELD_BACK,))
        return
    # (held comes from the merge with the active alerts: its "id" is that merge's, empty.)
    merged = held.drop(columns=["id"], errors="ignore").merge(
        before, on=["customer_id", "rule_key"], how="left"
    )
    again = merged[merged["id"].notna()]
    kept = set(again["id"].astype(np.int64).tolist())
    going = [int(i) for i in ints(ids).tolist() if int(i) not in kept]
    if conn.dialect.name == "postgresql":
        if going:
            conn.exec_driver_sql(
                "DELETE FROM alerts WHERE id = ANY(%s) AND status = %s", (going, HELD_BACK)
            )
    else:
        run_many(
            conn, "DELETE FROM alerts WHERE id = ? AND status = ?", [(i, HELD_BACK) for i in going]
        )
    # created_at is the scoring's, as for a new one: the day it was last found. The
    # version moves when the owner changes (as for an active alert's refresh).
    owners = owner_values(again)
    if conn.dialect.name == "postgresql":
        update_from_arrays(
            conn,
            "alerts",
            refreshed_columns(again, owners),
            "severity = v.severity, reason = v.reason, priority_cents = v.priority_cents, "
            "score_snapshot_id = v.snapshot_id, owner = v.owner, created_at = %s, "
            "updated_at = %s, drivers = s.drivers, version = alerts.version + "
            "CASE WHEN alerts.owner IS DISTINCT FROM v.owner THEN 1 ELSE 0 END",
            (at, at),
            join=SNAPSHOT_JOIN,
        )
    else:
        _refresh_held_back(conn, again, owners, at)
    insert_alerts(
        conn, merged[merged["id"].isna()].drop(columns=["id"]), at, actor, None, status=HELD_BACK
    )


def refreshed_columns(
    frame: pd.DataFrame, owners: list[str | None]
) -> list[tuple[str, str, list[Any]]]:
    """The columns an alert's refresh writes, as update_from_arrays takes them."""
    return [
        ("id", "bigint", frame["id"].astype(np.int64).tolist()),
        ("severity", "text", frame["severity"].tolist()),
        ("reason", "text", frame["reason"].tolist()),
        ("priority_cents", "bigint", frame["priority_cents"].astype(np.int64).tolist()),
        ("snapshot_id", "bigint", frame["snapshot_id"].astype(np.int64).tolist()),
        ("owner", "text", owners),
    ]


def _refresh_held_back(
    conn: Connection, again: pd.DataFrame, owners: list[str | None], at: Any
) -> None:
    """SQLite: the held-back alerts found again, refreshed row by row."""
    run_many(
        conn,
        "UPDATE alerts SET severity = ?, reason = ?, priority_cents = ?, "
        "score_snapshot_id = ?, owner = ?, created_at = ?, updated_at = ?, "
        f"version = version + CASE WHEN {differs(conn, 'owner')} THEN 1 ELSE 0 END "
        "WHERE id = ?",
        list(
            zip(
                again["severity"].tolist(),
                again["reason"].tolist(),
                again["priority_cents"].astype(np.int64).tolist(),
                again["snapshot_id"].astype(np.int64).tolist(),
                owners,
                [at] * len(again),
                [at] * len(again),
                owners,
                again["id"].astype(np.int64).tolist(),
                strict=True,
            )
        ),
    )


def owner_values(frame: pd.DataFrame) -> list[str | None]:
    """The owner column as parameters: None for a customer without one (a merge turns
    None into NaN, which SQLite stores as NULL but PostgreSQL refuses for text)."""
    return [o if isinstance(o, str) else None for o in frame["owner"].tolist()]


def insert_alerts(
    conn: Connection,
    fresh: pd.DataFrame,
    at: Any,
    actor: str,
    step: ProgressFn | None,
    *,
    status: str = "open",
) -> int:
    """Insert the new alerts and one "alert.created" audit event for each open one (a
    held-back alert is audited when a user raises it; the run's summary counts them)."""
    if fresh.empty:
        return 0
    before = conn.execute(select(func.max(ALERTS.c.id))).scalar() or 0
    n = len(fresh)
    rows = list(
        zip(
            fresh["customer_id"].astype(np.int64).tolist(),
            fresh["rule_key"].tolist(),
            fresh["severity"].tolist(),
            fresh["reason"].tolist(),
            fresh["priority_cents"].astype(np.int64).tolist(),
            owner_values(fresh),
            fresh["snapshot_id"].astype(np.int64).tolist(),
            _column(fresh, "holdout", False),
            [b if isinstance(b, str) else None for b in _column(fresh, "holdout_band", None)],
            strict=True,
        )
    )
    if conn.dialect.name == "postgresql":
        # One INSERT … SELECT from arrays, with the snapshot's drivers; in the frame's
        # order (the ids follow it, as the rows' order does on SQLite).
        names = (
            "customer_id, rule_key, severity, reason, priority_cents, owner, "
            "snapshot_id, holdout, holdout_band, n"
        )
        kinds = ("bigint", "text", "text", "text", "bigint", "text", "bigint", "boolean", "text")
        arrays = [list(column) for column in zip(*rows, strict=True)]
        conn.exec_driver_sql(
            "INSERT INTO alerts (customer_id, rule_key, severity, reason, priority_cents, "
            "owner, score_snapshot_id, holdout, holdout_band, status, snooze_until_clear, "
            "created_at, updated_at, drivers) SELECT v.customer_id, v.rule_key, v.severity, "
            "v.reason, v.priority_cents, v.owner, v.snapshot_id, v.holdout, v.holdout_band, "
            "%s, false, %s, %s, "
            "(SELECT s.drivers FROM score_snapshots s WHERE s.id = v.snapshot_id) FROM unnest("
            + ", ".join(f"%s::{k}[]" for k in kinds)
            + f") WITH ORDINALITY AS v({names}) ORDER BY v.n",
            (status, at, at, *arrays),
        )
    else:
        # With the snapshot's drivers as each row is written (copied afterwards, every
        # row would be written twice: at a million customers, 300,000 held back).
        run_many(
            conn,
            "INSERT INTO alerts (customer_id, rule_key, severity, reason, priority_cents, "
            "owner, score_snapshot_id, holdout, holdout_band, status, snooze_until_clear, "
            "created_at, updated_at, drivers) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
            "?10, ?11, ?12, ?13, (SELECT s.drivers FROM score_snapshots s WHERE s.id = ?7))",
            [(*row, status, False, at, at) for row in rows],
            step,
            (0.8, 0.95),
        )
    if status != "open":
        return n
    details = '{"to": "open"}'
    conn.exec_driver_sql(
        sql(
            conn,
            "INSERT INTO audit_events (occurred_at, actor, action, entity_type, entity_id, "
            f"details) SELECT created_at, ?, 'alert.created', 'alert', id, {json_param(conn)} "
            "FROM alerts WHERE id > ? AND created_at = ? AND status = 'open'",
        ),
        (actor, details, before, at),
    )
    return n


def _column(frame: pd.DataFrame, name: str, default: Any) -> list[Any]:
    """A column as a list of Python values (``default`` for each row when it is absent)."""
    if name not in frame.columns:
        return [default] * len(frame)
    if name == "holdout":
        return [bool(v) for v in frame[name].tolist()]
    return list(frame[name].tolist())


def json_param(conn: Connection) -> str:
    """A bound JSON text placeholder (cast to jsonb on PostgreSQL; SQLite stores text)."""
    return "?" if conn.dialect.name == "sqlite" else "CAST(? AS JSONB)"


def event(
    at: Any, actor: str, action: str, alert_id: int, details: dict[str, Any]
) -> tuple[Any, ...]:
    return (at, actor, action, "alert", int(alert_id), json.dumps(details))


def run_many(
    conn: Connection,
    text: str,
    rows: list[tuple[Any, ...]],
    step: ProgressFn | None = None,
    span: tuple[float, float] = (0.0, 0.0),
) -> None:
    """executemany in chunks (cancellable between chunks); nothing for no rows."""
    if not rows:
        return
    statement = sql(conn, text)
    for start in range(0, len(rows), CHUNK):
        stop = min(start + CHUNK, len(rows))
        conn.exec_driver_sql(statement, rows[start:stop])
        if step is not None:
            step(span[0] + (span[1] - span[0]) * stop / len(rows), "Saving the alerts")

"""Settling a batch against the workspace before it is written: every amount gets its
currency (the first import with money sets the home currency), and events a source wrote
in UTC outright take the offsets of the workspace's time zone."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from models.base import utcnow
from models.schema import AuditEvent, Order, Setting
from services.core import money
from services.core.local_dates import TIME_ZONE_SETTING, workspace_zone, zone_offsets
from services.core.policy import resolve
from services.importing.canonical import Batch
from services.importing.values import UTC_NAMED

_MONEY_KINDS = ("orders", "opportunities", "subscriptions", "contracts")


def settle_currencies(session: Session, batch: Batch) -> list[str]:
    """Give every amount its currency; set the home currency on the first import with money
    (in the caller's transaction).

    An amount whose file names no currency (no column, no sign) is in the home currency; a
    bare "$" is the home currency when that is a dollar, else USD. While the workspace has
    no home currency, it becomes the one its orders already use, else this file's
    commonest (audited, and said in the import report).
    """
    conn = session.connection()
    frames = {
        kind: frame
        for kind, frame in batch.frames.items()
        if kind in _MONEY_KINDS and len(frame) and "currency" in frame.columns
    }
    if not frames:
        return []
    notes: list[str] = []
    home = str(_resolved(conn, money.HOME_SETTING, "") or "").upper()
    if not home:
        home = (
            conn.execute(
                select(Order.currency)
                .group_by(Order.currency)
                .order_by(func.count().desc(), Order.currency)
                .limit(1)
            ).scalar_one_or_none()
            or ""
        )
        if not home:
            # Counted in pandas: a million amounts take milliseconds, not a Python loop.
            named = pd.concat([frame["currency"] for frame in frames.values()]).dropna()
            named = named.astype(str).replace(money.DOLLAR_MARK, "USD")
            counts = named[named != ""].value_counts()
            home = (
                min(counts.index[counts == counts.max()].tolist())
                if len(counts)
                else money.DEFAULT_CURRENCY
            )
            notes.append(
                f"home currency set to {home} (the commonest currency of this file's "
                "amounts); change it in Settings ▸ Money"
            )
        conn.execute(delete(Setting).where(Setting.key == money.HOME_SETTING))
        conn.execute(
            insert(Setting).values(key=money.HOME_SETTING, value=home, updated_at=utcnow())
        )
        conn.execute(
            insert(AuditEvent).values(
                occurred_at=utcnow(),
                actor="import",
                action="settings.changed",
                entity_type="setting",
                details={"key": money.HOME_SETTING, "old": "", "new": home, "file": batch.file},
            )
        )
    dollar = home if home in money.DOLLAR_CODES else "USD"
    rows: dict[str, dict[str, int]] = {}  # kind -> currency -> rows
    for kind, frame in frames.items():
        codes = frame["currency"].astype(object)
        if codes.isna().all():  # no currency named anywhere (the usual orders file)
            filled = np.empty(len(codes), dtype=object)
            filled.fill(home)  # np.full with a text takes 0.06 s a million, fill 0.003
            codes = pd.Series(filled, index=codes.index)
            rows[kind] = {home: len(codes)}
        else:
            codes = codes.where(codes.notna(), home).where(codes != money.DOLLAR_MARK, dollar)
            rows[kind] = codes.value_counts().to_dict()
        batch.frames[kind] = frame.assign(currency=codes)
    # Amounts with no rate to the home currency are kept as they are; the import says so.
    ctx = money.load_money_context(conn)
    note = money.no_rate_note(money.MoneyContext(home, ctx.rates), rows)
    return notes if note is None else [*notes, note]


def settle_offsets(session: Session, batch: Batch) -> None:
    """Events a source wrote in UTC outright ("Z") take the workspace's time zone: their
    offset is that zone's at each instant (services/core/local_dates.py)."""
    conn = session.connection()
    zone: str | None = None
    for kind, column in (("orders", "order_date"), ("interactions", "occurred_at")):
        frame = batch.frames.get(kind)
        if frame is None or "utc_offset_minutes" not in frame.columns or not len(frame):
            continue
        offsets = frame["utc_offset_minutes"].to_numpy(dtype="float64")
        named = offsets == UTC_NAMED
        if not named.any():
            continue
        if zone is None:
            zone = workspace_zone(str(_resolved(conn, TIME_ZONE_SETTING, "") or ""))
        offsets = offsets.copy()
        offsets[named] = zone_offsets(frame[column][named], zone)
        batch.frames[kind] = frame.assign(utc_offset_minutes=offsets)


def _resolved(conn: Connection, key: str, built_in: object) -> object:
    """A setting's value by the policy-aware resolution order (services.core.policy.resolve),
    read on the import's own connection (inside its transaction)."""
    row = conn.execute(select(Setting.value).where(Setting.key == key)).first()
    return resolve(key, built_in, None if row is None else row[0], row is not None)

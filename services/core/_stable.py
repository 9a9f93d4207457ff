"""Each customer's stable key, for every order, sample, split and tie-break that must not
depend on the order rows were stored in (internal ids follow insertion order)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, String, case, cast, literal, or_, select

from models.schema import Customer

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


def stable_keys(conn: Connection, customer_ids: IntArray) -> ObjArray:
    """Each customer's stable key (aligned with ``customer_ids``): its source and external
    id, else its normalised email, else (nothing stable to go by) its id. The database
    writes each key (one string a row, no Python formatting); a customer id with no row
    gets ``#id``."""
    c = Customer.__table__.c
    fallback = literal("#") + cast(c.id, String)
    mail = case((or_(c.email_normalized.is_(None), c.email_normalized == ""), fallback),
                else_=c.email_normalized)  # fmt: skip
    key = case(
        (c.external_id.is_not(None), c.source + literal("\x1f") + c.external_id),
        else_=c.source + literal("\x1e") + mail,
    )
    # On the driver's own cursor: SQLAlchemy's row objects cost as much as the read.
    sql = (
        select(c.id, key)
        .order_by(c.id)
        .compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    )
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(sql))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    wanted = np.asarray(customer_ids, dtype=np.int64)
    if not rows:
        return np.array([f"#{int(i)}" for i in wanted], dtype=object)
    known = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    found = np.empty(len(rows), dtype=object)
    found[:] = [r[1] for r in rows]
    at = np.searchsorted(known, wanted).clip(0, len(rows) - 1)
    hit = known[at] == wanted
    out: ObjArray = found[at]  # a copy (fancy indexing)
    for pos in np.flatnonzero(~hit):  # ids with no customer row: rare
        out[pos] = f"#{int(wanted[pos])}"
    return out


def stable_hashes(conn: Connection, customer_ids: IntArray) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of each customer's stable key: the same on every run and machine
    (pandas' fixed hash key), whatever ids the rows got."""
    keys = stable_keys(conn, customer_ids)
    out: npt.NDArray[np.uint64] = pd.util.hash_array(keys) if keys.size else np.zeros(0, np.uint64)
    return out


def stable_order(keys: ObjArray, ids: IntArray) -> IntArray:
    """Positions of the customers ordered by a 64-bit hash of their keys (ids break the
    ties of a collision): the same customers come in the same order whatever order their
    rows were stored in."""
    if keys.size == 0:
        return np.zeros(0, np.int64)
    hashed = pd.util.hash_array(keys)  # a fixed hash key: the same on every run
    out: IntArray = np.lexsort((ids, hashed)).astype(np.int64)
    return out

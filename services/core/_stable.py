"""Each customer's stable key, for every order, sample, split and tie-break that must not
depend on the order rows were stored in (internal ids follow insertion order)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, select

from models.schema import Customer

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


def stable_keys(conn: Connection, customer_ids: IntArray) -> ObjArray:
    """Each customer's stable key (aligned with ``customer_ids``): its source and external
    id, else its normalised email, else (nothing stable to go by) its id."""
    c = Customer.__table__.c
    rows = conn.execute(
        select(c.id, c.source, c.external_id, c.email_normalized).order_by(c.id)
    ).all()
    by_id = {
        int(i): f"{src}\x1f{ext}" if ext is not None else f"{src}\x1e{mail or f'#{i}'}"
        for i, src, ext, mail in rows
    }
    return np.array([by_id.get(int(i), f"#{int(i)}") for i in customer_ids], dtype=object)


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

"""A re-sync's deferred table parsed: only the records whose hash is not stored.

``rowhash`` finds which of a deferred table's records (services/importing/deferred.py)
are stored as they are; ``parse_kept`` parses the others, and with them any stored
record whose order id one of them repeats (the writer keeps the last row of an id, so
the skipped one must take the full path too, as ``rowhash._key_repeats`` does for a
table read in full). The skipped records' ids are found without parsing them all: only
the records whose bytes hold one of the new rows' ids are parsed and checked.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from services.importing import deferred
from services.importing.reader import RawTable, read_table

__all__ = ["complete_all", "parse_kept"]

# Ids looked up in the file's bytes one by one; more, and the skipped rows are parsed.
_MAX_IDS = 64
_MAX_HITS = 100_000


def complete_all(table: RawTable) -> None:
    """Parse every pending record of ``table`` (nothing when it was read in full); when
    the parser disagrees with the scan, read the file in full instead."""
    if table.pending is not None and not deferred.complete(table):
        _read_again(table)


def parse_kept(plan: Any, same: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
    """Parse the pending records of ``plan.table`` that take the full path (not ``same``,
    and the skipped ones an id of theirs repeats) into its frame, and return them as a
    mask over the pending records; None when the parser disagreed with the scan (the
    table is then read in full)."""
    table = plan.table
    skipped = _without_repeats(plan, same)
    if skipped is None or not deferred.complete(table, ~skipped):
        _read_again(table)
        return None
    return ~skipped


def _without_repeats(plan: Any, same: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
    pending: deferred.Pending = plan.table.pending
    column = next((c for c, f in plan.mapping.items() if f == "order_id"), None)
    if column is None or column not in pending.header or same.all() or not same.any():
        return same
    parsed = deferred.parse_records(pending, np.flatnonzero(~same))
    if parsed is None:
        return None
    ids = set(parsed[0][column].astype(str).str.strip().tolist())
    suspects = same & _holding(pending, ids)
    if not ids or not suspects.any():
        return same
    parsed = deferred.parse_records(pending, np.flatnonzero(suspects))
    if parsed is None:
        return None
    frame, rows = parsed
    repeated = rows[frame[column].astype(str).str.strip().isin(ids).to_numpy(dtype=bool)]
    return same & ~np.isin(pending.rows, repeated)


def _holding(pending: deferred.Pending, ids: set[str]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """The pending records whose bytes hold one of ``ids`` (all of them when there are
    too many ids to look for, or an id that may be written otherwise in the file)."""
    everything = np.ones(len(pending.starts), dtype=bool)
    if len(ids) > _MAX_IDS or any(not i or '"' in i or "\r" in i or "\n" in i for i in ids):
        return everything
    hits: list[int] = []
    data = pending.data
    for found in ids:
        needle = found.encode("utf-8")
        at = data.find(needle)
        while at >= 0:
            hits.append(at)
            if len(hits) > _MAX_HITS:
                return everything
            at = data.find(needle, at + 1)
    where = np.searchsorted(pending.starts, np.asarray(hits, dtype=np.int64), side="right") - 1
    inside = where >= 0
    inside[inside] = np.asarray(hits, dtype=np.int64)[inside] < pending.ends[where[inside]]
    holding = np.zeros(len(pending.starts), dtype=bool)
    holding[where[inside]] = True
    return holding


def _read_again(table: RawTable) -> None:
    """Replace a deferred table by the file read in full (``read_table``), in place."""
    fresh = read_table(table.path)
    for spec in dataclasses.fields(fresh):
        setattr(table, spec.name, getattr(fresh, spec.name))

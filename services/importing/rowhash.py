"""Row hashes: a re-sync of an unchanged export skips its rows before converting them.

Each order imported from a generic orders file keeps ``row_hash``: a 64-bit hash of the
file row's raw bytes as they lie in the file (pandas' ``hash_array``, SipHash with a
fixed key: the same on every run and platform, unlike Python's ``hash()``), mixed with a
fingerprint of how the row was read: the format, source, kind, header, column mapping,
encoding and delimiter, the settings the conversion depends on (home currency, time
zone) and the workspace's people with addresses (an order names the person it came
from). Equal bytes read the same way are equal cells, so a skipped row is one the full
comparison would call unchanged. A file the reader transcoded or repaired first (UTF-16,
stray Windows-1252 bytes) hashes its rows' text cells instead (``row_cells``), and says
so in the fingerprint. On the
next import of the same kind of file the file's hashes are compared with the stored
ones of its source first; a row whose hash is stored is counted as unchanged and is
never converted, validated or compared column by column. Every other row (new,
changed, rejected before, or stored before the hashes existed) takes the full path and
gets its hash when written. A different mapping or a changed setting changes every
hash, so the whole file is compared in full once.

A plain UTF-8 file is read deferred by the import (services/importing/deferred.py): its
records are located and hashed from the file's bytes before any is parsed, and only
the records whose hash is not stored are parsed at all (services/importing/resync.py).

An order that another import updates gets that file's hash or none, and undo clears the
hash of the orders it restores, so a stored hash always describes the stored row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from services.core import money
from services.core.local_dates import TIME_ZONE_SETTING
from services.importing import resync
from services.importing.settling import _resolved

__all__ = [
    "HASH_COLUMN",
    "HASH_KEY",
    "RowHashes",
    "hashable",
    "record_hashes",
    "row_cells",
    "skip_unchanged",
]

HASH_COLUMN = "row_hash"
# The SipHash key of hash_pandas_object (16 characters): changing it changes every hash.
HASH_KEY = "account-radar-41"
# Bumped when the conversion of a row changes meaning (every stored hash then misses).
HASH_VERSION = 1
# Rows hashed at a time from their raw bytes (bounds the byte strings held at once).
_HASH_CHUNK = 100_000


def hashable(adapter: Any, kind: str, mapping: Mapping[str, str | None] | None) -> bool:
    """Whether a file's rows are hashed: a generic orders file (one order per row)."""
    return adapter is None and kind == "orders" and mapping is not None


def _stored_hashes(conn: Connection, source: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    """The hashes stored for the orders of ``source``, sorted.

    Read as one text the database joins (a million numbers are one 20 MB string and one
    vectorised parse, not a million Python rows)."""
    joined = (
        f"group_concat({HASH_COLUMN}, ',')"
        if conn.dialect.name == "sqlite"
        else f"string_agg(CAST({HASH_COLUMN} AS TEXT), ',')"
    )
    found_text = conn.execute(
        text(f"SELECT {joined} FROM orders WHERE source = :source AND {HASH_COLUMN} IS NOT NULL"),
        {"source": source},
    ).scalar()
    if not found_text:
        return np.zeros(0, dtype=np.int64)
    found = np.fromstring(found_text, dtype=np.int64, sep=",")
    del found_text
    found.sort()
    return found


def unchanged_rows(
    hashes: np.ndarray[Any, np.dtype[np.int64]], stored: np.ndarray[Any, np.dtype[np.int64]]
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Which of the file's rows are stored as they are (their hash is in ``stored``,
    sorted): a binary search each, no hash table of a million entries."""
    if not len(stored) or not len(hashes):
        return np.zeros(len(hashes), dtype=bool)
    order = np.argsort(hashes, kind="stable")
    ordered = hashes[order]
    # Both sorted: the search walks the stored hashes in order (cache-friendly).
    where = np.searchsorted(stored, ordered)
    where[where == len(stored)] = 0
    same = np.empty(len(hashes), dtype=bool)
    same[order] = stored[where] == ordered
    return same


def _key_repeats(
    frame: pd.DataFrame, mapping: Mapping[str, str | None], same: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """The skipped rows (``same``) whose order id a row taking the full path repeats: the
    writer keeps the last row of an id, so one of them alone would overwrite the other.
    Only the ids of the rows taking the full path are gathered (none on a re-sync of an
    unchanged file)."""
    column = next((c for c, f in mapping.items() if f == "order_id"), None)
    if column is None or column not in frame.columns:
        return same
    ids = frame[column]
    full = set(ids[~same].astype(str).str.strip().tolist())
    repeats = np.zeros(len(frame), dtype=bool)
    if full:
        repeats[same] = ids[same].astype(str).str.strip().isin(full).to_numpy(dtype=bool)
    return repeats


@dataclass
class RowHashes:
    """The rows of a file kept for the full path and their raw hashes (no fingerprint
    mixed in yet: the settings are read again in the import's transaction)."""

    cells: np.ndarray[Any, np.dtype[np.uint64]]
    rows: np.ndarray[Any, np.dtype[np.int64]]  # their spreadsheet row numbers
    fp: int  # the fingerprint the skipped rows matched
    skipped: int = 0
    describe: dict[str, Any] = field(default_factory=dict)
    active: bool = True

    @classmethod
    def none(cls) -> RowHashes:
        """A file whose rows are not hashed: nothing skipped, nothing attached."""
        return cls(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), 0, active=False)

    def attach(self, conn: Connection, frames: dict[str, pd.DataFrame]) -> None:
        """Give the batch's orders their hashes, with the settings as they are now (the
        import may just have set the home currency)."""
        frame = frames.get("orders")
        if not self.active or frame is None or frame.empty or "row" not in frame.columns:
            return
        fp = _digest({**self.describe, **_settings(conn)})
        mixed = (self.cells ^ np.uint64(fp)).view(np.int64)
        rows = frame["row"].to_numpy(dtype=np.int64)
        if np.array_equal(rows, self.rows):
            # Every row kept, in order (a first import): the hashes as they are, an int64
            # column (Python ints only a chunk at a time, when written).
            frame[HASH_COLUMN] = mixed
            return
        where = pd.Index(self.rows).get_indexer(rows)
        values: list[int | None] = mixed[where].tolist()
        for k in np.flatnonzero(where < 0).tolist():
            values[k] = None  # a row the adapter made up (none in a generic orders file)
        frames["orders"] = frame.assign(**{HASH_COLUMN: values})


def skip_unchanged(engine: Engine, plan: Any) -> RowHashes | None:
    """Drop the rows of ``plan.table`` whose hash is stored (in place); None when the
    file's rows are not hashed (see ``hashable``). A table read deferred (its records
    located, not parsed: services/importing/deferred.py) is parsed here, only the rows
    that take the full path when its rows are hashed, all of them otherwise."""
    if not hashable(plan.adapter, plan.kind, plan.mapping) or (
        "order_id" not in plan.mapping.values()  # no id: rows cannot be told from new ones
    ):
        resync.complete_all(plan.table)
        return None
    with engine.connect() as conn:
        return _skip(conn, plan)


def _skip(conn: Connection, plan: Any) -> RowHashes:
    table = plan.table
    describe = {
        "version": HASH_VERSION,
        "format": plan.detected_format,
        "source": plan.source,
        "kind": plan.kind,
        "header": list(table.header),
        "mapping": sorted((str(k), v) for k, v in plan.mapping.items()),
    }
    if table.pending is not None:
        if (found := _skip_pending(conn, plan, describe)) is not None:
            return found
        resync.complete_all(table)  # nothing stored yet, or the parser disagreed
    frame = table.frame
    cells = record_hashes(table)
    if cells is None:
        cells = row_cells(frame)
    else:
        describe.update(rows="raw records", encoding=table.encoding, delimiter=table.delimiter)
    fp = _digest({**describe, **_settings(conn)})
    same = unchanged_rows((cells ^ np.uint64(fp)).view(np.int64), _stored_hashes(conn, plan.source))
    if same.any():
        same &= ~_key_repeats(frame, plan.mapping, same)
    keep = ~same
    rows = np.asarray(table.row_numbers, dtype=np.int64)
    if same.any():
        table.frame = frame.loc[keep].reset_index(drop=True)
        table.row_numbers = rows[keep]
        if table.record_spans is not None:
            table.record_spans = tuple(span[keep] for span in table.record_spans)
    return RowHashes(cells[keep], rows[keep], fp, int(same.sum()), describe)


def _skip_pending(conn: Connection, plan: Any, describe: dict[str, Any]) -> RowHashes | None:
    """A deferred table's records hashed from their bytes before any is parsed; only the
    records taking the full path are parsed (services/importing/resync.py). None when
    nothing is stored for the source yet, or the parser disagreed with the scan."""
    table = plan.table
    stored = _stored_hashes(conn, plan.source)
    if not len(stored):
        return None
    raw = {**describe, "rows": "raw records"}
    raw.update(encoding=table.encoding, delimiter=table.delimiter)
    fp = _digest({**raw, **_settings(conn)})
    pending = table.pending
    hashed = span_hashes(pending.data, pending.starts, pending.ends)
    kept = resync.parse_kept(plan, unchanged_rows((hashed ^ np.uint64(fp)).view(np.int64), stored))
    if kept is None:
        return None
    return RowHashes(hashed[kept], pending.rows[kept], fp, int((~kept).sum()), raw)


def record_hashes(table: Any) -> np.ndarray[Any, np.dtype[np.uint64]] | None:
    """Each row's hash of its record's bytes in the file, in order; None when the reader
    kept no byte offsets (a transcoded or repaired file) or the file changed since it was
    read. Cheaper than hashing the cells: one slice and one hash per row."""
    spans, stamp = table.record_spans, table.file_stamp
    if spans is None or stamp is None or len(spans[0]) != len(table.frame):
        return None
    try:
        now = table.path.stat()
        data = table.path.read_bytes()
    except OSError:
        return None
    if (now.st_size, now.st_mtime_ns) != stamp or len(data) != stamp[0]:
        return None
    return span_hashes(data, spans[0], spans[1])


def span_hashes(
    data: bytes, starts: np.ndarray[Any, Any], ends: np.ndarray[Any, Any]
) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """The hash of each record [start, end) of ``data`` (no fingerprint mixed in)."""
    # A record's "\r" before its newline is not part of it: the same rows saved with
    # Windows line ends are the same rows.
    ends = ends.copy()
    closed = ends > starts
    ends[closed] -= np.frombuffer(data, dtype=np.uint8)[ends[closed] - 1] == ord("\r")
    out = np.empty(len(ends), dtype=np.uint64)
    for first in range(0, len(out), _HASH_CHUNK):  # a chunk of byte strings at a time
        part = slice(first, first + _HASH_CHUNK)
        pairs = zip(starts[part].tolist(), ends[part].tolist(), strict=True)
        records = np.empty(len(ends[part]), dtype=object)
        records[:] = [data[a:b] for a, b in pairs]
        out[part] = pd.util.hash_array(records, hash_key=HASH_KEY, categorize=False)
    return out


def row_cells(frame: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """Each row's hash of its raw cells, in order (no fingerprint mixed in)."""
    if not len(frame):
        return np.zeros(0, dtype=np.uint64)
    hashed = pd.util.hash_pandas_object(frame, index=False, hash_key=HASH_KEY, categorize=False)
    return np.asarray(hashed.to_numpy(np.uint64), dtype=np.uint64)


def _settings(conn: Connection) -> dict[str, str]:
    found = {
        "home": str(_resolved(conn, money.HOME_SETTING, "") or "").upper(),
        "zone": str(_resolved(conn, TIME_ZONE_SETTING, "") or ""),
    }
    # An order names the person whose address it holds (services/importing/
    # person_records.py): once people with addresses are added or removed, the next
    # re-sync compares its rows in full once, so that the orders already stored name them.
    count, highest, newest = conn.execute(
        text(
            "SELECT COUNT(*), MAX(id), MAX(created_at) FROM contacts "
            "WHERE email_normalized IS NOT NULL"
        )
    ).one()
    if count:
        found["people"] = f"{count}:{highest}:{newest}"
    return found


def _digest(described: dict[str, Any]) -> int:
    digest = hashlib.sha256(json.dumps(described, sort_keys=True).encode()).digest()
    return int.from_bytes(digest[:8], "little")

"""What an import changes in rows already stored, and the log that lets undo restore them.

Records are matched to stored rows by (source, external_id): on SQLite the incoming rows
are staged in a temporary table and one set-based join per source finds the new ones and
the ones that differ (an unchanged row is never fetched); elsewhere one SELECT per source
is read in chunks. The rows that differ are compared column by column and updated, and the
values they had before are kept as ``(table, row_id, before)`` entries, which ``write``
puts in import_changes at the end of the run (undo restores them). Merges of customers
(services/importing/identity.py) log their re-pointed rows and deleted customers here too.

Who may overwrite what: the export that inserted a record owns it and a newer export of
the same format overwrites every field it gives; another format, or another source of
a customer, only fills what is empty.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from models.vocab import APP_SOURCE
from services.importing.rowhash import HASH_COLUMN
from services.importing.staging import compare_staged
from services.importing.storage import (
    CHUNK,
    COLUMNS,
    JSON_COLUMNS,
    NOW_DEFAULT,
    Store,
    is_missing,
)

__all__ = ["ChangeTracker"]


def _json_value(value: Any) -> Any:
    """Before-values that JSON has no type for: PostgreSQL hands back dates, datetimes and
    Decimals where SQLite hands back text and numbers. Written as ISO text (and numbers),
    which both databases read back into those columns on undo."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot log a before-value of type {type(value).__name__}")


class ChangeTracker:
    """Finds the incoming rows that change stored ones, updates those and keeps their
    before-values (``entries``) for import_changes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.entries: list[tuple[str, int, dict[str, Any]]] = []
        self._formats: dict[int, str | None] = {}
        # Customers whose stored field another source kept against this file's different
        # value: {owning source: {field: customers}}, for the report's note (kept_notes).
        self.kept: dict[str, dict[str, int]] = {}
        # Whether the records being written carry row hashes (services/importing/rowhash.py).
        self.hashed = False

    def update_customers(self, incoming: dict[int, dict[str, Any]]) -> tuple[int, int]:  # noqa: C901
        """Apply incoming non-empty values to existing customers; (updated, unchanged)."""
        if not incoming:
            return 0, 0
        cols = list(COLUMNS["customers"])
        fetched = [*cols, "updated_at"]
        ids = sorted(incoming)
        current: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in self.store.fetchall(
                f"SELECT id, {','.join(fetched)} FROM customers WHERE id IN ({marks})", part
            ):
                current[int(row[0])] = {
                    c: self.store.normalise_fetched(c, v)
                    for c, v in zip(fetched, row[1:], strict=True)
                }
        updates: list[tuple[int, dict[str, Any]]] = []
        unchanged = 0
        for cid in ids:
            if cid not in current:
                continue
            now = current[cid]
            new = dict(incoming[cid])
            key = new.pop("__key", None)
            owner = key is not None and (
                now.get("external_id") is None or (now.get("source"), now.get("external_id")) == key
            )
            if key is not None and now.get("external_id") is None:
                # A customer first seen without an id (e.g. from an orders file) gets its own.
                new["source"], new["external_id"] = key
            existing_attrs = json.loads(now["attributes"]) if now.get("attributes") else {}
            if not isinstance(existing_attrs, dict):
                existing_attrs = {}
            if owner:
                # The customer's own source: a newer export updates every field it gives.
                if "attributes" in new:
                    new["attributes"] = {**existing_attrs, **new["attributes"]}
            else:
                # Another source only fills what is empty, so that sources do not overwrite
                # each other back and forth on every import; an opt-out always counts.
                for c in list(new):
                    if c == "attributes":
                        new[c] = {**new[c], **existing_attrs}
                    elif c == "do_not_contact":
                        if not new[c] or now.get(c):
                            del new[c]
                    elif c not in ("source", "external_id") and now.get(c) not in (None, ""):
                        if c in cols and self._differs(c, new[c], now.get(c)):
                            fields = self.kept.setdefault(str(now.get("source") or "?"), {})
                            fields[c] = fields.get(c, 0) + 1
                        del new[c]
            if now.get("tracking_opted_out_at") not in (None, ""):
                # Opted out already: since then, whatever a later file says.
                new.pop("tracking_opted_out_at", None)
            stored = {c: self.store.to_storage(c, [v])[0] for c, v in new.items() if c in cols}
            diff = {c: v for c, v in stored.items() if v != now.get(c)}
            if not diff:
                unchanged += 1
                continue
            before = {c: now.get(c) for c in diff}
            before["updated_at"] = now.get("updated_at")
            self.entries.append(("customers", cid, before))
            updates.append((cid, diff))
        for cid, diff in updates:
            sets = ", ".join(f"{c} = ?" for c in diff)
            self.store.execute(
                f"UPDATE customers SET {sets}, updated_at = ? WHERE id = ?",
                (*diff.values(), self.store.now_stored, cid),
            )
        return len(updates), unchanged

    def _differs(self, column: str, value: Any, stored: Any) -> bool:
        if value is None or is_missing(value) or column in ("updated_at", "attributes"):
            return False
        return bool(self.store.to_storage(column, [value])[0] != stored)

    def kept_notes(self) -> list[str]:
        """Why some customers read "unchanged": the fields another source owns, kept."""
        notes = []
        for source, fields in sorted(self.kept.items()):
            named = ", ".join(
                f"{f.replace('_', ' ')} ({n:,} customer{'' if n == 1 else 's'})"
                for f, n in sorted(fields.items())
            )
            notes.append(
                f"kept the stored {named} where this file gives a different value: those "
                f"customers came from '{source}', and a customer's own source wins its "
                "fields (another file only fills empty ones). To change them, import a "
                f"newer '{source}' export or edit them in the window"
            )
        self.kept.clear()  # said once
        return notes

    def _run_formats(self, run_ids: Iterable[Any]) -> dict[int, str | None]:
        """detected_format of import runs (cached)."""
        cache = self._formats
        todo = sorted({int(r) for r in run_ids if r is not None} - set(cache))
        for start in range(0, len(todo), 500):
            part = todo[start : start + 500]
            marks = ",".join("?" * len(part))
            for run_id, fmt in self.store.fetchall(
                f"SELECT id, detected_format FROM import_runs WHERE id IN ({marks})", part
            ):
                cache[int(run_id)] = fmt
        return cache

    def apply_differences(
        self,
        table: str,
        candidates: pd.DataFrame,
        compare_cols: list[str],
        stored: dict[str, list[Any]],
        detected_format: str | None,
        owns: tuple[str, ...] = (),
    ) -> int:
        """Update the stored rows that differ from the incoming ones; how many were updated.

        The export that inserted a record owns it: a newer export of the same format
        overwrites every field it gives. Another format of the same source (a Salesforce
        report after the data export) only fills what is empty, so that two views of one
        record do not overwrite each other back and forth on every import. Attributes
        are merged, the owner's values winning. ``owns``: the fields this file is the
        record of whoever inserted the rows (a contact-role export's roles: a later one
        changes them).
        """
        formats = self._run_formats(
            r for r in candidates["import_run_id"].tolist() if not is_missing(r)
        )
        now_default = NOW_DEFAULT.get(table, ())
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        updated = 0
        for record in candidates.to_dict("records"):
            i = int(record["_i"])
            run = record["import_run_id"]
            owner = is_missing(run) or formats.get(int(run)) in (None, detected_format)
            if is_missing(run) and stored.get("source", [None] * (i + 1))[i] == APP_SOURCE:
                # An activity logged in this app, come back in a CRM's file
                # (services/crm_files): the app's own record stands as it is.
                continue
            diff: dict[str, Any] = {}
            for c in compare_cols:
                new, old = stored[c][i], record[c]
                if is_missing(old):
                    old = None
                if new is None and c in now_default:
                    continue
                if c in JSON_COLUMNS:
                    old_d = json.loads(old) if isinstance(old, str) and old else {}
                    new_d = json.loads(new) if isinstance(new, str) and new else {}
                    merged = {**old_d, **new_d} if owner else {**new_d, **old_d}
                    new = json.dumps(merged, sort_keys=True) if merged else None
                elif not owner and c not in owns and old not in (None, ""):
                    continue
                if new != old:
                    diff[c] = new
            if not diff:
                continue
            updated += 1
            row_id = int(record["id"])
            # A stored NULL may reach here as NaN (a column of numbers): undo's JSON wants None.
            before = {c: None if is_missing(record[c]) else record[c] for c in diff}
            if table == "orders" and not self.hashed:
                diff[HASH_COLUMN] = None  # its stored hash no longer describes it
            self.entries.append((table, row_id, before))
            groups.setdefault(tuple(diff), []).append((*diff.values(), row_id))
        if table == "orders":
            self._keep_hashes(self.entries[len(self.entries) - updated :])
        for changed_cols, rows in groups.items():
            if "customer_id" in changed_cols:
                self.store.check_customers([r[changed_cols.index("customer_id")] for r in rows])
            sets = ", ".join(f"{c} = ?" for c in changed_cols)
            self.store.executemany(f"UPDATE {table} SET {sets} WHERE id = ?", rows)
        return updated

    def _keep_hashes(self, entries: list[tuple[str, int, dict[str, Any]]]) -> None:
        """The stored row hash of the orders about to be updated goes in their before-values
        (undo puts it back with the values it describes)."""
        ids = [row_id for _t, row_id, _b in entries]
        hashes: dict[int, Any] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for row_id, value in self.store.fetchall(
                f"SELECT id, {HASH_COLUMN} FROM orders WHERE id IN ({marks})", part
            ):
                hashes[int(row_id)] = None if value is None else int(value)
        for _t, row_id, before in entries:
            before[HASH_COLUMN] = hashes.get(row_id)

    def match_existing(
        self, table: str, compare_cols: list[str], stored: dict[str, list[Any]], n: int
    ) -> tuple[np.ndarray[Any, Any], pd.DataFrame | None]:
        """Incoming rows already stored, and the stored values of those that differ.

        Returns the positions of the incoming rows whose (source, external_id) is stored,
        and a frame (``_i`` = incoming position, ``id``, the compare columns as stored) of
        the ones where some column differs. One SELECT per source reads the stored rows
        (only the compared columns), in chunks so that memory stays bounded.
        """
        sources = np.asarray(stored["source"], dtype=object)
        matched: list[np.ndarray[Any, Any]] = []
        candidates: list[pd.DataFrame] = []
        for source in sorted(str(v) for v in pd.unique(sources)):
            if not self.store.fetchall(
                f"SELECT 1 FROM {table} WHERE source = ? LIMIT 1", (source,)
            ):
                continue
            mine = np.flatnonzero(sources == source)
            compare = self._compare_staged if self.store.sqlite else self._compare_columns
            for positions, differs, ids in compare(table, source, compare_cols, stored, mine):
                self.store.check_cancelled()
                matched.append(positions)
                if len(differs):
                    part = self._fetch_rows(table, compare_cols, ids.tolist())
                    part["_i"] = differs
                    candidates.append(part)
        positions_all = np.concatenate(matched) if matched else np.zeros(0, dtype=np.int64)
        frame = pd.concat(candidates, ignore_index=True) if candidates else None
        return positions_all, frame

    def _stored_rows(self, table: str, source: str, names: list[str]) -> Iterator[list[Any]]:
        """The stored rows of one source (``names`` columns), in chunks."""
        cur = self.store.cursor()
        try:
            cur.execute(
                self.store.sql(
                    f"SELECT {', '.join(names)} FROM {table} WHERE source = ? "
                    "AND external_id IS NOT NULL"
                ),
                (source,),
            )
            while rows := cur.fetchmany(CHUNK * 2):
                yield rows
        finally:
            cur.close()

    def _compare_staged(
        self,
        table: str,
        source: str,
        compare_cols: list[str],
        stored: dict[str, list[Any]],
        mine: np.ndarray[Any, Any],
    ) -> Iterator[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
        """SQLite: staged in bulk and compared in one join (services/importing/staging.py).

        Yields the incoming positions found stored, the positions of those where some
        column differs, and the stored ids of the latter (a re-sync of unchanged rows
        fetches no stored row at all).
        """
        every = len(mine) == len(stored["source"])  # one source: no need to pick

        def pick(c: str) -> list[Any]:
            return stored[c] if every else np.asarray(stored[c], dtype=object)[mine].tolist()

        incoming = {c: pick(c) for c in ["external_id", *compare_cols]}
        fresh, differs, ids = compare_staged(self.store, table, source, compare_cols, incoming)
        hit = np.ones(len(mine), dtype=bool)
        hit[fresh] = False
        yield mine[hit], mine[differs], ids

    def _compare_columns(
        self,
        table: str,
        source: str,
        compare_cols: list[str],
        stored: dict[str, list[Any]],
        mine: np.ndarray[Any, Any],
    ) -> Iterator[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
        """Other databases: compare column by column, fetched values normalised first."""
        now_default = NOW_DEFAULT.get(table, ())
        # Incoming ids are unique per source (duplicates were folded before).
        incoming_index = pd.Index(np.asarray(stored["external_id"], dtype=object)[mine])
        incoming_values = {c: np.array(stored[c], dtype=object) for c in compare_cols}
        normalise = self.store.normalise_fetched
        for rows in self._stored_rows(table, source, ["id", "external_id", *compare_cols]):
            columns = list(zip(*rows, strict=True))
            del rows
            where = incoming_index.get_indexer(columns[1])
            hit = where >= 0
            positions = mine[where[hit]]
            differs = np.zeros(len(positions), dtype=bool)
            for k, c in enumerate(compare_cols):
                before = np.array([normalise(c, v) for v in columns[k + 2]], dtype=object)[hit]
                incoming = incoming_values[c][positions]
                d = np.asarray(incoming != before, dtype=bool)
                if c in now_default:
                    d &= np.asarray([v is not None for v in incoming], dtype=bool)
                differs |= d
            ids = np.asarray(columns[0], dtype=np.int64)[hit][differs]
            yield positions, positions[differs], ids

    def _frame(
        self, rows: list[tuple[Any, ...]], names: list[str], compare_cols: list[str]
    ) -> pd.DataFrame:
        part = pd.DataFrame.from_records(rows, columns=names, coerce_float=False)
        normalise = self.store.normalise_fetched
        for c in compare_cols:
            column = part[c].astype(object)
            column = column.where(column.notna(), None)
            if not self.store.sqlite or c in JSON_COLUMNS:
                column = column.map(lambda v, c=c: normalise(c, v))
            part[c] = column
        return part

    def _fetch_rows(self, table: str, compare_cols: list[str], ids: list[int]) -> pd.DataFrame:
        """Stored rows by id (id, import_run_id + compare columns), in the order of ``ids``."""
        names = ["id", "import_run_id", *compare_cols]
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows += self.store.fetchall(
                f"SELECT {', '.join(names)} FROM {table} WHERE id IN ({marks})", part
            )
        frame = self._frame(rows, names, compare_cols)
        order = pd.Index(frame["id"].tolist()).get_indexer(ids)
        return frame.iloc[order].reset_index(drop=True)

    def write(self) -> None:
        """Log the before-values of everything this run updated or merged."""
        self.store.executemany(
            "INSERT INTO import_changes (import_run_id, table_name, row_id, before) "
            "VALUES (?,?,?,?)",
            [
                (self.store.run_id, t, r, json.dumps(b, sort_keys=True, default=_json_value))
                for t, r, b in self.entries
            ],
        )

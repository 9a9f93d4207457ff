"""Writing a canonical Batch into the workspace, inside the caller's transaction.

``Writer`` puts the parts together, customers first, then each kind of record:

- identity (services/importing/identity.py): which stored customer each incoming row
  belongs to, found by (source, external_id) and then by normalised email; missing
  customers are created, customers that turn out to be one person are merged;
- change tracking (services/importing/changes.py): records are upserted by
  (source, external_id); existing ones are compared column by column and updated only
  when something differs, with the values they had before written to import_changes
  (undo restores them);
- storage (services/importing/storage.py): values in the form the database stores them
  and the bulk ``executemany`` statements through the DBAPI cursor, new records inserted
  with the run's ``import_run_id``; there are no ORM objects per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from models.campaigns import campaign_types
from services.importing.activity_customers import KNOWN_CUSTOMERS, known_customers
from services.importing.canonical import Batch
from services.importing.changes import ChangeTracker
from services.importing.contact_writing import (
    KNOWN_ONLY,
    known_contacts,
    log_contact_changes,
    mark_left,
)
from services.importing.contract_writing import (
    keep_settled,
    link_subscriptions,
    merge_second_sources,
    settle_customers,
)
from services.importing.identity import Identities
from services.importing.person_records import PERSON_TABLES, People
from services.importing.rowhash import HASH_COLUMN
from services.importing.storage import COLUMNS, DEFAULTS, NOW_DEFAULT, Store, WriteResult

__all__ = ["CHILD_TABLES", "Writer"]

CHILD_TABLES = ("contacts", "orders", "interactions", "opportunities", "subscriptions", "contracts")

# A first import of more records than this writes them a slice at a time (bounded memory).
SLICE_ROWS = 250_000


class Writer:
    """Writes batches through one connection (inside the caller's transaction)."""

    def __init__(
        self,
        conn: Connection,
        run_id: int,
        *,
        cancelled: Callable[[], bool] | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> None:
        self.store = Store(conn, run_id, cancelled=cancelled)
        self.changes = ChangeTracker(self.store)
        self.identities = Identities(self.store, self.changes)
        self.people = People(self.store)
        self._progress = progress
        self.detected_format: str | None = None
        # The customers whose contract terms this batch wrote (their renewals are settled).
        self.contract_customers: set[int] = set()

    def _report(self, fraction: float, message: str) -> None:
        if self._progress is not None:
            self._progress(fraction, message)

    # --- records ----------------------------------------------------------------------

    def write_records(self, kind: str, frame: pd.DataFrame, result: WriteResult) -> dict[str, int]:
        """Upsert one kind of record by (source, external_id); the changes to people's
        roles and presence are kept, dated (services/importing/contact_writing.py)."""
        if kind != "contacts":
            return self._write_records(kind, frame, result)
        mark = len(self.changes.entries)
        counts = self._write_records(kind, frame, result)
        log_contact_changes(self.store, self.changes.entries[mark:])
        return counts

    def _write_records(self, kind: str, frame: pd.DataFrame, result: WriteResult) -> dict[str, int]:
        counts = {"inserted": 0, "updated": 0, "unchanged": 0}
        if frame.empty:
            return counts
        frame = frame.reset_index(drop=True)
        # A record repeated in one file: the last one wins.
        dup = _repeated_ids(frame)
        if dup.any():
            result.notes.append(
                f"{int(dup.sum()):,} {kind} row(s) repeat the id of a later row in the same "
                "file; the later row was kept"
            )
            frame = frame.loc[~dup].reset_index(drop=True)
        if kind == "contracts":
            frame = link_subscriptions(self.store, frame)
        self.store.check_cancelled()
        # A contact-role export is the record of the roles: a later one changes them.
        owns = ("role",) if KNOWN_ONLY in frame.columns else ()
        frame, customer_ids = self._customers_of(kind, frame, result)
        if frame.empty:
            return counts
        self.store.check_cancelled()
        table = kind
        if kind == "contracts":
            self.contract_customers.update(int(c) for c in pd.unique(customer_ids))
        cols = _stored_columns(table, frame)
        hashes = _hash_values(frame)
        self.changes.hashed = hashes is not None
        if len(frame) > SLICE_ROWS and self._none_stored(table, frame):
            return self._insert_sliced(table, frame, cols, customer_ids, hashes)
        n = len(frame)
        stored = self._stored_forms(table, frame, cols, customer_ids.tolist())
        if kind == "contracts":
            keep_settled(self.store, frame, stored)
            stored = self._one_term_a_renewal(frame, stored, result, counts)
            n = len(stored["source"])
            if not n:
                return counts
        # Whom a stored record names is linked apart, not counted as a change (below).
        compare_cols = ["customer_id"] + [
            c for c in cols if c not in ("external_id", "source", "contact_id")
        ]
        is_new = np.ones(n, dtype=bool)
        unchanged = 0
        changed = 0
        matched_pos, candidates = self.changes.match_existing(table, compare_cols, stored, n)
        if len(matched_pos):
            is_new[matched_pos] = False
        if candidates is not None and len(candidates):
            changed = self.changes.apply_differences(
                table, candidates, compare_cols, stored, self.detected_format, owns
            )
        unchanged = len(matched_pos) - changed
        self._fill_now(table, stored, cols, n)
        new_idx = np.flatnonzero(is_new)
        if hashes is not None:
            stored[HASH_COLUMN] = hashes
            cols.append(HASH_COLUMN)
            self._store_hashes(table, stored, matched_pos)
        if len(new_idx):
            self.store.insert_records(table, cols, stored, new_idx)
        if "contact_id" in stored and len(matched_pos):
            self.people.link_stored(table, stored, matched_pos)
        counts["inserted"] = len(new_idx)
        counts["updated"] += changed
        counts["unchanged"] += unchanged
        if kind == "contacts":
            self.people.forget()
        return counts

    def _one_term_a_renewal(
        self,
        frame: pd.DataFrame,
        stored: dict[str, list[Any]],
        result: WriteResult,
        counts: dict[str, int],
    ) -> dict[str, list[Any]]:
        """One renewal from a contract export and from a renewal opportunity is one term
        (services/importing/contract_writing.py): the incoming terms merged into a stored
        one are counted there and left out of the usual write."""
        left, merged, same, notes = merge_second_sources(self.store, self.changes, frame, stored)
        result.notes.extend(notes)
        counts["updated"] += merged
        counts["unchanged"] += same
        if left.all():
            return stored
        return {c: [v for v, k in zip(vs, left, strict=True) if k] for c, vs in stored.items()}

    def _customers_of(
        self, kind: str, frame: pd.DataFrame, result: WriteResult
    ) -> tuple[pd.DataFrame, np.ndarray[Any, Any]]:
        """Each row's customer (and person: services/importing/person_records.py); a
        contact-role export keeps only the rows whose contacts exist."""
        if KNOWN_ONLY in frame.columns:
            return known_contacts(self.store, frame, result)
        if KNOWN_CUSTOMERS in frame.columns:  # an activity file: never a new customer
            frame, customer_ids = known_customers(self.store, self.identities, frame, result)
        else:
            customer_ids = self.identities.resolve_refs(frame, result)
        if kind == "contacts":  # who is no longer in the export has left
            mark_left(self.store, self.changes, frame, customer_ids, result)
        if kind in PERSON_TABLES:
            frame = self.people.named(frame, customer_ids)
        return frame, customer_ids

    def _stored_forms(
        self, table: str, frame: pd.DataFrame, cols: list[str], customer_ids: list[Any]
    ) -> dict[str, list[Any]]:
        """The rows' values in the form the database stores them, by column (``cols``
        gains the interactions' campaign type)."""
        defaults = DEFAULTS.get(table, {})
        n = len(frame)
        stored: dict[str, list[Any]] = {"customer_id": customer_ids}
        for c in cols:
            if c in frame.columns:
                stored[c] = self.store.to_storage(c, frame[c])
                default = defaults.get(c)
                if default is not None and None in stored[c]:  # a C scan, usually no gap
                    stored[c] = [default if v is None else v for v in stored[c]]
            else:
                stored[c] = [defaults[c]] * n
        if table == "interactions" and "attributes" in frame.columns:  # models/campaigns.py
            stored["campaign_type"] = campaign_types(stored["kind"], frame["attributes"].tolist())
            cols.append("campaign_type")
        return stored

    def _fill_now(self, table: str, stored: dict[str, list[Any]], cols: list[str], n: int) -> None:
        """The columns that default to the run's time (an opportunity's created_at)."""
        for c in NOW_DEFAULT.get(table, ()):
            if c in stored:
                if None in stored[c]:
                    stored[c] = [self.store.now_stored if v is None else v for v in stored[c]]
            else:
                stored[c] = [self.store.now_stored] * n
                cols.append(c)

    def _none_stored(self, table: str, frame: pd.DataFrame) -> bool:
        """Whether the table holds no record of any of the frame's sources (a first
        import of them): then every row is new and nothing needs comparing."""
        sources = pd.unique(frame["source"].to_numpy(dtype=object))
        return not any(
            self.store.fetchall(f"SELECT 1 FROM {table} WHERE source = ? LIMIT 1", (str(s),))
            for s in sources
        )

    def _insert_sliced(
        self,
        table: str,
        frame: pd.DataFrame,
        cols: list[str],
        customer_ids: np.ndarray[Any, Any],
        hashes: Any,
    ) -> dict[str, int]:
        """Insert rows none of which is stored yet, SLICE_ROWS at a time: their stored
        forms are made and written a slice at a time, so memory does not grow with the
        file. The same rows in the same order, so the same ids, as one insert of all."""
        n = len(frame)
        self.store.check_customers(customer_ids)  # once, not a lookup per slice
        for start in range(0, n, SLICE_ROWS):
            self.store.check_cancelled()
            stop = min(start + SLICE_ROWS, n)
            part_cols = list(cols)
            part = frame.iloc[start:stop]
            ids = customer_ids[start:stop].tolist()
            stored = self._stored_forms(table, part, part_cols, ids)
            self._fill_now(table, stored, part_cols, stop - start)
            if hashes is not None:
                stored[HASH_COLUMN] = hashes[start:stop]
                part_cols.append(HASH_COLUMN)
            rows = np.arange(stop - start)
            self.store.insert_records(table, part_cols, stored, rows, customers_checked=True)
            del stored, part
        return {"inserted": n, "updated": 0, "unchanged": 0}

    def _store_hashes(
        self, table: str, stored: dict[str, list[Any]], matched: np.ndarray[Any, Any]
    ) -> None:
        """The rows of a hashed file that were already stored (compared in full) get the
        hash of the file row they now match (services/importing/rowhash.py)."""
        if not len(matched):
            return
        hashes = stored[HASH_COLUMN]
        values = hashes[matched].tolist() if isinstance(hashes, np.ndarray) else None
        rows = (
            (
                hashes[i] if values is None else values[k],
                stored["source"][i],
                stored["external_id"][i],
            )
            for k, i in enumerate(matched.tolist())
        )
        self.store.executemany(
            f"UPDATE {table} SET {HASH_COLUMN} = ? WHERE source = ? AND external_id = ?", rows
        )

    # --- the batch --------------------------------------------------------------------

    def write(self, batch: Batch) -> WriteResult:
        """Write a whole batch: customers first, then each kind of record."""
        result = WriteResult()
        self.store.file_name = (
            batch.file.replace("\\", "/").rsplit("/", 1)[-1] or self.store.file_name
        )
        self.detected_format = batch.detected_format
        order = ("customers", *CHILD_TABLES)
        kinds = [k for k in order if k in batch.frames and not batch.frames[k].empty]
        for step, kind in enumerate(kinds):
            self.store.check_cancelled()
            self._report(step / max(len(kinds), 1), f"writing {kind} from {self.store.file_name}")
            frame = batch.frames[kind]
            if kind == "customers":
                counts = self.identities.write_customers(frame, result)
            else:
                counts = self.write_records(kind, frame, result)
            result.by_kind[kind] = counts
            result.inserted += counts["inserted"]
            result.updated += counts["updated"]
            result.unchanged += counts["unchanged"]
        settled = settle_customers(self.store, self.changes, self.contract_customers)
        if settled:
            result.notes.append(
                f"{settled:,} renewal{'' if settled == 1 else 's'} found: a contract term "
                "that follows an earlier term of the same contract"
            )
        self.changes.write()
        self.store.finish()
        return result


def _stored_columns(table: str, frame: pd.DataFrame) -> list[str]:
    """The table's stored columns the frame fills (or that have a default)."""
    defaults = DEFAULTS.get(table, {})
    return [c for c in COLUMNS[table] if c in frame.columns or c in defaults]


def _hash_values(frame: pd.DataFrame) -> Any:
    """The rows' hashes (services/importing/rowhash.py): an int64 array when every row has
    one (turned into Python ints a chunk at a time when written), else a list with None
    for the rows without; None when the file's rows are not hashed."""
    if HASH_COLUMN not in frame.columns:
        return None
    column = frame[HASH_COLUMN]
    if column.dtype == np.int64:
        return column.to_numpy()
    return column.tolist()


def _repeated_ids(frame: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """The rows whose (source, external_id) a later row repeats; by the id alone when every
    row has the same source (one hash of a million ids instead of two and a combination)."""
    source = frame["source"].to_numpy(dtype=object)
    first = source[0] if len(source) else None
    if isinstance(first, str) and bool((source == first).all()):
        return np.asarray(frame["external_id"].duplicated(keep="last").to_numpy(), dtype=bool)
    repeated = frame.duplicated(subset=["source", "external_id"], keep="last")
    return np.asarray(repeated.to_numpy(), dtype=bool)

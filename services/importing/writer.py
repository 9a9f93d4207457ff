"""Writing a canonical Batch into the workspace, inside the caller's transaction.

Identity: a customer is found by (source, external_id) in customer_identities, then by
normalised email; missing customers are created and their ids recorded. When one customer
record's ids lead to two existing customers, they are merged (children re-pointed, the
newer customer deleted) and the merge is logged so that undo can split them again.

Records (orders, interactions, opportunities, subscriptions) are upserted by
(source, external_id): new ones inserted with the run's ``import_run_id``; existing ones
compared column by column and updated only when something differs, with the values they
had before written to import_changes (undo restores them).

Speed: everything is bulk ``executemany`` through the DBAPI cursor with values already in
the form the database stores (on SQLite: datetimes as the text SQLAlchemy writes), and
identity lookups are dictionaries in memory; there are no ORM objects per row.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice, repeat
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

import models.schema  # noqa: F401  (registers every table in Base.metadata)
from models.base import Base
from models.vocab import GUEST_EXTERNAL_ID
from services.importing.canonical import STORED_COLUMNS, Batch
from services.importing.types import ImportCancelled

__all__ = ["CHILD_TABLES", "WriteResult", "Writer", "storage_timestamp"]

CHUNK = 50_000

CHILD_TABLES = ("orders", "interactions", "opportunities", "subscriptions")
# Every table whose rows point at a customer (a merge re-points them all), read from the
# schema so that a new table is never missed: the import runs with SQLite's foreign key
# actions off, so nothing cascades behind the writer's back. The rollups are rebuilt.
CUSTOMER_CHILDREN = tuple(
    t.name
    for t in Base.metadata.sorted_tables
    if t.name != "customer_rollups"
    and "id" in t.c
    and any(fk.column.table.name == "customers" for fk in t.foreign_keys)
)

# Stored columns per table (besides id, customer_id, import_run_id), in insert order:
# defined once, beside the canonical columns they come from.
COLUMNS = STORED_COLUMNS
DATETIME_COLUMNS = frozenset(
    {
        "order_date",
        "occurred_at",
        "created_at",
        "stage_changed_at",
        "started_at",
        "current_period_end",
        "canceled_at",
        "updated_at",
        "finished_at",
        "started",
    }
)
DATE_COLUMNS = frozenset({"signup_date", "close_date"})
BOOL_COLUMNS = frozenset({"do_not_contact", "closed", "won", "cancel_at_period_end"})
INT_COLUMNS = frozenset({"amount_cents", "items", "rating", "utc_offset_minutes"})
FLOAT_COLUMNS = frozenset({"sentiment", "probability"})
JSON_COLUMNS = frozenset({"attributes"})
# NOT NULL columns: the value used when a record does not give one (never compared then).
DEFAULTS: dict[str, dict[str, Any]] = {
    "orders": {"currency": "USD", "status": "paid"},
    "opportunities": {"currency": "USD", "closed": False, "won": False, "name": ""},
    "subscriptions": {"currency": "USD", "cancel_at_period_end": False, "status": "unknown"},
    "interactions": {"kind": "note"},
    "customers": {"do_not_contact": False},
}
NOW_DEFAULT = {"opportunities": ("created_at",)}


def storage_timestamp(value: dt.datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite (naive UTC text, microseconds)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def storage_timestamps(stamps: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Naive UTC datetime64 values as SQLite text (``storage_timestamp``); NaT -> None.

    Formats each distinct value once: an export's timestamps repeat (a million orders
    fall on a few thousand days), and formatting is the costly part.
    """
    arr = np.asarray(stamps, dtype="datetime64[us]")
    n = len(arr)
    out = np.empty(n, dtype=object)
    if n == 0:
        return out
    codes, uniques = pd.factorize(arr.view(np.int64))
    distinct = uniques.view("datetime64[us]") if len(uniques) * 2 <= n else arr
    text = np.strings.replace(np.datetime_as_string(distinct, unit="us"), "T", " ").astype(object)
    text[np.isnat(distinct)] = None
    out[:] = text[codes] if distinct is not arr else text
    return out


@dataclass
class WriteResult:
    """What writing one batch did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    customers_created: int = 0
    merged: int = 0
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _all_none(values: list[Any]) -> bool:
    return values.count(None) == len(values)


def _sql_literal(value: Any) -> str | None:
    """A SQLite literal for a plain value, or None when it is better bound."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if type(value) is int and -(2**63) <= value < 2**63:
        return str(value)
    if type(value) is str and len(value) <= 255 and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(value is pd.NA or value is pd.NaT)
    except TypeError:
        return False


def _json_value(value: Any) -> Any:
    """Before-values that JSON has no type for: PostgreSQL hands back dates, datetimes and
    Decimals where SQLite hands back text and numbers. Written as ISO text (and numbers),
    which both databases read back into those columns on undo."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot log a before-value of type {type(value).__name__}")


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
        self.conn = conn
        self.run_id = run_id
        self.sqlite = conn.dialect.name == "sqlite"
        self.ph = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self._cancelled = cancelled
        self._progress = progress
        self.now = dt.datetime.now(dt.UTC)
        self.now_stored = self._stored_datetime_scalar(self.now)
        self.ids: dict[tuple[str, str], int] = {}
        self.emails: dict[str, int] = {}
        self._loaded_sources: set[str] = set()
        self._emails_loaded = False
        self._guests: dict[str, int] = {}
        self._guest_ids: set[int] = set()
        self._next_customer_id = 0
        self.changes: list[tuple[str, int, dict[str, Any]]] = []
        # Customers this run inserted, and customers it deleted (merged into another).
        self._created: set[int] = set()
        self._deleted: set[int] = set()
        self.file_name = "this file"
        self.detected_format: str | None = None

    # --- small helpers ----------------------------------------------------------------

    def check_cancelled(self) -> None:
        """Raise ImportCancelled when the user asked to stop."""
        if self._cancelled is not None and self._cancelled():
            raise ImportCancelled(f"Import cancelled; nothing from {self.file_name} was saved.")

    def _report(self, fraction: float, message: str) -> None:
        if self._progress is not None:
            self._progress(fraction, message)

    def _sql(self, text: str) -> str:
        return text if self.ph == "?" else text.replace("?", self.ph)

    def _cursor(self) -> Any:
        return self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]

    def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self._cursor()
        try:
            cur.execute(self._sql(sql), tuple(params))
            return list(cur.fetchall())
        finally:
            cur.close()

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """executemany in chunks (cancel is checked between them); rows may be an iterator."""
        it = iter(rows)
        cur = self._cursor()
        try:
            while chunk := list(islice(it, CHUNK)):
                self.check_cancelled()
                cur.executemany(self._sql(sql), chunk)
        finally:
            cur.close()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        cur = self._cursor()
        try:
            cur.execute(self._sql(sql), tuple(params))
        finally:
            cur.close()

    def _stored_datetime_scalar(self, value: dt.datetime) -> Any:
        if self.sqlite:
            return storage_timestamp(value)
        if value.tzinfo is None:  # a column stored without a zone holds UTC already
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def normalise_fetched(self, column: str, value: Any) -> Any:
        """A fetched value in the form the writer produces (for comparisons and undo)."""
        if value is None:
            return None
        if column in JSON_COLUMNS:
            if isinstance(value, str):
                return value
            return json.dumps(value, sort_keys=True)
        if column in BOOL_COLUMNS:
            return bool(value)
        if isinstance(value, dt.datetime):
            return self._stored_datetime_scalar(value)
        if isinstance(value, dt.date) and self.sqlite:
            return value.isoformat()
        return value

    def to_storage(self, column: str, values: Any) -> list[Any]:
        """A canonical column as a list of values in the database's stored form."""
        series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
        n = len(series)
        if n == 0:
            return []
        if column in DATETIME_COLUMNS:
            stamps = pd.to_datetime(series, utc=True, errors="coerce")
            naive = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
            arr = naive.to_numpy(dtype="datetime64[us]")
            if self.sqlite:
                texts: list[Any] = storage_timestamps(arr).tolist()
                return texts
            out = arr.astype(object)
            out[np.isnat(arr)] = None
            return list(out.tolist())
        if column in DATE_COLUMNS:
            result: list[Any] = []
            for v in series.tolist():
                if _is_missing(v):
                    result.append(None)
                elif isinstance(v, dt.datetime):
                    d = v.date()
                    result.append(d.isoformat() if self.sqlite else d)
                elif isinstance(v, dt.date):
                    result.append(v.isoformat() if self.sqlite else v)
                else:
                    result.append(str(v))
            return result
        if column in BOOL_COLUMNS:
            return [None if _is_missing(v) else bool(v) for v in series.tolist()]
        if column in INT_COLUMNS:
            if series.dtype.kind in "iu":
                return list(series.tolist())
            numeric = pd.to_numeric(series, errors="coerce")
            mask = numeric.isna().to_numpy()
            ints = np.array(numeric.fillna(0).round().astype("int64").tolist(), dtype=object)
            ints[mask] = None
            return list(ints)
        if column in FLOAT_COLUMNS:
            numeric = pd.to_numeric(series, errors="coerce").astype("float64")
            mask = numeric.isna().to_numpy()
            floats = np.array(numeric.tolist(), dtype=object)
            floats[mask] = None
            return list(floats)
        if column in JSON_COLUMNS:
            return [
                None
                if v is None or (isinstance(v, float) and math.isnan(v)) or v == {}
                else json.dumps(v, sort_keys=True)
                for v in series.tolist()
            ]
        return list(series.to_numpy(dtype=object, na_value=None))

    # --- identities -------------------------------------------------------------------

    def load_identities(self, sources: Iterable[str]) -> None:
        """Load (source, external_id) -> customer for these sources, and emails, once."""
        todo = sorted({s for s in sources if s} - self._loaded_sources)
        if todo:
            marks = ",".join("?" * len(todo))
            for source, external_id, customer_id in self._fetchall(
                "SELECT source, external_id, customer_id FROM customer_identities "
                f"WHERE source IN ({marks})",
                todo,
            ):
                self.ids[(source, external_id)] = customer_id
            # Customers carry their own (source, external_id) too (the demo, older imports).
            for source, external_id, customer_id in self._fetchall(
                "SELECT source, external_id, id FROM customers "
                f"WHERE external_id IS NOT NULL AND source IN ({marks})",
                todo,
            ):
                if external_id == GUEST_EXTERNAL_ID:
                    self._guests[source] = customer_id
                    self._guest_ids.add(customer_id)
                    continue
                self.ids.setdefault((source, external_id), customer_id)
            self._loaded_sources.update(todo)
        if not self._emails_loaded:
            for email, customer_id in self._fetchall(
                "SELECT email_normalized, id FROM customers WHERE email_normalized IS NOT NULL "
                "ORDER BY id DESC"
            ):
                self.emails[email] = customer_id  # the oldest customer wins
            rows = self._fetchall("SELECT COALESCE(MAX(id), 0) FROM customers")
            self._next_customer_id = int(rows[0][0]) + 1
            self._emails_loaded = True

    def _new_customer_id(self) -> int:
        cid = self._next_customer_id
        self._next_customer_id += 1
        return cid

    def _insert_customers(self, rows: list[dict[str, Any]]) -> None:
        """Insert new customers (dicts with id and COLUMNS["customers"] values)."""
        if rows:
            keys = ("id", *COLUMNS["customers"])
            self._insert_customer_columns({k: [r.get(k) for r in rows] for k in keys})

    def _insert_customer_columns(self, data: dict[str, list[Any]]) -> None:
        """Insert new customers given column-wise (``id`` plus any COLUMNS["customers"])."""
        ids = data["id"]
        n = len(ids)
        if n == 0:
            return
        stored: dict[str, list[Any]] = {}
        for c in COLUMNS["customers"]:
            values = data.get(c)
            if values is None or all(v is None for v in values):
                continue  # left out: NULL (or the column default, for do_not_contact)
            stored[c] = self.to_storage(c, values)
        if "do_not_contact" in stored:
            stored["do_not_contact"] = [bool(v) for v in stored["do_not_contact"]]
        else:
            stored["do_not_contact"] = [False] * n
        cols = ("id", *stored, "import_run_id", "created_at", "updated_at")
        now = self.now_stored
        tuples = zip(ids, *stored.values(), repeat(self.run_id), repeat(now), repeat(now))
        marks = ",".join("?" * len(cols))
        self._executemany(f"INSERT INTO customers ({','.join(cols)}) VALUES ({marks})", tuples)
        self._created.update(int(i) for i in ids)

    def _insert_identities(self, pairs: list[tuple[str, str, int]]) -> None:
        if not pairs:
            return
        self.check_customers([c for _s, _e, c in pairs])
        self._executemany(
            "INSERT INTO customer_identities (source, external_id, customer_id, import_run_id) "
            "VALUES (?,?,?,?)",
            [(s, e, c, self.run_id) for s, e, c in pairs],
        )

    def guest_customer(self, source: str) -> int:
        """The single guest customer of a source (created on first use)."""
        if source in self._guests:
            return self._guests[source]
        rows = self._fetchall(
            "SELECT id FROM customers WHERE source = ? AND external_id = ?",
            (source, GUEST_EXTERNAL_ID),
        )
        if rows:
            cid = int(rows[0][0])
        else:
            cid = self._new_customer_id()
            self._insert_customers(
                [
                    {
                        "id": cid,
                        "external_id": GUEST_EXTERNAL_ID,
                        "source": source,
                        "name": f"Guest checkouts ({source})",
                        "do_not_contact": True,
                        "attributes": {"guest": True},
                    }
                ]
            )
        self._guests[source] = cid
        self._guest_ids.add(cid)
        return cid

    def resolve_refs(self, frame: pd.DataFrame, result: WriteResult) -> np.ndarray[Any, Any]:
        """customer_id for each row of a child frame (creating missing customers)."""
        n = len(frame)

        def col(name: str) -> np.ndarray[Any, Any] | None:
            """The column as objects with None for missing; None when absent or empty."""
            if name not in frame.columns:
                return None
            values: np.ndarray[Any, Any] = frame[name].to_numpy(dtype=object)
            missing = pd.isna(values)
            if missing.all():
                return None
            if missing.any():
                values = values.copy()
                values[missing] = None
            return values

        src = col("customer_source")
        fallback = col("source")
        if src is None:
            src = fallback
        elif fallback is not None:
            src = np.where(pd.isna(src), fallback, src)
        ext = col("customer_external_id")
        email = col("customer_email")
        guest = (
            frame["guest"].fillna(False).astype(bool).to_numpy()
            if "guest" in frame.columns
            else np.zeros(n, dtype=bool)
        )
        self.load_identities(() if src is None else [v for v in pd.unique(src) if v is not None])
        # The distinct (source, external id, email) references, each resolved once.
        codes = np.zeros(n, dtype=np.int64)
        count = 1
        for part in (src, ext, email):
            if part is None:
                continue
            part_codes, part_uniques = pd.factorize(part, use_na_sentinel=True)
            codes, distinct = pd.factorize(codes * (len(part_uniques) + 1) + (part_codes + 1))
            count = len(distinct)
        first_index = np.full(count, n, dtype=np.int64)
        np.minimum.at(first_index, codes, np.arange(n))

        def firsts(values: np.ndarray[Any, Any] | None) -> list[Any]:
            return [None] * count if values is None else values[first_index].tolist()

        src_l, ext_l, email_l = firsts(src), firsts(ext), firsts(email)
        names, companies = firsts(col("customer_name")), firsts(col("customer_company"))
        guest = guest[first_index]
        resolved = np.zeros(count, dtype=np.int64)
        # New customers, column by column (no dict per customer).
        new: dict[str, list[Any]] = {
            k: [] for k in ("id", "external_id", "source", "email", "name", "company")
        }
        new_ids: list[tuple[str, str, int]] = []
        ids, emails = self.ids, self.emails
        for u in range(count):
            s, e, m = src_l[u], ext_l[u], email_l[u]
            if guest[u] and e is None and m is None:
                resolved[u] = self.guest_customer(s or "import")
                continue
            cid = ids.get((s, e)) if e is not None else None
            if cid is None and m is not None:
                cid = emails.get(m)
                if cid is not None and e is not None and s is not None:
                    ids[(s, e)] = cid
                    new_ids.append((s, e, cid))
            if cid is None:
                if e is None and m is None:
                    continue  # left 0: no customer (the adapter should have rejected it)
                cid = self._new_customer_id()
                new["id"].append(cid)
                new["external_id"].append(e)
                new["source"].append(s or "import")
                new["email"].append(m)
                new["name"].append(names[u])
                new["company"].append(companies[u])
                if e is not None and s is not None:
                    ids[(s, e)] = cid
                    new_ids.append((s, e, cid))
                if m is not None:
                    emails.setdefault(m, cid)
            resolved[u] = cid
        new["email_normalized"] = new["email"]
        self._insert_customer_columns(new)
        self._insert_identities(new_ids)
        result.customers_created += len(new["id"])
        out: np.ndarray[Any, Any] = resolved[codes]
        return out

    # --- customers --------------------------------------------------------------------

    def write_customers(self, frame: pd.DataFrame, result: WriteResult) -> dict[str, int]:
        """Upsert customer records; merge customers that turn out to be one."""
        counts = {"inserted": 0, "updated": 0, "unchanged": 0}
        if frame.empty:
            return counts
        n = len(frame)
        sources = set(frame["source"].dropna().astype(str).tolist())
        identities = frame["identities"].tolist() if "identities" in frame.columns else [None] * n
        for pairs in identities:
            if pairs:
                sources.update(str(p[0]) for p in pairs)
        self.load_identities(sources)

        def col(name: str) -> list[Any]:
            if name not in frame.columns:
                return [None] * n
            return [None if _is_missing(v) else v for v in frame[name].tolist()]

        email_raw = col("email")
        emails = [
            str(v).strip().lower() if isinstance(v, str) and v.strip() else None for v in email_raw
        ]
        src = col("source")
        ext = [str(v) if v is not None else None for v in col("external_id")]
        fields = [
            c
            for c in COLUMNS["customers"]
            if c not in ("external_id", "source", "email_normalized") and c in frame.columns
        ]
        values = {c: col(c) for c in fields}
        # Per customer: the incoming non-empty values (later rows win).
        incoming: dict[int, dict[str, Any]] = {}
        created: dict[int, dict[str, Any]] = {}
        new_identities: list[tuple[str, str, int]] = []
        merges: list[tuple[int, int]] = []  # (loser, survivor) among stored customers
        merged_into: dict[int, int] = {}
        for i in range(n):
            keys: list[tuple[str, str]] = []
            ext_i = ext[i]
            if ext_i is not None and src[i] is not None:
                keys.append((str(src[i]), ext_i))
            for pair in identities[i] or ():
                if pair and pair[1] not in (None, ""):
                    keys.append((str(pair[0]), str(pair[1])))
            # The record's ids and its email all name the customer: two customers found
            # this way are one person.
            found = {self.ids[k] for k in keys if k in self.ids}
            email_i = emails[i]
            if email_i is not None and email_i in self.emails:
                found.add(self.emails[email_i])
            found = {merged_into.get(c, c) for c in found} - self._guest_ids
            if len(found) > 1:
                survivor = min(found)  # existing customers have the smaller ids
                for loser in sorted(found - {survivor}):
                    merged_into[loser] = survivor
                    for old_id, into_id in list(merged_into.items()):
                        if into_id == loser:
                            merged_into[old_id] = survivor
                    self._remap(loser, survivor)
                    folded = created.pop(loser, None)
                    if folded is None:
                        merges.append((loser, survivor))
                        folded = incoming.pop(loser, {})
                    else:
                        folded = {
                            fk: fv
                            for fk, fv in folded.items()
                            if fk not in ("source", "external_id")
                        }
                    into = (
                        created[survivor]
                        if survivor in created
                        else incoming.setdefault(survivor, {})
                    )
                    for fk, fv in folded.items():
                        into.setdefault(fk, fv)
                cid = survivor
            elif found:
                cid = found.pop()
            else:
                cid = self._new_customer_id()
                created[cid] = {"source": src[i] or "import", "external_id": ext[i]}
            for k in keys:
                if k not in self.ids:
                    self.ids[k] = cid
                    new_identities.append((k[0], k[1], cid))
            if email_i is not None:
                self.emails.setdefault(email_i, cid)
            row_values = {c: values[c][i] for c in fields if values[c][i] is not None}
            if emails[i] is not None:
                row_values["email"] = str(email_raw[i]).strip()
                row_values["email_normalized"] = emails[i]
            target = created[cid] if cid in created else incoming.setdefault(cid, {})
            if cid not in created and ext_i is not None and src[i] is not None:
                target.setdefault("__key", (str(src[i]), ext_i))
            attrs = row_values.pop("attributes", None)
            if attrs:
                merged = dict(target.get("attributes") or {})
                merged.update(attrs)
                target["attributes"] = merged
            target.update(row_values)
        # Merges of stored customers: their rows follow the survivor before anything else.
        for loser, survivor in merges:
            self._merge(loser, merged_into.get(survivor, survivor))
        result.merged += len(merged_into)
        if merged_into:
            result.notes.append(
                f"{len(merged_into):,} customer record(s) turned out to be the same person as "
                "another and were merged (undo splits them again)"
            )
        new_rows = []
        for cid, vals in created.items():
            row = {"id": cid, **vals}
            if row.get("email") and not row.get("email_normalized"):
                row["email_normalized"] = str(row["email"]).lower()
            new_rows.append(row)
        self._insert_customers(new_rows)
        seen_pairs: set[tuple[str, str]] = set()
        identity_rows = []
        for s_, e_, c_ in new_identities:
            if (s_, e_) not in seen_pairs:
                seen_pairs.add((s_, e_))
                identity_rows.append((s_, e_, merged_into.get(c_, c_)))
        self._insert_identities(identity_rows)
        counts["inserted"] = len(new_rows)
        result.customers_created += len(new_rows)
        updated, unchanged = self._update_customers(incoming)
        counts["updated"] = updated
        counts["unchanged"] = unchanged
        return counts

    def _remap(self, loser: int, survivor: int) -> None:
        for k, v in list(self.ids.items()):
            if v == loser:
                self.ids[k] = survivor
        for k2, v2 in list(self.emails.items()):
            if v2 == loser:
                self.emails[k2] = survivor

    def _merge(self, loser: int, survivor: int) -> None:
        """Re-point every row of ``loser`` to ``survivor``, then delete ``loser`` (logged)."""
        for table in CUSTOMER_CHILDREN:
            ids = [
                r[0]
                for r in self._fetchall(f"SELECT id FROM {table} WHERE customer_id = ?", (loser,))
            ]
            for row_id in ids:
                self.changes.append((table, int(row_id), {"customer_id": loser}))
            if ids:
                self._execute(
                    f"UPDATE {table} SET customer_id = ? WHERE customer_id = ?", (survivor, loser)
                )
        self._execute("DELETE FROM customer_rollups WHERE customer_id = ?", (loser,))
        names = ["id"] + list(COLUMNS["customers"]) + ["import_run_id", "created_at", "updated_at"]
        rows = self._fetchall(
            f"SELECT {','.join(names)} FROM customers WHERE id IN (?, ?)", (loser, survivor)
        )
        by_id = {
            int(r[0]): {c: self.normalise_fetched(c, v) for c, v in zip(names, r, strict=True)}
            for r in rows
        }
        gone, kept = by_id.get(loser), by_id.get(survivor)
        if gone is None or kept is None:
            return
        # Nothing is thrown away: the survivor takes what only the other one knew.
        fill: dict[str, Any] = {}
        for c in COLUMNS["customers"]:
            if c in ("source", "external_id", "attributes"):
                continue
            if kept.get(c) in (None, "") and gone.get(c) not in (None, ""):
                fill[c] = gone[c]
        if gone.get("do_not_contact") and not kept.get("do_not_contact"):
            fill["do_not_contact"] = True
        gone_attrs = json.loads(gone["attributes"]) if gone.get("attributes") else {}
        kept_attrs = json.loads(kept["attributes"]) if kept.get("attributes") else {}
        if isinstance(gone_attrs, dict) and isinstance(kept_attrs, dict):
            merged_attrs = {**gone_attrs, **kept_attrs}
            if merged_attrs != kept_attrs:
                fill["attributes"] = json.dumps(merged_attrs, sort_keys=True)
        if fill:
            self.changes.append(("customers", survivor, {c: kept.get(c) for c in fill}))
            sets = ", ".join(f"{c} = ?" for c in fill)
            self._execute(f"UPDATE customers SET {sets} WHERE id = ?", (*fill.values(), survivor))
        own = (gone.get("source"), gone.get("external_id"))
        before = dict(gone)
        before["__deleted__"] = True
        self.changes.append(("customers", loser, before))
        self._execute("DELETE FROM customers WHERE id = ?", (loser,))
        self._deleted.add(loser)
        if own[1] is not None and own[0] is not None:
            # The merged-away customer's own id keeps leading to the survivor.
            key = (str(own[0]), str(own[1]))
            if not self._fetchall(
                "SELECT 1 FROM customer_identities WHERE source = ? AND external_id = ?", key
            ):
                self._insert_identities([(key[0], key[1], survivor)])
            self.ids[key] = survivor

    def _update_customers(self, incoming: dict[int, dict[str, Any]]) -> tuple[int, int]:
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
            for row in self._fetchall(
                f"SELECT id, {','.join(fetched)} FROM customers WHERE id IN ({marks})", part
            ):
                current[int(row[0])] = {
                    c: self.normalise_fetched(c, v) for c, v in zip(fetched, row[1:], strict=True)
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
                        del new[c]
            stored = {c: self.to_storage(c, [v])[0] for c, v in new.items() if c in cols}
            diff = {c: v for c, v in stored.items() if v != now.get(c)}
            if not diff:
                unchanged += 1
                continue
            before = {c: now.get(c) for c in diff}
            before["updated_at"] = now.get("updated_at")
            self.changes.append(("customers", cid, before))
            updates.append((cid, diff))
        for cid, diff in updates:
            sets = ", ".join(f"{c} = ?" for c in diff)
            self._execute(
                f"UPDATE customers SET {sets}, updated_at = ? WHERE id = ?",
                (*diff.values(), self.now_stored, cid),
            )
        return len(updates), unchanged

    # --- records ----------------------------------------------------------------------

    def write_records(self, kind: str, frame: pd.DataFrame, result: WriteResult) -> dict[str, int]:
        """Upsert one kind of record by (source, external_id)."""
        counts = {"inserted": 0, "updated": 0, "unchanged": 0}
        if frame.empty:
            return counts
        frame = frame.reset_index(drop=True)
        # A record repeated in one file: the last one wins.
        dup = frame.duplicated(subset=["source", "external_id"], keep="last").to_numpy()
        if dup.any():
            result.notes.append(
                f"{int(dup.sum()):,} {kind} row(s) repeat the id of a later row in the same "
                "file; the later row was kept"
            )
            frame = frame.loc[~dup].reset_index(drop=True)
        self.check_cancelled()
        customer_ids = self.resolve_refs(frame, result)
        self.check_cancelled()
        table = kind
        defaults = DEFAULTS.get(table, {})
        cols = [c for c in COLUMNS[table] if c in frame.columns or c in defaults]
        n = len(frame)
        stored: dict[str, list[Any]] = {"customer_id": customer_ids.tolist()}
        for c in cols:
            if c in frame.columns:
                stored[c] = self.to_storage(c, frame[c])
                default = defaults.get(c)
                if default is not None:
                    stored[c] = [default if v is None else v for v in stored[c]]
            else:
                stored[c] = [defaults[c]] * n
        compare_cols = ["customer_id"] + [c for c in cols if c not in ("external_id", "source")]
        is_new = np.ones(n, dtype=bool)
        unchanged = 0
        changed = 0
        matched_pos, candidates = self._match_existing(table, compare_cols, stored, n)
        if len(matched_pos):
            is_new[matched_pos] = False
        if candidates is not None and len(candidates):
            changed = self._apply_differences(table, candidates, compare_cols, stored)
        unchanged = len(matched_pos) - changed
        for c in NOW_DEFAULT.get(table, ()):
            if c in stored:
                stored[c] = [self.now_stored if v is None else v for v in stored[c]]
            else:
                stored[c] = [self.now_stored] * n
                cols.append(c)
        new_idx = np.flatnonzero(is_new)
        if len(new_idx):
            self._insert_records(table, cols, stored, new_idx)
        counts["inserted"] = len(new_idx)
        counts["updated"] = changed
        counts["unchanged"] = unchanged
        return counts

    def _run_formats(self, run_ids: Iterable[Any]) -> dict[int, str | None]:
        """detected_format of import runs (cached)."""
        cache: dict[int, str | None] = self.__dict__.setdefault("_formats_cache", {})
        todo = sorted({int(r) for r in run_ids if r is not None} - set(cache))
        for start in range(0, len(todo), 500):
            part = todo[start : start + 500]
            marks = ",".join("?" * len(part))
            for run_id, fmt in self._fetchall(
                f"SELECT id, detected_format FROM import_runs WHERE id IN ({marks})", part
            ):
                cache[int(run_id)] = fmt
        return cache

    def _apply_differences(
        self,
        table: str,
        candidates: pd.DataFrame,
        compare_cols: list[str],
        stored: dict[str, list[Any]],
    ) -> int:
        """Update the stored rows that differ from the incoming ones; how many were updated.

        The export that inserted a record owns it: a newer export of the same format
        overwrites every field it gives. Another format of the same source (a Salesforce
        report after the data export) only fills what is empty, so that two views of one
        record do not overwrite each other back and forth on every import. Attributes
        are merged, the owner's values winning.
        """
        formats = self._run_formats(
            r for r in candidates["import_run_id"].tolist() if not _is_missing(r)
        )
        now_default = NOW_DEFAULT.get(table, ())
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        updated = 0
        for record in candidates.to_dict("records"):
            i = int(record["_i"])
            run = record["import_run_id"]
            owner = _is_missing(run) or formats.get(int(run)) in (None, self.detected_format)
            diff: dict[str, Any] = {}
            for c in compare_cols:
                new, old = stored[c][i], record[c]
                if _is_missing(old):
                    old = None
                if new is None and c in now_default:
                    continue
                if c in JSON_COLUMNS:
                    old_d = json.loads(old) if isinstance(old, str) and old else {}
                    new_d = json.loads(new) if isinstance(new, str) and new else {}
                    merged = {**old_d, **new_d} if owner else {**new_d, **old_d}
                    new = json.dumps(merged, sort_keys=True) if merged else None
                elif not owner and old not in (None, ""):
                    continue
                if new != old:
                    diff[c] = new
            if not diff:
                continue
            updated += 1
            row_id = int(record["id"])
            self.changes.append((table, row_id, {c: record[c] for c in diff}))
            groups.setdefault(tuple(diff), []).append((*diff.values(), row_id))
        for changed_cols, rows in groups.items():
            if "customer_id" in changed_cols:
                self.check_customers([r[changed_cols.index("customer_id")] for r in rows])
            sets = ", ".join(f"{c} = ?" for c in changed_cols)
            self._executemany(f"UPDATE {table} SET {sets} WHERE id = ?", rows)
        return updated

    def _match_existing(
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
            if not self._fetchall(f"SELECT 1 FROM {table} WHERE source = ? LIMIT 1", (source,)):
                continue
            mine = np.flatnonzero(sources == source)
            compare = self._compare_rows if self.sqlite else self._compare_columns
            for positions, differs, ids in compare(table, source, compare_cols, stored, mine):
                self.check_cancelled()
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
        cur = self._cursor()
        try:
            cur.execute(
                self._sql(
                    f"SELECT {', '.join(names)} FROM {table} WHERE source = ? "
                    "AND external_id IS NOT NULL"
                ),
                (source,),
            )
            while rows := cur.fetchmany(CHUNK * 2):
                yield rows
        finally:
            cur.close()

    def _compare_rows(
        self,
        table: str,
        source: str,
        compare_cols: list[str],
        stored: dict[str, list[Any]],
        mine: np.ndarray[Any, Any],
    ) -> Iterator[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
        """SQLite: compare whole rows as tuples (the driver returns values as written).

        Yields, per chunk of stored rows: the incoming positions found stored, the
        positions of those where some column differs, and the stored ids of the latter.
        Columns the database fills in are compared only where the file gives a value.
        """
        now_default = NOW_DEFAULT.get(table, ())
        plain = [c for c in compare_cols if c not in now_default]
        filled = [c for c in compare_cols if c in now_default]
        every = len(mine) == len(stored["source"])  # one source: no need to pick

        def pick(c: str) -> list[Any]:
            return stored[c] if every else np.asarray(stored[c], dtype=object)[mine].tolist()

        # The incoming rows as tuples, plus a sentinel that equals no stored row.
        incoming: list[Any] = (
            list(zip(*(pick(c) for c in plain), strict=True)) if plain else [()] * len(mine)
        )
        incoming.append(None)
        extra = [pick(c) for c in filled]
        # Incoming ids are unique per source (duplicates were folded before).
        index = pd.Index(pick("external_id"), dtype=object)
        width = len(plain)
        values_of = itemgetter(slice(1, 1 + width))  # a stored row's plain columns
        names = ["external_id", *plain, *filled, "id"]
        for rows in self._stored_rows(table, source, names):
            # C-level loops throughout (map, itemgetter): no Python code runs per row.
            where = index.get_indexer(list(map(itemgetter(0), rows)))
            hit = where >= 0
            where[~hit] = len(incoming) - 1
            wanted = list(map(incoming.__getitem__, where.tolist()))
            same = np.fromiter(
                map(operator.eq, map(values_of, rows), wanted), dtype=bool, count=len(rows)
            )
            for k, column in enumerate(extra):
                for j in np.flatnonzero(same).tolist():
                    value = column[int(where[j])]
                    if value is not None and value != rows[j][1 + width + k]:
                        same[j] = False
            differs = np.flatnonzero(hit & ~same)
            ids = np.fromiter((rows[j][-1] for j in differs.tolist()), dtype=np.int64)
            yield mine[where[hit]], mine[where[differs]], ids

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
        for rows in self._stored_rows(table, source, ["id", "external_id", *compare_cols]):
            columns = list(zip(*rows, strict=True))
            del rows
            where = incoming_index.get_indexer(columns[1])
            hit = where >= 0
            positions = mine[where[hit]]
            differs = np.zeros(len(positions), dtype=bool)
            for k, c in enumerate(compare_cols):
                before = np.array(
                    [self.normalise_fetched(c, v) for v in columns[k + 2]], dtype=object
                )[hit]
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
        for c in compare_cols:
            column = part[c].astype(object)
            column = column.where(column.notna(), None)
            if not self.sqlite or c in JSON_COLUMNS:
                column = column.map(lambda v, c=c: self.normalise_fetched(c, v))
            part[c] = column
        return part

    def _fetch_rows(self, table: str, compare_cols: list[str], ids: list[int]) -> pd.DataFrame:
        """Stored rows by id (id, import_run_id + compare columns), in the order of ``ids``."""
        names = ["id", "import_run_id", *compare_cols]
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows += self._fetchall(
                f"SELECT {', '.join(names)} FROM {table} WHERE id IN ({marks})", part
            )
        frame = self._frame(rows, names, compare_cols)
        order = pd.Index(frame["id"].tolist()).get_indexer(ids)
        return frame.iloc[order].reset_index(drop=True)

    def _insert_records(
        self, table: str, cols: list[str], stored: dict[str, list[Any]], idx: np.ndarray[Any, Any]
    ) -> None:
        """Insert the rows ``idx`` of the stored columns, in chunks (bounded memory).

        Rows go to executemany as plain tuples zipped from the columns. On SQLite a column
        holding one value in every row (source, currency, status...) is written as a SQL
        literal instead of being bound a million times; columns that are NULL throughout
        are left out.
        """
        if len(idx) == 0:
            return
        self.check_customers(np.asarray(stored["customer_id"], dtype=np.int64)[idx])
        full = len(idx) == len(stored["customer_id"])
        names = ["customer_id"] + [c for c in cols if not _all_none(stored[c])]
        literals: dict[str, str] = {"import_run_id": str(int(self.run_id))}
        if self.sqlite and len(idx) > 1:
            for c in names[1:]:
                values = stored[c]
                first = values[int(idx[0])]
                if not full or values.count(first) != len(values):
                    continue
                # == holds across types (1 == 1.0 == True): a literal only for one type.
                kind = type(first)
                if kind is str or first is None or all(type(v) is kind for v in values):
                    literal = _sql_literal(first)
                    if literal is not None:
                        literals[c] = literal
        bound = [c for c in names if c not in literals]
        ph = "?" if self.ph == "?" else "%s"
        marks = ",".join(literals.get(c, ph) for c in [*names, "import_run_id"])
        sql = f"INSERT INTO {table} ({','.join(names)},import_run_id) VALUES ({marks})"
        arrays = None if full else {c: np.asarray(stored[c], dtype=object) for c in bound}
        cur = self._cursor()
        try:
            for start in range(0, len(idx), CHUNK):
                self.check_cancelled()
                if arrays is None:
                    parts = [stored[c][start : start + CHUNK] for c in bound]
                else:
                    sel = idx[start : start + CHUNK]
                    parts = [arrays[c][sel].tolist() for c in bound]
                cur.executemany(sql, zip(*parts, strict=True))
        finally:
            cur.close()

    def check_customers(self, customer_ids: np.ndarray[Any, Any] | Sequence[int]) -> None:
        """Fail unless every customer id about to be written names an existing customer.

        The import transaction runs with SQLite's foreign key checks off (they cost a
        parent lookup per row); this check replaces them: ids this run inserted are known,
        any other id is looked up once.
        """
        distinct = np.unique(np.asarray(customer_ids, dtype=np.int64))
        if len(distinct) == 0:
            return
        if distinct[0] <= 0:
            raise RuntimeError(f"{self.file_name}: a record reached the writer without a customer")
        created, deleted = self._created, self._deleted
        todo = [int(c) for c in distinct.tolist() if c in deleted or c not in created]
        found: set[int] = set()
        for start in range(0, len(todo), 500):
            part = todo[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(
                int(r[0])
                for r in self._fetchall(f"SELECT id FROM customers WHERE id IN ({marks})", part)
            )
        missing = [c for c in todo if c not in found]
        if missing:
            raise RuntimeError(
                f"{self.file_name}: records would point at missing customers {missing[:5]}"
            )

    def write_changes(self) -> None:
        """Log the before-values of everything this run updated or merged."""
        self._executemany(
            "INSERT INTO import_changes (import_run_id, table_name, row_id, before) "
            "VALUES (?,?,?,?)",
            [
                (self.run_id, t, r, json.dumps(b, sort_keys=True, default=_json_value))
                for t, r, b in self.changes
            ],
        )

    def finish(self) -> None:
        """Keep PostgreSQL's id sequence ahead of the ids given to new customers."""
        if not self.sqlite:
            self._execute(
                "SELECT setval(pg_get_serial_sequence('customers', 'id'), "
                "(SELECT COALESCE(MAX(id), 1) FROM customers))"
            )

    # --- the batch --------------------------------------------------------------------

    def write(self, batch: Batch) -> WriteResult:
        """Write a whole batch: customers first, then each kind of record."""
        result = WriteResult()
        self.file_name = batch.file.replace("\\", "/").rsplit("/", 1)[-1] or self.file_name
        self.detected_format = batch.detected_format
        order = ("customers", *CHILD_TABLES)
        kinds = [k for k in order if k in batch.frames and not batch.frames[k].empty]
        for step, kind in enumerate(kinds):
            self.check_cancelled()
            self._report(step / max(len(kinds), 1), f"writing {kind} from {self.file_name}")
            frame = batch.frames[kind]
            if kind == "customers":
                counts = self.write_customers(frame, result)
            else:
                counts = self.write_records(kind, frame, result)
            result.by_kind[kind] = counts
            result.inserted += counts["inserted"]
            result.updated += counts["updated"]
            result.unchanged += counts["unchanged"]
        self.write_changes()
        self.finish()
        return result

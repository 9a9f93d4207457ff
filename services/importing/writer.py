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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from models.vocab import GUEST_EXTERNAL_ID
from services.importing.canonical import Batch
from services.importing.types import ImportCancelled

__all__ = ["CHILD_TABLES", "WriteResult", "Writer", "storage_timestamp"]

CHUNK = 50_000

CHILD_TABLES = ("orders", "interactions", "opportunities", "subscriptions")
# Every table with a customer_id column (a merge re-points them all).
CUSTOMER_CHILDREN = CHILD_TABLES + (
    "customer_identities",
    "alerts",
    "actions",
    "outreach",
    "score_snapshots",
)

# Stored columns per table (besides id, customer_id, import_run_id), in insert order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": (
        "external_id",
        "source",
        "email",
        "email_normalized",
        "name",
        "company",
        "phone",
        "owner",
        "tier",
        "region",
        "signup_date",
        "do_not_contact",
        "attributes",
    ),
    "orders": (
        "external_id",
        "source",
        "order_date",
        "amount_cents",
        "currency",
        "status",
        "channel",
        "category",
        "items",
        "attributes",
    ),
    "interactions": (
        "external_id",
        "source",
        "kind",
        "occurred_at",
        "channel",
        "subject",
        "text",
        "sentiment",
        "rating",
        "status",
        "satisfaction",
        "attributes",
    ),
    "opportunities": (
        "external_id",
        "source",
        "name",
        "type",
        "stage",
        "amount_cents",
        "currency",
        "probability",
        "created_at",
        "stage_changed_at",
        "close_date",
        "closed",
        "won",
        "owner",
        "attributes",
    ),
    "subscriptions": (
        "external_id",
        "source",
        "plan",
        "status",
        "started_at",
        "current_period_end",
        "canceled_at",
        "cancel_at_period_end",
        "amount_cents",
        "currency",
        "interval",
        "attributes",
    ),
}
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
INT_COLUMNS = frozenset({"amount_cents", "items", "rating"})
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


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(value is pd.NA or value is pd.NaT)
    except TypeError:
        return False


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

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        cur = self._cursor()
        try:
            for start in range(0, len(rows), CHUNK):
                self.check_cancelled()
                cur.executemany(self._sql(sql), rows[start : start + CHUNK])
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
            missing = np.isnat(arr)
            if self.sqlite:
                text = np.datetime_as_string(arr, unit="us")
                text = np.strings.replace(text, "T", " ")
                out = text.astype(object)
            else:
                out = arr.astype(object)
            out[missing] = None
            return list(out.tolist()) if not self.sqlite else list(out)
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
        if not rows:
            return
        cols = ("id",) + COLUMNS["customers"] + ("import_run_id", "created_at", "updated_at")
        frame = pd.DataFrame(rows)
        data: dict[str, list[Any]] = {}
        for c in COLUMNS["customers"]:
            if c in frame.columns:
                data[c] = self.to_storage(c, frame[c])
            else:
                data[c] = [None] * len(frame)
        data["do_not_contact"] = [
            bool(v) if v is not None else False for v in data["do_not_contact"]
        ]
        n = len(frame)
        tuples = list(
            zip(
                frame["id"].tolist(),
                *(data[c] for c in COLUMNS["customers"]),
                [self.run_id] * n,
                [self.now_stored] * n,
                [self.now_stored] * n,
                strict=True,
            )
        )
        marks = ",".join("?" * len(cols))
        self._executemany(f"INSERT INTO customers ({','.join(cols)}) VALUES ({marks})", tuples)

    def _insert_identities(self, pairs: list[tuple[str, str, int]]) -> None:
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

        def col(name: str) -> pd.Series:
            if name in frame.columns:
                s = frame[name].astype(object)
                return s.where(s.notna(), None)
            return pd.Series([None] * n, dtype=object, index=frame.index)

        src = col("customer_source")
        source_fallback = col("source")
        src = src.where(src.notna(), source_fallback)
        ext = col("customer_external_id")
        email = col("customer_email")
        guest = (
            frame["guest"].fillna(False).astype(bool).to_numpy()
            if "guest" in frame.columns
            else np.zeros(n, dtype=bool)
        )
        self.load_identities(set(src.dropna().tolist()))
        combined = np.zeros(n, dtype=np.int64)
        for part in (src, ext, email):
            part_codes, part_uniques = pd.factorize(part, use_na_sentinel=True)
            combined = combined * (len(part_uniques) + 1) + (part_codes + 1)
        codes, uniques = pd.factorize(combined)
        first_index = np.full(len(uniques), n, dtype=np.int64)
        np.minimum.at(first_index, codes, np.arange(n))
        names = col("customer_name").tolist()
        companies = col("customer_company").tolist()
        src_l, ext_l, email_l = src.tolist(), ext.tolist(), email.tolist()
        resolved = np.zeros(len(uniques), dtype=np.int64)
        new_rows: list[dict[str, Any]] = []
        new_ids: list[tuple[str, str, int]] = []
        for u, i in enumerate(first_index):
            s, e, m = src_l[i], ext_l[i], email_l[i]
            if guest[i] and e is None and m is None:
                resolved[u] = self.guest_customer(s or "import")
                continue
            cid = self.ids.get((s, e)) if e is not None else None
            if cid is None and m is not None:
                cid = self.emails.get(m)
                if cid is not None and e is not None and s is not None:
                    self.ids[(s, e)] = cid
                    new_ids.append((s, e, cid))
            if cid is None:
                if e is None and m is None:
                    resolved[u] = 0  # the adapter should have rejected it
                    continue
                cid = self._new_customer_id()
                new_rows.append(
                    {
                        "id": cid,
                        "external_id": e,
                        "source": s or "import",
                        "email": m,
                        "email_normalized": m,
                        "name": names[i],
                        "company": companies[i],
                    }
                )
                if e is not None and s is not None:
                    self.ids[(s, e)] = cid
                    new_ids.append((s, e, cid))
                if m is not None:
                    self.emails.setdefault(m, cid)
            resolved[u] = cid
        self._insert_customers(new_rows)
        self._insert_identities(new_ids)
        result.customers_created += len(new_rows)
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
            sets = ", ".join(f"{c} = ?" for c in changed_cols)
            self._executemany(f"UPDATE {table} SET {sets} WHERE id = ?", rows)
        return updated

    def _match_existing(
        self, table: str, compare_cols: list[str], stored: dict[str, list[Any]], n: int
    ) -> tuple[np.ndarray[Any, Any], pd.DataFrame | None]:
        """Incoming rows already stored, and the stored values of those that differ.

        Returns the positions of the incoming rows whose (source, external_id) is stored,
        and a frame (``_i`` = incoming position, ``id``, the compare columns as stored) of
        the ones where some column differs. The comparison runs column by column over
        numpy object arrays: a re-import of a million unchanged rows builds no per-row
        Python structures beyond the fetched values.
        """
        sources = np.asarray(stored["source"], dtype=object)
        externals = np.asarray(stored["external_id"], dtype=object)
        matched: list[np.ndarray[Any, Any]] = []
        candidates: list[pd.DataFrame] = []
        names = ["id", "external_id", *compare_cols]
        incoming_values = {c: np.array(stored[c], dtype=object) for c in compare_cols}
        now_default = NOW_DEFAULT.get(table, ())
        for source in sorted({str(v) for v in sources.tolist()}):
            if not self._fetchall(f"SELECT 1 FROM {table} WHERE source = ? LIMIT 1", (source,)):
                continue
            mine = np.flatnonzero(sources == source)
            # Incoming ids are unique per source (duplicates were folded before).
            incoming_index = pd.Index(externals[mine])
            cur = self._cursor()
            try:
                cur.execute(
                    self._sql(
                        f"SELECT {', '.join(names)} FROM {table} WHERE source = ? "
                        "AND external_id IS NOT NULL"
                    ),
                    (source,),
                )
                # In chunks: memory stays bounded however big the table is.
                while rows := cur.fetchmany(CHUNK * 2):
                    self.check_cancelled()
                    columns = list(zip(*rows, strict=True))
                    del rows
                    where = incoming_index.get_indexer(columns[1])
                    hit = where >= 0
                    if not hit.any():
                        continue
                    positions = mine[where[hit]]
                    matched.append(positions)
                    differs = np.zeros(len(positions), dtype=bool)
                    for k, c in enumerate(compare_cols):
                        before = np.array(columns[k + 2], dtype=object)[hit]
                        if not self.sqlite:
                            before = np.array(
                                [self.normalise_fetched(c, v) for v in before], dtype=object
                            )
                        incoming = incoming_values[c][positions]
                        d = np.asarray(incoming != before, dtype=bool)
                        if c in now_default:
                            d &= np.asarray([v is not None for v in incoming], dtype=bool)
                        differs |= d
                    if differs.any():
                        ids = np.asarray(columns[0], dtype=np.int64)[hit][differs]
                        part = self._fetch_rows(table, compare_cols, ids.tolist())
                        part["_i"] = positions[differs]
                        candidates.append(part)
            finally:
                cur.close()
        positions_all = np.concatenate(matched) if matched else np.zeros(0, dtype=np.int64)
        frame = pd.concat(candidates, ignore_index=True) if candidates else None
        return positions_all, frame

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
        """Insert the rows ``idx`` of the stored columns, in chunks (bounded memory)."""
        n_all = len(stored["customer_id"])
        full = len(idx) == n_all
        names = ["customer_id"] + [
            c
            for c in cols
            if any(v is not None for v in stored[c])  # all-NULL: left out
        ]
        sql = self._sql(
            f"INSERT INTO {table} ({','.join(names)},import_run_id) "
            f"VALUES ({','.join('?' * (len(names) + 1))})"
        )
        arrays = None if full else {c: np.asarray(stored[c], dtype=object) for c in names}
        cur = self._cursor()
        try:
            for start in range(0, len(idx), CHUNK):
                self.check_cancelled()
                if arrays is None:
                    parts = [stored[c][start : start + CHUNK] for c in names]
                else:
                    sel = idx[start : start + CHUNK]
                    parts = [arrays[c][sel].tolist() for c in names]
                parts.append([self.run_id] * len(parts[0]))
                cur.executemany(sql, list(zip(*parts, strict=True)))
        finally:
            cur.close()

    def write_changes(self) -> None:
        """Log the before-values of everything this run updated or merged."""
        self._executemany(
            "INSERT INTO import_changes (import_run_id, table_name, row_id, before) "
            "VALUES (?,?,?,?)",
            [(self.run_id, t, r, json.dumps(b, sort_keys=True)) for t, r, b in self.changes],
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
            self._report(step / max(len(kinds), 1), f"writing {kind}")
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

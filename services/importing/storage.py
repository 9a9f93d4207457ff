"""The database side of the import writer: values in the form the database stores them,
and the bulk statements that put rows there.

``Store`` holds one import run's connection. Everything goes through its DBAPI cursor as
``executemany`` in chunks (cancel is checked between them), with values already in stored
form (on SQLite: datetimes as the text SQLAlchemy writes); there are no ORM objects per
row. It inserts new customers, their ids and new records, and checks every customer id
before it is written, in place of the foreign key checks the import transaction turns
off. Beside it: the stored column types and defaults per table, and ``WriteResult``, what
writing one batch did.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice, repeat
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from services.importing.bulkinsert import insert_columns
from services.importing.canonical import STORED_COLUMNS
from services.importing.types import ImportCancelled

__all__ = [
    "BOOL_COLUMNS",
    "CHUNK",
    "COLUMNS",
    "DEFAULTS",
    "JSON_COLUMNS",
    "NOW_DEFAULT",
    "Store",
    "WriteResult",
    "is_missing",
    "storage_timestamp",
]

CHUNK = 50_000

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
        "tracking_opted_out_at",
    }
)
DATE_COLUMNS = frozenset({"signup_date", "close_date", "start_date", "end_date", "decided_on"})
BOOL_COLUMNS = frozenset({"do_not_contact", "closed", "won", "cancel_at_period_end", "auto_renew"})
INT_COLUMNS = frozenset(
    {
        "amount_cents",
        "items",
        "rating",
        "utc_offset_minutes",
        "notice_days",
        "seats",
        "renewed_amount_cents",
        "subscription_id",
        "contact_id",
    }
)
FLOAT_COLUMNS = frozenset({"sentiment", "probability"})
JSON_COLUMNS = frozenset({"attributes"})
# NOT NULL columns: the value used when a record does not give one (never compared then).
DEFAULTS: dict[str, dict[str, Any]] = {
    "orders": {"currency": "USD", "status": "paid"},
    "opportunities": {"currency": "USD", "closed": False, "won": False, "name": ""},
    "subscriptions": {"currency": "USD", "cancel_at_period_end": False, "status": "unknown"},
    "interactions": {"kind": "note"},
    "customers": {"do_not_contact": False},
    "contracts": {
        "currency": "USD",
        "period": "year",
        "auto_renew": False,
        "notice_days": 0,
        "outcome": "open",
    },
}
NOW_DEFAULT = {"opportunities": ("created_at",), "contacts": ("created_at",)}


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
    rejects: list[tuple[int, str]] = field(default_factory=list)  # (row, reason) found writing


def _same_throughout(values: list[Any], first: Any) -> bool:
    """Whether every value equals ``first``: a few samples first (a column that varies
    usually shows it at once), then a full count."""
    n = len(values)
    for i in (n - 1, n // 2, n // 3, n // 7):
        if values[i] != first:
            return False
    return values.count(first) == n


def _all_none(values: list[Any] | np.ndarray[Any, Any]) -> bool:
    """Whether every value is None (an empty column too): a few samples first, as
    ``_same_throughout``, since a column with values usually shows one at once."""
    if isinstance(values, np.ndarray):
        return values.dtype == object and bool((values == None).all())  # noqa: E711
    return not values or _same_throughout(values, None)


def _values(part: list[Any] | np.ndarray[Any, Any]) -> list[Any]:
    """A chunk of a stored column as Python values (what the driver binds)."""
    return part.tolist() if isinstance(part, np.ndarray) else part


def sql_literal(value: Any) -> str | None:
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


def is_missing(value: Any) -> bool:
    """None, NaN, pd.NA or pd.NaT."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(value is pd.NA or value is pd.NaT)
    except TypeError:
        return False


class Store:
    """One import run's connection (inside the caller's transaction): stored forms, bulk
    statements, and the customers this run inserted or deleted."""

    def __init__(
        self,
        conn: Connection,
        run_id: int,
        *,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        self.conn = conn
        self.run_id = run_id
        self.sqlite = conn.dialect.name == "sqlite"
        self.ph = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self._cancelled = cancelled
        self.now = dt.datetime.now(dt.UTC)
        self.now_stored = self.stored_datetime_scalar(self.now)
        # Customers this run inserted, and customers it deleted (merged into another).
        self.created: set[int] = set()
        self.deleted: set[int] = set()
        self.file_name = "this file"

    def check_cancelled(self) -> None:
        """Raise ImportCancelled when the user asked to stop."""
        if self._cancelled is not None and self._cancelled():
            raise ImportCancelled(f"Import cancelled; nothing from {self.file_name} was saved.")

    def sql(self, text: str) -> str:
        """``text`` with the driver's placeholder in place of ``?``."""
        return text if self.ph == "?" else text.replace("?", self.ph)

    def cursor(self) -> Any:
        """A DBAPI cursor of the connection (the caller closes it)."""
        return self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one query."""
        cur = self.cursor()
        try:
            cur.execute(self.sql(sql), tuple(params))
            return list(cur.fetchall())
        finally:
            cur.close()

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """executemany in chunks (cancel is checked between them); rows may be an iterator."""
        it = iter(rows)
        cur = self.cursor()
        try:
            while chunk := list(islice(it, CHUNK)):
                self.check_cancelled()
                cur.executemany(self.sql(sql), chunk)
        finally:
            cur.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement."""
        cur = self.cursor()
        try:
            cur.execute(self.sql(sql), tuple(params))
        finally:
            cur.close()

    def stored_datetime_scalar(self, value: dt.datetime) -> Any:
        """One datetime in the form the database stores."""
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
            return self.stored_datetime_scalar(value)
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
                if is_missing(v):
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
            return [None if is_missing(v) else bool(v) for v in series.tolist()]
        if column in INT_COLUMNS:
            # A nullable integer column (Int64) with a gap goes the general way: its gaps
            # are stored as NULL, never as pandas' NA.
            if series.dtype.kind in "iu" and not (series.dtype == object or series.hasnans):
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

    def insert_customers(self, rows: list[dict[str, Any]]) -> None:
        """Insert new customers (dicts with id and COLUMNS["customers"] values)."""
        if rows:
            keys = ("id", *COLUMNS["customers"])
            self.insert_customer_columns({k: [r.get(k) for r in rows] for k in keys})

    def insert_customer_columns(self, data: dict[str, list[Any]]) -> None:
        """Insert new customers given column-wise (``id`` plus any COLUMNS["customers"])."""
        ids = data["id"]
        n = len(ids)
        if n == 0:
            return
        stored: dict[str, list[Any]] = {}
        for c in COLUMNS["customers"]:
            values = data.get(c)
            if values is None or _all_none(values):
                continue  # left out: NULL (or the column default, for do_not_contact)
            stored[c] = self.to_storage(c, values)
        if "do_not_contact" in stored:
            stored["do_not_contact"] = [bool(v) for v in stored["do_not_contact"]]
        else:
            stored["do_not_contact"] = [False] * n
        cols = ("id", *stored, "import_run_id", "created_at", "updated_at")
        now = self.now_stored
        if self.sqlite:
            run_id, stamp = str(int(self.run_id)), sql_literal(now)
            marks = ",".join(["?"] * (1 + len(stored)) + [run_id, stamp or "?", stamp or "?"])
            columns = [list(ids), *stored.values()]
            if stamp is None:
                columns += [[now] * n, [now] * n]
            self.insert_columns(f"INSERT INTO customers ({','.join(cols)})", f"({marks})", columns)
        else:
            tuples = zip(ids, *stored.values(), repeat(self.run_id), repeat(now), repeat(now))
            marks = ",".join("?" * len(cols))
            self.executemany(f"INSERT INTO customers ({','.join(cols)}) VALUES ({marks})", tuples)
        self.created.update(map(int, ids))

    def insert_identities(self, pairs: list[tuple[str, str, int]]) -> None:
        """Record (source, external_id) -> customer pairs in customer_identities."""
        if not pairs:
            return
        self.check_customers([c for _s, _e, c in pairs])
        head = "INSERT INTO customer_identities (source, external_id, customer_id, import_run_id)"
        if self.sqlite:
            sources, externals, customers = (list(c) for c in zip(*pairs, strict=True))
            marks = f"(?,?,?,{int(self.run_id)})"
            self.insert_columns(head, marks, [sources, externals, customers])
            return
        self.executemany(f"{head} VALUES (?,?,?,?)", [(s, e, c, self.run_id) for s, e, c in pairs])

    def insert_new_identities(self, pairs: list[tuple[str, str, int]]) -> None:
        """The identities of customers this run has just inserted with these (source,
        external_id) pairs, their ids contiguous and ascending. On SQLite one INSERT ...
        SELECT reads them back from those customers instead of binding three values a
        row (about 0.1 s of CPU for 100,000): the same rows in the same order as
        insert_identities, which any other case (and PostgreSQL) goes through."""
        first, last = (pairs[0][2], pairs[-1][2]) if pairs else (0, -1)
        if not self.sqlite or last - first + 1 != len(pairs) or not pairs:
            self.insert_identities(pairs)
            return
        self.check_customers([first, last])
        cur = self.cursor()
        try:
            cur.execute(
                "INSERT INTO customer_identities (source, external_id, customer_id, "
                "import_run_id) SELECT source, external_id, id, ? FROM customers "
                "WHERE id BETWEEN ? AND ? ORDER BY id",
                (int(self.run_id), int(first), int(last)),
            )
            written = cur.rowcount
        finally:
            cur.close()
        if written != len(pairs):
            raise RuntimeError(f"{self.file_name}: {written} identities for {len(pairs)} customers")

    def insert_columns(self, head: str, marks: str, columns: Sequence[list[Any]]) -> None:
        """SQLite: rows given column-wise, inserted a chunk at a time (cancel is checked
        between chunks) by multi-row statements (services/importing/bulkinsert.py)."""
        cur = self.cursor()
        try:
            for start in range(0, len(columns[0]), CHUNK):
                self.check_cancelled()
                insert_columns(cur, head, marks, [c[start : start + CHUNK] for c in columns])
        finally:
            cur.close()

    def insert_records(
        self,
        table: str,
        cols: list[str],
        stored: dict[str, Any],
        idx: np.ndarray[Any, Any],
        *,
        customers_checked: bool = False,
    ) -> None:
        """Insert the rows ``idx`` of the stored columns, in chunks (bounded memory).

        Rows go to executemany as plain tuples zipped from the columns (lists, or numeric
        arrays turned into Python values a chunk at a time). On SQLite a column
        holding one value in every row (source, currency, status...) is written as a SQL
        literal instead of being bound a million times; columns that are NULL throughout
        are left out. ``customers_checked``: the caller checked the rows' customers.
        """
        if len(idx) == 0:
            return
        if not customers_checked:
            self.check_customers(np.asarray(stored["customer_id"], dtype=np.int64)[idx])
        full = len(idx) == len(stored["customer_id"])
        names = ["customer_id"] + [c for c in cols if not _all_none(stored[c])]
        literals: dict[str, str] = {"import_run_id": str(int(self.run_id))}
        if self.sqlite and len(idx) > 1:
            for c in names[1:]:
                values = stored[c]
                if isinstance(values, np.ndarray):
                    continue  # a numeric column computed per row (the row hashes)
                first = values[int(idx[0])]
                if not full or not _same_throughout(values, first):
                    continue
                # == holds across types (1 == 1.0 == True): a literal only for one type.
                kind = type(first)
                if kind is str or first is None or all(type(v) is kind for v in values):
                    literal = sql_literal(first)
                    if literal is not None:
                        literals[c] = literal
        bound = [c for c in names if c not in literals]
        ph = "?" if self.ph == "?" else "%s"
        marks = ",".join(literals.get(c, ph) for c in [*names, "import_run_id"])
        sql = f"INSERT INTO {table} ({','.join(names)},import_run_id) VALUES ({marks})"
        arrays = None if full else {c: np.asarray(stored[c], dtype=object) for c in bound}
        cur = self.cursor()
        try:
            for start in range(0, len(idx), CHUNK):
                self.check_cancelled()
                if arrays is None:
                    parts = [_values(stored[c][start : start + CHUNK]) for c in bound]
                else:
                    sel = idx[start : start + CHUNK]
                    parts = [arrays[c][sel].tolist() for c in bound]
                if self.sqlite:  # services/importing/bulkinsert.py
                    head, _, row_marks = sql.partition(" VALUES ")
                    insert_columns(cur, head, row_marks, parts)
                else:
                    cur.executemany(sql, zip(*parts, strict=True))
        finally:
            cur.close()

    def check_customers(self, customer_ids: np.ndarray[Any, Any] | Sequence[int]) -> None:
        """Fail unless every customer id about to be written names an existing customer.

        The import transaction runs with SQLite's foreign key checks off (they cost a
        parent lookup per row); this check replaces them: ids this run inserted are known,
        any other id is looked up once.
        """
        # A hash of the distinct ids, not a sort of a million of them.
        distinct = np.sort(pd.unique(np.asarray(customer_ids, dtype=np.int64)))
        if len(distinct) == 0:
            return
        if distinct[0] <= 0:
            raise RuntimeError(f"{self.file_name}: a record reached the writer without a customer")
        created, deleted = self.created, self.deleted
        todo = [int(c) for c in distinct.tolist() if c in deleted or c not in created]
        found: set[int] = set()
        for start in range(0, len(todo), 500):
            part = todo[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(
                int(r[0])
                for r in self.fetchall(f"SELECT id FROM customers WHERE id IN ({marks})", part)
            )
        missing = [c for c in todo if c not in found]
        if missing:
            raise RuntimeError(
                f"{self.file_name}: records would point at missing customers {missing[:5]}"
            )

    def highest_customer_id(self) -> int:
        """The highest customer id ever given out: new customers are numbered above it.

        Not only ``MAX(customers.id)``: a customer merged away by an import is deleted,
        and undoing that import puts it back under its old id, so that id must never go
        to another customer (SQLite, without AUTOINCREMENT, would hand out a deleted
        highest rowid again). The ids undo may restore are in import_changes; the id
        counters of SQLite (sqlite_sequence, when present) and PostgreSQL count too.
        """
        queries = [
            "SELECT MAX(id) FROM customers",
            "SELECT MAX(row_id) FROM import_changes WHERE table_name = 'customers'",
        ]
        if self.sqlite:
            if self.fetchall("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"):
                queries.append("SELECT MAX(seq) FROM sqlite_sequence WHERE name = 'customers'")
        else:
            # pg_sequences shows NULL (not an error) to an account that may not read it.
            queries.append(
                "SELECT MAX(last_value) FROM pg_sequences "
                "WHERE quote_ident(schemaname) || '.' || quote_ident(sequencename) = "
                "pg_get_serial_sequence('customers', 'id')"
            )
        highest = 0
        for sql in queries:
            value = self.fetchall(sql)[0][0]
            if value is not None:
                highest = max(highest, int(value))
        return highest

    def finish(self) -> None:
        """Keep PostgreSQL's id sequence ahead of the ids given to new customers (never
        moved back: an id a merged-away customer had is restored by undo, never reused)."""
        if not self.sqlite:
            self.execute(
                "SELECT setval(pg_get_serial_sequence('customers', 'id'), "
                "GREATEST((SELECT COALESCE(MAX(id), 1) FROM customers), "
                "(SELECT COALESCE(MAX(row_id), 1) FROM import_changes "
                "WHERE table_name = 'customers'), "
                "(SELECT COALESCE(MAX(last_value), 1) FROM pg_sequences "
                "WHERE quote_ident(schemaname) || '.' || quote_ident(sequencename) = "
                "pg_get_serial_sequence('customers', 'id'))))"
            )

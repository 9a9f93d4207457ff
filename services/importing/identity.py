"""Which stored customer each incoming row belongs to.

A customer is found by (source, external_id) in customer_identities (or on the customer
itself), then by normalised email; missing customers are created and their ids recorded.
Guest checkouts of a source share one hidden guest customer. When one customer record's
ids lead to two existing customers, they are merged (children re-pointed, the newer
customer deleted, the survivor filling in what only the other knew) and every step is
logged in the change log so that undo can split them again. The lookups are
dictionaries in memory, loaded once per source.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

import models.schema  # noqa: F401  (registers every table in Base.metadata)
from models.base import Base
from models.vocab import GUEST_EXTERNAL_ID
from services.importing.changes import ChangeTracker
from services.importing.storage import COLUMNS, Store, WriteResult, is_missing
from services.importing.usage.merge import merge_usage_days
from services.importing.values import email_key, without_invisible

__all__ = ["CUSTOMER_CHILDREN", "Identities"]

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


def _constant(values: np.ndarray[Any, Any]) -> bool:
    """Whether every value is the same text (no missing value among them)."""
    first = values[0] if len(values) else None
    return isinstance(first, str) and bool((values == first).all())


def reference_codes(
    n: int, parts: tuple[np.ndarray[Any, Any] | None, ...]
) -> tuple[np.ndarray[Any, Any], int]:
    """Each row's code among the distinct combinations of the parts' values (numbered in
    the order they first appear), and how many there are. A part with one value in every
    row tells no two rows apart and is passed over."""
    codes = np.zeros(n, dtype=np.int64)
    count = 1
    for part in parts:
        if part is None or _constant(part):
            continue
        part_codes, part_uniques = pd.factorize(part, use_na_sentinel=True)
        if count == 1 and bool((part_codes >= 0).all()):
            # The first part that varies, with no missing value: its codes are already
            # numbered in order of first appearance, which factorizing them again would
            # give back (0.05-0.09 s a million rows).
            codes, count = part_codes.astype(np.int64, copy=False), len(part_uniques)
            continue
        codes, distinct = pd.factorize(codes * (len(part_uniques) + 1) + (part_codes + 1))
        count = len(distinct)
    return codes, count


class Identities:
    """(source, external_id) and email -> customer for one import run, and the customers
    it creates or merges."""

    def __init__(self, store: Store, changes: ChangeTracker) -> None:
        self.store = store
        self.changes = changes
        self.ids: dict[tuple[str, str], int] = {}
        self.emails: dict[str, int] = {}
        self._loaded_sources: set[str] = set()
        self._emails_loaded = False
        self._guests: dict[str, int] = {}
        self._guest_ids: set[int] = set()
        self._next_customer_id = 0
        # Each stored customer's own id, whatever its source: None when two share it.
        self._own_ids: dict[str, int | None] | None = None

    def load(self, sources: Iterable[str]) -> None:
        """Load (source, external_id) -> customer for these sources, and emails, once."""
        todo = sorted({s for s in sources if s} - self._loaded_sources)
        if todo:
            marks = ",".join("?" * len(todo))
            for source, external_id, customer_id in self.store.fetchall(
                "SELECT source, external_id, customer_id FROM customer_identities "
                f"WHERE source IN ({marks})",
                todo,
            ):
                self.ids[(source, external_id)] = customer_id
            # Customers carry their own (source, external_id) too (the demo, older imports).
            for source, external_id, customer_id in self.store.fetchall(
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
            # A contact's address finds their account (people-level records: an order by
            # any of an account's people is the account's); the customers' own come after
            # and win.
            for email, customer_id in self.store.fetchall(
                "SELECT email_normalized, customer_id FROM contacts "
                "WHERE email_normalized IS NOT NULL ORDER BY id DESC"
            ):
                self.emails[email_key(email)] = customer_id
            for email, customer_id in self.store.fetchall(
                "SELECT email_normalized, id FROM customers WHERE email_normalized IS NOT NULL "
                "ORDER BY id DESC"
            ):
                # The oldest customer wins; stored by an older version, an address may
                # still hold an invisible character (a zero-width space): matched without.
                self.emails[email_key(email)] = customer_id
            self._next_customer_id = self.store.highest_customer_id() + 1
            self._emails_loaded = True

    def _by_own_id(self, external_id: str) -> int | None:
        """The one stored customer whose own id is ``external_id``, of any source (None when
        none or several are): a people export naming its account by the id the account was
        imported under ("C000014" from a shop, named as the AccountId of a CRM's contacts)."""
        if self._own_ids is None:
            own: dict[str, int | None] = {}
            for external_id_, customer_id in self.store.fetchall(
                "SELECT external_id, id FROM customers WHERE external_id IS NOT NULL"
            ):
                key = str(external_id_)
                own[key] = None if key in own else customer_id
            self._own_ids = own
        found = self._own_ids.get(external_id)
        return None if found in self._guest_ids else found

    def _new_customer_id(self) -> int:
        cid = self._next_customer_id
        self._next_customer_id += 1
        return cid

    def guest_customer(self, source: str) -> int:
        """The single guest customer of a source (created on first use)."""
        if source in self._guests:
            return self._guests[source]
        rows = self.store.fetchall(
            "SELECT id FROM customers WHERE source = ? AND external_id = ?",
            (source, GUEST_EXTERNAL_ID),
        )
        if rows:
            cid = int(rows[0][0])
        else:
            cid = self._new_customer_id()
            self.store.insert_customers(
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

    def resolve_refs(  # noqa: C901, PLR0915
        self, frame: pd.DataFrame, result: WriteResult, *, create: bool = True
    ) -> np.ndarray[Any, Any]:
        """customer_id for each row of a child frame (creating missing customers; with
        ``create`` False a row whose customer is not stored gets 0)."""
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
        self.load(() if src is None else [v for v in pd.unique(src) if v is not None])
        # The distinct (source, external id, email) references, each resolved once.
        codes, count = reference_codes(n, (src, ext, email))
        first_index = np.full(count, n, dtype=np.int64)
        np.minimum.at(first_index, codes, np.arange(n))

        def firsts(values: np.ndarray[Any, Any] | None) -> list[Any]:
            return [None] * count if values is None else values[first_index].tolist()

        src_l, ext_l, email_l = firsts(src), firsts(ext), firsts(email)
        names, companies = firsts(col("customer_name")), firsts(col("customer_company"))
        guest = guest[first_index]
        if email is None and not guest.any() and create:
            plain = self._resolve_by_ids(src_l, ext_l, names, companies, result)
            if plain is not None:
                by_row: np.ndarray[Any, Any] = plain[codes]
                return by_row
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
                if (e is None and m is None) or not create:
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
        self.store.insert_customer_columns(new)
        self.store.insert_identities(new_ids)
        result.customers_created += len(new["id"])
        out: np.ndarray[Any, Any] = resolved[codes]
        return out

    def _resolve_by_ids(
        self,
        src_l: list[Any],
        ext_l: list[Any],
        names: list[Any],
        companies: list[Any],
        result: WriteResult,
    ) -> np.ndarray[Any, Any] | None:
        """The references of a file that names its customers by id alone (no email, no
        guest checkouts), resolved in bulk: the same answer, and the same new customers
        numbered in the same order, as the row-by-row loop of ``resolve_refs``; None when
        a reference lacks its source or id (the loop decides those)."""
        if None in src_l or None in ext_l:
            return None
        keys = list(zip(src_l, ext_l, strict=True))
        get = self.ids.get
        resolved = np.array([get(k, 0) for k in keys], dtype=np.int64)
        new_pos = np.flatnonzero(resolved == 0)
        start = self._next_customer_id
        resolved[new_pos] = np.arange(start, start + len(new_pos), dtype=np.int64)
        self._next_customer_id = start + len(new_pos)
        positions = new_pos.tolist()
        new_ids: list[Any] = resolved[new_pos].tolist()
        new_src = [src_l[u] for u in positions]
        new_ext = [ext_l[u] for u in positions]
        pairs = list(zip(new_src, new_ext, new_ids, strict=True))
        self.ids.update(zip(zip(new_src, new_ext, strict=True), new_ids, strict=True))
        nothing: list[Any] = [None] * len(positions)
        new = {
            "id": new_ids,
            "external_id": new_ext,
            "source": new_src,
            "email": nothing,
            "name": [names[u] for u in positions],
            "company": [companies[u] for u in positions],
            "email_normalized": nothing,
        }
        self.store.insert_customer_columns(new)
        self.store.insert_new_identities(pairs)  # each new customer's own pair
        result.customers_created += len(positions)
        return resolved

    # --- customers --------------------------------------------------------------------

    def write_customers(self, frame: pd.DataFrame, result: WriteResult) -> dict[str, int]:  # noqa: C901, PLR0915
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
        self.load(sources)

        def col(name: str) -> list[Any]:
            if name not in frame.columns:
                return [None] * n
            return [None if is_missing(v) else v for v in frame[name].tolist()]

        email_raw = col("email")
        others = col("other_emails")
        emails = [email_key(v) or None if isinstance(v, str) else None for v in email_raw]
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
            # The other addresses of the same account (its other people) find it too.
            for other in others[i] or ():
                if email_key(str(other)) in self.emails:
                    found.add(self.emails[email_key(str(other))])
            if not found:
                # An account the record names by an id its own source never gave out: the
                # one stored customer with that id, whichever source it came from.
                for pair in identities[i] or ():
                    named = pair and pair[1] not in (None, "") and str(pair[0]) == src[i]
                    if named and (owner := self._by_own_id(str(pair[1]))) is not None:
                        found.add(owner)
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
                row_values["email"] = without_invisible(str(email_raw[i]))
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
        self.store.insert_customers(new_rows)
        seen_pairs: set[tuple[str, str]] = set()
        identity_rows = []
        for s_, e_, c_ in new_identities:
            if (s_, e_) not in seen_pairs:
                seen_pairs.add((s_, e_))
                identity_rows.append((s_, e_, merged_into.get(c_, c_)))
        self.store.insert_identities(identity_rows)
        counts["inserted"] = len(new_rows)
        result.customers_created += len(new_rows)
        updated, unchanged = self.changes.update_customers(incoming)
        counts["updated"] = updated
        counts["unchanged"] = unchanged
        result.notes.extend(self.changes.kept_notes())
        return counts

    def _remap(self, loser: int, survivor: int) -> None:
        for k, v in list(self.ids.items()):
            if v == loser:
                self.ids[k] = survivor
        for k2, v2 in list(self.emails.items()):
            if v2 == loser:
                self.emails[k2] = survivor

    def _log(self, table: str, row_id: int, before: dict[str, Any]) -> None:
        self.changes.entries.append((table, row_id, before))

    def _merge(self, loser: int, survivor: int) -> None:
        """Re-point every row of ``loser`` to ``survivor``, then delete ``loser`` (logged)."""
        for table in CUSTOMER_CHILDREN:
            if table == "usage_days":  # one row per customer, source and day: fold the pairs
                merge_usage_days(self.store, loser, survivor, self._log)
            ids = [
                r[0]
                for r in self.store.fetchall(
                    f"SELECT id FROM {table} WHERE customer_id = ?", (loser,)
                )
            ]
            for row_id in ids:
                self.changes.entries.append((table, int(row_id), {"customer_id": loser}))
            if ids:
                self.store.execute(
                    f"UPDATE {table} SET customer_id = ? WHERE customer_id = ?", (survivor, loser)
                )
        self.store.execute("DELETE FROM customer_rollups WHERE customer_id = ?", (loser,))
        names = ["id"] + list(COLUMNS["customers"]) + ["import_run_id", "created_at", "updated_at"]
        rows = self.store.fetchall(
            f"SELECT {','.join(names)} FROM customers WHERE id IN (?, ?)", (loser, survivor)
        )
        by_id = {
            int(r[0]): {
                c: self.store.normalise_fetched(c, v) for c, v in zip(names, r, strict=True)
            }
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
            self.changes.entries.append(("customers", survivor, {c: kept.get(c) for c in fill}))
            sets = ", ".join(f"{c} = ?" for c in fill)
            self.store.execute(
                f"UPDATE customers SET {sets} WHERE id = ?", (*fill.values(), survivor)
            )
        own = (gone.get("source"), gone.get("external_id"))
        before = dict(gone)
        before["__deleted__"] = True
        self.changes.entries.append(("customers", loser, before))
        self.store.execute("DELETE FROM customers WHERE id = ?", (loser,))
        self.store.deleted.add(loser)
        if own[1] is not None and own[0] is not None:
            # The merged-away customer's own id keeps leading to the survivor.
            key = (str(own[0]), str(own[1]))
            if not self.store.fetchall(
                "SELECT 1 FROM customer_identities WHERE source = ? AND external_id = ?", key
            ):
                self.store.insert_identities([(key[0], key[1], survivor)])
            self.ids[key] = survivor

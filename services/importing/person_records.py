"""Which person at an account an order, or a ticket by its requester, came from.

A record whose address is one of an account's contacts (models/schema/contacts.py) names
that person in ``contact_id`` (orders and interactions), beside its customer: it rolls up to
the account as before, and the account's People tab counts it for that person. Only a
contact of the customer the record was matched to is named: an address two accounts share
names nobody. A record whose address is no contact's names nobody (a B2C book: every
record is the customer's own).

The lookup is loaded once per import, after the file's own contacts are written (they are
the first of the child tables), and read again when a later file of the same import writes
contacts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from services.importing.storage import Store
from services.importing.values import email_key

__all__ = ["PERSON_TABLES", "People"]

# The tables whose rows can name the person they came from.
PERSON_TABLES = frozenset({"orders", "interactions"})


class People:
    """Address -> (contact, customer) for one import run."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._by_email: dict[str, list[tuple[int, int]]] | None = None

    def forget(self) -> None:
        """Contacts were written: read them again when next needed."""
        self._by_email = None

    def _load(self) -> dict[str, list[tuple[int, int]]]:
        if self._by_email is None:
            found: dict[str, list[tuple[int, int]]] = {}
            for email, contact_id, customer_id in self.store.fetchall(
                "SELECT email_normalized, id, customer_id FROM contacts "
                "WHERE email_normalized IS NOT NULL ORDER BY id"
            ):
                found.setdefault(email_key(str(email)), []).append(
                    (int(contact_id), int(customer_id))
                )
            self._by_email = found
        return self._by_email

    def named(self, frame: pd.DataFrame, customer_ids: np.ndarray[Any, Any]) -> pd.DataFrame:
        """The frame with each row's ``contact_id`` when some row names a person."""
        people = self.contact_ids(frame, customer_ids)
        if people is None:
            return frame
        if "contact_id" in frame.columns:  # a person the file named by id stays named
            given = frame["contact_id"].tolist()
            people = [g if pd.notna(g) else p for g, p in zip(given, people, strict=True)]
        return frame.assign(contact_id=people)

    def link_stored(
        self, table: str, stored: dict[str, list[Any]], positions: np.ndarray[Any, Any]
    ) -> None:
        """Records already stored name the person their row names now (a contact added
        since they were first imported). Not counted as a change of the record: a re-import
        that only links them changes nothing the user wrote, and undoing the import that
        added the person forgets the link (services/importing/history.py)."""
        contacts, sources, ids = stored["contact_id"], stored["source"], stored["external_id"]
        rows = [
            (contacts[i], sources[i], ids[i], contacts[i])
            for i in positions.tolist()
            if contacts[i] is not None and ids[i] is not None
        ]
        if rows:
            self.store.executemany(
                f"UPDATE {table} SET contact_id = ? WHERE source = ? AND external_id = ? "
                "AND (contact_id IS NULL OR contact_id <> ?)",
                rows,
            )

    def contact_ids(
        self, frame: pd.DataFrame, customer_ids: np.ndarray[Any, Any]
    ) -> list[Any] | None:
        """Each row's contact (None when none), or None when no row names one."""
        if "customer_email" not in frame.columns:
            return None
        by_email = self._load()
        if not by_email:
            return None
        codes, uniques = pd.factorize(frame["customer_email"], use_na_sentinel=True)
        keys = [email_key(str(u)) for u in uniques]
        if not any(k in by_email for k in keys):
            return None
        out: list[Any] = [None] * len(frame)
        for row, (code, customer) in enumerate(
            zip(codes.tolist(), customer_ids.tolist(), strict=True)
        ):
            if code < 0:
                continue
            for contact_id, contact_customer in by_email.get(keys[code], ()):
                if contact_customer == customer:
                    out[row] = contact_id
                    break
        return out if any(c is not None for c in out) else None

"""Whose activity each row of a CRM activity file is (services/importing/formats/activities.py).

An activity file names customers the workspace already holds; importing it never creates
one. Each row's customer is, in this order:

1. the customer of the activity stored under the row's own key (the app's "radar-" key of
   an activity logged here): a file brought back into the workspace that wrote it finds
   every activity it holds, whoever the row names;
2. the customer the row names by its ids (the app's own customer column first, then the
   CRM's account or record id) or by an address, as any other import finds one;
3. the customer of a contact the row names by the contact's id (a Salesforce WhoId, a
   HubSpot contact record); the activity then names that person.

A row none of these finds is rejected, with the reason in words.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.vocab import APP_SOURCE
from services.importing.identity import Identities
from services.importing.storage import Store, WriteResult

__all__ = ["KNOWN_CUSTOMERS", "NOT_FOUND", "known_customers"]

# A frame column (True throughout) marking the rows whose customers must already exist.
KNOWN_CUSTOMERS = "known_customers"
NOT_FOUND = "the customer is not in this workspace (import the customers first)"


def _own_activities(store: Store, frame: pd.DataFrame) -> np.ndarray[Any, Any]:
    """Each row's customer by the activity stored under its app key (0 when none)."""
    n = len(frame)
    out = np.zeros(n, dtype=np.int64)
    mine = (frame["source"] == APP_SOURCE).to_numpy(dtype=bool)
    if not mine.any():
        return out
    stored = {
        str(key): int(cid)
        for key, cid in store.fetchall(
            "SELECT external_id, customer_id FROM interactions WHERE source = ?", (APP_SOURCE,)
        )
    }
    keys = frame["external_id"].tolist()
    for i in np.flatnonzero(mine).tolist():
        out[i] = stored.get(str(keys[i]), 0)
    return out


def _contacts_of(
    store: Store, frame: pd.DataFrame, rows: np.ndarray[Any, Any]
) -> list[tuple[int, int]]:
    """(customer, contact) of the contacts ``rows`` name by (source, id); (0, 0) when none."""
    sources = frame["customer_source"].tolist()
    ids = frame["customer_external_id"].tolist()
    wanted = {str(sources[i]) for i in rows.tolist() if sources[i] and ids[i]}
    stored: dict[tuple[str, str], tuple[int, int]] = {}
    for source in sorted(wanted):
        for external, cid, person in store.fetchall(
            "SELECT external_id, customer_id, id FROM contacts WHERE source = ?", (source,)
        ):
            stored[(source, str(external))] = (int(cid), int(person))
    return [stored.get((str(sources[i]), str(ids[i])), (0, 0)) for i in rows.tolist()]


def known_customers(
    store: Store, identities: Identities, frame: pd.DataFrame, result: WriteResult
) -> tuple[pd.DataFrame, np.ndarray[Any, Any]]:
    """The rows whose customer is found (module doc), and each one's customer; the others
    are added to ``result.rejects``."""
    frame = frame.drop(columns=[KNOWN_CUSTOMERS]).reset_index(drop=True)
    ids = _own_activities(store, frame)
    rest = np.flatnonzero(ids == 0)
    if len(rest):
        part = frame.iloc[rest].reset_index(drop=True)
        ids[rest] = identities.resolve_refs(part, result, create=False)
    rest = np.flatnonzero(ids == 0)
    if len(rest) and "customer_external_id" in frame.columns and "customer_source" in frame:
        found = _contacts_of(store, frame, rest)
        ids[rest] = [cid for cid, _ in found]
        people: list[Any] = [None] * len(frame)
        for i, (_, person) in zip(rest.tolist(), found, strict=True):
            people[i] = person or None
        if any(p is not None for p in people):
            frame = frame.assign(contact_id=pd.Series(people, index=frame.index, dtype=object))
    known = ids != 0
    for row in frame.loc[~known, "row"].tolist():
        result.rejects.append((int(row), NOT_FOUND))
    return frame.loc[known].reset_index(drop=True), ids[known]

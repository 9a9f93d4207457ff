"""Writing contacts' roles from a CRM's contact-role export.

A role export (Salesforce AccountContactRole or OpportunityContactRole) names contacts by
their CRM id and says nothing else about them: a row whose contact is not in the workspace
yet cannot make one (it would be a person with no name or address). Such rows are left
out, counted in the import's notes with what to do; the others update their contact's
``role`` (and only that: the role the user set, ``user_role``, always wins on screen).

A contacts export (``mark_left``) also says who has left: the people of an account it
holds who are no longer in it.

Each change an import makes to a person's role or presence is kept with its moment in
contact_changes (``log_contact_changes``), so that a replay of a past day reads the roles
and the people of that day; undoing the import deletes them with the changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from services.importing.changes import ChangeTracker
from services.importing.storage import Store, WriteResult

# A contacts frame with this column set names only contacts already stored.
KNOWN_ONLY = "known_only"
# The contact columns whose changes are kept, dated (models.vocab.CONTACT_CHANGE_FIELDS:
# an import never writes user_role).
LOGGED = ("role", "left_on")


def known_contacts(
    store: Store, frame: pd.DataFrame, result: WriteResult
) -> tuple[pd.DataFrame, np.ndarray[Any, Any]]:
    """The rows whose contact is stored, and each one's customer (the contact's own)."""
    stored: dict[tuple[str, str], int] = {}
    for source in pd.unique(frame["source"].to_numpy(dtype=object)).tolist():
        for external_id, customer_id in store.fetchall(
            "SELECT external_id, customer_id FROM contacts WHERE source = ?", (str(source),)
        ):
            stored[(str(source), str(external_id))] = int(customer_id)
    keys = zip(frame["source"].tolist(), frame["external_id"].tolist(), strict=True)
    customers = [stored.get((str(s), str(e))) for s, e in keys]
    known = np.array([c is not None for c in customers], dtype=bool)
    missing = int((~known).sum())
    if missing:
        result.notes.append(
            f"{missing:,} role row(s) name contacts not in this workspace yet; import the "
            "contacts export (Salesforce Contact.csv) first, then this file again"
        )
    kept = frame.loc[known].drop(columns=[KNOWN_ONLY]).reset_index(drop=True)
    ids = np.array([c for c in customers if c is not None], dtype=np.int64)
    return kept, ids


def mark_left(
    store: Store,
    changes: ChangeTracker,
    frame: pd.DataFrame,
    customer_ids: np.ndarray[Any, Any],
    result: WriteResult,
) -> None:
    """A contacts export says who is still at the accounts it holds: a stored contact of
    the same source at an account some of whose contacts are in the file, but not in it
    themselves, gets ``left_on`` the day of this import; one who is in it again has it
    cleared. An account none of whose contacts is in the file is left as it is (a partial
    export says nothing about it). The before-values go to import_changes: undo restores
    them. The report says how many people were marked as left, and how many came back."""
    if frame.empty:
        return
    today = store.now.date()
    stamp: Any = today.isoformat() if store.sqlite else today
    left = back = 0
    for source in pd.unique(frame["source"].to_numpy(dtype=object)).tolist():
        mine = (frame["source"] == source).to_numpy()
        present = {str(e) for e in frame.loc[mine, "external_id"].tolist()}
        accounts = {int(c) for c in customer_ids[mine].tolist()}
        rows: list[tuple[Any, int]] = []
        for contact_id, external_id, customer_id, left_on in store.fetchall(
            "SELECT id, external_id, customer_id, left_on FROM contacts WHERE source = ?",
            (str(source),),
        ):
            here = str(external_id) in present
            if here and left_on is not None:
                rows.append((None, int(contact_id)))
                back += 1
            elif not here and left_on is None and int(customer_id) in accounts:
                rows.append((stamp, int(contact_id)))
                left += 1
            else:
                continue
            before = store.normalise_fetched("left_on", left_on)
            changes.entries.append(("contacts", int(contact_id), {"left_on": before}))
        store.executemany("UPDATE contacts SET left_on = ? WHERE id = ?", rows)
    if left:
        result.notes.append(
            f"{left:,} {'person' if left == 1 else 'people'} no longer in the export "
            "(marked as left)"
        )
    if back:
        result.notes.append(
            f"{back:,} {'person' if back == 1 else 'people'} marked as left are in the export "
            "again (no longer marked)"
        )


def _text(value: Any) -> str | None:
    """A logged value as contact_changes keeps it (an ISO date for a day)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text[:10] if len(text) >= 10 and text[4:5] == "-" else text or None


def log_contact_changes(store: Store, entries: Sequence[tuple[str, int, dict[str, Any]]]) -> int:
    """Keep, dated at this import, each change it made to a person's role or presence
    (``entries``: the before-values the change tracker kept); how many were kept."""
    before: dict[int, dict[str, Any]] = {}
    for table, row_id, values in entries:
        if table != "contacts":
            continue
        slot = before.setdefault(int(row_id), {})
        for column in LOGGED:
            if column in values:
                slot.setdefault(column, values[column])  # the first: as before the import
    ids = sorted(k for k, v in before.items() if v)
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        for contact_id, customer_id, role, left_on in store.fetchall(
            f"SELECT id, customer_id, role, left_on FROM contacts WHERE id IN ({marks})", part
        ):
            now = {"role": role, "left_on": left_on}
            for column, old in before[int(contact_id)].items():
                was, is_now = _text(old), _text(now[column])
                if was != is_now:
                    rows.append((int(customer_id), int(contact_id), column, was, is_now,
                                 store.now_stored, store.run_id))  # fmt: skip
    store.executemany(
        "INSERT INTO contact_changes (customer_id, contact_id, field, before, after, "
        "changed_at, import_run_id) VALUES (?,?,?,?,?,?,?)",
        rows,
    )
    return len(rows)

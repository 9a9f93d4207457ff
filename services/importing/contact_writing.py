"""Writing contacts' roles from a CRM's contact-role export.

A role export (Salesforce AccountContactRole or OpportunityContactRole) names contacts by
their CRM id and says nothing else about them: a row whose contact is not in the workspace
yet cannot make one (it would be a person with no name or address). Such rows are left
out, counted in the import's notes with what to do; the others update their contact's
``role`` (and only that: the role the user set, ``user_role``, always wins on screen).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from services.importing.storage import Store, WriteResult

# A contacts frame with this column set names only contacts already stored.
KNOWN_ONLY = "known_only"


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

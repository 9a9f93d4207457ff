"""Salesforce contact roles: AccountContactRole and OpportunityContactRole Data Exports.

Each row says which role a contact (ContactId) plays at an account or in a deal: Role
("Decision Maker", "Economic Buyer", "Executive Sponsor", "Business User", ...) and
IsPrimary. A contact named in several rows takes its strongest role, in the order of
models.vocab.CONTACT_ROLES (a champion in one deal and a user in another is a champion),
a primary row before the others. Only contacts already imported are updated
(services/importing/contact_writing.py): the export names no one's name or address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from models.vocab import CONTACT_ROLES
from services.importing.canonical import Batch
from services.importing.contact_roles import read_roles
from services.importing.contact_writing import KNOWN_ONLY
from services.importing.formats._base import BaseAdapter, Columns, RowErrors
from services.importing.formats.salesforce import normalise_ids

if TYPE_CHECKING:
    from services.importing.reader import RawTable

_RANK = {role: i for i, role in enumerate(CONTACT_ROLES)}


class SalesforceContactRole(BaseAdapter):
    """Salesforce Data Export, AccountContactRole or OpportunityContactRole object."""

    name = "salesforce_contact_role"
    title = "Salesforce contact roles (AccountContactRole or OpportunityContactRole)"
    kinds = ("contacts",)
    source = "salesforce"
    required = (
        ("Id", "AccountId", "ContactId", "Role"),
        ("Id", "OpportunityId", "ContactId", "Role"),
    )

    def convert(self, table: RawTable) -> Batch:
        """Role rows -> the role of each contact they name."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        errors = RowErrors(len(frame))
        contact = normalise_ids(cols.get("ContactId"))
        errors.add(contact.isna().to_numpy(), "missing contact id (ContactId)")
        role, _ = read_roles(cols.get("Role"))
        errors.add(np.array([r is None for r in role], dtype=bool), "missing role (Role)")
        primary = (
            cols.get("IsPrimary", use=False).astype(str).str.strip().str.lower() == "true"
            if cols.has("IsPrimary")
            else pd.Series(False, index=frame.index)
        )
        out = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": contact.to_numpy(dtype=object),
                "role": role,
                KNOWN_ONLY: True,
            }
        )
        ok = errors.ok
        kept = out[ok].copy()
        # The strongest role of each contact last (the writer keeps a repeated id's last).
        kept["_rank"] = [-_RANK.get(str(r), len(_RANK)) for r in kept["role"]]
        kept["_primary"] = primary[ok].to_numpy(dtype=bool)
        kept = (
            kept.sort_values(["_rank", "_primary"], kind="stable")
            .drop(columns=["_rank", "_primary"])
            .drop_duplicates(subset=["external_id"], keep="last")
        )
        return self.batch(
            table,
            {"contacts": kept.reset_index(drop=True)},
            errors.rejects(self.file_of(table), rows),
            len(frame),
        )

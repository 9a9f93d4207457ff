"""A contact's role at their account, read from the CRMs' own words.

Salesforce's contact roles (AccountContactRole, OpportunityContactRole: "Decision Maker",
"Economic Buyer", "Executive Sponsor", "Business User", "Evaluator", "Technical Buyer",
"Influencer", "Other") and HubSpot's Buying Role ("Champion", "Decision Maker", "Budget
Holder", "End User", "Executive Sponsor", "Influencer", "Blocker", "Legal & Compliance",
"Other") map onto the app's five (models.vocab.CONTACT_ROLES). A word the map does not know
is "other"; the CRM's own word is kept in the contact's attributes as ``crm_role``, so
nothing the export said is lost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.vocab import CONTACT_ROLES

ROLE_WORDS: dict[str, str] = {
    "champion": "champion",
    "executive sponsor": "champion",
    "sponsor": "champion",
    "influencer": "champion",
    "decision maker": "decision_maker",
    "economic buyer": "decision_maker",
    "economic decision maker": "decision_maker",
    "budget holder": "decision_maker",
    "buyer": "decision_maker",
    "billing": "billing",
    "billing contact": "billing",
    "accounts payable": "billing",
    "finance": "billing",
    "user": "user",
    "end user": "user",
    "business user": "user",
    "evaluator": "user",
    "technical buyer": "user",
    "technical evaluator": "user",
    "admin": "user",
    "other": "other",
    "blocker": "other",
    "legal & compliance": "other",
}
# The app's own words too ("decision_maker", "decision maker").
ROLE_WORDS.update({role: role for role in CONTACT_ROLES})
ROLE_WORDS.update({role.replace("_", " "): role for role in CONTACT_ROLES})


def role_of(word: str | None) -> str | None:
    """The app's role for a CRM's word (None for none; "other" for a word it does not know).
    A list ("Champion;End User", as HubSpot writes several) takes its first known role in
    the order of CONTACT_ROLES."""
    if word is None:
        return None
    parts = [p.strip().lower() for p in str(word).replace(";", ",").split(",")]
    known = {ROLE_WORDS[p] for p in parts if p in ROLE_WORDS}
    if not any(parts):
        return None
    for role in CONTACT_ROLES:
        if role in known:
            return role
    return "other"


def read_roles(words: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's role, and the CRM's own word where it said one (both None where empty)."""
    raw = [None if w is None or pd.isna(w) or not str(w).strip() else str(w).strip() for w in words]
    roles = np.array([role_of(w) for w in raw], dtype=object)
    return roles, np.array(raw, dtype=object)

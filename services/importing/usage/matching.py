"""Whose usage an event is: the workspace's customers, matched the way the other imports
match them, never created.

- A user whose id (or email field) is an email address: the customer with that email
  (services/importing/values.email_key, the oldest customer when two share it, as
  services/importing/identity.py does).
- A user id that is not an email: a customer's id in another source (customer_identities,
  or the customer's own external id), when exactly one customer has it.
- Else the account (Segment's groupId, Pendo's accountId, Amplitude's groups): a customer
  id as above, a HubSpot company id or domain kept with the contacts
  (services/importing/companies.py), or the company name, when exactly one customer has it.

What is not matched is counted by reason, never guessed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from models.vocab import GUEST_EXTERNAL_ID
from services.importing.companies import company_ids
from services.importing.values import email_key

__all__ = ["NO_EMAIL", "NO_ACCOUNT", "NO_USER_ID", "SHARED", "Matcher"]

# The reasons an event's people are not matched, as the report says them.
NO_EMAIL = "no customer has their email"
NO_USER_ID = "no customer has their user id"
NO_ACCOUNT = "no customer has their account"
SHARED = "their account is several customers'"


def _unique(pairs: Iterable[tuple[str, int]]) -> tuple[dict[str, int], set[str]]:
    """key -> customer for the keys exactly one customer has, and the shared keys."""
    seen: dict[str, set[int]] = defaultdict(set)
    for key, customer in pairs:
        if key:
            seen[key].add(customer)
    found = {k: next(iter(c)) for k, c in seen.items() if len(c) == 1}
    return found, {k for k, c in seen.items() if len(c) > 1}


def _attributes(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str) and raw:
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    return raw if isinstance(raw, dict) else {}


class Matcher:
    """The workspace's customers by email, id, company id, domain and name, loaded once."""

    def __init__(self, conn: Connection) -> None:
        self.emails: dict[str, int] = {}
        # A contact's address finds their account (a person at a business account using
        # the product, services/people/activity.py); the customers' own come after and win.
        for email, customer in conn.execute(
            text(
                "SELECT email_normalized, customer_id FROM contacts "
                "WHERE email_normalized IS NOT NULL ORDER BY id DESC"
            )
        ):
            self.emails[email_key(str(email))] = int(customer)
        for email, customer in conn.execute(
            text(
                "SELECT email_normalized, id FROM customers WHERE email_normalized IS NOT NULL "
                "ORDER BY id DESC"
            )
        ):
            self.emails[email_key(str(email))] = int(customer)
        ids = [
            (str(e), int(c))
            for e, c in conn.execute(
                text("SELECT external_id, customer_id FROM customer_identities")
            )
        ]
        ids += [
            (str(e), int(c))
            for e, c in conn.execute(
                text(
                    "SELECT external_id, id FROM customers WHERE external_id IS NOT NULL "
                    "AND external_id <> :guest"
                ),
                {"guest": GUEST_EXTERNAL_ID},
            )
        ]
        self.ids, shared_ids = _unique((e.strip().casefold(), c) for e, c in ids)
        accounts: list[tuple[str, int]] = []
        for customer, company, attrs in conn.execute(
            text("SELECT id, company, attributes FROM customers")
        ):
            found = _attributes(attrs)
            for cid in company_ids(found):
                accounts.append((cid.strip().casefold(), int(customer)))
            domain = str(found.get("company_domain") or "").strip().casefold()
            accounts.append((domain, int(customer)))
            accounts.append((str(company or "").strip().casefold(), int(customer)))
        self.accounts, shared = _unique(accounts)
        self.shared = shared | shared_ids
        self._users: dict[tuple[str, str], int | str] = {}
        self._accounts: dict[str, int | str] = {}

    def user(self, user: str, email: str) -> int | str:
        """The customer of a user (id and email field), or why there is none."""
        key = (user, email)
        if key not in self._users:
            self._users[key] = self._user(user, email)
        return self._users[key]

    def _user(self, user: str, email: str) -> int | str:
        for candidate in (email, user):
            if "@" in candidate:
                found = self.emails.get(email_key(candidate))
                if found is not None:
                    return found
        if user and "@" not in user:
            found = self.ids.get(user.casefold())
            if found is not None:
                return found
            return NO_USER_ID
        return NO_EMAIL

    def account(self, account: str) -> int | str:
        """The customer of an account, or why there is none."""
        if account not in self._accounts:
            k = account.strip().casefold()
            found = self.ids.get(k)
            if found is None:
                found = self.accounts.get(k)
            if found is None and "@" in k:
                found = self.emails.get(email_key(k))
            self._accounts[account] = (
                found if found is not None else (SHARED if k in self.shared else NO_ACCOUNT)
            )
        return self._accounts[account]

    def match(self, events: pd.DataFrame) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """The customer id of each event (-1 when none) and the reason when none ("")."""
        n = len(events)
        customers = np.full(n, -1, dtype="int64")
        reasons = np.full(n, "", dtype=object)
        if not n:
            return customers, reasons
        pairs = events["user"].astype(str) + "\x1f" + events["email"].astype(str)
        codes, uniques = pd.factorize(pairs)
        found = [self.user(*u.split("\x1f", 1)) if u != "\x1f" else "" for u in uniques]
        by_user = np.array([f if isinstance(f, int) else -1 for f in found], dtype="int64")
        why_user = np.array([f if isinstance(f, str) else "" for f in found], dtype=object)
        customers = by_user[codes]
        reasons = why_user[codes]
        account = events["account"].to_numpy(dtype=object)
        todo = (customers < 0) & (account != "")
        if todo.any():
            codes, uniques = pd.factorize(account[todo])
            found = [self.account(str(a)) for a in uniques]
            ids = np.array([f if isinstance(f, int) else -1 for f in found], dtype="int64")
            why = np.array([f if isinstance(f, str) else "" for f in found], dtype=object)
            got = ids[codes]
            customers[todo] = got
            # A user with no customer of their own and an account with none either: the
            # account's reason is the one that says what to add.
            reasons[todo] = np.where(got >= 0, "", why[codes])
        return customers, reasons

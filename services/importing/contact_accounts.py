"""One customer row per account from a people export.

A contacts export (Salesforce Contact.csv) holds one row per person, and the people of one
account name the same account. Written as customer rows, each would overwrite the
account's name and address with its own, so that the last row of the file would stand for
the whole account. Instead the account keeps one row, its earliest contact's (by created
date, then id: the same one at every import), carrying every other contact's ids as
identities and their addresses as ``other_emails``, so that records naming any of them find
the account, and so that the account's people find an account stored before. The people themselves
are the "contacts" frame, every row of it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def one_row_per_account(
    customers: pd.DataFrame, account: pd.Series, created: pd.Series
) -> pd.DataFrame:
    """The customer rows, one per account (rows with no account are each their own)."""
    if customers.empty:
        return customers
    accounts = account.reset_index(drop=True).astype(object)
    frame = customers.reset_index(drop=True).copy()
    frame["other_emails"] = None
    frame["other_emails"] = frame["other_emails"].astype(object)
    order = pd.DataFrame(
        {
            "account": accounts.where(accounts.notna(), None),
            "created": created.reset_index(drop=True).astype(str),
            "id": frame["external_id"].astype(str),
        }
    )
    has_account = order["account"].notna()
    if not order.loc[has_account, "account"].duplicated().any():
        return customers
    ranked = order.loc[has_account].sort_values(["account", "created", "id"], kind="stable")
    first = ranked.drop_duplicates("account", keep="first").index
    keep = (~has_account).copy()
    keep.loc[first] = True
    heads = set(first)
    for group in ranked.groupby("account", sort=False).groups.values():
        members = list(group)
        if len(members) < 2:
            continue
        head = next(i for i in members if i in heads)
        ids: list[Any] = list(frame.at[head, "identities"] or [])
        emails: list[str] = []
        for other in members:
            if other == head:
                continue
            if isinstance(address := frame.at[other, "email"], str) and address:
                emails.append(address)
            ids.append(("salesforce", str(frame.at[other, "external_id"])))
            ids.extend(pair for pair in (frame.at[other, "identities"] or []) if pair not in ids)
        frame.at[head, "identities"] = ids
        frame.at[head, "other_emails"] = emails
    return frame.loc[keep.to_numpy()]

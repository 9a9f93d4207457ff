"""One customer row per account from a people export.

A contacts export (Salesforce Contact.csv) holds one row per person, and the people of one
account name the same account. Written as customer rows, each would overwrite the
account's name and address with its own, so that the last row of the file would stand for
the whole account. Instead the account keeps one row, its earliest contact's (by created
date, then id: the same one at every import), carrying every other contact's ids as
identities, so that records naming any of them find the account. The people themselves
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
        for other in members:
            if other == head:
                continue
            ids.append(("salesforce", str(frame.at[other, "external_id"])))
            ids.extend(pair for pair in (frame.at[other, "identities"] or []) if pair not in ids)
        frame.at[head, "identities"] = ids
    return frame.loc[keep.to_numpy()]

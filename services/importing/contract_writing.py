"""The writer's part for contracts: a contract derived from a subscription is linked to
the stored subscription, an outcome the file did not state keeps the one the workspace
settled, and once a file's terms are written, the terms of its customers are settled
into renewals (services/importing/contracts.py), each change logged so that undo puts
it back."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from services.importing.changes import ChangeTracker
from services.importing.contracts import SETTLE_COLUMNS, settle_renewals
from services.importing.storage import Store

__all__ = ["keep_settled", "link_subscriptions", "settle_customers"]

_DECIDED = ("outcome", "renewed_amount_cents", "decided_on")


def link_subscriptions(store: Store, frame: pd.DataFrame) -> pd.DataFrame:
    """``subscription_id`` from ``subscription_external_id`` (the stored subscription of
    the same source and id), for the contracts derived from subscriptions."""
    if "subscription_external_id" not in frame.columns:
        return frame
    ids: dict[tuple[str, str], int] = {}
    pairs = frame[["source", "subscription_external_id"]].dropna()
    for source, part in pairs.groupby("source"):
        wanted = [str(v) for v in pd.unique(part["subscription_external_id"])]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for sub_id, external in store.fetchall(
                f"SELECT id, external_id FROM subscriptions WHERE source = ? "
                f"AND external_id IN ({marks})",
                (str(source), *chunk),
            ):
                ids[(str(source), str(external))] = int(sub_id)
    found = [
        ids.get((str(s), str(e))) if e is not None else None
        for s, e in zip(frame["source"], frame["subscription_external_id"], strict=True)
    ]
    return frame.assign(subscription_id=pd.Series(found, index=frame.index, dtype=object))


def keep_settled(store: Store, frame: pd.DataFrame, stored: dict[str, list[Any]]) -> None:
    """Where the file states no outcome (``outcome_given`` False), or the stored term is
    followed by the term that renews it, the stored term keeps the outcome, renewed amount
    and decision date the workspace settled (a term renewed by a later one is not made open
    or churned again by importing its file once more)."""
    if "outcome_given" not in frame.columns:
        return
    given = frame["outcome_given"].fillna(False).to_numpy(dtype=bool)
    todo = np.arange(len(frame))
    by_key: dict[tuple[str, str], list[Any]] = {}
    sources = [str(stored["source"][i]) for i in todo]
    externals = [str(stored["external_id"][i]) for i in todo]
    for source in set(sources):
        wanted = [e for s, e in zip(sources, externals, strict=True) if s == source]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in store.fetchall(
                f"SELECT c.external_id, {', '.join('c.' + d for d in _DECIDED)}, "
                "EXISTS (SELECT 1 FROM contracts f WHERE f.renewal_of_id = c.id) "
                f"FROM contracts c WHERE c.source = ? AND c.external_id IN ({marks})",
                (source, *chunk),
            ):
                by_key[(source, str(row[0]))] = [
                    store.normalise_fetched(c, v) for c, v in zip(_DECIDED, row[1:-1], strict=True)
                ] + [bool(row[-1])]
    for k, i in enumerate(todo.tolist()):
        kept = by_key.get((sources[k], externals[k]))
        # A term a later term renews stays renewed whatever its file says (a cancelled
        # status included): the follower shows what happened.
        if kept is None:
            continue
        followed = kept[-1]
        if given[i] and not followed:
            continue
        for column, value in zip(_DECIDED, kept[:-1], strict=True):
            if column in stored:
                stored[column][i] = value


def settle_customers(store: Store, changes: ChangeTracker, customer_ids: set[int]) -> int:
    """Settle the renewals of these customers' terms; the number of terms newly linked to
    the term they renew."""
    if not customer_ids:
        return 0
    wanted = sorted(customer_ids)
    rows: list[tuple[Any, ...]] = []
    run_rows: set[int] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in store.fetchall(
            f"SELECT {', '.join(SETTLE_COLUMNS)}, import_run_id FROM contracts "
            f"WHERE customer_id IN ({marks})",
            chunk,
        ):
            rows.append(tuple(row[:-1]))
            if row[-1] == store.run_id:
                run_rows.add(int(row[0]))
    found = settle_renewals(rows)
    before_of = {int(r[0]): dict(zip(SETTLE_COLUMNS, r, strict=True)) for r in rows}
    for contract_id, values in found.items():
        if contract_id not in run_rows:
            before = {c: store.normalise_fetched(c, before_of[contract_id][c]) for c in values}
            changes.entries.append(("contracts", contract_id, before))
        sets = ", ".join(f"{c} = ?" for c in values)
        stored = [
            v.isoformat() if store.sqlite and hasattr(v, "isoformat") else v
            for v in values.values()
        ]
        store.execute(f"UPDATE contracts SET {sets} WHERE id = ?", (*stored, contract_id))
    return sum(1 for values in found.values() if "renewal_of_id" in values)

"""The writer's part for contracts: a contract derived from a subscription is linked to
the stored subscription, an outcome the file did not state keeps the one the workspace
settled, and once a file's terms are written, the terms of its customers are settled
into renewals (services/importing/contracts.py), each change logged so that undo puts
it back. A renewal known from a contract export and from a CRM's renewal opportunity is
one term (``merge_second_sources``): the contract's values win, the opportunity fills
what the contract lacks, in whichever order the two files come."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pandas as pd

from services.importing.changes import ChangeTracker
from services.importing.contracts import (
    CHAIN_GAP_DAYS,
    CRM_FORMATS,
    OPEN,
    SETTLE_COLUMNS,
    _as_date,
    period_amounts,
    settle_renewals,
)
from services.importing.storage import COLUMNS, Store

__all__ = [
    "SECOND_SOURCE_KEY",
    "keep_settled",
    "link_subscriptions",
    "merge_second_sources",
    "settle_customers",
]

# The attribute of a contract term that holds the renewal opportunity merged into it.
SECOND_SOURCE_KEY = "renewal_opportunity"

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


# --- one renewal from two sources ------------------------------------------------------

_MERGED = ("amount_cents", "outcome", "renewed_amount_cents", "decided_on", "owner")
# What each field the opportunity fills is on a contract term that lacks it.
_GAPS: dict[str, Any] = {
    "amount_cents": 0,
    "outcome": OPEN,
    "renewed_amount_cents": None,
    "decided_on": None,
    "owner": None,
}
_FETCHED = ("id", "import_run_id", "customer_id", *COLUMNS["contracts"])


def _attrs(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str) and value:
        loaded = json.loads(value)
        return dict(loaded) if isinstance(loaded, dict) else {}
    return {}


def _is_opportunity(term: dict[str, Any]) -> bool:
    """A term made from a renewal opportunity (contracts.renewal_terms), not merged."""
    return _attrs(term.get("attributes")).get("opportunity") == term.get("external_id") and bool(
        term.get("external_id")
    )


def _opportunity_info(term: dict[str, Any]) -> dict[str, Any]:
    """What a merged contract term keeps of its renewal opportunity (attributes)."""
    info = {c: term.get(c) for c in (*_MERGED, "name", "start_date", "end_date", "currency")}
    info.update(
        id=term["external_id"], source=term["source"], attributes=_attrs(term.get("attributes"))
    )
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in info.items()}


def _contract_own(term: dict[str, Any]) -> dict[str, Any]:
    """A stored contract term's own values: what its renewal opportunity filled put back
    to the gap it filled."""
    attrs = _attrs(term.get("attributes"))
    info = attrs.pop(SECOND_SOURCE_KEY, None)
    own = dict(term, attributes=attrs)
    for column in (info or {}).get("filled", []):
        own[column] = _GAPS[column]
    return own


def _merged(contract: dict[str, Any], opportunity: dict[str, Any]) -> dict[str, Any]:
    """The one term of a renewal known from a contract and from its renewal opportunity:
    the contract's values, the opportunity's filling what the contract lacks (an amount,
    an outcome, an owner); the opportunity is kept in the attributes."""
    out = dict(contract)
    filled: list[str] = []
    period = str(contract.get("period") or "year")
    opp_amount = opportunity.get("amount_cents")
    if not contract.get("amount_cents") and opp_amount:
        out["amount_cents"] = period_amounts(int(opp_amount), "year", period)
        filled.append("amount_cents")
    if contract.get("outcome") in (None, OPEN) and opportunity.get("outcome") not in (None, OPEN):
        renewed = opportunity.get("renewed_amount_cents")
        out["outcome"] = opportunity["outcome"]
        out["renewed_amount_cents"] = (
            None if renewed is None else period_amounts(int(renewed), "year", period)
        )
        out["decided_on"] = opportunity.get("decided_on")
        filled += ["outcome", "renewed_amount_cents", "decided_on"]
    if not contract.get("owner") and opportunity.get("owner"):
        out["owner"] = opportunity["owner"]
        filled.append("owner")
    info = {k: v for k, v in opportunity.items() if k != "filled"}
    out["attributes"] = {**_attrs(contract.get("attributes")), SECOND_SOURCE_KEY: {
        **info, "filled": filled}}  # fmt: skip
    return out


def _same_term(contract: dict[str, Any], opportunity: dict[str, Any]) -> bool:
    """Whether a renewal opportunity is the renewal of this contract term: the same
    currency, a close date within a month of the term's end, and terms that overlap for
    at least half of each (a monthly term is not a yearly renewal)."""
    if (contract.get("currency") or "USD") != (opportunity.get("currency") or "USD"):
        return False
    c_start, c_end = _as_date(contract["start_date"]), _as_date(contract["end_date"])
    o_start, o_end = _as_date(opportunity["start_date"]), _as_date(opportunity["end_date"])
    if c_start is None or c_end is None or o_start is None or o_end is None:
        return False
    if abs((c_end - o_end).days) > CHAIN_GAP_DAYS:
        return False
    overlap = (min(c_end, o_end) - max(c_start, o_start)).days
    return overlap * 2 >= max((c_end - c_start).days, (o_end - o_start).days)


def _closeness(contract: dict[str, Any], opportunity: dict[str, Any]) -> tuple[Any, ...]:
    """How well a renewal opportunity fits a contract term (smaller is better): the same
    yearly amount first, then the nearest end, then the nearest amount, then the oldest."""
    c_amount = period_amounts(
        int(contract.get("amount_cents") or 0), str(contract.get("period") or "year"), "year"
    )  # noqa: E501
    o_amount = int(opportunity.get("amount_cents") or 0)
    days = abs((_as_date(contract["end_date"]) - _as_date(opportunity["end_date"])).days)  # type: ignore[operator]
    return (c_amount != o_amount, days, abs(c_amount - o_amount), int(contract.get("id") or 0))


def merge_second_sources(
    store: Store, changes: ChangeTracker, frame: pd.DataFrame, stored: dict[str, list[Any]]
) -> tuple[np.ndarray, int, int, list[str]]:
    """One renewal known from a contract export and from a renewal opportunity is one
    term: an incoming term whose other source is stored (the same customer and term:
    ``_same_term``) is merged into the stored term instead of being added beside it. The
    contract's values win and the opportunity's fill what the contract lacks (``_merged``),
    whichever came first: a stored opportunity's term becomes the contract's term (the
    row, and the calls and forecasts on it, kept). Returns the incoming rows left for the
    usual write, how many stored terms changed and how many were already as merged, and
    the notes saying so."""
    n = len(stored["source"])
    keep = np.ones(n, dtype=bool)
    if not n:
        return keep, 0, 0, []
    given = (
        frame["outcome_given"].fillna(False).to_numpy(dtype=bool)
        if "outcome_given" in frame.columns
        else np.zeros(n, dtype=bool)
    )
    terms = _stored_terms(store, {int(c) for c in stored["customer_id"] if c is not None})
    by_key = {(t["source"], t["external_id"]): t for t in terms}
    by_customer: dict[Any, list[dict[str, Any]]] = {}
    holders: dict[tuple[Any, Any], dict[str, Any]] = {}
    for t in terms:
        by_customer.setdefault(t["customer_id"], []).append(t)
        info = _attrs(t["attributes"]).get(SECOND_SOURCE_KEY)
        if isinstance(info, dict):
            holders[(info.get("source"), info.get("id"))] = t
    incoming = [_is_opportunity({"attributes": a, "external_id": e}) for a, e in
                zip(stored["attributes"], stored["external_id"], strict=True)]  # fmt: skip
    if not holders and not any(incoming) and not any(_is_opportunity(t) for t in terms):
        return keep, 0, 0, []  # no renewal opportunity on either side
    taken = {int(t["id"]) for t in holders.values()}
    updated = unchanged = 0
    runs: dict[str, int] = {}
    files: dict[Any, Any] = {}
    columns = [c for c in stored if c not in ("customer_id",)]
    for i in range(n):
        row = {c: stored[c][i] for c in stored}
        key = (row["source"], row["external_id"])
        if incoming[i]:
            target = holders.get(key)
            if target is None and key not in by_key:
                target = _best(by_customer.get(row["customer_id"], []), row, taken, contracts=True)
            if target is None:
                continue
            want = _merged(_contract_own(target), _opportunity_info(row))
            write = list(_MERGED) + ["attributes"]
        else:
            target = by_key.get(key)
            if target is not None and SECOND_SOURCE_KEY in _attrs(target["attributes"]):
                info = _attrs(target["attributes"])[SECOND_SOURCE_KEY]
                own = dict(row)
                settled = _contract_own(target)
                if not given[i] and settled.get("outcome") not in (None, OPEN):
                    own.update(
                        {c: settled[c] for c in ("outcome", "renewed_amount_cents", "decided_on")}
                    )
            elif target is None:
                target = _best(by_customer.get(row["customer_id"], []), row, taken, contracts=False)
                if target is None:
                    continue
                info, own = _opportunity_info(target), dict(row)
            else:
                continue
            want = _merged(own, info)
            write = columns
        taken.add(int(target["id"]))
        keep[i] = False
        name = _run_name(store, target, files, opportunities=not incoming[i])
        runs[name] = runs.get(name, 0) + 1
        if _update(store, changes, target, want, write):
            updated += 1
        else:
            unchanged += 1
    return keep, updated, unchanged, _merge_notes(runs)


def _merge_notes(runs: dict[str, int]) -> list[str]:
    """The import's notes of the renewals counted once, by where the other source came."""
    return [
        f"{count:,} renewal{'' if count == 1 else 's'} already recorded from {name}: "
        "counted once (the contract's dates and amount kept, the renewal opportunity "
        "filling what the contract lacks)"
        for name, count in runs.items()
    ]


def _best(
    terms: list[dict[str, Any]], row: dict[str, Any], taken: set[int], *, contracts: bool
) -> dict[str, Any] | None:
    """The customer's stored term of the other source this incoming term is the same
    renewal as (a contract term when ``contracts``, for an opportunity; else an
    opportunity's), not yet taken by another."""
    found = []
    for t in terms:
        if int(t["id"]) in taken or _is_opportunity(t) == contracts:
            continue
        contract, opportunity = (t, row) if contracts else (row, t)
        if _same_term(contract, opportunity):
            found.append((_closeness(contract, opportunity), t))
    if not found:
        return None
    found.sort(key=lambda pair: pair[0])
    return found[0][1]


def _stored_terms(store: Store, customers: set[int]) -> list[dict[str, Any]]:
    """The stored contract terms of these customers, in the writer's stored forms."""
    out: list[dict[str, Any]] = []
    wanted = sorted(customers)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in store.fetchall(
            f"SELECT {', '.join(_FETCHED)} FROM contracts WHERE customer_id IN ({marks})", chunk
        ):
            out.append(
                {c: store.normalise_fetched(c, v) for c, v in zip(_FETCHED, row, strict=True)}
            )
    return out


def _run_name(
    store: Store, term: dict[str, Any], files: dict[Any, Any], *, opportunities: bool
) -> str:
    """The other source of a renewal, as the note names it: the renewal opportunities or
    the contracts, with the file the stored term came from when it is that source's."""
    kind = "the renewal opportunities" if opportunities else "the contracts"
    run = term["import_run_id"]
    if run not in files:
        files[run] = store.fetchall(
            "SELECT file_name, detected_format FROM import_runs WHERE id = ?", (run,)
        )
    found = files[run]
    if not found or (found[0][1] in CRM_FORMATS) != opportunities:
        return f"{kind} already in the workspace"
    return f"{kind} of {found[0][0]}"


def _update(
    store: Store,
    changes: ChangeTracker,
    target: dict[str, Any],
    want: dict[str, Any],
    columns: list[str],
) -> bool:
    """Give a stored term the merged values (its before-values logged for undo); whether
    anything changed."""
    diff: dict[str, Any] = {}
    for c in columns:
        new, old = want.get(c), target.get(c)
        if c == "attributes":
            if _attrs(new) == _attrs(old):
                continue
            new = json.dumps(_attrs(new), sort_keys=True, default=str) if new else None
        elif c in ("start_date", "end_date", "decided_on"):
            if _as_date(new) == _as_date(old):
                continue
            day = _as_date(new)
            new = day.isoformat() if day and store.sqlite else day
        elif new == old or (new is None and old is None):
            continue
        diff[c] = new
    if not diff:
        return False
    row_id = int(target["id"])
    if target["import_run_id"] != store.run_id:
        changes.entries.append(("contracts", row_id, {c: target.get(c) for c in diff}))
    sets = ", ".join(f"{c} = ?" for c in diff)
    store.execute(f"UPDATE contracts SET {sets} WHERE id = ?", (*diff.values(), row_id))
    target.update(diff)
    return True

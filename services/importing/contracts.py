"""Contracts as the import reads them: the words a file uses for a billing period and a
subscription's status, a term's id within its contract, the contracts derived from
subscriptions (Stripe), and renewals settled once a file is written.

A contract term's ``external_id`` is ``<contract>@<term start>`` when a file holds several
terms of one contract (a billing system's subscription renews term after term under one
id), so that a later export adds the new term beside the earlier one instead of moving
it; the part before "@" names the contract. Terms of one customer, source and contract
follow each other: when a term starts within a month of the end of the one before, the
earlier one was renewed (``renewal_of_id`` on the new term, ``outcome`` renewed and
``renewed_amount_cents`` on the old). An ended term without a follower keeps the outcome
its file gave (churned for a cancelled subscription); a term whose end is ahead is open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

# The outcomes and billing periods of a contract term (models/schema/renewals.py). The
# renewals package, above the import, names the same words (services/renewals/vocab.py);
# a test holds the two equal.
OPEN, RENEWED, CHURNED = "open", "renewed", "churned"
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}

__all__ = [
    "CHAIN_GAP_DAYS",
    "CHURNED",
    "OPEN",
    "PERIOD_MONTHS",
    "RENEWED",
    "OUTCOME_WORDS",
    "add_renewal_terms",
    "contracts_from_subscriptions",
    "months_after",
    "renewal_terms",
    "outcomes_from_status",
    "period_amounts",
    "settle_renewals",
    "ended_status",
    "read_periods",
    "term_ids",
]

# A term that starts more than this long after the previous one ended is a new contract
# (the customer left and came back), not its renewal.
CHAIN_GAP_DAYS = 31

# Statuses that mean a subscription or contract will not go on (billing systems' words).
_ENDED = frozenset(
    {
        "cancelled",
        "canceled",
        "cancel",
        "churned",
        "expired",
        "terminated",
        "ended",
        "lost",
        "closed lost",
        "non renewing",
        "non_renewing",
        "not renewed",
        "inactive",
    }
)
# The words an outcome column may hold.
OUTCOME_WORDS = {
    **dict.fromkeys(("renewed", "renew", "won", "closed won", "yes", "true"), RENEWED),
    **dict.fromkeys(("churned", "churn", "lost", "closed lost", "cancelled", "canceled"), CHURNED),
    **dict.fromkeys(("open", "pending", "", "no"), OPEN),
}
_PERIOD_WORDS = {
    **dict.fromkeys(("month", "monthly", "months", "mo", "m", "1 month", "1"), "month"),
    **dict.fromkeys(("quarter", "quarterly", "quarters", "q", "3 months", "3"), "quarter"),
    **dict.fromkeys(
        ("year", "yearly", "annual", "annually", "years", "y", "yr", "12 months", "12", "1 year"),
        "year",
    ),
}
# The bounds of a contract's counts: a value outside is a mistake in the file, rejected
# with its row (a notice of ten years is the longest anyone writes; no licence has ten
# million seats; a billing period holds 1 to 120 of its units).
NOTICE_DAYS = (0, 3650)
SEATS = (0, 10_000_000)
PERIOD_COUNT = (1, 120)


def out_of_range(
    numbers: pd.Series, bounds: tuple[int, int], what: str
) -> tuple[np.ndarray, pd.Series]:
    """Where ``numbers`` fall outside ``bounds`` (a missing number is not), and each row's
    reason in words ("Seats: -3 is out of range (0 to 10,000,000)"); ``what`` names the
    column."""
    low, high = bounds
    values = pd.to_numeric(pd.Series(numbers).reset_index(drop=True), errors="coerce")
    outside = np.asarray(values.notna() & ((values < low) | (values > high)), dtype=bool)
    shown = values.map(lambda v: "" if pd.isna(v) else f"{v:,.0f}" if abs(v) < 1e15 else f"{v:g}")
    reason = f"{what}: " + shown + f" is out of range ({low:,} to {high:,})"
    return outside, reason


# Billing units of other lengths, as months (a weekly amount is turned into a monthly one).
_UNIT_MONTHS = {"day": 12 / 365, "days": 12 / 365, "week": 12 / 52, "weeks": 12 / 52}


def read_periods(
    units: pd.Series, counts: pd.Series | None = None
) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """The period of each row ("month", "quarter", "year"), the factor its amount is
    multiplied by to be an amount of that period (1.0 unless the file bills weekly, or
    every 2 months...), and where the words could not be read. ``units``: "month",
    "Annual", "quarterly"...; ``counts``: how many units a billing period holds (Chargebee's
    billing_period, Recurly's plan_interval_length), 1 when absent."""
    text = units.astype(object).fillna("").astype(str).str.strip().str.lower()
    n = pd.to_numeric(counts, errors="coerce").fillna(1) if counts is not None else None
    months = text.map(
        lambda t: PERIOD_MONTHS.get(_PERIOD_WORDS.get(t, ""), _UNIT_MONTHS.get(t, np.nan))
    ).astype(float)
    if n is not None:
        months = months * n.to_numpy(dtype=float)
    bad = np.asarray(months.isna() & (text != ""), dtype=bool)
    months = months.fillna(12.0)
    period = pd.Series("year", index=units.index, dtype=object)
    period[months <= 1.5] = "month"
    period[(months > 1.5) & (months <= 4.5)] = "quarter"
    per = period.map(PERIOD_MONTHS).astype(float)
    factor = per / months.where(months > 0, per)
    return period, factor, bad


def outcomes_from_status(
    status: pd.Series, end: pd.Series, today: dt.date
) -> tuple[np.ndarray, np.ndarray]:
    """(outcome, whether the file said it) from a status column and the term's end: a
    cancelled or expired subscription whose term has ended churned; everything else is
    open until a following term shows it renewed."""
    words = status.astype(object).fillna("").astype(str).str.strip().str.lower()
    ended_status = words.str.replace("-", " ").isin(_ENDED) | words.isin(_ENDED)
    past = np.array([isinstance(d, dt.date) and d <= today for d in end.tolist()], dtype=bool)
    churned = np.asarray(ended_status, dtype=bool) & past
    outcome = np.where(churned, CHURNED, OPEN).astype(object)
    return outcome, churned


def ended_status(status: pd.Series) -> np.ndarray:
    """Where a status says the subscription will not go on (cancelled, non-renewing...)."""
    words = status.astype(object).fillna("").astype(str).str.strip().str.lower()
    return np.asarray(words.isin(_ENDED) | words.str.replace("-", " ").isin(_ENDED), dtype=bool)


def term_ids(contract: pd.Series, start: pd.Series) -> np.ndarray:
    """``<contract>@<term start>`` for each row (None where either is missing)."""
    out = np.full(len(contract), None, dtype=object)
    for i, (c, s) in enumerate(zip(contract.tolist(), start.tolist(), strict=True)):
        if c and isinstance(s, dt.date):
            out[i] = f"{c}@{s.isoformat()}"
    return out


def as_dates(values: pd.Series) -> pd.Series:
    """Timestamps or dates as ``datetime.date`` objects (None where missing)."""
    stamps = pd.to_datetime(values, utc=True, errors="coerce")
    out = [None if pd.isna(t) else t.date() for t in stamps.tolist()]
    return pd.Series(out, index=values.index, dtype=object)


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    return _months_before(day, -months)


def _months_before(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, d)
        except ValueError:
            continue
    return dt.date(year, month + 1, 28)


def contracts_from_subscriptions(subscriptions: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """A contract term for each subscription with a period end and an amount: its current
    period as the term (from the period end back one billing period, not before it
    started), its amount and interval as the recurring amount and period, auto-renew
    unless it cancels at the period's end, churned once a cancelled subscription's period
    has ended. Each keeps the subscription's source, id and customer reference (the writer
    links it to the stored subscription)."""
    subs = subscriptions
    end = as_dates(subs["current_period_end"]) if len(subs) else pd.Series(dtype=object)
    keep = end.notna() & subs["amount_cents"].notna() if len(subs) else pd.Series(dtype=bool)
    subs, end = subs[keep.to_numpy(dtype=bool)], end[keep]
    if subs.empty:
        return pd.DataFrame()
    period, factor, _bad = read_periods(subs["interval"])
    started = as_dates(subs["started_at"])
    months = period.map(PERIOD_MONTHS)
    start = [
        max(_months_before(e, int(m)), s)
        if isinstance(s, dt.date) and s < e
        else _months_before(e, int(m))
        for e, s, m in zip(end.tolist(), started.tolist(), months.tolist(), strict=True)
    ]
    status = subs["status"].astype(object).fillna("").astype(str).str.lower()
    canceled = status.isin(("canceled", "cancelled", "incomplete_expired", "ended"))
    outcome, _given = outcomes_from_status(status.where(~canceled, "canceled"), end, today)
    decided = [e if o == CHURNED else None for e, o in zip(end.tolist(), outcome, strict=True)]
    refs = [c for c in subs.columns if c.startswith("customer_") or c == "guest"]
    out = subs[refs].copy()
    out["row"] = subs["row"].to_numpy()
    out["source"] = subs["source"].to_numpy()
    out["external_id"] = subs["external_id"].to_numpy()
    out["subscription_external_id"] = subs["external_id"].to_numpy()
    out["name"] = subs["plan"].to_numpy()
    out["start_date"] = start
    out["end_date"] = end.to_numpy()
    amounts = subs["amount_cents"].astype(float).to_numpy() * factor.to_numpy()
    out["amount_cents"] = np.round(amounts).astype(np.int64)
    out["currency"] = subs["currency"].to_numpy()
    out["period"] = period.to_numpy()
    cape = subs["cancel_at_period_end"].fillna(False).to_numpy(dtype=bool)
    out["auto_renew"] = ~cape & ~canceled.to_numpy(dtype=bool)
    out["outcome"] = outcome
    out["outcome_given"] = outcome != OPEN
    out["decided_on"] = decided
    out["attributes"] = None
    return out.reset_index(drop=True)


def period_amounts(amount: int, period: str, into: str) -> int:
    """A recurring amount of one period as an amount of another (a monthly 100 is 1,200 a
    year)."""
    months_from = PERIOD_MONTHS.get(period, 12)
    months_to = PERIOD_MONTHS.get(into, 12)
    return int(round(amount * months_to / months_from))


def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


SETTLE_COLUMNS = (
    "id",
    "customer_id",
    "source",
    "external_id",
    "start_date",
    "end_date",
    "amount_cents",
    "period",
    "outcome",
    "renewed_amount_cents",
    "decided_on",
    "renewal_of_id",
)


def settle_renewals(rows: Iterable[tuple[Any, ...]]) -> dict[int, dict[str, Any]]:
    """The changes that make stored terms follow each other: for each term, the columns
    (renewal_of_id on the follower; outcome, renewed_amount_cents and decided_on on the
    renewed term) whose value must change, by contract id. ``rows``: stored terms as
    tuples of ``SETTLE_COLUMNS``."""
    chains: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        term = dict(zip(SETTLE_COLUMNS, row, strict=True))
        term["start_date"] = _as_date(term["start_date"])
        term["end_date"] = _as_date(term["end_date"])
        series = str(term["external_id"] or "").partition("@")[0]
        chains.setdefault((term["customer_id"], term["source"], series), []).append(term)
    changes: dict[int, dict[str, Any]] = {}
    for terms in chains.values():
        terms.sort(key=lambda t: (t["start_date"], t["end_date"], t["id"]))
        for before, after in zip(terms, terms[1:], strict=False):
            gap = (after["start_date"] - before["end_date"]).days
            if after["start_date"] <= before["start_date"] or gap > CHAIN_GAP_DAYS:
                continue
            want_before = {
                "outcome": RENEWED,
                "renewed_amount_cents": period_amounts(
                    int(after["amount_cents"]), str(after["period"]), str(before["period"])
                ),
                "decided_on": before["end_date"],
            }
            for key, value in want_before.items():
                if _differs(before[key], value):
                    changes.setdefault(int(before["id"]), {})[key] = value
            if after["renewal_of_id"] != before["id"]:
                changes.setdefault(int(after["id"]), {})["renewal_of_id"] = int(before["id"])
    return changes


def _differs(stored: Any, wanted: Any) -> bool:
    if isinstance(wanted, dt.date):
        return _as_date(stored) != wanted
    return bool(stored != wanted)


# Opportunity types that renew an existing customer's contract (Salesforce's Type picklist,
# HubSpot's dealtype "existingbusiness"), and the words a renewal pipeline's name holds.
RENEWAL_TYPES = frozenset(
    {
        "renewal",
        "renewals",
        "existing business",
        "existingbusiness",
        "existing customer - renewal",
        "existing business - renewal",
        "contract renewal",
    }
)
# The CRM formats whose opportunities may be renewals (services/importing/formats).
CRM_FORMATS = frozenset(
    {"salesforce_opportunity", "salesforce_opportunity_report", "hubspot_deals"}
)
_TERM_KEYS = (
    "ContractTerm",
    "ContractTerm__c",
    "Contract_Term__c",
    "Contract Term",
    "Contract term (months)",
    "contract_term",
)
_PIPELINE_KEYS = ("Pipeline", "pipeline")


def _attribute(attrs: Any, keys: tuple[str, ...]) -> str:
    if not isinstance(attrs, dict):
        return ""
    for key in keys:
        value = attrs.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def renewal_terms(opportunities: pd.DataFrame) -> pd.DataFrame:
    """A contract term for each renewal opportunity (its type a renewal or existing
    business, or its pipeline a renewals pipeline) with a close date and an amount: the
    close date is the renewal date, the term the months of its contract term field (a
    year when it has none) before it, the amount the recurring value a year; won is
    renewed at that amount, lost churned, anything else open. It keeps the opportunity's
    customer reference and id (so that importing the opportunity again updates it). A
    contract term of the same renewal, from a contract export, absorbs it when written
    (services/importing/contract_writing.py: the renewal is counted once)."""
    if opportunities.empty or "close_date" not in opportunities.columns:
        return pd.DataFrame()
    opp = opportunities
    kind = opp.get("type", pd.Series(None, index=opp.index)).astype(object).fillna("")
    kind = kind.astype(str).str.strip().str.lower()
    attrs = opp.get("attributes", pd.Series(None, index=opp.index)).tolist()
    pipeline = pd.Series([_attribute(a, _PIPELINE_KEYS).lower() for a in attrs], index=opp.index)
    renewal = kind.isin(RENEWAL_TYPES) | pipeline.str.contains("renew")
    close = opp["close_date"]
    usable = renewal & opp["amount_cents"].notna() & close.map(lambda d: isinstance(d, dt.date))
    opp = opp[usable.to_numpy(dtype=bool)]
    if opp.empty:
        return pd.DataFrame()
    months = []
    for a in opp.get("attributes", pd.Series(None, index=opp.index)).tolist():
        term = pd.to_numeric(_attribute(a, _TERM_KEYS), errors="coerce")
        months.append(int(term) if pd.notna(term) and 0 < term <= 120 else 12)
    end = opp["close_date"].tolist()
    closed = opp.get("closed", pd.Series(False, index=opp.index)).fillna(False).astype(bool)
    won = opp.get("won", pd.Series(False, index=opp.index)).fillna(False).astype(bool)
    outcome = np.where(closed & won, RENEWED, np.where(closed, CHURNED, OPEN)).astype(object)
    amount = opp["amount_cents"].astype("int64").to_numpy()
    refs = [c for c in opp.columns if c.startswith("customer_") or c == "guest"]
    out = opp[refs].copy()
    out["row"] = opp["row"].to_numpy()
    out["source"] = opp["source"].to_numpy()
    out["external_id"] = opp["external_id"].to_numpy()
    out["name"] = opp["name"].to_numpy() if "name" in opp.columns else None
    out["start_date"] = [_months_before(e, m) for e, m in zip(end, months, strict=True)]
    out["end_date"] = end
    out["amount_cents"] = amount
    out["currency"] = opp["currency"].to_numpy() if "currency" in opp.columns else None
    out["period"] = "year"
    out["outcome"] = outcome
    out["outcome_given"] = outcome != OPEN
    out["renewed_amount_cents"] = np.where(outcome == RENEWED, amount, None)
    out["decided_on"] = [e if o != OPEN else None for e, o in zip(end, outcome, strict=True)]
    if "owner" in opp.columns:
        out["owner"] = opp["owner"].to_numpy()
    out["attributes"] = [
        {"opportunity": str(x), "type": t}
        for x, t in zip(opp["external_id"], kind[opp.index], strict=True)
    ]
    return out.reset_index(drop=True)


def add_renewal_terms(batch: Any) -> None:
    """Give a CRM opportunities batch (``CRM_FORMATS``) the contract terms of its renewal
    opportunities (``renewal_terms``), beside the opportunities themselves."""
    deals = batch.frames.get("opportunities")
    if batch.detected_format not in CRM_FORMATS or deals is None or deals.empty:
        return
    from services.importing.formats._base import tidy_frame

    terms = renewal_terms(deals)
    if len(terms):
        batch.frames["contracts"] = tidy_frame(terms)

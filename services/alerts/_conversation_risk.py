"""Risk raised in a conversation: the customer said, in a call, meeting, chat, email or
post imported in the window, that they may cancel, are looking at a competitor, had their
budget cut, find the price too high, or that their champion is leaving
(services/conversations/reading.py reads those out, in the customer's own words).

The reason names the latest risk, where and when, with the customer's words: "raised
cancellation on the Nov 12 call: “We'll cancel at renewal unless the exports work.”",
and how many more were raised. The priority is what the account stands to lose: the
larger of the revenue at risk and a share of the customer's value, the share of the most
serious risk they raised (a stated intent to cancel weighs more than a price complaint);
so a paying account that says it will leave is not outranked by every quiet one. A
customer who said they will cancel, or that their champion is leaving, gets a critical
alert: like the other critical alerts, the daily cap never holds it back.

Only risks that have earned it raise the alert: of a kind whose precision, measured on
the labelled listening corpus, is at least the rule's ``min_precision_percent``, and found
by the app's own reading (services/listen/proven_risks.py). The others stay on the
conversation and the timeline, marked unproven.

Inputs are read up to the end of the scoring's as-of day, as the other rules' are, so
the Early-warning replay replays it on history.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, select

from models.schema import Interaction
from services.alerts.config import AlertConfig
from services.core.formatting import format_date
from services.core.proof import Proof, percent
from services.listen.proven_risks import raising, risk_proofs

RULE = "conversation_risk"
SOURCE = "conversations"  # services/importing/conversation_files.py
# A stated risk's share of the customer's value at stake, by kind: the most serious first.
STAKE_SHARE = {
    "cancellation": 0.5,
    "champion_leaving": 0.3,
    "competitor": 0.3,
    "budget_cut": 0.2,
    "price_complaint": 0.2,
}
_WHERE = {
    "call": "call",
    "meeting": "meeting",
    "chat": "chat",
    "email_received": "email",
    "social": "post",
}
NO_CONVERSATIONS = "no conversations imported"
# The risks that make the alert critical: the customer said they are leaving.
SEVERE_KINDS = frozenset({"cancellation", "champion_leaving"})

FloatArray = npt.NDArray[np.float64]


def _attributes(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return {}


def _said(kind: str, when: dt.datetime, risk: dict[str, Any], proofs: dict[str, Proof]) -> str:
    label = str(risk.get("label") or risk.get("kind") or "raised a risk")
    quote = " ".join(str(risk.get("quote") or "").split())
    if len(quote) > 160:
        quote = quote[:159] + "…"
    where = _WHERE.get(kind, "conversation")
    proof = proofs.get(str(risk.get("kind")))
    measured = proof.precision if proof is not None else None
    return (
        f"{label} on the {format_date(when.date())} {where}"
        + (f": \u201c{quote}\u201d" if quote else "")
        + (
            f" (this kind of risk is read right {percent(measured)} of the time)"
            if measured is not None
            else ""
        )
    )


def read_conversation_risks(
    conn: Connection, frame: pd.DataFrame, config: AlertConfig, end: dt.datetime
) -> None:
    """Per customer, the risks raised in the window before ``end``: how many
    (``risks_raised``), the largest stake share among them (``risk_share``), whether one
    says they are leaving (``risk_severe``) and the latest one in words (``risk_said``)."""
    ids = frame["customer_id"].to_numpy()
    count = np.zeros(ids.size)
    severe = np.zeros(ids.size, dtype=bool)
    share = np.zeros(ids.size)
    said = np.full(ids.size, "", dtype=object)
    rule = config.rule(RULE)
    proofs = risk_proofs(float(rule["min_precision_percent"]) / 100.0)
    proven = frozenset(kind for kind, proof in proofs.items() if proof.proven)
    if rule.enabled and ids.size and proven:
        where = {int(c): k for k, c in enumerate(ids.tolist())}
        i = Interaction.__table__.c
        start = end - dt.timedelta(days=int(rule["window_days"]))
        rows = conn.execute(
            select(i.customer_id, i.kind, i.occurred_at, i.attributes)
            .where(i.source == SOURCE, i.occurred_at >= start, i.occurred_at < end)
            .order_by(i.occurred_at, i.id)
        )
        for customer_id, kind, occurred, attributes in rows:
            k = where.get(int(customer_id))
            # Only risks of a kind measured and proven, found by the app's own reading.
            risks = raising(_attributes(attributes), proven)
            if k is None or not risks:
                continue
            count[k] += len(risks)
            severe[k] |= any(str(r.get("kind")) in SEVERE_KINDS for r in risks)
            share[k] = max(share[k], *(STAKE_SHARE.get(str(r.get("kind")), 0.2) for r in risks))
            when = (
                occurred
                if isinstance(occurred, dt.datetime)
                else dt.datetime.fromisoformat(str(occurred))
            )
            said[k] = _said(str(kind), when, risks[0], proofs)  # the latest conversation's first
    frame["risks_raised"] = count
    frame["risk_share"] = share
    frame["risk_severe"] = severe
    frame["risk_said"] = said


def conversation_risk_alerts(
    c: pd.DataFrame, at_risk: FloatArray, value: FloatArray
) -> tuple[npt.NDArray[np.bool_], list[str], FloatArray]:
    """Who the rule holds for, the reason of each, and every customer's stake."""
    count = c["risks_raised"].to_numpy(np.float64)
    mask = count >= 1
    said = c["risk_said"].to_numpy(dtype=object)
    reasons = []
    for r in np.flatnonzero(mask).tolist():
        more = int(count[r]) - 1
        reasons.append(str(said[r]) + (f" (and {more} more)" if more > 0 else ""))
    share = c["risk_share"].to_numpy(np.float64)
    stake: FloatArray = np.fmax(np.nan_to_num(at_risk), share * np.maximum(np.nan_to_num(value), 0))
    return mask, reasons, stake

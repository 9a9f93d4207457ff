"""Conversations in scoring: the imported calls, meetings, chats, emails and posts read with
the rest of ScoringData, and their features as of a cutoff.

A conversation is an interaction of source "conversations"
(services/importing/conversation_files.py): its kind, its day, the customer's own mean
sentiment (VADER compound, -1..1) and the kinds of risk the customer raised in it
(cancellation, competitor, budget cut, price complaint, champion leaving): only risks of a
kind proven on the listening corpus, found by the app's own reading, count
(services/listen/proven_risks.py).

Features, over the last 90 days (cutoff - 90, cutoff], from conversations dated on or
before the cutoff only; all NaN for a customer with no conversation by then (so all NaN,
and left out by the churn model, on a workspace without conversations):

- conv_risks_90: conversations in which the customer raised any risk;
- conv_cancellation_90: conversations in which they raised cancellation;
- conv_sentiment_90: the mean of their sentiment over the conversations (NaN without one);
- conv_days_since_two_way: days since the last call, meeting, chat or email of theirs
  (NaN without one: a post or an email of ours is not a conversation with them).

Beside them, for the drivers' words (not the classifier's inputs): per kind of risk, how
many conversations raised it in the 90 days (conv_<kind>_90), the day of the latest
(conv_<kind>_day) and where it was raised (conv_<kind>_where, a code of WHERE); and for
the latest competitor named, which of the workspace's competitors (Settings ▸ Sentiment
and reasons ▸ Competitors) its quote names (conv_competitor_named, a position in
ConversationRows.names; NaN when none of them).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from models.schema import Interaction
from services.listen.proven_risks import RISK_KINDS, raising, workspace_proven
from services.settings.views import ListenSettings

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
Int8Array = npt.NDArray[np.int8]
FloatArray = npt.NDArray[np.float64]

SOURCE = "conversations"  # services/importing/conversation_files.py
WINDOW_DAYS = 90
# Where a conversation took place, as the drivers say it (its kind's code is the position).
WHERE = ("call", "meeting", "chat", "email", "email", "post")
CONVERSATION_KINDS = ("call", "meeting", "chat", "email_received", "email_sent", "social")
TWO_WAY = (0, 1, 2, 3)  # call, meeting, chat, their email
CONVERSATION_FEATURES = (
    "conv_risks_90",
    "conv_cancellation_90",
    "conv_sentiment_90",
    "conv_days_since_two_way",
)


def _empty_int32() -> Int32Array:
    return np.zeros(0, np.int32)


@dataclass(frozen=True)
class ConversationRows:
    """One row per conversation of a customer, sorted by customer (their position in
    ScoringData's order), then day."""

    cust: Int32Array = field(default_factory=_empty_int32)
    day: Int32Array = field(default_factory=_empty_int32)
    kind: Int8Array = field(default_factory=lambda: np.zeros(0, np.int8))  # CONVERSATION_KINDS
    sentiment: FloatArray = field(default_factory=lambda: np.zeros(0))  # NaN = none
    risks: Int8Array = field(default_factory=lambda: np.zeros(0, np.int8))  # bit k: RISK_KINDS[k]
    # The competitor a competitor risk's quote names: a position in ``names``, -1 for none.
    named: Int8Array = field(default_factory=lambda: np.zeros(0, np.int8))
    names: tuple[str, ...] = ()  # the workspace's competitors, as the settings name them

    @property
    def size(self) -> int:
        return int(self.cust.size)


RawConversations = tuple[
    IntArray, IntArray, IntArray, FloatArray, IntArray, IntArray, tuple[str, ...]
]


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


def _day(value: Any) -> int:
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return (when.date() - dt.date(1970, 1, 1)).days


def read_conversations(conn: Connection, until_day: int) -> RawConversations:
    """(customer id, day, kind code, sentiment, risk bits, competitor named) of each
    conversation dated up to ``until_day``, in table order, and the competitors' names."""
    i = Interaction.__table__.c
    until = dt.datetime.combine(dt.date(1970, 1, 1) + dt.timedelta(days=until_day + 1), dt.time())
    rows = conn.execute(
        select(i.customer_id, i.occurred_at, i.kind, i.sentiment, i.attributes).where(
            i.source == SOURCE, i.occurred_at < until, i.kind.in_(CONVERSATION_KINDS)
        )
    ).all()
    n = len(rows)
    cust = np.fromiter((r[0] for r in rows), np.int64, count=n)
    day = np.fromiter((_day(r[1]) for r in rows), np.int64, count=n)
    kind = np.fromiter((CONVERSATION_KINDS.index(r[2]) for r in rows), np.int64, count=n)
    felt = np.array([np.nan if r[3] is None else float(r[3]) for r in rows], np.float64)
    felt[~((felt >= -1.0) & (felt <= 1.0))] = np.nan
    proven: frozenset[str] = frozenset()
    if n:
        with Session(bind=conn) as session:
            proven = workspace_proven(session)
    bits = np.fromiter((_risk_bits(r[4], proven) for r in rows), np.int64, count=n)
    names: tuple[str, ...] = ()
    named = np.full(n, -1, np.int64)
    if n and np.any(bits & (1 << RISK_KINDS.index("competitor"))):
        with Session(bind=conn) as session:
            names = tuple(" ".join(x.split()) for x in ListenSettings.read(session).competitors)
        names = tuple(x for x in names if x)[:127]
        if names:
            named = np.fromiter((_named(r[4], names) for r in rows), np.int64, count=n)
    return cust, day, kind, felt, bits, named, names


def _risk_bits(attributes: Any, proven: frozenset[str]) -> int:
    """One bit per kind raised, of the risks that may count (proven kinds, found by the
    app's own reading: services/listen/proven_risks.py)."""
    bits = 0
    for risk in raising(_attributes(attributes), proven):
        kind = str(risk.get("kind"))
        if kind in RISK_KINDS:
            bits |= 1 << RISK_KINDS.index(kind)
    return bits


def _named(attributes: Any, names: tuple[str, ...]) -> int:
    """The position of the first competitor named in a competitor risk's quote, or -1."""
    for risk in _attributes(attributes).get("risks") or []:
        if not isinstance(risk, dict) or risk.get("kind") != "competitor":
            continue
        quote = str(risk.get("quote") or "")
        for k, name in enumerate(names):
            pattern = r"(?<!\w)" + re.escape(name).replace(r"\ ", r"\s+") + r"(?!\w)"
            if re.search(pattern, quote, re.IGNORECASE):
                return k
    return -1


def ordered_conversations(
    raw: RawConversations, place: IntArray, ok: npt.NDArray[np.bool_]
) -> ConversationRows:
    """The conversations of customers (``place``: each row's customer's position, ``ok``:
    whether it is a customer's), sorted by that position, then day, then kind."""
    cust, day, kind, felt, bits, named, names = raw
    keep = np.flatnonzero(ok)
    order = keep[np.lexsort((felt[keep], bits[keep], kind[keep], day[keep], place[keep]))]
    return ConversationRows(
        cust=place[order].astype(np.int32),
        day=day[order].astype(np.int32),
        kind=kind[order].astype(np.int8),
        sentiment=felt[order],
        risks=bits[order].astype(np.int8),
        named=named[order].astype(np.int8),
        names=names,
    )


def _last(cust: Int32Array, values: npt.NDArray[np.generic], n: int) -> FloatArray:
    """Each customer's value on its last row (rows sorted by customer, then day)."""
    out = np.full(n, np.nan)
    if cust.size:
        ends = np.flatnonzero(np.r_[cust[1:] != cust[:-1], True])
        out[cust[ends]] = values[ends]
    return out


def conversation_features(rows: ConversationRows, n: int, cutoff: int) -> dict[str, FloatArray]:
    """The conversation features of every customer (positions 0..n-1) as of ``cutoff``."""
    seen = rows.day <= cutoff
    out: dict[str, FloatArray] = {}
    names = [*CONVERSATION_FEATURES]
    for risk in RISK_KINDS:
        names += [f"conv_{risk}_90", f"conv_{risk}_day", f"conv_{risk}_where"]
    names.append("conv_competitor_named")
    if not seen.any():
        return {name: np.full(n, np.nan) for name in names}
    c, day, kind = rows.cust[seen], rows.day[seen], rows.kind[seen]
    felt, bits = rows.sentiment[seen], rows.risks[seen].astype(np.int64)
    has = np.bincount(c, minlength=n) > 0
    recent = cutoff - day < WINDOW_DAYS

    def count(mask: npt.NDArray[np.bool_]) -> FloatArray:
        counted = np.bincount(c[mask], minlength=n).astype(np.float64)
        return np.where(has, counted, np.nan)

    out["conv_risks_90"] = count(recent & (bits > 0))
    felt_recent = recent & ~np.isnan(felt)
    total = np.bincount(c[felt_recent], weights=felt[felt_recent], minlength=n)
    felt_n = np.bincount(c[felt_recent], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["conv_sentiment_90"] = np.where(felt_n > 0, total / np.maximum(felt_n, 1), np.nan)
    two_way = np.isin(kind, TWO_WAY)
    out["conv_days_since_two_way"] = cutoff - _last(c[two_way], day[two_way], n)
    for k, name in enumerate(RISK_KINDS):
        raised = recent & ((bits >> k) & 1 == 1)
        out[f"conv_{name}_90"] = count(raised)
        out[f"conv_{name}_day"] = _last(c[raised], day[raised], n)
        out[f"conv_{name}_where"] = _last(c[raised], kind[raised], n)
    competitor = recent & ((bits >> RISK_KINDS.index("competitor")) & 1 == 1)
    named = _last(c[competitor], rows.named[seen][competitor], n)
    out["conv_competitor_named"] = np.where(named >= 0, named, np.nan)
    return {name: out[name] for name in names}


def has_conversations(rows: ConversationRows, cutoff: int) -> bool:
    """Whether any conversation is dated on or before the cutoff."""
    return bool(np.any(rows.day <= cutoff))

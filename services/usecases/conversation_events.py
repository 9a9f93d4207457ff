"""A conversation in a customer's timeline: what it was (a call, a meeting, a chat, an
email either way, a social mention) with its title and whom it was with, the risks the
customer raised in words, and its summary with the actions promised.

The conversations are the interactions services/importing/conversation_files.py keeps
(source "conversations"), with what was read out of them in their attributes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from services.core.records import TimelineEvent
from services.listen.proven_risks import UNPROVEN, raising

CONVERSATION_SOURCE = "conversations"
# The timeline's badge (views/item_models/timeline_model.py) and title of each kind.
_KINDS = {
    "call": ("call", "Call"),
    "meeting": ("meeting", "Meeting"),
    "chat": ("chat", "Chat"),
    "email_received": ("email", "Email from them"),
    "email_sent": ("email", "Email to them"),
    "social": ("social", "Social mention"),
}
DETAIL_LIMIT = 300


def risk_words(attributes: dict[str, Any] | None, proven: Iterable[str]) -> str:
    """ "raised cancellation; mentioned a competitor (unproven)", "" when none: a risk that
    may raise nothing (a kind not proven on the listening corpus, or read only by a model:
    services/listen/proven_risks.py) is marked unproven."""
    kept = attributes or {}
    counting = {id(r) for r in raising(kept, proven)}
    labels: list[str] = []
    for risk in kept.get("risks") or []:
        if not isinstance(risk, dict):
            continue
        label = str(risk.get("label") or risk.get("kind") or "")
        if label and id(risk) not in counting:
            label += f" ({UNPROVEN})"
        if label and label not in labels:
            labels.append(label)
    return "; ".join(labels)


def raises(attributes: dict[str, Any] | None, proven: Iterable[str]) -> bool:
    """Whether one of the conversation's risks may raise anything."""
    return bool(raising(attributes or {}, proven))


def conversation_event(
    row: Any, when: dt.datetime | None, customer: str = "", proven: Iterable[str] = ()
) -> TimelineEvent:
    """The timeline's event for one conversation (``when`` in the customer's local time):
    the kind and the risks first (a narrow pane cuts the end of a title), then the title,
    then whom it was with when that is not the customer's own name; ``proven``: the kinds
    of risk that may raise anything (the others are marked unproven)."""
    assert when is not None
    attributes = row.attributes if isinstance(row.attributes, dict) else {}
    badge, kind_title = _KINDS.get(row.kind, ("note", "Conversation"))
    who = (attributes.get("with") or {}).get("name") or ""
    risks = risk_words(attributes, proven)
    parts = [kind_title + (f" ⚠ {risks}" if risks else "")]
    if (row.subject or "").strip():
        parts.append(row.subject.strip())
    if who and who != customer:
        parts.append(f"with {who}")
    title = " · ".join(parts)
    summary = " ".join(str(s) for s in attributes.get("summary") or [])
    actions = attributes.get("actions") or []
    if actions:
        first = actions[0]
        what = str(first.get("what", ""))
        due = f" (by {first['by']})" if first.get("by") else ""
        # The summary often holds the promise already: it is said once, with its day.
        summary = summary.replace(what, "").strip() if what else summary
        summary += f" Promised: {what}{due}"
    summary = " ".join(summary.split())
    if len(summary) > DETAIL_LIMIT:
        summary = summary[: DETAIL_LIMIT - 1] + "…"
    # A conversation in which the customer raised a proven risk is a churn signal: its own
    # badge; an unproven one is only said in the title.
    kind = "risk_raised" if raises(attributes, proven) else badge
    ident = getattr(row, "id", None)
    return TimelineEvent(when, kind, title, summary, conversation_id=int(ident) if ident else None)

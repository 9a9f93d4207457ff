"""What was posted to which webhook, and which webhooks' first post was approved.

Both are kept in the workspace (two of the app's own records among the settings,
``notify.posted`` and ``notify.approved``), keyed by a hash of the webhook's address,
never the address: a post is remembered once it went, so a round that failed leaves it to
the next, and two people posting to the same channel from one shared workspace never
post the same alert twice. The record of posts keeps the newest ``POSTED_LIMIT`` entries:
an alert is posted only while it is new (services/notify/gather.py), long before it would
be forgotten.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from models.schema import AuditEvent
from services.settings import set_setting
from services.settings.notify import APPROVED, POSTED
from services.settings.views import NotifyRecords

POSTED_LIMIT = 5000
SEPARATOR = "|"


def posted_keys(session: Session, hook: str) -> set[str]:
    """The keys ("critical:12", "sla:12", "digest:2026-11-27") posted to the webhook ``hook``."""
    prefix = hook + SEPARATOR
    return {
        str(entry)[len(prefix) :]
        for entry in NotifyRecords.read(session).posted or []
        if str(entry).startswith(prefix)
    }


def remember_posted(session: Session, hook: str, keys: Iterable[str]) -> None:
    """Record that ``keys`` went to ``hook`` (inside the caller's transaction)."""
    kept = [str(e) for e in NotifyRecords.read(session).posted or []]
    have = set(kept)
    new = [f"{hook}{SEPARATOR}{k}" for k in keys if f"{hook}{SEPARATOR}{k}" not in have]
    if new:
        set_setting(session, POSTED, (kept + new)[-POSTED_LIMIT:], actor="Account Radar")


def is_approved(session: Session, hook: str) -> bool:
    """True once someone approved the first post to the webhook ``hook``."""
    return hook in {str(e) for e in NotifyRecords.read(session).approved or []}


def approve(session: Session, hook: str, *, actor: str = "user") -> None:
    """Remember that ``actor`` saw and approved the first post to ``hook`` (audited)."""
    if is_approved(session, hook):
        return
    approved = [str(e) for e in NotifyRecords.read(session).approved or []]
    set_setting(session, APPROVED, [*approved, hook], actor=actor)
    session.add(
        AuditEvent(
            actor=actor,
            action="notify.webhook_approved",
            entity_type="webhook",
            details={"webhook": hook},
        )
    )

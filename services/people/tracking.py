"""A customer's consent to activity tracking: when they opted out (a CRM's field, read by
the importers, or the user's own toggle) their product usage and conversations are left
out of the scores (services/scoring/data.py) and out of every request to a model (the
conversation reading, Ask's examples), and the customer pane says so in words.

``customers.tracking_opted_out_at`` holds when they opted out (NULL: they did not). A
change here is audited ("customer.tracking_opted_out", "customer.tracking_opted_in"); on a
shared workspace the database's row-level security lets a manager change only the
customers of her own book (services/team/security.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import translate_db_errors
from models.errors import UserFacingError
from models.schema import AuditEvent, Customer
from services.core.formatting import format_date

__all__ = [
    "ConsentError",
    "consent_words",
    "opted_out_at",
    "opted_out_ids",
    "set_tracking_consent",
]


class ConsentError(UserFacingError):
    """The consent cannot be changed (the customer is gone, or not yours)."""


def opted_out_ids(session: Session) -> frozenset[int]:
    """The ids of the customers who opted out of activity tracking."""
    rows = session.execute(select(Customer.id).where(Customer.tracking_opted_out_at.is_not(None)))
    return frozenset(int(r[0]) for r in rows)


def opted_out_at(session: Session, customer_id: int) -> dt.datetime | None:
    """When the customer opted out of activity tracking, or None."""
    when = session.execute(
        select(Customer.tracking_opted_out_at).where(Customer.id == customer_id)
    ).scalar_one_or_none()
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when


def consent_words(when: dt.datetime | None) -> str | None:
    """The pane's sentence for an opted-out customer; None for one who did not opt out."""
    if when is None:
        return None
    return (
        f"Opted out of activity tracking on {format_date(when.date())}: usage and "
        "conversations are not used."
    )


def set_tracking_consent(
    engine: Engine,
    customer_id: int,
    *,
    opted_out: bool,
    actor: str,
    now: dt.datetime | None = None,
) -> bool:
    """Record the customer's opt-out (or opt-in) of activity tracking in a transaction of
    its own; whether it changed. Audited; ConsentError when the customer is not there
    (or, on a shared workspace, not in the person's book)."""
    when = now or utcnow()
    with translate_db_errors(), Session(engine) as session, session.begin():
        customer = session.get(Customer, customer_id, with_for_update=True)
        if customer is None:
            raise ConsentError(
                f"Customer {customer_id} is not in this workspace (or not in your book)."
            )
        already = customer.tracking_opted_out_at is not None
        if already == opted_out:
            return False
        before = customer.tracking_opted_out_at
        customer.tracking_opted_out_at = when if opted_out else None
        session.add(
            AuditEvent(
                occurred_at=when, actor=actor,
                action="customer.tracking_opted_out" if opted_out else "customer.tracking_opted_in",
                entity_type="customer", entity_id=customer_id,
                details={"before": before.isoformat() if before else None},
            )
        )  # fmt: skip
    return True

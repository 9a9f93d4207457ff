"""When the app counts a customer as contacted: every email, call or meeting that reached
them, as one query, defined here once (the alerts' cool-downs and "no contact since", the
customer's last contact in the detail, the batches' cool-down).

Its own module, light to import: the customer's detail reads the last contact and must
not bring in the alerts' inputs (pandas, the lapse model's scipy) with it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, or_, select, union_all

from models.schema import Action, Customer, Interaction, Outreach
from models.vocab import APP_SOURCE, CALL_CONVERSATION, CALL_OUTCOMES, OUTREACH_STATUSES

CONTACT_KINDS = ("call", "meeting")


def contact_times(since: dt.datetime, until: dt.datetime) -> Any:
    """A subquery of (customer_id, at) for every contact in [since, until]: an email
    logged as sent or exported (outreach), a call logged as an action that reached the
    customer (a conversation; a call logged before calls had an outcome counts too), a
    call or meeting among the interactions (not a call whose status says it did not reach
    them: a voicemail, no answer, a wrong number), or an email the user logged
    (interactions of kind email_sent from this app; imported ones are mostly campaigns).

    Contact at or before the moment a user ended the customer's quiet period
    (customers.quiet_override_at) does not count."""
    o, a, i = Outreach.__table__.c, Action.__table__.c, Interaction.__table__.c
    c = Customer.__table__.c
    sent_at = func.coalesce(o.sent_at, o.created_at)
    missed = tuple(outcome for outcome in CALL_OUTCOMES if outcome != CALL_CONVERSATION)
    reached = or_(i.kind != "call", i.status.is_(None), i.status.not_in(missed))
    contact = or_(
        and_(i.kind.in_(CONTACT_KINDS), reached),
        and_(i.kind == "email_sent", i.source == APP_SOURCE),
    )
    times = union_all(
        select(o.customer_id.label("customer_id"), sent_at.label("at")).where(
            o.status.in_(OUTREACH_STATUSES), sent_at >= since, sent_at <= until
        ),
        select(a.customer_id, a.created_at).where(
            a.kind == "call",
            or_(a.outcome.is_(None), a.outcome == CALL_CONVERSATION),
            a.created_at >= since,
            a.created_at <= until,
        ),
        select(i.customer_id, i.occurred_at).where(
            contact, i.occurred_at >= since, i.occurred_at <= until
        ),
    ).subquery()
    return (
        select(times.c.customer_id, times.c.at)
        .join(Customer.__table__, c.id == times.c.customer_id)
        .where(or_(c.quiet_override_at.is_(None), times.c.at > c.quiet_override_at))
        .subquery()
    )


def contacts_since(since: dt.datetime, until: dt.datetime) -> Any:
    """A query of the ids of the customers contacted in [since, until] (contact_times)."""
    times = contact_times(since, until)
    return select(times.c.customer_id).distinct()

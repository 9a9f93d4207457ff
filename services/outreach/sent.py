"""Record an email the user sent or exported, or reports sending from elsewhere: the
outreach log, the timeline, the alert. The one place that records an email.

One transaction: the outreach row with who wrote the draft (provider and model, or
template), an ``email_sent`` interaction from this app (so the customer's timeline shows
it and the cool-down counts it as contact), the alert moved from open to in progress, and
an audit event. Do-not-contact and unsubscribed customers are refused with a plain
AlertActionError and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict, Unpack

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.schema import Alert, Customer, Outreach
from models.vocab import OUTREACH_STATUSES
from services.alerts.config import default_actor
from services.alerts.contact import (  # the contact log's own steps
    _customer_name,
    _log_interaction,
    _text,
    _title,
    _unsubscribed,
    holdout_contacted,
    started_by_contact,
)
from services.alerts.lifecycle import (
    AlertActionError,
    AlertNotFoundError,
    Doing,
    alert_entity,
    load_alert,
    moment,
    unit_of_work,
    within,
)
from services.alerts.records import (
    HELD_BACK,
    SentAs,
)


def log_email_sent(
    engine: Engine,
    alert_id: int,
    subject: str,
    *,
    body: str | None = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Record an email sent to the customer (outside the app) against an alert; returns
    the outreach id. Refused for do-not-contact and unsubscribed customers. Counts as
    contact for the cool-down; an open alert moves to in progress."""
    with unit_of_work(engine) as session:
        alert = load_alert(session, alert_id)
        return record_email_in(
            session,
            int(alert.customer_id),
            alert_id=alert_id,
            subject=subject,
            body=body,
            actor=actor,
            now=now,
        )


class EmailFields(TypedDict, total=False):
    """What record_email_in takes besides the session, customer, alert and subject, for
    the functions that pass an email on to it (record_email, the composer's
    services.outreach.waiting.record_composer_email); its defaults are record_email_in's."""

    body: str | None
    status: str
    recipient: str | None
    provider: str | None
    model: str | None
    template: str | None
    actor: str | None
    now: dt.datetime | None
    sent: SentAs | None


def record_email(
    engine: Engine,
    customer_id: int,
    *,
    alert_id: int | None,
    subject: str,
    **email: Unpack[EmailFields],
) -> int:
    """Record an email to a customer in a transaction of its own; returns the outreach
    id (see record_email_in)."""
    with unit_of_work(engine) as session:
        return record_email_in(session, customer_id, alert_id=alert_id, subject=subject, **email)


def record_email_in(
    session: Session,
    customer_id: int,
    *,
    alert_id: int | None,
    subject: str,
    body: str | None = None,
    status: str = "sent",
    recipient: str | None = None,
    provider: str | None = None,
    model: str | None = None,
    template: str | None = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
    sent: SentAs | None = None,
) -> int:
    """Record an email to a customer, sent or exported (handed to the user's mail
    program), with or without an alert, in one transaction; returns the outreach id.

    Writes the outreach row (recipient: the customer's address unless given; who wrote
    it: provider and model, or template), an ``email_sent`` interaction (the timeline;
    contact for the cool-down) and an audit event; an open alert moves to in progress.
    Refused, writing nothing, for do-not-contact and unsubscribed customers and for an
    alert of another customer.
    """
    from services.outreach.checks import offers_made

    if status not in OUTREACH_STATUSES:
        raise AlertActionError(f"'{status}' is not an email status; use sent or exported.")
    when, who = moment(now), actor or default_actor()
    how = sent or SentAs()
    title = _text(subject, "the email's subject")
    with within(session):
        customer, alert = _addressee(session, customer_id, alert_id)
        outreach = Outreach(
            customer_id=customer.id,
            alert_id=alert.id if alert is not None else None,
            channel="email",
            status=status,
            recipient=(recipient or "").strip() or customer.email,
            subject=_title(title),
            body=body,
            provider=provider,
            model=model,
            template=template,
            goal=how.goal,
            tone=how.tone,
            variant=how.variant,
            edited=how.edited,
            offers=offers_made(title, body),
            created_at=when,
            sent_at=when,
        )
        session.add(outreach)
        session.flush()
        _log_interaction(
            session,
            alert,
            kind="email_sent",
            subject=outreach.subject or title,
            body=body,
            actor=who,
            now=when,
            refs={"outreach_id": int(outreach.id)},
            customer_id=int(customer.id),
        )
        details = {
            "outreach_id": int(outreach.id),
            "text": outreach.subject,
            "status": status if status != "sent" else None,
        }
        doing = Doing(session, when, who)
        holdout_contacted(doing, int(customer.id), how.holdout_reason)
        if alert is not None:
            doing.audit("alert.email_logged", alert_entity(alert), details)
            started_by_contact(doing, alert)
        else:
            doing.audit("customer.email_logged", ("customer", int(customer.id)), details)
        return int(outreach.id)


def _addressee(
    session: Session, customer_id: int, alert_id: int | None
) -> tuple[Customer, Alert | None]:
    """The customer an email may be recorded for, and the alert it goes against (None for
    a held-back alert); refused with a plain error, before anything is written, for a
    missing customer, an alert of another customer, and customers who asked not to be
    contacted or unsubscribed."""
    alert = load_alert(session, alert_id) if alert_id is not None else None
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise AlertNotFoundError(f"Customer {customer_id} no longer exists.")
    if alert is not None and alert.customer_id != customer.id:
        raise AlertActionError(
            f"Alert {alert_id} belongs to another customer; no email was logged."
        )
    if alert is not None and alert.status == HELD_BACK:
        # The email may be out already: it is kept as the customer's, not tied to an
        # alert that is not in the queue (the next scoring replaces held-back alerts).
        alert = None
    name = _customer_name(customer)
    if customer.do_not_contact:
        raise AlertActionError(f"{name} asked not to be contacted; no email was logged.")
    if _unsubscribed(session, customer.id):
        raise AlertActionError(f"{name} unsubscribed from emails; no email was logged.")
    return customer, alert

"""Record an email the user sent or exported: the outreach log, the timeline, the alert.

One transaction (services.alerts.lifecycle.record_email, which also logs the emails a
user reports sending from elsewhere): the outreach row with who wrote the draft (provider
and model, or template), an ``email_sent`` interaction from this app (so the customer's
timeline shows it and the cool-down counts it as contact), the alert moved from open to
in progress, and an audit event. Do-not-contact and unsubscribed customers are refused
with a plain AlertActionError and nothing is written.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from services.alerts.contact import record_email
from services.alerts.records import SentAs


def record_outreach(
    engine: Engine,
    customer_id: int,
    *,
    alert_id: int | None,
    subject: str,
    body: str,
    status: str,
    recipient: str | None,
    provider: str | None,
    model: str | None,
    template: str | None,
    actor: str | None = None,
    now: dt.datetime | None = None,
    sent: SentAs | None = None,
) -> int:
    """Record an email ``status`` "sent" (by SMTP) or "exported" (mailto, .eml, copied);
    returns the outreach id. One transaction of its own."""
    return record_email(
        engine,
        customer_id,
        alert_id=alert_id,
        subject=subject,
        body=body,
        status=status,
        recipient=recipient,
        provider=provider,
        model=model,
        template=template,
        actor=actor,
        now=now,
        sent=sent,
    )

"""Drafts waiting in the review queue, seen from outside the queue: which customers have
one (the alert card's "Draft waiting" badge), the draft itself (the composer offers it),
why each customer of a batch is there (the review queue shows it beside the draft), and
an email recorded from the composer settling the customer's waiting drafts.

A draft waits while its row is drafted, approved or failed in a batch not closed
(batch_records.WAITING_STATES). An email recorded from the composer, with the waiting
draft or another text, takes the customer out of the queue in the same transaction: the
row whose text was used becomes sent (with the outreach id), any other row of theirs
still open is skipped as "Emailed from the composer", so no batch writes to them again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Unpack

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.schema import Alert, BatchDraft, Customer, DraftBatch, Order, ScoreSnapshot
from services.alerts.config import RULE_TITLES
from services.alerts.lifecycle import moment, unit_of_work
from services.alerts.records import SEVERITY_RANK, WORKING_STATUSES
from services.core.account_names import account_name_sql
from services.core.local_dates import local_date
from services.outreach.batch_records import (
    OPEN_STATES,
    SKIP_EMAILED,
    WAITING_STATES,
    WaitingDraft,
    WhyInQueue,
)
from services.scoring.queries import latest_run_id

if TYPE_CHECKING:
    from services.outreach.sent import EmailFields

_CHUNK = 500  # SQLite's limit on the values of one IN (...), with room to spare


def _waiting_rows() -> Any:
    return (
        select(BatchDraft)
        .join(DraftBatch, DraftBatch.id == BatchDraft.batch_id)
        .where(DraftBatch.closed_at.is_(None), BatchDraft.state.in_(WAITING_STATES))
    )


def waiting_customers(engine: Engine) -> frozenset[int]:
    """The customers with a draft waiting in the review queue."""
    with Session(engine) as session:
        query = (
            select(BatchDraft.customer_id)
            .join(DraftBatch, DraftBatch.id == BatchDraft.batch_id)
            .where(DraftBatch.closed_at.is_(None), BatchDraft.state.in_(WAITING_STATES))
            .distinct()
        )
        return frozenset(int(c) for c in session.scalars(query))


def waiting_mask(engine: Engine, customer_ids: np.ndarray) -> np.ndarray:
    """For each of ``customer_ids``: whether a draft of theirs waits in the review queue
    (the alert list's ``draft_waiting`` column)."""
    waiting = waiting_customers(engine)
    ids = np.asarray(customer_ids, dtype=np.int64)
    if not waiting:
        return np.zeros(len(ids), dtype=bool)
    return np.isin(ids, np.fromiter(waiting, dtype=np.int64, count=len(waiting)))


def waiting_draft(session: Session, customer_id: int) -> WaitingDraft | None:
    """The customer's draft waiting in the review queue (the newest batch's), or None."""
    found = session.execute(
        _waiting_rows()
        .add_columns(account_name_sql())
        .join(Customer, Customer.id == BatchDraft.customer_id)
        .where(BatchDraft.customer_id == customer_id)
        .order_by(DraftBatch.created_at.desc(), BatchDraft.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return None
    row, name = found
    subject, body = row.subject or "", row.body or ""
    return WaitingDraft(
        row_id=int(row.id),
        batch_id=int(row.batch_id),
        customer_id=int(row.customer_id),
        customer=str(name),
        alert_id=row.alert_id,
        subject=subject,
        body=body,
        goal=row.goal,
        tone=row.tone,
        variant=int(row.variant or 0),
        edited=(subject, body) != (row.generated_subject or "", row.generated_body or ""),
        provider=row.provider,
        model=row.model,
        template=row.template,
    )


def settle_waiting(
    session: Session,
    customer_id: int,
    *,
    outreach_id: int,
    status: str,
    used_row: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """An email to the customer was recorded (``outreach_id``): the row whose text was
    used (``used_row``) becomes ``status`` with the outreach id, any other open row of
    theirs (queued, waiting, not sending) is skipped as emailed from the composer, and
    the batches left with nothing to do close. Returns the rows settled."""
    when = moment(now)
    rows = session.scalars(
        select(BatchDraft)
        .join(DraftBatch, DraftBatch.id == BatchDraft.batch_id)
        .where(
            DraftBatch.closed_at.is_(None),
            BatchDraft.customer_id == customer_id,
            BatchDraft.state.in_(tuple(s for s in OPEN_STATES if s != "sending")),
        )
    ).all()
    for row in rows:
        if used_row is not None and int(row.id) == used_row:
            row.state, row.outreach_id, row.sent_at, row.error = status, outreach_id, when, None
        else:
            row.state, row.skip_reason = "skipped", SKIP_EMAILED
        row.updated_at = when
    session.flush()
    # Imported here: the alert list's read (waiting_mask) needs neither the batches nor
    # the sending, which bring pandas.
    from services.outreach.batch import close_if_done

    for batch_id in sorted({int(r.batch_id) for r in rows}):
        close_if_done(session, batch_id, when)
    return len(rows)


def record_composer_email(
    engine: Engine,
    customer_id: int,
    *,
    alert_id: int | None,
    subject: str,
    used_row: int | None = None,
    **email: Unpack[EmailFields],
) -> int:
    """Record an email from the composer (services.outreach.sent.record_email_in) and
    settle the customer's waiting drafts (``settle_waiting``), in one transaction;
    returns the outreach id."""
    from services.outreach.sent import record_email_in

    when = moment(email.get("now"))
    status = email.get("status", "sent")
    # The drafts settle at the moment the email is recorded at, whatever the clock says.
    fields: EmailFields = {**email, "now": when}
    with unit_of_work(engine) as session:
        outreach_id = record_email_in(
            session, customer_id, alert_id=alert_id, subject=subject, **fields
        )
        settle_waiting(
            session,
            customer_id,
            outreach_id=outreach_id,
            status=status,
            used_row=used_row,
            now=when,
        )
        return outreach_id


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def why_in_batch(
    engine: Engine, batch_id: int, *, now: dt.datetime | None = None
) -> dict[int, WhyInQueue]:
    """Why each customer of a batch is there, by customer id: their active alerts'
    reasons (most urgent first, as their card lists them), last paid order, churn risk."""
    when = moment(now)
    with Session(engine) as session:
        customers = sorted(
            int(c)
            for c in session.scalars(
                select(BatchDraft.customer_id).where(BatchDraft.batch_id == batch_id)
            )
        )
        run_id = latest_run_id(session)
        reasons: dict[int, list[tuple[tuple[int, int, int], str]]] = {}
        last: dict[int, tuple[dt.datetime, int | None]] = {}
        churn: dict[int, float] = {}
        for part in _chunks(customers):
            for alert in session.scalars(
                select(Alert).where(Alert.customer_id.in_(part), Alert.status.in_(WORKING_STATUSES))
            ):
                rank = (
                    SEVERITY_RANK.get(alert.severity, 9),
                    -int(alert.priority_cents or 0),
                    int(alert.id),
                )
                title = RULE_TITLES.get(alert.rule_key, alert.rule_key)
                text = f"{title}: {alert.reason}" if alert.reason else title
                reasons.setdefault(int(alert.customer_id), []).append((rank, text))
            orders = session.execute(
                select(Order.customer_id, Order.order_date, Order.utc_offset_minutes)
                .where(
                    Order.customer_id.in_(part), Order.status == "paid", Order.order_date <= when
                )
                .order_by(Order.order_date, Order.id)
            )
            for cid, stamp, offset in orders:
                last[int(cid)] = (stamp, offset)  # the latest wins
            if run_id is not None:
                for cid, risk in session.execute(
                    select(ScoreSnapshot.customer_id, ScoreSnapshot.churn_risk).where(
                        ScoreSnapshot.customer_id.in_(part),
                        ScoreSnapshot.scoring_run_id == run_id,
                    )
                ):
                    if risk is not None:
                        churn[int(cid)] = float(risk)
    result: dict[int, WhyInQueue] = {}
    for cid in customers:
        seen = last.get(cid)
        day = local_date(*seen) if seen is not None else None
        result[cid] = WhyInQueue(
            customer_id=cid,
            reasons=tuple(text for _rank, text in sorted(reasons.get(cid, []))),
            last_order=day,
            last_order_days=(when.date() - day).days if day is not None else None,
            churn_risk=churn.get(cid),
        )
    return result

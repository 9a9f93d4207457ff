"""A batch's approved emails leaving: by SMTP at a pace, handed to the mail app, or saved
as a folder of .eml files; each recorded as outreach exactly once (services.alerts.contact
.record_email_in, with how the email came to be: goal, tone, variant, edited).

Sending a row by SMTP:
1. claim it: approved -> sending, committed BEFORE the SMTP call (a second sender, or a
   second call, finds it taken and leaves it);
2. hand it to the SMTP server;
3. in ONE transaction: the outreach record, and the row sent with its outreach id.

A crash between 2 and 3 leaves the row in "sending": it is never sent again by itself.
The window says "Sending was interrupted — check your Sent folder" and offers
``mark_sent`` (it went) or ``send_again`` (back to approved). A send that fails marks the
row failed with the error and records nothing; approving it again retries.

Handed over (the mail app, a folder of .eml files): the window records nothing until the
user says they sent them (``save_eml_folder`` only saves; ``record_handed_over`` logs
each, once); the command line's ``export_eml_folder`` saves and records at once.

The pace: at most ``outreach.send_per_minute`` emails a minute, measured on an injected
clock (``clock``/``sleep``), so tests need no wall time.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine, exists, select, update
from sqlalchemy.orm import Session

from models.schema import BatchDraft, Customer, Interaction
from services.alerts.config import default_actor
from services.alerts.lifecycle import AlertActionError, moment, unit_of_work
from services.alerts.records import SentAs
from services.core.account_names import name_of
from services.core.output_files import unused_path
from services.mail.delivery import SmtpSettings, send_email, smtp_settings
from services.mail.message import build_email, save_eml
from services.outreach.batch import BatchError, CancelledFn, ProgressFn, close_if_done
from services.outreach.batch_records import SendSummary
from services.outreach.sent import record_email_in
from services.settings.views import SenderSettings

SendFn = Callable[[SmtpSettings, str, str, str, str | None], None]
# How long a wait for the pace sleeps at most before it looks at Cancel again.
_SLEEP_STEP_S = 0.2


def _never() -> bool:
    return False


def _quiet(_fraction: float, _message: str) -> None:
    return None


@dataclass(frozen=True)
class _Claimed:
    row_id: int
    batch_id: int
    customer_id: int
    alert_id: int | None
    recipient: str
    subject: str
    body: str
    goal: str | None
    tone: str | None
    variant: int
    edited: bool
    provider: str | None
    model: str | None
    template: str | None


def _claimed(row: BatchDraft) -> _Claimed:
    subject, body = row.subject or "", row.body or ""
    return _Claimed(
        row_id=int(row.id),
        batch_id=int(row.batch_id),
        customer_id=int(row.customer_id),
        alert_id=row.alert_id,
        recipient=(row.recipient or "").strip(),
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


def _blocked(session: Session, customer_id: int) -> str | None:
    """Why nothing may go to the customer any more (marked since the review), or None."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return "The customer no longer exists."
    name = name_of(session, customer_id)  # the account's (services/core/account_names.py)
    if customer.do_not_contact:
        return f"{name} asked not to be contacted."
    unsubscribed = session.scalar(
        select(
            exists().where(
                Interaction.customer_id == customer_id, Interaction.kind == "unsubscribe"
            )
        )
    )
    return f"{name} unsubscribed from emails." if unsubscribed else None


def _claim(engine: Engine, row_id: int, to_state: str) -> _Claimed | None:
    """approved -> ``to_state``, committed; None when the row is not approved (another
    sender has it, or it went already). A customer who may no longer be written to
    fails the row instead."""
    with unit_of_work(engine) as session:
        taken = session.execute(
            update(BatchDraft)
            .where(BatchDraft.id == row_id, BatchDraft.state == "approved")
            .values(state=to_state)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.get(BatchDraft, row_id)
        assert row is not None
        why = _blocked(session, int(row.customer_id))
        if why is None and not (row.recipient or "").strip():
            why = "No email address."
        if why is not None:
            row.state, row.error = "failed", why
            return None
        return _claimed(row)


def _record(
    engine: Engine,
    claimed: _Claimed,
    *,
    status: str,
    from_state: str,
    actor: str | None,
    now: dt.datetime | None,
) -> int | None:
    """The outreach record and the row's new state, in one transaction; None when the
    row is no longer in ``from_state`` (recorded already)."""
    when = moment(now)
    with unit_of_work(engine) as session:
        row = session.get(BatchDraft, claimed.row_id, with_for_update=True)
        if row is None or row.state != from_state:
            return None
        outreach_id = record_email_in(
            session,
            claimed.customer_id,
            alert_id=claimed.alert_id,
            subject=claimed.subject,
            body=claimed.body,
            status=status,
            recipient=claimed.recipient,
            provider=claimed.provider,
            model=claimed.model,
            template=claimed.template,
            actor=actor or default_actor(),
            now=when,
            sent=SentAs(
                goal=claimed.goal,
                tone=claimed.tone,
                variant=claimed.variant,
                edited=claimed.edited,
            ),
        )
        row.state, row.outreach_id, row.sent_at, row.error = status, outreach_id, when, None
        session.flush()
        close_if_done(session, claimed.batch_id, when)
        return outreach_id


def _approved_ids(engine: Engine, batch_id: int) -> list[int]:
    with Session(engine) as session:
        return [
            int(i)
            for i in session.scalars(
                select(BatchDraft.id)
                .where(BatchDraft.batch_id == batch_id, BatchDraft.state == "approved")
                .order_by(BatchDraft.position, BatchDraft.id)
            )
        ]


def send_approved(
    engine: Engine,
    batch_id: int,
    progress: ProgressFn = _quiet,
    cancelled: CancelledFn = _never,
    *,
    sender: str | None = None,
    smtp: SmtpSettings | None = None,
    per_minute: int | None = None,
    send: SendFn = send_email,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> SendSummary:
    """Send the batch's approved emails by SMTP, at most ``per_minute`` a minute (default
    the setting outreach.send_per_minute); see the module docstring."""
    with Session(engine) as session:
        settings = smtp or smtp_settings(session)
        pace = per_minute or SenderSettings.read(session).send_per_minute
    if not settings.configured:
        raise BatchError("Set up sending email first (Settings ▸ Sending email).")
    interval = 60.0 / max(pace, 1)
    ids = _approved_ids(engine, batch_id)
    done = failed = 0
    errors: list[str] = []
    next_at: float | None = None
    for index, row_id in enumerate(ids):
        if cancelled():
            break
        if next_at is not None:
            while (wait := next_at - clock()) > 0 and not cancelled():
                sleep(min(wait, _SLEEP_STEP_S))
            if cancelled():
                break
        claimed = _claim(engine, row_id, "sending")
        if claimed is None:
            continue
        next_at = clock() + interval
        progress(index / max(len(ids), 1), f"Sending to {claimed.recipient}…")
        try:
            send(
                settings,
                claimed.subject,
                claimed.body,
                claimed.recipient,
                sender or settings.sender,
            )
        except Exception as exc:  # noqa: BLE001 - any failure: the row says why, nothing recorded
            _fail(engine, row_id, "sending", str(exc))
            failed += 1
            errors.append(f"{claimed.recipient}: {exc}")
            continue
        _record(engine, claimed, status="sent", from_state="sending", actor=actor, now=now)
        done += 1
    left = len(_approved_ids(engine, batch_id))
    progress(1.0, f"Sent {done:,}" + (f", {failed:,} not sent" if failed else ""))
    return SendSummary(
        done=done, failed=failed, left=left, cancelled=cancelled(), errors=tuple(errors)
    )


def mark_sent(
    engine: Engine, row_id: int, *, actor: str | None = None, now: dt.datetime | None = None
) -> int | None:
    """An interrupted row ("sending") the user found in their Sent folder: recorded as
    sent, once; returns the outreach id (None: not interrupted, nothing done)."""
    with Session(engine) as session:
        row = session.get(BatchDraft, row_id)
        if row is None:
            raise BatchError(f"This draft (row {row_id}) no longer exists.")
        if row.state != "sending":
            return None
        claimed = _claimed(row)
    return _record(engine, claimed, status="sent", from_state="sending", actor=actor, now=now)


def send_again(engine: Engine, row_id: int) -> bool:
    """An interrupted row the user did not find sent: back to approved, to go with the next
    Send; True if it changed."""
    with unit_of_work(engine) as session:
        changed = session.execute(
            update(BatchDraft)
            .where(BatchDraft.id == row_id, BatchDraft.state == "sending")
            .values(state="approved", error=None)
        )
        return bool(changed.rowcount)  # type: ignore[attr-defined]


# --- handed over: the mail app, a folder of .eml files ----------------------------------------


@dataclass(frozen=True)
class HandOver:
    """One approved email to hand to the mail app (the window opens it, then calls
    ``record_handed_over``)."""

    row_id: int
    customer_id: int
    customer: str
    recipient: str
    subject: str
    body: str


def approved_emails(engine: Engine, batch_id: int) -> list[HandOver]:
    """The batch's approved emails, in queue order."""
    with Session(engine) as session:
        found = session.execute(
            select(BatchDraft, Customer.name)
            .join(Customer, Customer.id == BatchDraft.customer_id)
            .where(BatchDraft.batch_id == batch_id, BatchDraft.state == "approved")
            .order_by(BatchDraft.position, BatchDraft.id)
        )
        return [
            HandOver(
                int(d.id),
                int(d.customer_id),
                name or d.recipient or f"Customer {d.customer_id}",
                (d.recipient or "").strip(),
                d.subject or "",
                d.body or "",
            )
            for d, name in found
        ]


@dataclass(frozen=True)
class MailAppEmail:
    """One approved email as the mail app takes it: its mailto link, or the .eml draft
    saved in its place (the link would be too long), or why it can be neither."""

    row_id: int
    url: str | None = None
    draft: Path | None = None
    problem: str | None = None


def mail_app_emails(
    engine: Engine,
    batch_id: int,
    folder: Path,
    *,
    sender: str | None,
    only: frozenset[int] | None = None,
    links: bool = True,
) -> list[MailAppEmail]:
    """The batch's approved emails (``only``: those rows) for the mail app: a mailto link
    each, or an .eml draft saved in ``folder`` when the link would be too long (every one
    a draft when not ``links``: the mail links did not open)."""
    from services.mail.delivery import mail_app_url, save_draft
    from services.mail.message import MailError

    out: list[MailAppEmail] = []
    for email in approved_emails(engine, batch_id):
        if only is not None and email.row_id not in only:
            continue
        try:
            url = mail_app_url(email.recipient, email.subject, email.body) if links else None
            if url is not None:
                out.append(MailAppEmail(email.row_id, url=url))
                continue
            path = save_draft(
                email.subject, email.body, email.recipient, sender, folder, email.customer_id
            )
            out.append(MailAppEmail(email.row_id, draft=path))
        except MailError as exc:
            out.append(MailAppEmail(email.row_id, problem=f"{email.customer}: {exc}"))
    return out


def record_handed_over(
    engine: Engine, row_id: int, *, actor: str | None = None, now: dt.datetime | None = None
) -> int | None:
    """An approved email handed to the mail app (or saved): recorded as exported, once;
    returns the outreach id (None: not approved any more, nothing recorded)."""
    with Session(engine) as session:
        row = session.get(BatchDraft, row_id)
        if row is None or row.state != "approved":
            return None
        claimed = _claimed(row)
    try:
        return _record(
            engine, claimed, status="exported", from_state="approved", actor=actor, now=now
        )
    except AlertActionError as exc:  # do not contact or unsubscribed since the review
        _fail(engine, row_id, "approved", str(exc))
        return None


def _fail(engine: Engine, row_id: int, from_state: str, error: str) -> None:
    with unit_of_work(engine) as session:
        session.execute(
            update(BatchDraft)
            .where(BatchDraft.id == row_id, BatchDraft.state == from_state)
            .values(state="failed", error=error)
        )


def _file_name(position: int, customer: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", customer.lower()).strip("-") or "customer"
    return f"{position + 1:04d}-{slug[:60]}.eml"


def save_eml_folder(
    engine: Engine,
    batch_id: int,
    folder: str | Path,
    progress: ProgressFn = _quiet,
    cancelled: CancelledFn = _never,
    *,
    sender: str | None = None,
) -> SendSummary:
    """Save every approved email as an .eml file in ``folder`` (one per customer); nothing
    is recorded: the rows stay approved (``rows`` and ``paths`` name what was saved) until
    ``record_handed_over`` logs each, once the user says they sent them. A customer who
    may no longer be written to fails their row instead of getting a file."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    with Session(engine) as session:
        if sender is None:
            sender = smtp_settings(session).sender
        positions = {
            int(row_id): int(position)
            for row_id, position in session.execute(
                select(BatchDraft.id, BatchDraft.position).where(BatchDraft.batch_id == batch_id)
            )
        }
    emails = approved_emails(engine, batch_id)
    saved: list[tuple[int, str]] = []
    errors: list[str] = []
    for index, email in enumerate(emails):
        if cancelled():
            break
        progress(index / max(len(emails), 1), f"Saving {email.customer}…")
        with Session(engine) as session:
            why = _blocked(session, email.customer_id)
        if why is not None:  # marked do not contact, or unsubscribed, since the review
            errors.append(f"{email.customer}: {why}")
            _fail(engine, email.row_id, "approved", why)
            continue
        # An earlier batch's file of the same name stays: this one takes "name (2).eml".
        path = unused_path(
            target / _file_name(int(positions.get(email.row_id, index)), email.customer)
        )
        try:
            save_eml(build_email(email.subject, email.body, email.recipient, sender), path)
        except Exception as exc:  # noqa: BLE001 - a bad address: the row says why
            errors.append(f"{email.customer}: {exc}")
            _fail(engine, email.row_id, "approved", str(exc))
            continue
        saved.append((email.row_id, str(path)))
    progress(1.0, f"Saved {len(saved):,}")
    return SendSummary(
        done=len(saved),
        failed=len(errors),
        left=len(emails) - len(saved) - len(errors),
        cancelled=cancelled(),
        errors=tuple(errors),
        paths=tuple(path for _row, path in saved),
        rows=tuple(row for row, _path in saved),
    )


def export_eml_folder(
    engine: Engine,
    batch_id: int,
    folder: str | Path,
    progress: ProgressFn = _quiet,
    cancelled: CancelledFn = _never,
    *,
    sender: str | None = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> SendSummary:
    """Save every approved email as an .eml file in ``folder`` and record each as
    exported, once, at once (the command line's draft --batch; the window asks first)."""
    saved = save_eml_folder(engine, batch_id, folder, progress, cancelled, sender=sender)
    logged = [
        (row, path)
        for row, path in zip(saved.rows, saved.paths, strict=True)
        if record_handed_over(engine, row, actor=actor, now=now) is not None
    ]
    return replace(
        saved,
        done=len(logged),
        paths=tuple(path for _row, path in logged),
        rows=tuple(row for row, _path in logged),
    )

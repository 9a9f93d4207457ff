"""Replies to the app's own emails, for every surface (Results ▸ Replies, ``report
replies``): each email sent in the period, whether and when its customer replied, and
the figures per template, tone and playbook. What counts as a reply is defined once, in
services/replies/definition.py.

An email belongs to the period by the day it was sent in the workspace's time zone; by
default the period runs from the first day of the month eleven months back to today.
Replies are looked for among every imported email from the customers' side, whenever it
came.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.schema import Interaction, Outreach, PlaybookRun
from services.core.account_names import name_map
from services.core.local_dates import workspace_zone
from services.outreach.records import GOAL_LABELS, TONE_LABELS
from services.replies.definition import Answer, Received, Sent, find_answers
from services.replies.records import (
    NO_PLAYBOOK,
    NO_TEMPLATE,
    NO_TONE,
    ReplyReport,
    SentEmail,
)
from services.settings.views import DateSettings

__all__ = ["period_bounds", "replies_report"]

SENT_STATUSES = ("sent", "exported")
TEXT_OPENING = 300


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_bounds(
    since: dt.date | None, until: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The period's first and last day (included): by default from the first day of the
    month eleven months before ``until`` (else today) to ``until`` (else today)."""
    last = until or today
    return since or _add_months(last, -11), last


def _utc_bounds(first: dt.date, last: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    return start.replace(tzinfo=None), end.replace(tzinfo=None)


def _naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def _sent_rows(session: Session, start: dt.datetime, end: dt.datetime) -> list[Any]:
    when = func.coalesce(Outreach.sent_at, Outreach.created_at)
    return list(
        session.execute(
            select(
                Outreach.id, Outreach.customer_id, Outreach.alert_id, Outreach.recipient,
                Outreach.subject, Outreach.body, Outreach.template, Outreach.tone, when,
            )
            .where(
                Outreach.status.in_(SENT_STATUSES),
                Outreach.channel == "email",
                Outreach.holdout.is_(False),
                when >= start,
                when < end,
            )
            .order_by(when, Outreach.id)
        )
    )  # fmt: skip


def _playbooks(session: Session, alert_ids: set[int]) -> dict[int, list[tuple[dt.datetime, str]]]:
    """Each alert's playbooks: (started, name), oldest first."""
    out: dict[int, list[tuple[dt.datetime, str]]] = {}
    if not alert_ids:
        return out
    rows = session.execute(
        select(PlaybookRun.alert_id, PlaybookRun.started_at, PlaybookRun.name)
        .where(PlaybookRun.alert_id.in_(sorted(alert_ids)))
        .order_by(PlaybookRun.started_at, PlaybookRun.id)
    )
    for alert_id, started, label in rows:
        if alert_id is not None:
            out.setdefault(int(alert_id), []).append((_naive(started), str(label)))
    return out


def _playbook(runs: list[tuple[dt.datetime, str]], sent: dt.datetime) -> str:
    """The playbook the email went out under: the alert's latest started by then (its
    first, when the email went before any)."""
    if not runs:
        return NO_PLAYBOOK
    before = [label for started, label in runs if started <= sent]
    return before[-1] if before else runs[0][1]


def _received(session: Session, since: dt.datetime) -> list[Received]:
    rows = session.execute(
        select(
            Interaction.id, Interaction.customer_id, Interaction.subject,
            # The opening is enough to tell an out-of-office answer.
            func.substr(Interaction.text, 1, TEXT_OPENING),
            Interaction.occurred_at, Interaction.attributes,
        )
        .where(Interaction.kind == "email_received", Interaction.occurred_at >= since)
        .order_by(Interaction.occurred_at, Interaction.id)
    )  # fmt: skip
    out: list[Received] = []
    for row_id, customer_id, subject, text, at, raw in rows:
        attributes = raw if isinstance(raw, dict) else {}
        replies_to = attributes.get("replies_to") or ()
        out.append(
            Received(
                interaction_id=int(row_id),
                customer_id=int(customer_id),
                sender=str(attributes.get("from") or "").strip().lower(),
                subject=str(subject or ""),
                text=str(text or ""),
                at=_naive(at),
                replies_to=tuple(str(i) for i in replies_to if isinstance(i, str)),
                auto_submitted=str(attributes.get("auto_submitted") or ""),
                headers=_headers(attributes.get("auto_headers")),
            )
        )
    return out


def _headers(value: object) -> tuple[tuple[str, str], ...]:
    """The automatic-answer headers an email's import kept, as (name, value) pairs."""
    if not isinstance(value, dict):
        return ()
    return tuple((str(k), str(v)) for k, v in value.items())


def _first_answers(
    answers: list[Answer], subjects: dict[int, str]
) -> tuple[dict[int, tuple[Answer, str]], dict[int, int]]:
    """Each email's first real reply (with its subject) and its count of automatic ones."""
    first: dict[int, tuple[Answer, str]] = {}
    automatic: dict[int, int] = {}
    for answer in sorted(answers, key=lambda a: (a.at, a.interaction_id)):
        if answer.automatic:
            automatic[answer.outreach_id] = automatic.get(answer.outreach_id, 0) + 1
        elif answer.outreach_id not in first:
            first[answer.outreach_id] = (answer, subjects.get(answer.interaction_id, ""))
    return first, automatic


def replies_report(
    engine: Engine,
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    today: dt.date | None = None,
) -> ReplyReport:
    """Replies to the emails sent from ``since`` to ``until`` (both included)."""
    with Session(engine) as session:
        zone = ZoneInfo(workspace_zone(DateSettings.read(session).time_zone or None))
        first_day, last_day = period_bounds(since, until, today or dt.datetime.now(zone).date())
        start, end = _utc_bounds(first_day, last_day, zone)
        rows = _sent_rows(session, start, end)
        runs = _playbooks(session, {int(r[2]) for r in rows if r[2] is not None})
        received = _received(session, start)
        ids = sorted({int(r[1]) for r in rows})
        names = name_map(session, ids)  # the accounts' names (services/core/account_names.py)
        holdout = session.scalar(
            select(func.count()).select_from(Outreach).where(
                Outreach.holdout.is_(True),
                func.coalesce(Outreach.sent_at, Outreach.created_at) >= start,
                func.coalesce(Outreach.sent_at, Outreach.created_at) < end,
            )
        )  # fmt: skip
    sent = [
        Sent(int(r[0]), int(r[1]), str(r[3] or ""), str(r[4] or ""), str(r[5] or ""), _naive(r[8]))
        for r in rows
    ]
    subjects = {m.interaction_id: m.subject for m in received}
    first, automatic = _first_answers(find_answers(sent, received), subjects)
    emails = []
    for r, one in zip(rows, sent, strict=True):
        reply = first.get(one.outreach_id)
        emails.append(
            SentEmail(
                outreach_id=one.outreach_id,
                customer_id=one.customer_id,
                recipient=one.recipient,
                subject=one.subject,
                template=_template_label(str(r[6] or "")),
                tone=TONE_LABELS.get(str(r[7] or ""), str(r[7] or "").capitalize()) or NO_TONE,
                playbook=_playbook(runs.get(int(r[2]), []), one.sent_at) if r[2] else NO_PLAYBOOK,
                sent_at=one.sent_at,
                reply_at=reply[0].at if reply else None,
                reply_how=reply[0].how if reply else "",
                reply_subject=reply[1] if reply else "",
                automatic=automatic.get(one.outreach_id, 0),
            )
        )
    return ReplyReport(
        first_day=first_day,
        last_day=last_day,
        emails=tuple(emails),
        names=names,
        received=len(received),
        holdout=int(holdout or 0),
    )


def _template_label(template: str) -> str:
    """A template as the window names it: a built-in one by its goal ("Win back"), a
    saved one by its own name; none: said so."""
    if not template:
        return NO_TEMPLATE
    return GOAL_LABELS.get(template, template)

"""Since yesterday: what changed in the workspace, a line each, for the window at start-up,
``python main.py digest`` and ``run-daily``.

The lines: the sources that are late or stale (services/freshness: a notice, first), new
tickets (and the negative ones still open), the risks customers raised in conversations
(services/listen/digest_risks.py: only when one was), new critical alerts, alerts back
from a snooze, tasks due, the owners' renewal calls due, new deals and deals gone
stalled, emails sent and customers re-engaged (the renewal calls come from
services/renewals through services/usecases/digest.py). "Since" is the start of a local day on the
workspace's clock (default: yesterday), up to now; a workspace built since then (a demo, a
first import) is covered since it was built, and the digest says so. Each line carries the
customers it counts, so a click in the window opens exactly them; tasks and renewal calls
open My work; a notice opens nothing.

Negative, everywhere: services/listen/sentiment.py (a ticket whose sentiment is negative
or that was rated bad). Re-engaged: a paid order within the attribution window after an
email (the Learn setting ``learn.attribution_days``, as Results counts it). Customer text
(ticket subjects) is data: escaped in HTML, never a link or markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, literal_column, select
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.schema import (
    Action,
    Alert,
    AuditEvent,
    Customer,
    ImportRun,
    Interaction,
    Opportunity,
    Order,
    Outreach,
)
from models.vocab import ACTIVE_ALERT_STATUSES
from services.core.local_dates import workspace_zone
from services.core.rollups import CLOSED_TICKET_STATUSES
from services.freshness.report import read_freshness
from services.listen.assigned import assigned_line
from services.listen.digest_risks import conversation_risks_line
from services.listen.records import Digest, DigestLine
from services.listen.sentiment import NEGATIVE_TICKET_SQL
from services.settings.views import DateSettings, LearnSettings

EXAMPLES = 3  # ticket subjects shown under the negative-tickets line
DEMO_BUILT = "demo_built"  # the audit action of a demo build (services/demo/build.py)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def build_digest(
    engine: Engine,
    since: dt.date | None = None,
    *,
    now: dt.datetime | None = None,
    reader: str | None = None,
    more: Sequence[Callable[[Session, dt.date], DigestLine]] = (),
) -> Digest:
    """The digest from the start of the local day ``since`` (default yesterday) to now;
    ``reader`` (an owner name) adds what was assigned to them (services/listen/assigned.py);
    ``more`` makes lines of features above this one, given today, after the tasks due
    (services/usecases/digest.py passes the renewal calls due)."""
    with translate_db_errors(), Session(engine) as session:
        zone = ZoneInfo(workspace_zone(DateSettings.read(session).time_zone))
        now = now or dt.datetime.now(dt.UTC)
        today = now.astimezone(zone).date()
        since = since or today - dt.timedelta(days=1)
        start = dt.datetime.combine(since, dt.time(), tzinfo=zone).astimezone(dt.UTC)
        attribution = LearnSettings.read(session).attribution_days
        lines = (
            *_tickets(session, start, now),
            _critical(session, start, now),
            _unsnoozed(session, start, now),
            _tasks_due(session, today),
            *(line(session, today) for line in more),
            _new_deals(session, start, now),
            _stalled(session, start, now),
            _emails(session, start, now),
            _re_engaged(session, start, now, attribution),
        )
        risks = conversation_risks_line(session, start, now)
        if risks is not None:
            lines = (*lines[:2], risks, *lines[2:])  # beside what the tickets said
        if reader:
            lines = (assigned_line(session, reader, start, now), *lines)
        lines = (*_stale_sources(session, now), *lines)
        built = _built_at(session)
        built_on = built.astimezone(zone).date() if built is not None and built > start else None
    return Digest(since, now, tuple(lines), built_on=built_on)


def _stale_sources(session: Session, now: dt.datetime) -> list[DigestLine]:
    """A line for each source that is late or stale (services/freshness), first: the
    figures below it may be missing what it has not brought."""
    return [
        DigestLine(f"stale_source:{s.key}", s.reason, 1, opens="notice")
        for s in read_freshness(session, now=now).notices
    ]


def _built_at(session: Session) -> dt.datetime | None:
    """When the workspace got its data (UTC): its latest demo build, else its first
    import; None when neither is known."""
    when = session.scalar(
        select(func.max(AuditEvent.occurred_at)).where(AuditEvent.action == DEMO_BUILT)
    )
    if when is None:
        when = session.scalar(select(func.min(ImportRun.started_at)))
    if when is None:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def check_sound(engine: Engine) -> None:
    """Refuse a damaged workspace (a damaged page of SQLite, a missing table) in plain
    words: its figures would be wrong or partial, never to be printed as if sound. The
    command line checks before its digest (a full read of the file: the window, which
    shows the digest at start-up, leaves it to 'db check')."""
    from models.base import Base
    from models.errors import WorkspaceError
    from models.migrate import inspect_schema

    missing = sorted(t.name for t in Base.metadata.sorted_tables
                     if t.name not in inspect_schema(engine).tables)  # fmt: skip
    problem = f"table {missing[0]} is missing" if missing else None
    if problem is None and engine.url.get_backend_name() == "sqlite":
        with translate_db_errors(), engine.connect() as conn:
            first = conn.exec_driver_sql("PRAGMA quick_check(1)").scalar()
        problem = None if first == "ok" else "some of its pages cannot be read"
    if problem is not None:
        raise WorkspaceError(
            f"The workspace is damaged ({problem}), so the digest was not made. Run "
            "'db check' to see what is wrong, then open a backup (files named "
            "*.backup-*.radar.sqlite next to it)."
        )


def aware(value: dt.datetime) -> dt.datetime:
    """A stored instant (UTC, naive on SQLite) as an aware one."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _ids(rows: Sequence[Any]) -> frozenset[int]:
    return frozenset(int(r[0]) for r in rows)


def _tickets(session: Session, start: dt.datetime, now: dt.datetime) -> list[DigestLine]:
    i = Interaction.__table__.alias("i")
    new = session.execute(
        select(i.c.customer_id, i.c.subject, i.c.status, literal_column(
            NEGATIVE_TICKET_SQL.format(i="i")))
        .where(i.c.kind == "ticket", i.c.occurred_at >= start, i.c.occurred_at <= now)
        .order_by(i.c.occurred_at.desc())
    ).all()  # fmt: skip
    closed = {s.lower() for s in CLOSED_TICKET_STATUSES}
    negative_open = [r for r in new if r[3] and (r[2] is None or str(r[2]).lower() not in closed)]
    text = _plural(len(new), "new ticket", "new tickets")
    return [
        DigestLine("new_tickets", text, len(new), _ids(new)),
        DigestLine(
            "negative_open_tickets",
            _plural(len(negative_open), "new ticket is", "new tickets are")
            + " negative and still open",
            len(negative_open),
            _ids(negative_open),
            examples=tuple(str(r[1]) for r in negative_open[:EXAMPLES] if r[1]),
        ),
    ]


def _critical(session: Session, start: dt.datetime, now: dt.datetime) -> DigestLine:
    rows = session.execute(
        select(Alert.customer_id).where(
            Alert.severity == "critical",
            Alert.status.in_(ACTIVE_ALERT_STATUSES),
            Alert.created_at >= start,
            Alert.created_at <= now,
        )
    ).all()
    return DigestLine(
        "critical_alerts",
        _plural(len(rows), "new critical alert", "new critical alerts"),
        len(rows),
        _ids(rows),
    )


def _unsnoozed(session: Session, start: dt.datetime, now: dt.datetime) -> DigestLine:
    rows = session.execute(
        select(Alert.customer_id).where(
            Alert.status == "snoozed", Alert.snoozed_until >= start, Alert.snoozed_until <= now
        )
    ).all()
    return DigestLine(
        "back_from_snooze",
        _plural(len(rows), "alert is back from a snooze", "alerts are back from a snooze"),
        len(rows),
        _ids(rows),
    )


def _tasks_due(session: Session, today: dt.date) -> DigestLine:
    rows = session.execute(
        select(Action.customer_id, Action.due_date).where(
            Action.kind == "task", Action.done_at.is_(None), Action.due_date <= today
        )
    ).all()
    overdue = sum(1 for r in rows if r[1] is not None and r[1] < today)
    text = _plural(len(rows), "task due", "tasks due")
    if overdue:
        text += f" ({overdue:,} overdue)"
    return DigestLine("tasks_due", text, len(rows), _ids(rows), opens="my_work")


def _new_deals(session: Session, start: dt.datetime, now: dt.datetime) -> DigestLine:
    rows = session.execute(
        select(Opportunity.customer_id).where(
            Opportunity.created_at >= start,
            Opportunity.created_at <= now,
            Opportunity.closed.is_not(True),
        )
    ).all()
    return DigestLine(
        "new_deals", _plural(len(rows), "new open deal", "new open deals"), len(rows), _ids(rows)
    )


def _stalled(session: Session, start: dt.datetime, now: dt.datetime) -> DigestLine:
    rows = session.execute(
        select(Alert.customer_id).where(
            Alert.rule_key == "stalled_opportunity",
            Alert.status.in_(ACTIVE_ALERT_STATUSES),
            Alert.created_at >= start,
            Alert.created_at <= now,
        )
    ).all()
    return DigestLine(
        "stalled_deals",
        _plural(len(rows), "deal newly stalled", "deals newly stalled"),
        len(rows),
        _ids(rows),
    )


def _emails(session: Session, start: dt.datetime, now: dt.datetime) -> DigestLine:
    rows = session.execute(
        select(Outreach.customer_id).where(
            Outreach.channel == "email",
            Outreach.status == "sent",
            Outreach.sent_at >= start,
            Outreach.sent_at <= now,
        )
    ).all()
    return DigestLine(
        "emails_sent", _plural(len(rows), "email sent", "emails sent"), len(rows), _ids(rows)
    )


def _re_engaged(
    session: Session, start: dt.datetime, now: dt.datetime, attribution_days: int
) -> DigestLine:
    """Customers with a paid order since ``start`` placed within the attribution window
    after an email sent to them."""
    window = dt.timedelta(days=attribution_days)
    orders = session.execute(
        select(Order.customer_id, Order.order_date).where(
            Order.status == "paid", Order.order_date >= start, Order.order_date <= now
        )
    ).all()
    who = {int(c) for c, _d in orders}
    sent: dict[int, list[dt.datetime]] = {}
    if who:
        for cid, at in session.execute(
            select(Outreach.customer_id, Outreach.sent_at).where(
                Outreach.status == "sent",
                Outreach.sent_at >= start - window,
                Outreach.sent_at <= now,
                Outreach.customer_id.in_(sorted(who)),
            )
        ).all():
            if at is not None:
                sent.setdefault(int(cid), []).append(aware(at))
    rows = sorted(
        {
            (int(cid),)
            for cid, day in orders
            if any(at < aware(day) <= at + window for at in sent.get(int(cid), ()))
        }
    )
    return DigestLine(
        "re_engaged",
        _plural(len(rows), "customer re-engaged", "customers re-engaged")
        + f" (ordered within {attribution_days} days of an email)",
        len(rows),
        _ids(rows),
    )


def customer_names(engine: Engine, ids: frozenset[int], limit: int = 5) -> list[str]:
    """A few of the customers' names, for the email (services/core/account_names.py)."""
    if not ids:
        return []
    from services.core.account_names import account_name_sql

    named = account_name_sql()
    with translate_db_errors(), Session(engine) as session:
        rows = session.execute(
            select(named)
            .where(Customer.id.in_(sorted(ids)[:500]))
            .order_by(func.lower(named))
            .limit(limit)
        ).all()
    return [str(name) for (name,) in rows]

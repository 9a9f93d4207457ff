"""The demo's past playbooks: some of the contacted arm's emails went out as the first step
of a playbook, so that Results' Playbook breakdown has something to show.

Two in five of the alerts emailed (by alert id, so the same demo gives the same runs)
ran a playbook started with the email, by the alert's owner: Win-back, or Renewal save.
Each stopped as the app would have stopped it: at the customer's first paid order after
the start ("ordered"), else when the alert was resolved or dismissed ("alert_closed"),
else it still runs. Its steps are done on their days until then. The exposures do not
change (a playbook started with the email starts the same clock), so neither do the
demo's true rates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from models.schema import PlaybookRun, PlaybookStep
from services.alerts._db import aware
from services.settings.playbooks import BUILT_IN, PlaybookSpec

_SHARE = {0: "win_back", 1: "renewal_save"}  # alert id % 5 -> the playbook it ran
_SPECS = {p.key: p for p in BUILT_IN}
_EMAILED = (
    "SELECT a.id, a.customer_id, a.owner, a.status, a.resolved_at, MIN(o.sent_at) "
    "FROM alerts a JOIN outreach o ON o.alert_id = a.id "
    "WHERE NOT a.holdout AND a.holdout_band IS NOT NULL AND o.status = 'sent' "
    "GROUP BY a.id, a.customer_id, a.owner, a.status, a.resolved_at"
)
_FIRST_ORDER = (
    "SELECT MIN(order_date) FROM orders WHERE customer_id = :c AND status = 'paid' "
    "AND order_date > :at"
)


def _stamp(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return aware(when)


def _stop(session: Session, row: Any, started: dt.datetime) -> tuple[dt.datetime | None, str]:
    at = started.replace(tzinfo=None)
    order = _stamp(session.execute(text(_FIRST_ORDER), {"c": row[1], "at": at}).scalar())
    resolved = _stamp(row[4]) if row[3] in ("resolved", "dismissed") else None
    if order is not None and (resolved is None or order <= resolved):
        return order, "ordered"
    if resolved is not None:
        return resolved, "alert_closed"
    return None, ""


def _add_run(session: Session, row: Any, spec: PlaybookSpec, now: dt.datetime) -> None:
    started = _stamp(row[5])
    assert started is not None
    stopped, reason = _stop(session, row, started)
    run = PlaybookRun(
        customer_id=int(row[1]),
        alert_id=int(row[0]),
        playbook=spec.key,
        name=spec.name,
        started_at=started,
        started_by=row[2],
        stopped_at=stopped,
        stop_reason=reason or None,
        stopped_by="Account Radar" if stopped is not None else None,
    )
    session.add(run)
    session.flush()
    until = stopped or now
    for position, step in enumerate(spec.steps):
        due = started + dt.timedelta(days=step.day)
        session.add(
            PlaybookStep(
                run_id=run.id,
                position=position,
                day_offset=step.day,
                kind=step.kind,
                text=step.text,
                due_date=due.date(),
                done_at=due if due <= until else None,
                done_by=row[2] if due <= until else None,
            )
        )


def add_demo_playbooks(session: Session, now: dt.datetime) -> int:
    """Write the demo's past playbooks (module doc) in the caller's transaction; returns
    how many."""
    rows = [r for r in session.execute(text(_EMAILED)) if int(r[0]) % 5 in _SHARE]
    for row in rows:
        _add_run(session, row, _SPECS[_SHARE[int(row[0]) % 5]], now)
    session.flush()
    return len(rows)

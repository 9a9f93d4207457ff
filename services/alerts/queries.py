"""What the window (and the command line) reads about alerts: SQL stays in here.

- ``alert_columns``: the alert list as numpy columns (records.ALERT_COLUMNS), one SQL
  statement, sorted by priority; ``alerts_frame`` is the same as a DataFrame.
- ``alert_counts``: working alerts by severity, all alerts by status.
- ``alert_detail``: one alert with its customer, scores, drivers, recommendation,
  actions and audit history.
- ``dashboard``: at-risk share, revenue at risk, alerts by severity and age, score
  distributions, segments and trends over the stored scorings.
- ``alerts_export_frame``: every alert for ``export alerts``.

"Status" is the status the user sees: an alert snoozed until a date that has come reads
"open" (the next alert generation stores it so). Customers who asked not to be contacted
(``do_not_contact``) or who unsubscribed from emails are flagged on every row: the window
offers them no outreach.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import translate_db_errors
from models.schema import (
    Action,
    Alert,
    AuditEvent,
    Customer,
    Interaction,
    ScoreSnapshot,
)
from models.vocab import SEVERITIES
from services.alerts._db import (
    aware,
    bools,
    columns,
    fetch,
    floats,
    ints,
    is_none,
    stamp,
    timestamps,
)
from services.alerts.config import RULE_TITLES, read_alert_config
from services.alerts.inputs import contact_times, latest_run
from services.alerts.lifecycle import AlertNotFoundError, effective_status
from services.alerts.next_step import next_step
from services.alerts.records import (
    ACTIVE_STATUSES,
    ALERT_COLUMNS,
    OUTCOME_LABELS,
    RAISED_STATUSES,
    SEVERITY_RANK,
    STATUSES,
    WORKING_STATUSES,
    ActionRecord,
    AgeBucket,
    AlertCounts,
    AlertDetail,
    AlertEvent,
    Dashboard,
    Histogram,
    Recommendation,
    SegmentFigures,
    TrendPoint,
)
from services.money import load_money_context
from services.scoring.queries import latest_scores_columns
from services.scoring.rfm import SEGMENTS

# What the SQL reads, in order (the list columns are built from these).
_LIST_SQL = """
SELECT a.id, a.customer_id, c.name, c.email, c.company, a.severity, {status}, a.rule_key,
       a.reason, a.owner, s.segment, a.priority_cents, a.created_at, a.updated_at,
       a.snoozed_until, a.snooze_until_clear, c.do_not_contact,
       CASE WHEN a.customer_id IN (
           SELECT customer_id FROM interactions WHERE kind = 'unsubscribe') THEN 1 ELSE 0 END,
       a.cleared_at, a.outcome
FROM alerts a
JOIN customers c ON c.id = a.customer_id
LEFT JOIN score_snapshots s ON s.customer_id = a.customer_id AND s.scoring_run_id + 0 = (
    SELECT r.id FROM scoring_runs r WHERE r.status = 'finished'
    ORDER BY r.as_of DESC, r.id DESC LIMIT 1)
{where}
"""
# "+ 0" keeps SQLite from looking the snapshot up by run (100,000 rows per alert) instead
# of by customer.
# The status the user sees: a snooze whose date has come reads "open".
_STATUS_SQL = (
    "CASE WHEN a.status = 'snoozed' AND a.snoozed_until IS NOT NULL AND a.snoozed_until <= ? "
    "THEN 'open' ELSE a.status END"
)
# Working alerts by age in days: (label, from, below).
AGE_BUCKETS = (
    ("today", 0, 1),
    ("1-7 days", 1, 8),
    ("8-30 days", 8, 31),
    ("over 30 days", 31, None),
)


@contextlib.contextmanager
def _reading(engine: Engine) -> Iterator[Connection]:
    """A connection in a read transaction of its own (one snapshot of the workspace)."""
    with translate_db_errors(), engine.connect() as conn, conn.begin():
        yield conn


def _now(now: dt.datetime | None) -> dt.datetime:
    return aware(now) if now is not None else utcnow()


def _seconds(values: pd.DatetimeIndex) -> npt.NDArray[np.datetime64]:
    """Naive UTC datetime64[s] (NaT for missing), what the window's models take."""
    result: npt.NDArray[np.datetime64] = (
        values.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]")
    )
    return result


# --- the list ------------------------------------------------------------------------------


def alert_columns(
    engine: Engine,
    *,
    statuses: Iterable[str] | None = WORKING_STATUSES,
    severities: Iterable[str] | None = None,
    owner: str | None = None,
    customer_id: int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, np.ndarray]:
    """Alerts as numpy columns (records.ALERT_COLUMNS), highest priority first.

    ``statuses``: the statuses to list as the user sees them (default open and in
    progress; None: every alert). ``severities``: None for all. ``owner``: an owner's
    name (any case), or "" for alerts without an owner. Ties in priority are broken by
    severity, then by age (oldest first). One SQL statement.
    """
    when = _now(now)
    wanted_status = None if statuses is None else tuple(statuses)
    wanted_severity = None if severities is None else tuple(severities)
    unknown = sorted(set(wanted_status or ()) - set(STATUSES))
    if unknown:
        raise ValueError(f"unknown status {unknown[0]!r}")
    with _reading(engine) as conn:
        at = stamp(conn, when)
        where, params = [], [at]
        if wanted_status is not None:
            where.append(f"{_STATUS_SQL} IN ({', '.join('?' for _ in wanted_status)})")
            params += [at, *wanted_status]
        if wanted_severity is not None:
            where.append(f"a.severity IN ({', '.join('?' for _ in wanted_severity)})")
            params += list(wanted_severity)
        if owner is not None:
            clause, value = _owner_filter(owner)
            where.append(clause)
            params += value
        if customer_id is not None:
            where.append("a.customer_id = ?")
            params.append(int(customer_id))
        text = _LIST_SQL.format(
            status=_STATUS_SQL, where=("WHERE " + " AND ".join(where)) if where else ""
        )
        rows = fetch(conn, text, params)
    return _list_columns(rows)


def _owner_filter(owner: str) -> tuple[str, list[Any]]:
    """SQL for one owner, in any case (the database lowers both sides the same way), or for
    alerts without an owner when ``owner`` is blank."""
    if owner.strip():
        return "lower(a.owner) = lower(?)", [owner.strip()]
    return "(a.owner IS NULL OR a.owner = '')", []


def _list_columns(rows: list[tuple[Any, ...]]) -> dict[str, np.ndarray]:
    (
        ids, cust, name, email, company, severity, status, rule_key, reason, owner, segment,
        priority, created, updated, snoozed, until_clear, dnc, unsub, cleared, outcome,
    ) = columns(rows, 20)  # fmt: skip
    customer = np.where(is_none(name), email, name)
    out: dict[str, np.ndarray] = {
        "id": ints(ids),
        "customer_id": ints(cust),
        "customer": customer.astype(object),
        "company": company,
        "severity": severity,
        "status": status,
        "rule": np.array([RULE_TITLES.get(k, k) for k in rule_key.tolist()], dtype=object),
        "rule_key": rule_key,
        "reason": reason,
        "owner": owner,
        "segment": segment,
        "priority_cents": np.nan_to_num(floats(priority)).astype(np.int64),
        "created_at": _seconds(timestamps(created)),
        "updated_at": _seconds(timestamps(updated)),
        "snoozed_until": _seconds(timestamps(snoozed)),
        "snooze_until_clear": bools(until_clear),
        "do_not_contact": bools(dnc),
        "unsubscribed": bools(unsub),
        "condition_cleared": ~is_none(cleared),
        "outcome": outcome,
    }
    rank = np.array([SEVERITY_RANK.get(s, 9) for s in out["severity"].tolist()], dtype=np.int64)
    created = out["created_at"].astype(np.int64)
    order = np.lexsort((out["id"], created, rank, -out["priority_cents"]))
    return {name: out[name][order] for name in ALERT_COLUMNS}


def alerts_frame(engine: Engine, **filters: Any) -> pd.DataFrame:
    """``alert_columns`` as a DataFrame (same filters, same order)."""
    return pd.DataFrame(alert_columns(engine, **filters), columns=list(ALERT_COLUMNS))


def alert_counts(
    engine: Engine,
    *,
    owner: str | None = None,
    now: dt.datetime | None = None,
) -> AlertCounts:
    """Working alerts (open, in progress) by severity, and every alert by status."""
    when = _now(now)
    with _reading(engine) as conn:
        params: list[Any] = [stamp(conn, when)]
        where = ""
        if owner is not None:
            clause, value = _owner_filter(owner)
            where = f"WHERE {clause}"
            params += value
        rows = fetch(
            conn,
            f"SELECT {_STATUS_SQL}, a.severity, COUNT(*) FROM alerts a {where} GROUP BY 1, 2",
            params,
        )
    by_status = dict.fromkeys(STATUSES, 0)
    by_severity = dict.fromkeys(SEVERITIES, 0)
    for status, severity, count in rows:
        by_status[status] = by_status.get(status, 0) + int(count)
        if status in WORKING_STATUSES:
            by_severity[severity] = by_severity.get(severity, 0) + int(count)
    return AlertCounts(by_severity=by_severity, by_status=by_status)


# --- one alert --------------------------------------------------------------------------------

RECOMMENDATIONS: dict[str, tuple[str, str, float | None]] = {
    # rule: (title, detail, incentive cap as a share of the 12-month value)
    "high_risk_high_value": (
        "Call them this week",
        "A personal call from their account manager: find out what changed and what "
        "would keep them.",
        0.10,
    ),
    "risk_rising": (
        "Check in before it gets worse",
        "Their churn risk has been rising; ask how things are going and listen for what changed.",
        None,
    ),
    "engagement_drop": (
        "Send something personal",
        "They read and click less of what we send; a short personal note works better "
        "than another campaign.",
        None,
    ),
    "gone_quiet": (
        "Send a win-back offer",
        "They usually order much more often; remind them with something picked for "
        "their favourite categories.",
        0.10,
    ),
    "negative_experience": (
        "Apologise and make it right",
        "Fix the problem first (refund, replacement or a call), then follow up; no "
        "sales offer until it is settled.",
        0.05,
    ),
    "ticket_past_sla": (
        "Get the ticket resolved",
        "A support ticket is late: chase it with support and tell the customer when it "
        "will be done.",
        None,
    ),
    "expansion": (
        "Offer the next step",
        "Engaged and buying more: suggest an upgrade, a bundle or the loyalty programme.",
        None,
    ),
    "stalled_opportunity": (
        "Move the deal forward",
        "Call to agree on next steps and a close date, or close the deal as lost.",
        None,
    ),
}


def recommendation(
    rule_key: str, clv_12m_cents: float | None, blocked: str | None
) -> Recommendation:
    """The recommended next step for an alert of this rule; outreach-free when blocked."""
    if blocked is not None:
        return Recommendation(
            "Act without outreach",
            f"{blocked} Act inside the company instead: resolve their tickets, review the "
            "account, or note what happened.",
        )
    title, detail, share = RECOMMENDATIONS.get(rule_key, ("Review the customer", "", None))
    cap = None
    if share is not None and clv_12m_cents is not None and np.isfinite(clv_12m_cents):
        cap = int(round(clv_12m_cents * share))
    return Recommendation(title, detail, cap)


_HISTORY = {
    "alert.created": "Raised",
    "alert.started": "Started",
    "alert.resolved": "Resolved",
    "alert.dismissed": "Dismissed",
    "alert.snoozed": "Snoozed",
    "alert.reopened": "Reopened",
    "alert.raised": "Raised now (it was held back by the daily cap)",
    "alert.woke": "Back from snooze",
    "alert.auto_resolved": "Resolved by Account Radar: the condition cleared",
    "alert.call_logged": "Call",
    "alert.note_added": "Note",
    "alert.task_created": "Task",
    "alert.task_done": "Task done",
    "alert.email_logged": "Email sent",
    "customer.do_not_contact": "Do not contact",
}


def describe_event(action: str, details: dict[str, Any] | None) -> str:
    """One audit event in plain words."""
    d = details or {}
    head = _HISTORY.get(action, action)
    if action == "alert.resolved" and d.get("outcome"):
        head += f": {OUTCOME_LABELS.get(d['outcome'], d['outcome']).lower()}"
    elif action == "alert.snoozed":
        clear = d.get("until_clear")
        head += " until the condition clears" if clear else f" until {d.get('until')}"
    elif action == "alert.task_created":
        head += f" (due {d.get('due')})"
    elif action == "customer.do_not_contact":
        head = "Marked do not contact" if d.get("value") else "Do not contact removed"
    text = d.get("text") or d.get("note")
    return f"{head}: {text}" if text else head


def alert_detail(engine: Engine, alert_id: int, *, now: dt.datetime | None = None) -> AlertDetail:
    """One alert with its customer, scores, drivers, recommendation, actions and history.

    Raises AlertNotFoundError when the alert no longer exists.
    """
    when = _now(now)
    with _reading(engine) as conn, Session(bind=conn) as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise AlertNotFoundError(f"Alert {alert_id} no longer exists; refresh the list.")
        customer = session.get(Customer, alert.customer_id)
        assert customer is not None  # the foreign key cascades deletes
        snapshot = _detail_snapshot(session, alert)
        unsubscribed = bool(
            session.scalar(
                select(func.count())
                .select_from(Interaction)
                .where(Interaction.customer_id == customer.id, Interaction.kind == "unsubscribe")
            )
        )
        config = read_alert_config(session)
        last_contact = _last_contact(session, customer.id, when)
        events = session.execute(
            select(AuditEvent.occurred_at, AuditEvent.actor, AuditEvent.action, AuditEvent.details)
            .where(
                ((AuditEvent.entity_type == "alert") & (AuditEvent.entity_id == alert.id))
                | ((AuditEvent.entity_type == "customer") & (AuditEvent.entity_id == customer.id))
            )
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        ).all()
        actions = session.scalars(
            select(Action)
            .where(Action.customer_id == customer.id)
            .order_by(Action.created_at.desc(), Action.id.desc())
        ).all()
        name = customer.name or customer.email or f"Customer {customer.id}"
        blocked = None
        if customer.do_not_contact:
            blocked = f"{name} asked not to be contacted."
        elif unsubscribed:
            blocked = f"{name} unsubscribed from emails."
        elif last_contact is not None and config.cooldown_days > 0:
            until = last_contact + dt.timedelta(days=config.cooldown_days)
            if until > when:
                blocked = (
                    f"{name} was contacted on {last_contact.date().isoformat()}; the quiet "
                    f"period after contact lasts until {until.date().isoformat()}."
                )
        clv = snapshot.clv_12m_cents if snapshot is not None else None
        return AlertDetail(
            id=int(alert.id),
            customer_id=int(customer.id),
            customer=name,
            company=customer.company,
            email=customer.email,
            severity=alert.severity,
            status=effective_status(alert, when),
            rule_key=alert.rule_key,
            rule=RULE_TITLES.get(alert.rule_key, alert.rule_key),
            reason=alert.reason,
            drivers=_driver_texts(alert.drivers),
            priority_cents=int(alert.priority_cents or 0),
            owner=alert.owner,
            segment=snapshot.segment if snapshot is not None else None,
            churn_risk=snapshot.churn_risk if snapshot is not None else None,
            clv_12m_cents=clv,
            created_at=alert.created_at,
            updated_at=alert.updated_at,
            snoozed_until=alert.snoozed_until,
            snooze_until_clear=bool(alert.snooze_until_clear),
            outcome=alert.outcome,
            resolved_at=alert.resolved_at,
            cleared_at=alert.cleared_at,
            do_not_contact=bool(customer.do_not_contact),
            unsubscribed=unsubscribed,
            last_contact_at=last_contact,
            outreach_blocked=blocked,
            recommendation=next_step(
                session,
                rule_key=alert.rule_key,
                customer_id=int(customer.id),
                customer_name=name,
                clv_12m_cents=clv,
                drivers=_driver_texts(alert.drivers),
                blocked=blocked,
                default=recommendation(alert.rule_key, clv, blocked),
                now=when,
            ),
            history=tuple(
                AlertEvent(when=t, who=who, action=a, what=describe_event(a, d))
                for t, who, a, d in events
            ),
            actions=tuple(
                ActionRecord(
                    id=int(x.id),
                    customer_id=int(x.customer_id),
                    alert_id=x.alert_id,
                    kind=x.kind,
                    title=x.title,
                    body=x.body,
                    due_date=x.due_date,
                    done_at=x.done_at,
                    created_by=x.created_by,
                    created_at=x.created_at,
                )
                for x in actions
            ),
            currency=load_money_context(session).home,
        )


def _detail_snapshot(session: Session, alert: Alert) -> ScoreSnapshot | None:
    """The snapshot the alert was last raised from, else the customer's latest."""
    if alert.score_snapshot_id is not None:
        found = session.get(ScoreSnapshot, alert.score_snapshot_id)
        if found is not None:
            return found
    return session.scalars(
        select(ScoreSnapshot)
        .where(ScoreSnapshot.customer_id == alert.customer_id)
        .order_by(ScoreSnapshot.as_of.desc(), ScoreSnapshot.id.desc())
        .limit(1)
    ).first()


def _last_contact(session: Session, customer_id: int, now: dt.datetime) -> dt.datetime | None:
    """When the customer was last contacted (as the cool-down counts contact)."""
    times = contact_times(dt.datetime(1900, 1, 1, tzinfo=dt.UTC), now)
    found = session.scalar(select(func.max(times.c.at)).where(times.c.customer_id == customer_id))
    return aware(_as_dt(found)) if found is not None else None


def _as_dt(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _driver_texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return ()
    if not isinstance(value, list):
        return ()
    return tuple(str(d["text"]) for d in value if isinstance(d, dict) and d.get("text"))


# --- the dashboard -------------------------------------------------------------------------

HISTOGRAM_BINS = {
    "churn_risk": np.linspace(0.0, 1.0, 11),
    "engagement_score": np.linspace(0.0, 100.0, 11),
    "health_score": np.linspace(0.0, 100.0, 11),
}


def dashboard(engine: Engine, *, now: dt.datetime | None = None) -> Dashboard | None:
    """The dashboard's figures from the latest scores and the alerts; None when the
    workspace was never scored.

    "At risk" means a churn risk at or above the high-risk rule's threshold (setting
    alerts.high_risk_high_value.min_churn_risk, 60% by default). Trends have one point
    per stored scoring of the latest horizon (its latest run per as-of date).
    """
    when = _now(now)
    with _reading(engine) as conn:
        run = latest_run(conn)
        if run is None:
            return None
        with Session(bind=conn) as session:
            config = read_alert_config(session)
        threshold = float(config.rule("high_risk_high_value")["min_churn_risk"]) / 100.0
        scores = latest_scores_columns(conn)
        assert scores is not None
        churn = scores["churn_risk"]
        scored = ~np.isnan(churn)
        at_risk = np.nan_to_num(scores["revenue_at_risk_cents"])
        risky = scored & (np.nan_to_num(churn) >= threshold)
        at = stamp(conn, when)
        status = _STATUS_SQL
        severity_rows = fetch(
            conn,
            f"SELECT a.severity, a.created_at FROM alerts a WHERE {status} IN ('open', "
            "'in_progress')",
            (at,),
        )
        alerted = {
            int(c)
            for (c,) in fetch(
                conn,
                f"SELECT DISTINCT a.customer_id FROM alerts a WHERE {status} IN ('open', "
                "'in_progress')",
                (at,),
            )
        }
        trend_rows = fetch(
            conn,
            "SELECT r.id, r.as_of, COUNT(*), AVG(s.churn_risk), "
            "AVG(CASE WHEN s.churn_risk >= ? THEN 1.0 ELSE 0.0 END), "
            "SUM(s.revenue_at_risk_cents), AVG(s.engagement_score), AVG(s.health_score) "
            "FROM score_snapshots s JOIN scoring_runs r ON r.id = s.scoring_run_id "
            "WHERE r.status = 'finished' AND r.horizon_days = ? GROUP BY r.id, r.as_of "
            "ORDER BY r.as_of, r.id",
            (threshold, run.horizon_days),
        )
    ids = scores["customer_id"]
    in_alert = np.isin(ids, np.fromiter(alerted, np.int64, count=len(alerted)))
    severity, created = columns(severity_rows, 2)
    age_days = (
        (pd.Timestamp(when) - timestamps(created)).total_seconds().to_numpy() / 86_400.0
        if len(created)
        else np.zeros(0)
    )
    buckets = []
    for label, low, high in AGE_BUCKETS:
        inside = age_days >= low if high is None else (age_days >= low) & (age_days < high)
        picked = severity[inside]
        buckets.append(AgeBucket(label, {name: int(np.sum(picked == name)) for name in SEVERITIES}))
    distributions = {}
    for name, edges in HISTOGRAM_BINS.items():
        values = scores[name]
        counts, _ = np.histogram(values[~np.isnan(values)], bins=edges)
        distributions[name] = Histogram(
            edges=tuple(float(e) for e in edges), counts=tuple(int(c) for c in counts)
        )
    segment = scores["segment"]
    segments = tuple(
        SegmentFigures(
            segment=name,
            customers=int(np.sum(segment == name)),
            revenue_at_risk_cents=int(round(float(at_risk[segment == name].sum()))),
        )
        for name in SEGMENTS
        if np.any(segment == name)
    )
    by_day: dict[dt.date, TrendPoint] = {}
    for run_id, as_of, count, mean, share, risk, engagement, health in trend_rows:
        day = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
        by_day[day] = TrendPoint(  # the latest run of a day wins
            as_of=day,
            run_id=int(run_id),
            customers=int(count),
            mean_churn_risk=_float(mean),
            at_risk_share=_float(share),
            revenue_at_risk_cents=int(round(float(risk or 0))),
            mean_engagement=_float(engagement),
            mean_health=_float(health),
        )
    customers = int(scored.sum())
    return Dashboard(
        as_of=run.as_of,
        horizon_days=run.horizon_days,
        customers=customers,
        at_risk_threshold=threshold,
        at_risk_customers=int(risky.sum()),
        at_risk_share=float(risky.sum()) / customers if customers else 0.0,
        revenue_at_risk_cents=int(round(float(at_risk[scored].sum()))),
        alerted_revenue_at_risk_cents=int(round(float(at_risk[scored & in_alert].sum()))),
        alerts_by_severity={name: int(np.sum(severity == name)) for name in SEVERITIES},
        alerts_by_age=tuple(buckets),
        distributions=distributions,
        segments=segments,
        trend=tuple(by_day[d] for d in sorted(by_day)),
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


# --- the export ----------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "alert_id",
    "customer_id",
    "customer",
    "company",
    "email",
    "owner",
    "severity",
    "status",
    "rule",
    "reason",
    "priority",
    "created_at",
    "updated_at",
    "age_days",
    "snoozed_until",
    "snooze_until_clear",
    "outcome",
    "resolved_at",
    "condition_cleared",
    "segment",
    "do_not_contact",
    "unsubscribed",
    "drivers",
)


def alerts_export_frame(engine: Engine, *, now: dt.datetime | None = None) -> pd.DataFrame:
    """Every raised alert (not those held back by the daily cap), one row each
    (EXPORT_COLUMNS): active ones first by priority, then the closed ones, newest first.
    customer_id is the source's customer id (else the email), like the scores export;
    priority is in currency units; drivers are the snapshot's reasons joined with "; "."""
    when = _now(now)
    listed = alerts_frame(engine, statuses=RAISED_STATUSES, now=when)
    with _reading(engine) as conn:
        extra = fetch(
            conn,
            "SELECT a.id, c.external_id, c.email, a.resolved_at, a.drivers FROM alerts a "
            "JOIN customers c ON c.id = a.customer_id",
        )
    ids, external, email, resolved, drivers = columns(extra, 5)
    more = pd.DataFrame(
        {
            "id": ints(ids),
            "external_id": external,
            "email": email,
            "resolved_at": _seconds(timestamps(resolved)),
            "drivers": ["; ".join(_driver_texts(d)) or None for d in drivers.tolist()],
        }
    )
    frame = listed.merge(more, on="id", how="left")
    key = frame["external_id"].where(frame["external_id"].notna(), frame["email"])
    frame["customer_id"] = key.where(key.notna(), frame["customer_id"].astype(str))
    frame["alert_id"] = frame["id"]
    frame["priority"] = frame["priority_cents"] / 100.0
    frame["age_days"] = np.floor(
        (np.datetime64(when.replace(tzinfo=None), "s") - frame["created_at"].to_numpy())
        / np.timedelta64(1, "D")
    ).astype(np.int64)
    frame["outcome"] = frame["outcome"].map(lambda o: OUTCOME_LABELS.get(o, o) if o else None)
    active = frame["status"].isin(ACTIVE_STATUSES)
    frame = pd.concat(
        [frame[active], frame[~active].sort_values("updated_at", ascending=False, kind="stable")]
    )
    return frame.loc[:, list(EXPORT_COLUMNS)].reset_index(drop=True)

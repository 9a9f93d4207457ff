"""Escalations: when something needs more than the alert list, a task for the right
person and an email to a set address, once per cause.

Four rules (Settings ▸ Escalations, beside the alert rules; off until turned on):

- **Negative high-priority ticket** (``escalation.ticket``): a ticket of the last
  ``window_days`` days, still open, whose help-desk priority is one of ``priorities``
  and which is negative (services/listen/sentiment.py) -> a task for the team lead.
- **High-value deal at risk** (``escalation.deal``): an open deal worth at least
  ``min_amount`` (home currency) that has sat in a stage that can stall longer than the
  stalled-deal rule allows (its stages and days), or whose customer has an open critical
  alert -> a task for the deal's
  owner.
- **Churn on a high-value customer** (``escalation.churn``): an open critical alert of
  the risk queue on a customer whose value (over the value horizon, T months) is at least
  ``min_clv`` -> a retention task for the customer's owner, naming the value's T.
- **Critical alert past its SLA** (``escalation.sla``): an active critical alert that
  nobody acted on by its due time (services/alerts/sla.py) -> a task for the team lead.

Each escalation also emails ``escalation.notify_email`` when it is set, through the SMTP
settings outreach uses; with no SMTP server the task is made all the same and the
escalation records why no email went. Never twice for one cause: the ``escalations``
table's unique cause key (the ticket, the deal in its stage, the alert). Every
escalation is audited (``escalation.raised``). They run after every alert refresh
(services/usecases/refresh.py): the window's scoring, ``score`` and ``run-daily``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from models.db import translate_db_errors
from models.schema import (
    Action,
    Alert,
    AuditEvent,
    Customer,
    Escalation,
    Interaction,
    Opportunity,
    ScoreSnapshot,
)
from models.vocab import ACTIVE_ALERT_STATUSES
from services.alerts.config import RULE_TITLES
from services.alerts.sla import due_header, sla_states
from services.core.account_names import account_name_sql
from services.core.money import load_money_context
from services.core.rollups import CLOSED_TICKET_STATUSES
from services.core.working_days import add_working_days
from services.listen.sentiment import NEGATIVE_TICKET_SQL
from services.scoring.queries import value_months
from services.settings import ALERT_RULES
from services.settings.views import EscalationSettings, StalledDealSettings

log = logging.getLogger(__name__)

ACTOR = "escalation"
TASK_DUE_DAYS = 1


@dataclass(frozen=True)
class _Cause:
    rule: str
    key: str
    customer_id: int
    alert_id: int | None
    assignee: str
    title: str
    details: dict[str, Any]


@dataclass
class EscalationRun:
    """What one pass raised."""

    raised: list[str] = field(default_factory=list)  # the tasks' titles
    emailed: int = 0
    email_problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.raised:
            return []
        out = [f"Escalations: {len(self.raised):,} raised (a task each)"]
        if self.emailed:
            out[0] += f", {self.emailed:,} emailed"
        out += [f"  {title}" for title in self.raised[:10]]
        out += [f"  Not emailed: {p}" for p in sorted(set(self.email_problems))]
        return out


def run_escalations(engine: Engine, *, now: dt.datetime | None = None) -> EscalationRun:
    """Raise what the enabled rules find and has not been raised before (module doc)."""
    now = now or dt.datetime.now(dt.UTC)
    run = EscalationRun()
    with translate_db_errors(), Session(engine) as session:
        config = EscalationSettings.read(session)
        on = (config.ticket_enabled, config.deal_enabled, config.churn_enabled, config.sla_enabled)
        if not any(on):
            return run
        causes = [
            *(_tickets(session, config, now) if config.ticket_enabled else []),
            *(_deals(session, config, now) if config.deal_enabled else []),
            *(_churn(session, config) if config.churn_enabled else []),
            *(sla_causes(session, config, now) if config.sla_enabled else []),
        ]
        done = set(session.scalars(select(Escalation.cause_key)).all())
    fresh = [c for c in causes if c.key not in done]
    if not fresh:
        return run
    notify = config.notify_email.strip()
    made: list[tuple[int, _Cause]] = []
    with translate_db_errors(), Session(engine) as session, session.begin():
        due = add_working_days(now.date(), TASK_DUE_DAYS)
        for cause in fresh:
            row_id = _claim(session, cause)
            if row_id is None:  # another run (the window, run-daily) raised it meanwhile
                continue
            task = Action(
                customer_id=cause.customer_id,
                alert_id=cause.alert_id,
                kind="task",
                title=cause.title[:255],
                body=f"Escalated for {cause.assignee or 'the team lead'}.",
                due_date=due,
                created_by=ACTOR,
            )
            session.add(task)
            session.flush()
            session.execute(
                update(Escalation).where(Escalation.id == row_id).values(action_id=task.id)
            )
            session.add(
                AuditEvent(
                    actor=ACTOR,
                    action="escalation.raised",
                    entity_type="customer",
                    entity_id=cause.customer_id,
                    details={"rule": cause.rule, "cause": cause.key, "task_id": task.id,
                             "assignee": cause.assignee, **cause.details},
                )
            )  # fmt: skip
            made.append((row_id, cause))
            run.raised.append(cause.title)
    if notify:
        _email(engine, made, notify, run)
    log.info("Escalations: %d raised", len(made))
    return run


def _claim(session: Session, cause: _Cause) -> int | None:
    """The cause's escalations row, or None when it is already there: the database's
    unique cause key decides, so two runs at once (the window and run-daily) never raise
    one cause twice nor fail on it."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return session.scalar(
        insert(Escalation)
        .values(cause_key=cause.key, rule_key=cause.rule, customer_id=cause.customer_id,
                assignee=cause.assignee or None)
        .on_conflict_do_nothing(index_elements=["cause_key"])
        .returning(Escalation.id)
    )  # fmt: skip


def _email(engine: Engine, made: list[tuple[int, _Cause]], to: str, run: EscalationRun) -> None:
    from services.mail.delivery import send_email, smtp_settings

    with translate_db_errors(), Session(engine) as session:
        smtp = smtp_settings(session)
    results: dict[int, tuple[str | None, str | None]] = {}
    for row_id, cause in made:
        if not smtp.host.strip():
            problem = "no SMTP server is set (Settings ▸ Sending email)"
        else:
            try:
                body = (
                    f"{cause.title}\n\nFor: {cause.assignee or 'the team lead'}\n"
                    "A task is waiting in Account Radar (My work).\n"
                )
                send_email(smtp, f"Escalation: {cause.title}", body, to,
                           smtp.from_address or to)  # fmt: skip
                problem = None
            except Exception as exc:  # noqa: BLE001 - any failure is said and kept
                problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        results[row_id] = (to if problem is None else None, problem)
        if problem is None:
            run.emailed += 1
        else:
            run.email_problems.append(problem)
    with translate_db_errors(), Session(engine) as session, session.begin():
        for row_id, (sent_to, problem) in results.items():
            row = session.get(Escalation, row_id)
            if row is not None:
                row.emailed_to = sent_to
                row.email_problem = problem


def _priority(attributes: Any) -> str:
    if not isinstance(attributes, dict):
        return ""
    for key in ("Priority", "priority"):
        if attributes.get(key):
            return str(attributes[key]).strip().lower()
    return ""


def _tickets(session: Session, config: EscalationSettings, now: dt.datetime) -> list[_Cause]:
    wanted = {str(p).strip().lower() for p in config.ticket_priorities}
    since = now - dt.timedelta(days=config.ticket_window_days)
    closed = {s.lower() for s in CLOSED_TICKET_STATUSES}
    i = Interaction.__table__.alias("i")
    rows = session.execute(
        select(i.c.id, i.c.customer_id, i.c.subject, i.c.status, i.c.attributes,
               account_name_sql())
        .join(Customer, Customer.id == i.c.customer_id)
        .where(i.c.kind == "ticket", i.c.occurred_at >= since,
               literal_column(NEGATIVE_TICKET_SQL.format(i="i")))
    ).all()  # fmt: skip
    lead = config.team_lead.strip()
    out = []
    for tid, cid, subject, status, attributes, name in rows:
        priority = _priority(attributes)
        if priority not in wanted or (status and str(status).lower() in closed):
            continue
        out.append(
            _Cause(
                "ticket",
                f"ticket:{tid}",
                int(cid),
                None,
                lead,
                f"{priority.capitalize()} negative ticket from {name}: {subject or '(no subject)'}",
                {"ticket_id": int(tid), "priority": priority},
            )  # fmt: skip
        )
    return out


def _deals(session: Session, config: EscalationSettings, now: dt.datetime) -> list[_Cause]:
    money = load_money_context(session.connection())
    floor = config.deal_min_amount * 100
    rule = StalledDealSettings.read(session)
    stalled_days = rule.stalled_days
    stages = [str(x).strip().lower() for x in rule.stages]
    critical = set(
        session.scalars(
            select(Alert.customer_id).where(
                Alert.severity == "critical", Alert.status.in_(ACTIVE_ALERT_STATUSES)
            )
        ).all()
    )
    rows = session.execute(
        select(Opportunity).where(Opportunity.closed.is_not(True))
    ).scalars().all()  # fmt: skip
    out = []
    for deal in rows:
        value = money.to_home(float(deal.amount_cents or 0), deal.currency)
        if value is None or value < floor:
            continue
        changed = deal.stage_changed_at or deal.created_at
        if changed is not None and changed.tzinfo is None:
            changed = changed.replace(tzinfo=dt.UTC)
        stallable = any((deal.stage or "").strip().lower().startswith(x) for x in stages)
        stalled = stallable and changed is not None and (now - changed).days > stalled_days
        if not stalled and deal.customer_id not in critical:
            continue
        why = f"in {deal.stage or 'its stage'} for {(now - changed).days} days" if stalled \
            else "its customer has a critical alert"  # fmt: skip
        stage_day = changed.date().isoformat() if changed is not None else "-"
        out.append(
            _Cause(
                "deal",
                f"deal:{deal.id}:{stage_day}",
                int(deal.customer_id),
                None,
                deal.owner or "",
                f"Deal at risk: {deal.name} ({money.format(value, decimals=0)}), {why}",
                {"opportunity_id": int(deal.id), "amount_home_cents": round(value)},
            )  # fmt: skip
        )
    return out


def sla_causes(session: Session, config: EscalationSettings, now: dt.datetime) -> list[_Cause]:
    """Active critical alerts past their SLA with no action (services/alerts/sla.py)."""
    rows = session.execute(
        select(Alert.id, Alert.customer_id, Alert.rule_key, Alert.status, Alert.created_at,
               account_name_sql())
        .join(Customer, Customer.id == Alert.customer_id)
        .where(Alert.severity == "critical", Alert.status.in_(ACTIVE_ALERT_STATUSES))
    ).all()  # fmt: skip
    states = sla_states(session, [(r[0], r[4], "critical", r[3]) for r in rows], now)
    lead = config.team_lead.strip()
    return [
        _Cause("sla", f"sla:{aid}", int(cid), int(aid), lead,
               f"Past its time to act: {name} — {RULE_TITLES.get(rule, rule)} "
               f"(critical; {due_header(states[int(aid)])})",
               {"alert_id": int(aid), "due_at": states[int(aid)].due_at.isoformat()})
        for aid, cid, rule, _status, _created, name in rows
        if states[int(aid)].overdue
    ]  # fmt: skip


def _churn(session: Session, config: EscalationSettings) -> list[_Cause]:
    money = load_money_context(session.connection())
    floor = config.churn_min_clv * 100
    # The value is over the latest scoring's T months (setting scoring.clv_months), not a year.
    months = value_months(session)
    risk_rules = [r.key for r in ALERT_RULES if r.queue == "risk"]
    # The value the alert was raised on, else (an alert kept from before its scoring, or
    # written by another copy) the customer's latest scored value: never left out unseen.
    latest = aliased(ScoreSnapshot)
    clv = func.coalesce(
        ScoreSnapshot.clv_12m_cents,
        select(latest.clv_12m_cents).where(latest.customer_id == Alert.customer_id)
        .order_by(latest.as_of.desc(), latest.id.desc()).limit(1).scalar_subquery(),
    )  # fmt: skip
    rows = session.execute(
        select(Alert.id, Alert.customer_id, Alert.reason, account_name_sql(), Customer.owner, clv)
        .join(Customer, Customer.id == Alert.customer_id)
        .outerjoin(ScoreSnapshot, ScoreSnapshot.id == Alert.score_snapshot_id)
        .where(Alert.severity == "critical", Alert.status.in_(ACTIVE_ALERT_STATUSES),
               Alert.rule_key.in_(risk_rules), clv >= floor)
    ).all()  # fmt: skip
    return [
        _Cause(
            "churn",
            f"churn:{aid}",
            int(cid),
            int(aid),
            owner or "",
            f"Retention: {name} ({money.format(clv, decimals=0)} over {months} months) — {reason}",
            {"alert_id": int(aid), "value_cents": int(clv or 0), "value_months": months},
        )  # fmt: skip
        for aid, cid, reason, name, owner, clv in rows
    ]

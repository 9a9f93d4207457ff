"""One alert as the window's detail pane shows it (``alert_detail``): its customer,
scores and drivers, the recommended next step (``recommendation``, the rule's default,
which services/alerts/next_step.py refines), the actions taken and the audit history in
plain words (``describe_event``). A customer who asked not to be contacted, unsubscribed,
or is in the quiet period after contact is recommended a step without outreach. The
detail and each alert of its card carry the version shown, which an action sends back
(services/alerts/conflict.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.schema import (
    Action,
    Alert,
    AuditEvent,
    Customer,
    Interaction,
    ScoreSnapshot,
    ScoringRun,
)
from models.vocab import CALL_CONVERSATION
from services.alerts._db import aware, driver_texts, reading
from services.alerts.assign import teammates_in
from services.alerts.config import RULE_QUEUES, RULE_TITLES, read_alert_config
from services.alerts.contact_times import contact_times
from services.alerts.lifecycle import AlertNotFoundError, effective_status, moment
from services.alerts.next_step import next_step
from services.alerts.playbooks import playbook_status_in, suggested_playbook
from services.alerts.records import (
    CALL_OUTCOME_LABELS,
    OUTCOME_LABELS,
    ActionRecord,
    AlertDetail,
    AlertEvent,
    CardAlert,
    Recommendation,
)
from services.alerts.sla import due_header, sla_states
from services.core.account_names import account_named, name_of
from services.core.formatting import format_date, format_percent
from services.core.incentive import incentive_cap_cents
from services.core.money import load_money_context

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
    "lapse_coming": (
        "Reach out before they lapse",
        "Likely to go the whole horizon without an order while there is still time: a "
        "personal reminder with something picked for their favourite categories.",
        0.10,
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
        None,
    ),
    "conversation_risk": (
        "Answer what they raised",
        "Call the person who said it about exactly that (their words are in the reason and "
        "the timeline), then agree the next step; no sales offer before it is answered.",
        None,
    ),
    "champion_left": (
        "Find the next champion",
        "Ask who takes over their work, meet them, and make sure the next person who "
        "decides knows what the account gets from us.",
        None,
    ),
    "key_contact_dark": (
        "Reach the key contact again",
        "Call or write to them personally; if they do not answer, ask a colleague there "
        "whether anything changed.",
        None,
    ),
    "single_threaded": (
        "Meet a second person",
        "Ask your contact to introduce you to a colleague who uses or pays for the product, "
        "so that the account does not rest on one person.",
        None,
    ),
    "new_decision_maker": (
        "Meet the new decision maker",
        "Introduce yourself and what the account gets from us before they review it.",
        None,
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
    "renewal_at_risk": (
        "Save the renewal",
        "Call the decision maker about what would make them renew, then record your call "
        "on the customer's renewal card; the Renewal save playbook plans the steps.",
        None,
    ),
    "notice_closing": (
        "Settle the renewal before the notice day",
        "After the last day for notice the contract renews or ends as it stands: agree the "
        "terms now, and record your call on the customer's renewal card.",
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
    cap = incentive_cap_cents(clv_12m_cents, share * 100) if share is not None else None
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
    "alert.task_rescheduled": "Task rescheduled",
    "alert.email_logged": "Email sent",
    "customer.do_not_contact": "Do not contact",
    "customer.quiet_period_ended": "Quiet period ended",
    "customer.tracking_opted_out": "Opted out of activity tracking",
    "customer.tracking_opted_in": "Opted back in to activity tracking",
    "alert.undone": "Undone",
    "customer.undone": "Undone",
    "alert.held_out": "Held out for measuring: no outreach suggested",
    "alert.holdout_contacted": "Contacted although held out",
    "alert.assigned": "Assigned",
    "customer.assigned": "Assigned",
    "customer.assigned_by_rule": "Owner from the rule",
    "note.mentioned": "Mentioned",
    "alert.playbook_started": "Playbook started",
    "alert.playbook_step_done": "Playbook step done",
    "alert.playbook_step_skipped": "Playbook step skipped",
    "alert.playbook_stopped": "Playbook stopped",
}

# The next step of a held-out alert: none that reaches out (services/alerts/holdout.py).
HOLDOUT_STEP = Recommendation(
    "Holdout: no outreach for now",
    "This customer is in the comparison group that shows whether outreach works. Watch "
    "for their next order; if you must contact them, say why and they leave the group.",
)


def _contacted_anyway(alert: Alert) -> str | None:
    """When and why a held-out customer was contacted anyway, in words; None if not."""
    if not alert.holdout or alert.holdout_contacted_at is None:
        return None
    day = format_date(aware(alert.holdout_contacted_at).date())
    why = alert.holdout_contact_reason or "no reason given"
    return f"Held out, but contacted on {day} ({why}): counted in neither group."


def _day(value: object) -> str:
    """A day kept in an audit event's details (ISO, as written) in the one style dates
    are shown in ("Nov 28, 2026"); anything else as it is."""
    if isinstance(value, str):
        try:
            return format_date(dt.date.fromisoformat(value[:10]))
        except ValueError:
            return value
    return str(value)


def describe_event(action: str, details: dict[str, Any] | None) -> str:
    """One audit event in plain words."""
    d = details or {}
    head = _HISTORY.get(action, action)
    if action == "alert.resolved" and d.get("outcome"):
        head += f": {OUTCOME_LABELS.get(d['outcome'], d['outcome']).lower()}"
    elif action == "alert.snoozed":
        clear = d.get("until_clear")
        head += " until the condition clears" if clear else f" until {_day(d.get('until'))}"
    elif action == "alert.task_created":
        head += f" (due {_day(d.get('due'))})"
    elif action == "alert.task_rescheduled":
        head += f" to {_day(d.get('due'))}"
    elif action == "customer.do_not_contact":
        head = "Marked do not contact" if d.get("value") else "Do not contact removed"
    elif action == "alert.call_logged" and d.get("outcome") not in (None, CALL_CONVERSATION):
        # "Call: no answer", not "Call: No answer: No answer".
        head += f" ({CALL_OUTCOME_LABELS.get(d['outcome'], d['outcome']).lower()})"
        if d.get("text") == CALL_OUTCOME_LABELS.get(d["outcome"]):
            return head
    elif action == "alert.holdout_contacted":
        return f"{head}: {d.get('reason') or 'no reason given'}"
    elif action in ("alert.assigned", "customer.assigned", "customer.assigned_by_rule"):
        # services/alerts/assign.py, and a segment rule's (services/segment_policy/owners.py)
        if not d.get("to"):
            return "Left without an owner" + (f" (was {d['from']})" if d.get("from") else "")
        rule = f" from the rule {d['rule']}" if d.get("rule") else ""
        was = f" (was {d['from']})" if d.get("from") else ""
        return f"Assigned to {d.get('to')}{rule}{was}"
    elif action == "note.mentioned":
        return f"Mentioned {d.get('to')} in a note"
    elif action == "alert.playbook_stopped" and d.get("reason") == "stopped":
        head += " (by hand)"  # the user's reason follows, as its text says it
    elif action in ("alert.undone", "customer.undone"):
        return f"Undone: {d.get('text') or d.get('undid') or 'an action'}"
    text = d.get("text") or d.get("note")
    return f"{head}: {text}" if text else head


def alert_detail(
    engine: Engine,
    alert_id: int,
    *,
    card_ids: Sequence[int] = (),
    now: dt.datetime | None = None,
) -> AlertDetail:
    """One alert with its customer, scores, drivers, recommendation, actions and history.

    ``card_ids``: the alerts the list shows on one card with this one (the same
    customer's, of the same queue); their reasons and history come with it. Raises
    AlertNotFoundError when the alert no longer exists.
    """
    when = moment(now)
    with reading(engine) as conn, Session(bind=conn) as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise AlertNotFoundError(f"Alert {alert_id} no longer exists; refresh the list.")
        card = _card(session, alert, card_ids)
        customer = session.get(Customer, alert.customer_id)
        assert customer is not None  # the foreign key cascades deletes
        snapshot = _detail_snapshot(session, alert)
        latest = _latest_snapshot(session, int(alert.customer_id))
        last_contact = _last_contact(session, customer.id, when)
        account = account_named(session, int(customer.id))  # services/core/account_names.py
        blocked, quiet_until = outreach_block(session, customer, now=when)
        held_out = any(bool(a.holdout) and a.holdout_contacted_at is None for a in card)
        clv = snapshot.clv_12m_cents if snapshot is not None else None
        reasons, conflict = _reasons_now(alert, latest or snapshot)
        return AlertDetail(
            id=int(alert.id),
            customer_id=int(customer.id),
            customer=account.name,
            person=account.person,
            company=customer.company,
            email=account.email,
            severity=alert.severity,
            status=effective_status(alert, when),
            rule_key=alert.rule_key,
            rule=RULE_TITLES.get(alert.rule_key, alert.rule_key),
            reason=alert.reason,
            drivers=driver_texts(alert.drivers),
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
            unsubscribed=_unsubscribed(session, int(customer.id)),
            last_contact_at=last_contact,
            outreach_blocked=blocked,
            recommendation=HOLDOUT_STEP
            if held_out
            else _next_step(session, alert, account.name, clv, blocked, when),
            history=_history(session, card, int(customer.id)),
            actions=_actions(session, int(customer.id)),
            currency=load_money_context(session).home,
            queue=RULE_QUEUES.get(alert.rule_key, "risk"),
            card=tuple(_card_alert(a, when) for a in card),
            risk_reasons=reasons,
            conflict=conflict,
            health_score=snapshot.health_score if snapshot is not None else None,
            quiet_until=quiet_until,
            holdout=held_out,
            holdout_contacted=_contacted_anyway(alert),
            playbook=playbook_status_in(session, int(customer.id)),
            suggested_playbook=suggested_playbook(session, int(customer.id)),
            risk_now_cents=_risk_cents(latest),
            churn_now=latest.churn_risk if latest is not None else None,
            version=int(alert.version),
            teammates=tuple(teammates_in(session)),  # whom Assign… offers
            **_sla_fields(session, alert, when),
        )


def _card(session: Session, alert: Alert, card_ids: Sequence[int]) -> list[Alert]:
    """The alert, then the others of its card that still are its customer's."""
    others = [int(i) for i in card_ids if int(i) != int(alert.id)]
    return [alert] + [
        a
        for a in session.scalars(select(Alert).where(Alert.id.in_(others)))
        if a.customer_id == alert.customer_id
    ]


def _next_step(
    session: Session,
    alert: Alert,
    name: str,
    clv: int | None,
    blocked: str | None,
    when: dt.datetime,
) -> Recommendation:
    """What to do next for an alert not held out, with its experiment's strategy."""
    return _with_experiment(
        session,
        int(alert.id),
        next_step(
            session,
            rule_key=alert.rule_key,
            customer_id=int(alert.customer_id),
            customer_name=name,
            clv_12m_cents=clv,
            drivers=driver_texts(alert.drivers),
            blocked=blocked,
            default=recommendation(alert.rule_key, clv, blocked),
            now=when,
            cap_percent=_offer_percent(session, int(alert.id)),
        ),
    )


def _risk_cents(latest: ScoreSnapshot | None) -> int | None:
    """The revenue at risk by the latest scores (None: not scored by them)."""
    if latest is None or latest.revenue_at_risk_cents is None:
        return None
    return int(latest.revenue_at_risk_cents)


def _unsubscribed(session: Session, customer_id: int) -> bool:
    """Whether the customer ever unsubscribed from emails."""
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Interaction)
            .where(Interaction.customer_id == customer_id, Interaction.kind == "unsubscribe")
        )
    )


def _history(session: Session, card: Sequence[Alert], customer_id: int) -> tuple[AlertEvent, ...]:
    """The audit events of the card's alerts and of their customer, oldest first."""
    events = session.execute(
        select(
            AuditEvent.occurred_at,
            AuditEvent.actor,
            AuditEvent.action,
            AuditEvent.details,
            AuditEvent.db_user,
        )
        .where(
            (
                (AuditEvent.entity_type == "alert")
                & AuditEvent.entity_id.in_([int(a.id) for a in card])
            )
            | ((AuditEvent.entity_type == "customer") & (AuditEvent.entity_id == customer_id))
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    return tuple(
        AlertEvent(when=t, who=_with_account(who, u), action=a, what=describe_event(a, d))
        for t, who, a, d, u in events
    )


def _actions(session: Session, customer_id: int) -> tuple[ActionRecord, ...]:
    """The customer's calls, notes, tasks and emails, newest first."""
    actions = session.scalars(
        select(Action)
        .where(Action.customer_id == customer_id)
        .order_by(Action.created_at.desc(), Action.id.desc())
    ).all()
    return tuple(
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
    )


def _reasons_now(
    alert: Alert, now_scored: ScoreSnapshot | None
) -> tuple[tuple[str, ...], str | None]:
    """A risk alert's reasons and conflict from the latest scores (why the churn risk is
    what it is now, as the customer's tiles say, not when the alert was raised); none for
    the other queues."""
    if RULE_QUEUES.get(alert.rule_key, "risk") != "risk":
        return (), None
    return risk_reasons(
        now_scored.drivers if now_scored is not None else None,
        churn_risk=now_scored.churn_risk if now_scored is not None else None,
        health=now_scored.health_score if now_scored is not None else None,
        confidence=now_scored.confidence if now_scored is not None else None,
        horizon_days=now_scored.horizon_days if now_scored is not None else None,
    )


def _offer_percent(session: Session, alert_id: int) -> float | None:
    """The offer cap a running experiment's offer-size strategy gave the alert, or None."""
    from services.alerts.experiments import strategy_for_alert

    strategy = strategy_for_alert(session, alert_id)
    return strategy.offer_percent if strategy is not None else None


def _with_experiment(session: Session, alert_id: int, step: Recommendation) -> Recommendation:
    """The next step, with the strategy a running experiment gave the alert (the composer
    applies a tone or a template; a playbook is offered in words)."""
    from services.alerts.experiment_records import experiment_step_words
    from services.alerts.experiments import strategy_for_alert

    strategy = strategy_for_alert(session, alert_id)
    if strategy is None:
        return step
    words = strategy.words
    if strategy.kind == "playbook":
        words += f" Start the playbook {strategy.label} from Playbooks below."
    elif strategy.kind in ("tone", "template"):
        words += " The email composer starts with it."
    else:
        words += " " + experiment_step_words(strategy)
    detail = f"{step.detail}\n{words}" if step.detail else words
    channel = strategy.value if strategy.kind == "channel" else ""
    return replace(step, detail=detail, channel=channel)


def _sla_fields(session: Session, alert: Alert, now: dt.datetime) -> dict[str, Any]:
    """The detail's due time, overdue flag and header words (services/alerts/sla.py), and
    the measured precision of a relationship rule's signal (services/alerts/signal_proofs.py)."""
    state = sla_states(session, [(alert.id, alert.created_at, alert.severity,
                                  effective_status(alert, now))], now)[int(alert.id)]  # fmt: skip
    return {
        "due_at": state.due_at, "overdue": state.overdue, "due_line": due_header(state),
        # A relationship signal's measured precision beside its rule's level, in words.
        "signal_proof": _signal_proof(session, alert.rule_key),
    }  # fmt: skip


def outreach_block(
    session: Session, customer: Customer, *, now: dt.datetime
) -> tuple[str | None, dt.datetime | None]:
    """Why no email may go to the customer now, in words (they asked not to be contacted,
    they unsubscribed, or the quiet period after contact holds), and when that quiet
    period ends (None when none holds: a user may end it sooner, with a reason)."""
    name = name_of(session, int(customer.id))
    if customer.do_not_contact:
        return f"{name} asked not to be contacted.", None
    unsubscribed = session.scalar(
        select(func.count())
        .select_from(Interaction)
        .where(Interaction.customer_id == customer.id, Interaction.kind == "unsubscribe")
    )
    if unsubscribed:
        return f"{name} unsubscribed from emails.", None
    cooldown = read_alert_config(session).cooldown_days
    last_contact = _last_contact(session, int(customer.id), now)
    if last_contact is None or cooldown <= 0:
        return None, None
    until = last_contact + dt.timedelta(days=cooldown)
    if until <= now:
        return None, None
    return (
        f"{name} was contacted on {format_date(last_contact.date())}; the quiet period "
        f"after contact lasts until {format_date(until.date())}.",
        until,
    )


def _card_alert(alert: Alert, now: dt.datetime) -> CardAlert:
    return CardAlert(
        id=int(alert.id),
        rule_key=alert.rule_key,
        rule=RULE_TITLES.get(alert.rule_key, alert.rule_key),
        severity=alert.severity,
        status=effective_status(alert, now),
        reason=alert.reason,
        priority_cents=int(alert.priority_cents or 0),
        condition_cleared=alert.cleared_at is not None,
        version=int(alert.version),
    )


# Health this high while the churn risk is at least CONFLICT_RISK: the two disagree.
CONFLICT_HEALTH = 70.0
CONFLICT_RISK = 0.5


def risk_reasons(
    drivers: Any,
    *,
    churn_risk: float | None,
    health: float | None,
    confidence: str | None,
    horizon_days: int | None,
) -> tuple[tuple[str, ...], str | None]:
    """Why a customer's churn risk is what it is, and whether their signals conflict.

    The reasons are the snapshot's drivers that push the risk up, heaviest first. With
    none, the risk is the model's reading of customers like them: said so, as a thin
    history when the scores rest on little (low or medium confidence). The conflict, when
    there is one, names the signs that point the other way, and a good health score
    beside a high churn risk (the two measure different things: how the customer has
    bought and engaged so far, and whether they will order in the horizon).
    """
    listed = drivers if isinstance(drivers, list) else []
    risk = tuple(
        str(d["text"]) for d in listed if isinstance(d, dict) and d.get("direction") == "risk"
    )
    good = [str(d["text"]) for d in listed if isinstance(d, dict) and d.get("direction") == "good"]
    horizon = f"{horizon_days} days" if horizon_days else "the scoring horizon"
    if not risk and churn_risk is not None:
        chance = format_percent(churn_risk)
        if confidence in ("low", "medium"):
            risk = (
                f"new customer, thin history: the model puts the chance of no order in the "
                f"next {horizon} at {chance} from customers with as little history",
            )
        else:
            risk = (
                f"no single sign stands out: the model puts the chance of no order in the "
                f"next {horizon} at {chance} from their whole history",
            )
    parts = []
    if good:
        parts.append(f"{'; '.join(good)} point{'s' if len(good) == 1 else ''} the other way")
    if (
        health is not None
        and churn_risk is not None
        and health >= CONFLICT_HEALTH
        and churn_risk >= CONFLICT_RISK
    ):
        parts.append(
            f"health is good ({health:.0f} of 100: how they have bought and engaged so far) "
            f"while churn risk is {format_percent(churn_risk)} (the chance of no order in the "
            f"next {horizon})"
        )
    conflict = f"Signals conflict: {'; '.join(parts)}." if parts else None
    return risk, conflict


def _latest_snapshot(session: Session, customer_id: int) -> ScoreSnapshot | None:
    """The customer's snapshot of the latest finished scoring (None: not scored by it)."""
    run = session.scalar(
        select(ScoringRun.id)
        .where(ScoringRun.status == "finished")
        .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)
    )
    if run is None:
        return None
    return session.scalars(
        select(ScoreSnapshot).where(
            ScoreSnapshot.customer_id == customer_id, ScoreSnapshot.scoring_run_id == run
        )
    ).first()


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


def _with_account(actor: str, db_user: str | None) -> str:
    """The history's name for who did it: on a shared workspace, with the database user
    the database itself recorded (audit_events.db_user) unless the name already says it."""
    if not db_user or db_user in actor:
        return actor
    return f"{actor} (account {db_user})"


def _signal_proof(session: Session, rule: str) -> str:
    """A relationship rule's proof in words (services/alerts/signal_proofs.py, which needs
    pandas: imported when a card is first shown, not before the window's first paint)."""
    from services.alerts.signal_proofs import proof_words

    return proof_words(session, rule)

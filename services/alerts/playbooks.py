"""Playbooks: a named sequence of steps started on a card, due day by day in My work,
stopped by itself when the condition clears.

- What a playbook is: services/settings/playbooks.py (the built-in ones, and the
  workspace's own, the setting ``playbooks.custom``).
- Starting one (``apply_card_action(..., "playbook", key=...)``, services/alerts/actions.py,
  which calls ``start_playbook_in``) writes a run on the card's first alert and one step
  per step of the playbook, each due on the UTC day of the start plus its day (as tasks'
  due dates count). At most one playbook runs per customer. It is refused for a customer
  marked do not contact and for a closed alert; a held-out customer
  (services/alerts/holdout.py) needs the same word a held-out customer's email needs
  (``holdout_reason``): they are then marked contacted anyway and leave the comparison.
  The start is audited ("alert.playbook_started") and undoable (services/alerts/undo.py
  removes the run while none of its steps is done or skipped); the holdout mark stays,
  as an email's does.
- Its steps are due in My work (``steps_due``) from their day on, until done or skipped
  (``complete_step``, audited, undoable). The last one done or skipped finishes it.
- The user may stop it by hand (``stop_playbook``, or the card's action
  "stop_playbook"), with an optional reason kept in the audit ("alert.playbook_stopped",
  reason "stopped", the user's words as its note); undoing it puts the run back
  running with its steps (refused once another playbook started for the customer).
- An offline copy (services/team/offline.py) refuses every playbook action (start, a
  step done or skipped, stop): sync back carries the alert actions, not playbooks, so
  they are done on the shared workspace (``refuse_in_offline_copy``).
- It stops by itself (``stop_cleared_runs``) when the customer orders (a paid order
  dated after the start), when its alert is resolved or dismissed, or when the customer
  is marked do not contact: when My work loads, and after a scoring or an import.
- Results measure it as outreach (services/learn/data.py): an alert of the outreach arm
  with a playbook started is contacted from the start, broken down by playbook.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from sqlalchemy import Engine, case, delete, exists, or_, select
from sqlalchemy.orm import Session

from models.schema import Alert, Customer, Order, PlaybookRun, PlaybookStep
from services.alerts._db import aware, reading
from services.alerts.config import default_actor
from services.alerts.contact import holdout_contacted
from services.alerts.holdout import held_out
from services.alerts.lifecycle import AlertActionError, Doing, moment, unit_of_work
from services.alerts.playbook_records import (
    STEP_KIND_LABELS,
    STOP_REASON_LABELS,
    PlaybookChoice,
    PlaybookStatus,
    WorkStep,
)
from services.alerts.records import Undoable
from services.core.account_names import account_name_sql, name_of
from services.core.formatting import format_date
from services.core.offline_origin import origin_in
from services.core.working_days import add_working_days
from services.segment_policy import value_for
from services.settings.playbooks import (
    BUILT_IN,
    CUSTOM_SETTING,
    PlaybookSpec,
    PlaybookTextError,
    parse_custom,
    step_words,
)
from services.settings.segments import PLAYBOOK_SETTING
from services.settings.views import PlaybookSettings

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "Account Radar"
CLOSED_STATUSES = ("resolved", "dismissed")


class HoldoutWordNeededError(AlertActionError):
    """A held-out customer gets a playbook only with the user's word (why contact them)."""


class OfflinePlaybookError(AlertActionError):
    """A playbook action asked of an offline copy: sync back would not carry it."""


def refuse_in_offline_copy(session: Session, doing: str) -> None:
    """Refuse ``doing`` ("start a playbook"...) in an offline copy, in plain words: sync
    back pushes calls, notes, tasks, emails and the alerts' lifecycle, not playbooks."""
    if session.connection().dialect.name != "sqlite":
        return  # an offline copy is a SQLite file; a shared workspace is never one
    origin = origin_in(session)
    if origin is not None:
        raise OfflinePlaybookError(
            f"This workspace is an offline copy of {origin.label}: playbooks are not "
            f"carried back when you sync, so you cannot {doing} here. Sync back, then do "
            "it on the shared workspace."
        )


# --- what the playbooks are -----------------------------------------------------------------


def playbook_specs(session: Session) -> tuple[PlaybookSpec, ...]:
    """The built-in playbooks, then the workspace's own (setting ``playbooks.custom``,
    read through the policy resolver); own ones that do not read are left out, logged."""
    try:
        custom = parse_custom(PlaybookSettings.read(session).custom)
    except PlaybookTextError:
        log.warning("The setting %s does not read; only the built-in playbooks", CUSTOM_SETTING)
        custom = ()
    return BUILT_IN + custom


def playbook_choices(engine: Engine) -> tuple[PlaybookChoice, ...]:
    """The playbooks a user may start, with their steps in words."""
    with reading(engine) as conn, Session(bind=conn) as session:
        specs = playbook_specs(session)
    return tuple(
        PlaybookChoice(
            key=p.key,
            name=p.name,
            steps=tuple(step_words(s) for s in p.steps),
            help=p.help,
            custom=p.custom,
        )
        for p in specs
    )


def suggested_playbook(session: Session, customer_id: int) -> tuple[str, str]:
    """The playbook a card offers first for this customer (setting
    ``playbooks.suggested``, their segment's own where one is set): its key ("": none,
    or no longer a playbook) and the segment whose suggestion it is ("": the
    workspace's)."""
    found = value_for(session, PLAYBOOK_SETTING, customer_id)
    key = str(found.value)
    if not key or all(spec.key != key for spec in playbook_specs(session)):
        return "", ""
    return key, found.segment


def _spec(session: Session, key: str) -> PlaybookSpec:
    for spec in playbook_specs(session):
        if spec.key == key:
            return spec
    raise AlertActionError(f"There is no playbook '{key}' any more; choose another.")


# --- starting ------------------------------------------------------------------------------


def running_run(session: Session, customer_id: int) -> PlaybookRun | None:
    """The customer's running playbook, if any."""
    return session.scalar(
        select(PlaybookRun).where(
            PlaybookRun.customer_id == customer_id, PlaybookRun.stopped_at.is_(None)
        )
    )


def _check_can_start(doing: Doing, alert: Alert, customer: Customer, name: str) -> None:
    if customer.do_not_contact:
        raise AlertActionError(f"{name} is marked do not contact: no playbook can start.")
    if alert.status in CLOSED_STATUSES or alert.status == "held_back":
        raise AlertActionError(
            "This alert is not open: reopen or raise it before starting a playbook."
        )
    running = running_run(doing.session, int(customer.id))
    if running is not None:
        started = format_date(aware(running.started_at).date())
        raise AlertActionError(
            f"{name} already has a playbook running: {running.name}, started {started}. "
            "It stops by itself when they order or the alert is closed."
        )


def start_playbook_in(
    doing: Doing,
    alerts: Sequence[Alert],
    key: str,
    customer_name: str,
    *,
    holdout_reason: str | None = None,
) -> Undoable:
    """Start playbook ``key`` on a card (its first alert) inside the caller's transaction,
    audited; returns what undoing it removes (module doc for what is refused)."""
    refuse_in_offline_copy(doing.session, "start a playbook")
    alert = alerts[0]
    customer = doing.session.get(Customer, alert.customer_id)
    assert customer is not None  # the foreign key cascades deletes
    _check_can_start(doing, alert, customer, customer_name)
    spec = _spec(doing.session, key)
    if held_out(doing.session, int(customer.id)):
        reason = (holdout_reason or "").strip()
        if not reason:
            raise HoldoutWordNeededError(
                f"{customer_name} is in the holdout: say why they get a playbook "
                "(they then leave the comparison)."
            )
        holdout_contacted(doing, int(customer.id), f"playbook {spec.name}: {reason}")
    run = _write_run(doing, alert, spec)
    return Undoable(
        label=f"Started {spec.name} for {customer_name}",
        undid="alert.playbook_started",
        customer_id=int(customer.id),
        playbook_run_ids=(int(run.id),),
    )


def _write_run(doing: Doing, alert: Alert, spec: PlaybookSpec) -> PlaybookRun:
    day = doing.now.date()  # the UTC day, as tasks' due dates count
    run = PlaybookRun(
        customer_id=int(alert.customer_id),
        alert_id=int(alert.id),
        playbook=spec.key,
        name=spec.name,
        started_at=doing.now,
        started_by=doing.actor,
    )
    doing.session.add(run)
    doing.session.flush()
    for position, step in enumerate(spec.steps):
        doing.session.add(
            PlaybookStep(
                run_id=run.id,
                position=position,
                day_offset=step.day,
                kind=step.kind,
                text=step.text,
                due_date=add_working_days(day, step.day),  # as the SLA counts days
            )
        )
    doing.session.flush()
    steps = "; ".join(step_words(s) for s in spec.steps)
    details = {"run_id": int(run.id), "playbook": spec.key, "text": f"{spec.name} ({steps})"}
    doing.audit("alert.playbook_started", ("alert", int(alert.id)), details)
    return run


# --- what the card and My work show ---------------------------------------------------------


def playbook_status_in(session: Session, customer_id: int) -> PlaybookStatus | None:
    """The customer's running playbook as the card shows it (None: none runs)."""
    run = running_run(session, customer_id)
    if run is None:
        return None
    steps = list(
        session.scalars(
            select(PlaybookStep)
            .where(PlaybookStep.run_id == run.id)
            .order_by(PlaybookStep.position, PlaybookStep.id)
        )
    )
    left = [s for s in steps if s.done_at is None and s.skipped_at is None]
    upcoming = left[0] if left else None
    return PlaybookStatus(
        run_id=int(run.id),
        name=run.name,
        started_at=aware(run.started_at),
        started_by=run.started_by,
        steps_total=len(steps),
        steps_left=len(left),
        next_kind=upcoming.kind if upcoming is not None else None,
        next_text=upcoming.text if upcoming is not None else None,
        next_due=upcoming.due_date if upcoming is not None else None,
    )


def steps_due(
    session: Session, *, user: str, owner: str | None, everyone: bool, today: dt.date
) -> tuple[WorkStep, ...]:
    """The steps of running playbooks due by ``today`` (UTC), not done or skipped: the
    user's (they started it, or own its customer or alert) or everyone's; oldest first."""
    query = (
        select(PlaybookStep, PlaybookRun, account_name_sql(), Customer.owner)
        .join(PlaybookRun, PlaybookRun.id == PlaybookStep.run_id)
        .join(Customer, Customer.id == PlaybookRun.customer_id)
        .outerjoin(Alert, Alert.id == PlaybookRun.alert_id)
        .where(
            PlaybookRun.stopped_at.is_(None),
            PlaybookStep.done_at.is_(None),
            PlaybookStep.skipped_at.is_(None),
            PlaybookStep.due_date <= today,
        )
    )
    if not everyone:
        mine = [PlaybookRun.started_by == user]
        if owner:
            mine += [Customer.owner == owner, Alert.owner == owner]
        query = query.where(or_(*mine))
    found = [
        WorkStep(
            id=int(step.id),
            run_id=int(run.id),
            customer_id=int(run.customer_id),
            customer=name,
            alert_id=int(run.alert_id) if run.alert_id is not None else None,
            playbook=run.name,
            kind=step.kind,
            text=step.text,
            day=int(step.day_offset),
            due_date=step.due_date,
            due_in_days=(step.due_date - today).days,
            owner=customer_owner,
        )
        for step, run, name, customer_owner in session.execute(query)
    ]
    found.sort(key=lambda s: (s.due_date, s.run_id, s.day, s.id))
    return tuple(found)


# --- doing a step ---------------------------------------------------------------------------


def complete_step(
    engine: Engine,
    step_id: int,
    *,
    skip: bool = False,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> Undoable:
    """Mark a step done (or skipped, ``skip``), audited; the last step of its playbook
    finishes it. Returns what undoing it puts back."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine, write_first=True) as session:
        refuse_in_offline_copy(session, "skip a playbook step" if skip else "mark a step done")
        step = session.get(PlaybookStep, step_id, with_for_update=True)
        run = session.get(PlaybookRun, step.run_id) if step is not None else None
        if step is None or run is None:
            raise AlertActionError("That playbook step no longer exists; refresh My work.")
        if run.stopped_at is not None:
            why = STOP_REASON_LABELS.get(run.stop_reason or "", "it stopped")
            raise AlertActionError(f"The playbook {run.name} has stopped ({why}).")
        if step.done_at is not None or step.skipped_at is not None:
            raise AlertActionError("That step is already done or skipped.")
        if skip:
            step.skipped_at = when
        else:
            step.done_at = when
        step.done_by = who
        doing = Doing(session, when, who)
        words = f"{STEP_KIND_LABELS.get(step.kind, step.kind)}: {step.text}"
        if run.alert_id is not None:
            action = "alert.playbook_step_skipped" if skip else "alert.playbook_step_done"
            details = {"run_id": int(run.id), "step_id": int(step.id), "text": words}
            doing.audit(action, ("alert", int(run.alert_id)), details)
        session.flush()
        _finish_if_done(doing, run)
        name = name_of(session, int(run.customer_id))
        return Undoable(
            label=f"{'Skipped' if skip else 'Done'} for {name}: {words}",
            undid="alert.playbook_step_skipped" if skip else "alert.playbook_step_done",
            customer_id=int(run.customer_id),
            playbook_step_ids=(int(step.id),),
        )


def _finish_if_done(doing: Doing, run: PlaybookRun) -> None:
    left = doing.session.scalar(
        select(exists().where(
            PlaybookStep.run_id == run.id,
            PlaybookStep.done_at.is_(None),
            PlaybookStep.skipped_at.is_(None),
        ))
    )  # fmt: skip
    if not left:
        _stop(doing, run, "finished")


def _stop(doing: Doing, run: PlaybookRun, reason: str, note: str | None = None) -> None:
    run.stopped_at = doing.now
    run.stop_reason = reason
    run.stopped_by = doing.actor
    if run.alert_id is not None:
        said = note if reason == "stopped" else STOP_REASON_LABELS.get(reason, reason)
        details = {
            "run_id": int(run.id),
            "reason": reason,
            "note": note or None,  # the user's reason for stopping it by hand
            "text": f"{run.name}: {said}" if said else run.name,
        }
        doing.audit("alert.playbook_stopped", ("alert", int(run.alert_id)), details)


# --- stopping by hand -----------------------------------------------------------------------


def stop_playbook_in(
    doing: Doing, run_id: int, customer_name: str, note: str = "", *, customer_id: int | None = None
) -> Undoable:
    """Stop the running playbook ``run_id`` by hand inside the caller's transaction, with
    the user's reason (optional), audited; its steps leave My work. ``customer_id``: the
    card's customer, which the playbook must be of. Returns what undoing it puts back."""
    refuse_in_offline_copy(doing.session, "stop a playbook")
    run = doing.session.get(PlaybookRun, run_id, with_for_update=True)
    if run is None or (customer_id is not None and int(run.customer_id) != customer_id):
        raise AlertActionError("That playbook no longer exists; look at the card again.")
    if run.stopped_at is not None:
        why = STOP_REASON_LABELS.get(run.stop_reason or "", "it stopped")
        raise AlertActionError(f"The playbook {run.name} has already stopped ({why}).")
    _stop(doing, run, "stopped", " ".join(note.split()))
    doing.session.flush()
    return Undoable(
        label=f"Stopped {run.name} for {customer_name}",
        undid="alert.playbook_stopped",
        customer_id=int(run.customer_id),
        playbook_stopped_ids=(int(run.id),),
    )


def stop_playbook(
    engine: Engine,
    run_id: int,
    note: str = "",
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> Undoable:
    """Stop a running playbook by hand (My work), with the user's reason (optional),
    audited; returns what undoing it puts back (the run running again, with its steps)."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine, write_first=True) as session:
        run = session.get(PlaybookRun, run_id)
        name = name_of(session, int(run.customer_id)) if run is not None else None
        return stop_playbook_in(Doing(session, when, who), run_id, name or "the customer", note)


# --- stopping by itself ---------------------------------------------------------------------


def _cleared(session: Session) -> dict[int, str]:
    """Every running playbook whose condition cleared, with why (its id: the reason), in
    one statement: its customer is gone or marked do not contact, else the customer has a
    paid order dated after its start, else its alert is gone, resolved or dismissed."""
    ordered = exists().where(
        Order.customer_id == PlaybookRun.customer_id,
        Order.status == "paid",
        Order.order_date > PlaybookRun.started_at,
    )
    reason = case(
        (or_(Customer.id.is_(None), Customer.do_not_contact.is_(True)), "do_not_contact"),
        (ordered, "ordered"),
        (or_(Alert.id.is_(None), Alert.status.in_(CLOSED_STATUSES)), "alert_closed"),
        else_=None,
    )
    found = session.execute(
        select(PlaybookRun.id, reason)
        .outerjoin(Customer, Customer.id == PlaybookRun.customer_id)
        .outerjoin(Alert, Alert.id == PlaybookRun.alert_id)
        .where(PlaybookRun.stopped_at.is_(None))
    )
    return {int(run_id): str(why) for run_id, why in found if why is not None}


def cleared_runs(engine: Engine) -> dict[int, str]:
    """The running playbooks ``stop_cleared_runs`` would stop and why ({run id: reason}),
    read in one statement without writing."""
    with reading(engine) as conn, Session(bind=conn) as session:
        return _cleared(session)


def stop_cleared_runs(
    engine: Engine, *, now: dt.datetime | None = None, actor: str = SYSTEM_ACTOR
) -> int:
    """Stop every running playbook whose condition cleared (the customer ordered after
    its start, its alert was closed, the customer is do not contact), audited; returns
    how many stopped. One read; a write only when some playbook is to stop."""
    when = moment(now)
    if not cleared_runs(engine):
        return 0  # the usual case: nothing to write, no write lock taken
    with unit_of_work(engine, write_first=True) as session:
        doing = Doing(session, when, actor)
        reasons = _cleared(session)  # again under the write lock: what holds now
        runs = session.scalars(
            select(PlaybookRun).where(PlaybookRun.id.in_(reasons)).order_by(PlaybookRun.id)
        )
        for run in runs:
            _stop(doing, run, reasons[int(run.id)])
        return len(reasons)


# --- undo -----------------------------------------------------------------------------------


def undo_playbooks_in(session: Session, change: Undoable) -> None:
    """Take back what ``change`` did to playbooks inside the undo's transaction: remove
    the runs it started (refused once a step was done or skipped, or it stopped) and put
    back the steps it did (refused when their playbook stopped since for another reason)."""
    for run_id in change.playbook_run_ids:
        run = session.get(PlaybookRun, run_id, with_for_update=True)
        if run is None:
            raise AlertActionError("That playbook no longer runs; nothing was undone.")
        acted = session.scalar(
            select(exists().where(
                PlaybookStep.run_id == run_id,
                or_(PlaybookStep.done_at.is_not(None), PlaybookStep.skipped_at.is_not(None)),
            ))
        )  # fmt: skip
        if acted or run.stopped_at is not None:
            raise AlertActionError(
                f"The playbook {run.name} moved on since (a step was done or it stopped), "
                "so it was not undone."
            )
        session.execute(delete(PlaybookStep).where(PlaybookStep.run_id == run_id))
        session.execute(delete(PlaybookRun).where(PlaybookRun.id == run_id))
    for step_id in change.playbook_step_ids:
        _put_step_back(session, step_id)
    for run_id in change.playbook_stopped_ids:
        _run_again(session, run_id)


def _run_again(session: Session, run_id: int) -> None:
    """Undo a stop by hand: the run runs again, its steps as they were."""
    run = session.get(PlaybookRun, run_id, with_for_update=True)
    if run is None or run.stop_reason != "stopped":
        raise AlertActionError("That playbook no longer exists as stopped; nothing was undone.")
    other = running_run(session, int(run.customer_id))
    if other is not None:
        raise AlertActionError(
            f"Another playbook runs for this customer since ({other.name}), so {run.name} "
            "was not started again."
        )
    run.stopped_at = None
    run.stop_reason = None
    run.stopped_by = None


def _put_step_back(session: Session, step_id: int) -> None:
    step = session.get(PlaybookStep, step_id, with_for_update=True)
    run = session.get(PlaybookRun, step.run_id) if step is not None else None
    if step is None or run is None:
        raise AlertActionError("That playbook step no longer exists; nothing was undone.")
    if run.stopped_at is not None and run.stop_reason != "finished":
        why = STOP_REASON_LABELS.get(run.stop_reason or "", "it stopped")
        raise AlertActionError(f"The playbook {run.name} has stopped since ({why}); not undone.")
    step.done_at = None
    step.skipped_at = None
    step.done_by = None
    if run.stopped_at is not None:  # the step had finished it: it runs again
        run.stopped_at = None
        run.stop_reason = None
        run.stopped_by = None

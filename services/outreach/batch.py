"""Draft for all: one email per customer for a set of alerts, drafted in the background,
reviewed one after another, then delivered (services/outreach/batch_delivery.py).

- ``plan_batch`` / ``preview_batch``: which customers a set of alerts gives (one row per
  customer, from their highest-priority alert in the set) and who is left out, with the
  reason: do not contact, unsubscribed, held out (Holdout and not contacted anyway),
  contacted within the cool-down (services.alerts.contact_times.contacts_since, the same
  definition that keeps new alerts quiet), no email address, already waiting in another
  open batch.
- ``create_batch``: the batch and its rows (queued, or skipped with the reason); with no
  goal chosen, each row has the goal its alert's next step calls for
  (services.alerts.next_step.step_outreach: a complaint first, with no offer).
- ``draft_batch``: drafts every queued row, at most ``outreach.batch_concurrency``
  requests at once (a thread pool; the database step on the worker's own session), the
  template when offline or when the provider fails (the checks say why). Drafts are
  committed as they come (a few at a time for the templates, at most
  ``COMMIT_INTERVAL_S`` apart), so a crash loses only the drafts in flight; a batch
  started again drafts only what is still queued. Cancel stops between drafts.
- Review: ``edit_row``, ``approve_row``, ``skip_row``, ``unapprove_row``,
  ``regenerate_row`` (a new variant); each is idempotent and refuses rows already sent.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.errors import UserFacingError
from models.schema import Alert, BatchDraft, Customer, DraftBatch, Interaction
from services.alerts.config import default_actor, read_alert_config
from services.alerts.contact_times import contacts_since
from services.alerts.experiment_records import applied_strategy
from services.alerts.experiments import strategies_for_alerts
from services.alerts.lifecycle import moment, unit_of_work
from services.alerts.next_step import alert_outreach
from services.llm.providers import provider_name
from services.outreach.batch_channels import leave_out_other_channels
from services.outreach.batch_records import (
    OPEN_STATES,
    SKIP_BY_REVIEWER,
    SKIP_COOL_DOWN,
    SKIP_DO_NOT_CONTACT,
    SKIP_HOLDOUT,
    SKIP_NO_EMAIL,
    SKIP_OTHER_BATCH,
    SKIP_UNSUBSCRIBED,
    BatchPlan,
    BatchRow,
    BatchView,
    PlannedSkip,
)
from services.outreach.records import Draft
from services.people.contacts import addressee_label, champions, names_by_address
from services.segment_policy import values_for
from services.settings import READ_CACHE
from services.settings.views import SenderSettings

ProgressFn = Callable[[float, str], None]
CancelledFn = Callable[[], bool]

# Template drafts take milliseconds each: commit them a few at a time, never more than
# this far apart, so that a crash loses well under a second of work.
COMMIT_INTERVAL_S = 0.25
COMMIT_ROWS = 50
# SQLite's limit on the values of one IN (...).
_CHUNK = 500


class BatchError(UserFacingError):
    """A batch or row that cannot do what was asked (already sent, no longer there)."""


def _never() -> bool:
    return False


def _quiet(_fraction: float, _message: str) -> None:
    return None


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


# --- who is in a batch ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    customer_id: int
    alert_id: int
    name: str
    email: str | None
    rule_key: str


def plan_batch(
    session: Session, targets: Iterable[int], *, now: dt.datetime | None = None
) -> tuple[list[_Target], list[PlannedSkip]]:
    """The customers the alerts give (one each, their highest-priority alert among
    ``targets``), split into those to draft and those left out with the reason."""
    when = moment(now)
    ids = sorted({int(t) for t in targets})
    found: list[tuple[Alert, Customer]] = []
    for part in _chunks(ids):
        found += [
            (a, c)
            for a, c in session.execute(
                select(Alert, Customer)
                .join(Customer, Customer.id == Alert.customer_id)
                .where(Alert.id.in_(part))
            )
        ]
    found.sort(key=lambda pair: (-(pair[0].priority_cents or 0), pair[0].id))
    first: dict[int, tuple[Alert, Customer]] = {}
    for alert, customer in found:
        first.setdefault(int(customer.id), (alert, customer))
    customers = list(first)
    unsubscribed: set[int] = set()
    waiting: set[int] = set()
    for part in _chunks(customers):
        unsubscribed |= set(
            session.scalars(
                select(Interaction.customer_id)
                .where(Interaction.kind == "unsubscribe", Interaction.customer_id.in_(part))
                .distinct()
            )
        )
        waiting |= set(
            session.scalars(
                select(BatchDraft.customer_id)
                .join(DraftBatch, DraftBatch.id == BatchDraft.batch_id)
                .where(
                    DraftBatch.closed_at.is_(None),
                    BatchDraft.state.in_(OPEN_STATES),
                    BatchDraft.customer_id.in_(part),
                )
                .distinct()
            )
        )
    cooldown = read_alert_config(session).cooldown_days
    contacted: set[int] = set()
    if cooldown > 0:
        since = when - dt.timedelta(days=cooldown)
        contacted = {int(c) for c in session.scalars(contacts_since(since, when))}
    to_draft: list[_Target] = []
    skipped: list[PlannedSkip] = []
    # An account with several people writes to its champion (services/people/contacts.py).
    chosen = champions(session, list(first))
    for cid, (alert, customer) in first.items():
        person = chosen.get(cid)
        email = person.email if person is not None else customer.email
        account = customer.company or customer.name or customer.email or f"Customer {cid}"
        name = addressee_label(person.name, account) if person is not None else account
        if customer.do_not_contact:
            reason: str | None = SKIP_DO_NOT_CONTACT
        elif cid in unsubscribed:
            reason = SKIP_UNSUBSCRIBED
        elif alert.holdout and alert.holdout_contacted_at is None:
            reason = SKIP_HOLDOUT
        elif cid in contacted:
            reason = SKIP_COOL_DOWN.format(days=cooldown)
        elif not (email or "").strip():
            reason = SKIP_NO_EMAIL
        elif cid in waiting:
            reason = SKIP_OTHER_BATCH
        else:
            reason = None
        if reason is None:
            to_draft.append(_Target(cid, int(alert.id), name, email, alert.rule_key))
        else:
            skipped.append(PlannedSkip(cid, name, int(alert.id), reason, email))
    return leave_out_other_channels(session, to_draft, skipped)  # a call or meeting asked


def preview_batch(
    engine: Engine, targets: Iterable[int], *, offline: bool = False, now: dt.datetime | None = None
) -> BatchPlan:
    """What ``create_batch`` would make of these alerts, and who would draft (shown before
    the batch starts)."""
    from services.outreach.drafting import prepare_draft
    from services.outreach.prompt import provider_from_settings, provider_problem

    with Session(engine) as session:
        to_draft, skipped = plan_batch(session, targets, now=now)
        config = None if offline else provider_from_settings(session)
        problem = None if offline or config is not None else provider_problem(session)
        text, review = "", False
        if config is not None and to_draft:
            first = to_draft[0]
            request = prepare_draft(session, first.customer_id, alert_id=first.alert_id, now=now)
            review = request.needs_review
            text = request.describe() if review else ""
    return BatchPlan(
        to_draft=tuple((t.customer_id, t.alert_id) for t in to_draft),
        skipped=tuple(skipped),
        provider=provider_name(config) if config is not None else None,
        provider_problem=problem,
        needs_review=review,
        request_text=text,
    )


def create_batch(
    engine: Engine,
    targets: Iterable[int],
    *,
    goal: str | None = None,
    tone: str | None = None,
    offline: bool = False,
    title: str = "Draft for all",
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """A new batch for these alerts: one row per customer, queued to be drafted or skipped
    with the reason; returns its id. ``goal`` None: each alert's own goal."""
    when = moment(now)
    with unit_of_work(engine) as session:
        to_draft, skipped = plan_batch(session, targets, now=when)
        # Each customer's segment may have a tone of its own (Settings ▸ Per segment).
        ids = [t.customer_id for t in to_draft]
        workspace_tone, segment_tones = values_for(session, "outreach.default_tone", ids)
        batch = DraftBatch(
            title=title,
            goal=goal,
            tone=tone,
            offline=offline,
            created_by=actor or default_actor(),
            created_at=when,
        )
        session.add(batch)
        session.flush()
        rows: list[dict[str, object]] = []
        # A running experiment's strategy wins over the batch's goal and tone (the draw
        # must hold for the experiment to mean anything).
        assigned = strategies_for_alerts(session, [t.alert_id for t in to_draft if t.alert_id])
        for position, target in enumerate(to_draft):
            # Each alert's own goal is the one its next step calls for (a complaint first).
            advised = (
                goal
                or alert_outreach(
                    session, rule_key=target.rule_key, customer_id=target.customer_id, now=when
                ).goal
            )
            default_tone = tone or str(segment_tones.get(target.customer_id, workspace_tone).value)
            own_goal, own_tone = applied_strategy(
                assigned.get(target.alert_id or 0), advised, default_tone
            )
            rows.append(
                {
                    "batch_id": batch.id,
                    "position": position,
                    "customer_id": target.customer_id,
                    "alert_id": target.alert_id,
                    "state": "queued",
                    "skip_reason": None,
                    "recipient": target.email,
                    "goal": own_goal,
                    "tone": own_tone,
                    "variant": 0,
                    "updated_at": when,
                }
            )
        for offset, skip in enumerate(skipped):
            rows.append(
                {
                    "batch_id": batch.id,
                    "position": len(to_draft) + offset,
                    "customer_id": skip.customer_id,
                    "alert_id": skip.alert_id,
                    "state": "skipped",
                    "skip_reason": skip.reason,
                    "recipient": skip.email,
                    "goal": None,
                    "tone": None,
                    "variant": 0,
                    "updated_at": when,
                }
            )
        if rows:
            session.execute(insert(BatchDraft), rows)
        return int(batch.id)


# --- reading ----------------------------------------------------------------------------------


def load_batch(engine: Engine, batch_id: int) -> BatchView:
    """The batch and its rows in queue order (frozen records for the window)."""
    with Session(engine) as session:
        batch = session.get(DraftBatch, batch_id)
        if batch is None:
            raise BatchError(f"Batch {batch_id} no longer exists.")
        found = session.execute(
            select(BatchDraft, Customer.name, Customer.email, Customer.company)
            .join(Customer, Customer.id == BatchDraft.customer_id)
            .where(BatchDraft.batch_id == batch_id)
            .order_by(BatchDraft.position, BatchDraft.id)
        ).all()
        people = names_by_address(session, [(d.customer_id, d.recipient) for d, *_ in found])
        own = {d.id: name or email or f"Customer {d.customer_id}" for d, name, email, _ in found}
        rows = tuple(
            _row(d, addressee_label(person, company or own[d.id]))
            if (person := people.get((d.customer_id, d.recipient)))
            else _row(d, own[d.id])
            for d, _name, _email, company in found
        )
        return BatchView(
            id=int(batch.id),
            title=batch.title,
            goal=batch.goal,
            tone=batch.tone,
            offline=bool(batch.offline),
            created_at=batch.created_at,
            closed_at=batch.closed_at,
            rows=rows,
        )


def _row(d: BatchDraft, customer: str) -> BatchRow:
    return BatchRow(
        id=int(d.id),
        position=int(d.position),
        customer_id=int(d.customer_id),
        customer=customer,
        alert_id=d.alert_id,
        state=d.state,
        skip_reason=d.skip_reason,
        recipient=d.recipient,
        goal=d.goal,
        tone=d.tone,
        variant=int(d.variant or 0),
        subject=d.subject or "",
        body=d.body or "",
        generated_subject=d.generated_subject or "",
        generated_body=d.generated_body or "",
        source=("llm" if d.provider else "template") if d.generated_body is not None else None,
        checks=tuple(str(c) for c in (d.checks or ())),
        error=d.error,
        outreach_id=d.outreach_id,
    )


def latest_open_batch(engine: Engine) -> int | None:
    """The newest batch not closed that still has a row to draft, review or send."""
    with Session(engine) as session:
        found = session.scalar(
            select(DraftBatch.id)
            .where(
                DraftBatch.closed_at.is_(None),
                DraftBatch.id.in_(
                    select(BatchDraft.batch_id).where(BatchDraft.state.in_(OPEN_STATES))
                ),
            )
            .order_by(DraftBatch.created_at.desc(), DraftBatch.id.desc())
            .limit(1)
        )
        return int(found) if found is not None else None


def close_if_done(session: Session, batch_id: int, now: dt.datetime) -> bool:
    """Close the batch once no row is left to draft, review or send; True if closed."""
    left = session.scalar(
        select(BatchDraft.id)
        .where(BatchDraft.batch_id == batch_id, BatchDraft.state.in_(OPEN_STATES))
        .limit(1)
    )
    if left is not None:
        return False
    session.execute(
        update(DraftBatch)
        .where(DraftBatch.id == batch_id, DraftBatch.closed_at.is_(None))
        .values(closed_at=now)
    )
    return True


# --- drafting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    row_id: int
    customer_id: int
    alert_id: int | None
    goal: str | None
    tone: str | None
    variant: int


@dataclass(frozen=True)
class DraftSummary:
    """What a drafting run did."""

    drafted: int
    from_templates: int
    left: int
    cancelled: bool


def _draft_one(
    engine: Engine,
    job: _Job,
    *,
    offline: bool,
    reviewed: bool,
    now: dt.datetime | None,
    cancelled: CancelledFn,
    cache: dict[object, object] | None = None,
) -> Draft:
    """One row's draft: the database step on this thread's own session, then the
    provider (or the template, with the reason when the provider was meant to write)."""
    from services.llm.errors import LLMError
    from services.outreach.drafting import ReviewNeeded, prepare_draft, run_draft

    info = {READ_CACHE: cache} if cache is not None else {}
    with Session(engine, info=info) as session:
        request = prepare_draft(
            session,
            job.customer_id,
            alert_id=job.alert_id,
            goal=job.goal,
            tone=job.tone,
            variant=job.variant,
            offline=offline,
            now=now,
        )
    # Let a waiting thread (the window's) take the interpreter between two drafts rather
    # than at the end of a 5 ms slice: template drafts are pure Python, back to back.
    time.sleep(0)
    try:
        return run_draft(request, reviewed=reviewed, variant=job.variant, cancelled=cancelled)
    except ReviewNeeded as exc:
        from dataclasses import replace

        return replace(request.template_draft, reason=str(exc))
    except LLMError as exc:
        if exc.kind == "cancelled":
            raise
        from dataclasses import replace

        return replace(request.template_draft, reason=exc.message)


def draft_values(draft: Draft, *, offline: bool) -> dict[str, object]:
    """The columns a finished draft writes to its row (the text as written, twice)."""
    checks = [p.message for p in draft.problems]
    if draft.source == "template" and draft.reason and not offline:
        checks.insert(0, f"Template draft: {draft.reason}")
    return {
        "state": "drafted",
        "subject": draft.subject,
        "body": draft.body,
        "generated_subject": draft.subject,
        "generated_body": draft.body,
        "provider": draft.provider,
        "model": draft.model,
        "template": draft.template,
        "checks": checks,
        "error": None,
    }


def _write_drafts(engine: Engine, done: list[tuple[int, Draft]], *, offline: bool) -> None:
    """Commit finished drafts to their rows (only rows still queued: a row the user
    skipped meanwhile stays skipped)."""
    if not done:
        return
    when = utcnow()
    with unit_of_work(engine) as session:
        for row_id, draft in done:
            session.execute(
                update(BatchDraft)
                .where(BatchDraft.id == row_id, BatchDraft.state == "queued")
                .values(**draft_values(draft, offline=offline), updated_at=when)
            )


def draft_batch(
    engine: Engine,
    batch_id: int,
    progress: ProgressFn = _quiet,
    cancelled: CancelledFn = _never,
    *,
    reviewed: bool = False,
    now: dt.datetime | None = None,
    concurrency: int | None = None,
) -> DraftSummary:
    """Draft every queued row of the batch (see the module docstring)."""
    with Session(engine) as session:
        batch = session.get(DraftBatch, batch_id)
        if batch is None:
            raise BatchError(f"Batch {batch_id} no longer exists.")
        offline = bool(batch.offline)
        limit = concurrency or SenderSettings.read(session).batch_concurrency
        jobs = [
            _Job(int(d.id), int(d.customer_id), d.alert_id, d.goal, d.tone, int(d.variant or 0))
            for d in session.scalars(
                select(BatchDraft)
                .where(BatchDraft.batch_id == batch_id, BatchDraft.state == "queued")
                .order_by(BatchDraft.position, BatchDraft.id)
            )
        ]
    total = len(jobs)
    if total == 0:
        progress(1.0, "Nothing left to draft")
        return DraftSummary(0, 0, 0, cancelled=False)
    # Template drafts are database work only: threads would just take turns on the GIL.
    workers = 1 if offline else max(1, limit)
    pending: list[tuple[int, Draft]] = []
    last_commit = time.monotonic()
    drafted = templates = 0
    stop = threading.Event()

    def stopped() -> bool:
        return stop.is_set() or cancelled()

    # The settings and the categories sold, read once for the whole run.
    cache: dict[object, object] = {}
    queue = iter(jobs)
    running: dict[Future[Draft], _Job] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch-draft") as pool:

        def submit() -> None:
            while len(running) < workers and not stopped():
                job = next(queue, None)
                if job is None:
                    return
                future = pool.submit(
                    _draft_one,
                    engine,
                    job,
                    offline=offline,
                    reviewed=reviewed,
                    now=now,
                    cancelled=stopped,
                    cache=cache,
                )
                running[future] = job

        try:
            submit()
            while running:
                finished, _ = wait(list(running), timeout=0.1, return_when=FIRST_COMPLETED)
                for future in finished:
                    job = running.pop(future)
                    try:
                        draft = future.result()
                    except Exception as exc:  # noqa: BLE001 - LLM cancel or a bad row
                        if stopped():
                            continue
                        _fail_row(engine, job.row_id, exc)
                        continue
                    pending.append((job.row_id, draft))
                    drafted += 1
                    templates += draft.source == "template"
                clock = time.monotonic()
                if pending and (
                    not offline
                    or len(pending) >= COMMIT_ROWS
                    or clock - last_commit >= COMMIT_INTERVAL_S
                ):
                    _write_drafts(engine, pending, offline=offline)
                    pending, last_commit = [], clock
                if cancelled():
                    stop.set()
                progress(drafted / total, f"Drafted {drafted:,} of {total:,}")
                submit()
        finally:
            # Whatever stopped the loop (cancel, an error), the drafts made are kept.
            stop.set()
            _write_drafts(engine, pending, offline=offline)
    return DraftSummary(drafted, templates, total - drafted, cancelled=cancelled())


def _fail_row(engine: Engine, row_id: int, error: BaseException) -> None:
    """A row whose draft could not be made at all (its customer or alert is gone): skipped
    with the reason, so that the rest of the batch goes on."""
    with unit_of_work(engine) as session:
        session.execute(
            update(BatchDraft)
            .where(BatchDraft.id == row_id, BatchDraft.state == "queued")
            .values(state="skipped", skip_reason=f"Could not be drafted: {error}", error=str(error))
        )


# --- review -----------------------------------------------------------------------------------


def _load_row(session: Session, row_id: int) -> BatchDraft:
    row = session.get(BatchDraft, row_id, with_for_update=True)
    if row is None:
        raise BatchError(f"This draft (row {row_id}) no longer exists.")
    return row


_SETTLED = ("sent", "exported", "sending")


def _refuse_settled(row: BatchDraft, what: str) -> None:
    if row.state in _SETTLED:
        raise BatchError(f"Cannot {what}: this email is already {row.state}.")


def edit_row(engine: Engine, row_id: int, subject: str, body: str) -> BatchRow:
    """Keep the reviewer's text (the draft as written stays in generated_*)."""
    with unit_of_work(engine) as session:
        row = _load_row(session, row_id)
        if (row.subject or "", row.body or "") != (subject, body):
            _refuse_settled(row, "edit it")
            row.subject, row.body = subject, body
        return _row_of(session, row)


def approve_row(engine: Engine, row_id: int) -> BatchRow:
    """Approve a drafted (or skipped, or failed) row for delivery; approving twice is a
    no-op."""
    with unit_of_work(engine) as session:
        row = _load_row(session, row_id)
        if row.state == "approved":
            return _row_of(session, row)
        _refuse_settled(row, "approve it")
        if row.state == "queued" or row.generated_body is None:
            raise BatchError("This email is not drafted yet.")
        if row.state == "skipped" and row.skip_reason not in (None, SKIP_BY_REVIEWER):
            raise BatchError(f"This customer is left out: {row.skip_reason}.")
        row.state, row.skip_reason, row.error = "approved", None, None
        return _row_of(session, row)


def skip_row(engine: Engine, row_id: int) -> BatchRow:
    """The reviewer leaves this customer out; skipping twice is a no-op."""
    with unit_of_work(engine) as session:
        row = _load_row(session, row_id)
        if row.state == "skipped":
            return _row_of(session, row)
        _refuse_settled(row, "skip it")
        row.state, row.skip_reason = "skipped", SKIP_BY_REVIEWER
        return _row_of(session, row)


def unapprove_row(engine: Engine, row_id: int) -> BatchRow:
    """Back to review: an approved or reviewer-skipped row is drafted again (undo)."""
    with unit_of_work(engine) as session:
        row = _load_row(session, row_id)
        if row.state == "drafted":
            return _row_of(session, row)
        _refuse_settled(row, "take it back")
        if row.state == "skipped" and row.skip_reason != SKIP_BY_REVIEWER:
            return _row_of(session, row)  # left out by the batch: stays so
        row.state = "drafted" if row.generated_body is not None else "queued"
        row.skip_reason = None
        return _row_of(session, row)


def regenerate_row(
    engine: Engine,
    row_id: int,
    *,
    reviewed: bool = False,
    cancelled: CancelledFn = _never,
    now: dt.datetime | None = None,
) -> BatchRow:
    """A new draft for the row (variant + 1), replacing the text; back to review."""
    with Session(engine) as session:
        row = session.get(BatchDraft, row_id)
        if row is None:
            raise BatchError(f"This draft (row {row_id}) no longer exists.")
        _refuse_settled(row, "draft it again")
        batch = session.get(DraftBatch, row.batch_id)
        offline = bool(batch.offline) if batch is not None else False
        job = _Job(
            int(row.id), int(row.customer_id), row.alert_id, row.goal, row.tone, row.variant + 1
        )
    draft = _draft_one(
        engine, job, offline=offline, reviewed=reviewed, now=now, cancelled=cancelled
    )
    with unit_of_work(engine) as session:
        row = _load_row(session, row_id)
        _refuse_settled(row, "draft it again")
        for key, value in draft_values(draft, offline=offline).items():
            setattr(row, key, value)
        row.variant = job.variant
        return _row_of(session, row)


def _row_of(session: Session, row: BatchDraft) -> BatchRow:
    session.flush()
    customer = session.get(Customer, row.customer_id)
    name = (customer.name or customer.email) if customer is not None else None
    return _row(row, name or f"Customer {row.customer_id}")

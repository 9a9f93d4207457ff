"""Sync back: the actions taken in an offline copy (services/team/offline.py) pushed to
the shared workspace it came from, once each, then the copy refreshed from the server.

``sync_back(copy_path, server, actor=...)``:

1. Finds what was done in the copy since it was taken
   (services/team/offline_changes.py): calls, notes and tasks, task completions and new
   due dates, alert transitions, do-not-contact marks, ended quiet periods, emails.
   Customer data (names, orders, scores...) is never pushed: it flows from the server to
   the laptop only, and the report says what of it the copy changed.
2. Applies each on the server, oldest first, through the same services as the window
   (services/alerts/contact.py, lifecycle.py, work.py: the server's rules and audit apply,
   with the offline moment as the time and ``actor`` as who), each in a transaction of its
   own that also writes its receipt (``sync_receipts``, by the change's stable key): a
   second sync, or a retry after a crash half-way, pushes nothing twice.
3. An alert changed on the server since the copy was taken (its version or its lifecycle
   moved: someone resolved it meanwhile) is not overwritten: the change is reported as a
   conflict, in words ("Maya Lopez resolved Acme's alert at 14:05 (won back); your snooze
   was not applied"), and its receipt records the conflict, so it is reported once. An
   action the server's rules refuse (the customer was marked do not contact meanwhile) is
   reported and recorded the same way.
4. When every change went through (pushed, already there, or reported), the copy is
   taken again from the server into a temporary file and replaces the old one. A change
   that could not be sent (the connection dropped) keeps the copy as it is: nothing is
   lost, and the next sync sends what is left.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from models.base import UTCDateTime, utcnow
from models.db import is_sqlite, make_engine, translate_db_errors
from models.errors import UserFacingError, WorkspaceError
from models.migrate import upgrade
from models.schema import Action, Alert, AuditEvent, Customer, SyncReceipt
from services.alerts.actions import TRANSITIONS
from services.alerts.contact import (
    call_reason,
    complete_task_in,
    end_quiet_period_in,
    load_task,
    log_in,
    set_do_not_contact_in,
    started_by_contact,
    task_in,
)
from services.alerts.lifecycle import AlertActionError, Doing, load_alert
from services.alerts.records import OUTCOME_LABELS, SentAs
from services.alerts.work import reschedule_task_in
from services.core.offline_origin import OfflineOrigin, read_origin
from services.outreach.sent import record_email_in
from services.team.offline import (
    Cancelled,
    Progress,
    TakeOfflineCancelled,
    _take,
    connect_server,
)
from services.team.offline_changes import (
    TRANSITION_KINDS,
    OfflineChange,
    customer_data_changes,
    offline_changes,
)
from services.team.sync_report import SyncReport, clock, person

log = logging.getLogger(__name__)

APPLIED = "applied"
ALREADY_SO = "applied: already so on the server"
CONFLICT = "conflict"
NOT_APPLIED = "not applied"
_SERVER_ID = re.compile(r"^applied: (?:action|outreach) (\d+)$")

# An alert's state as far as conflicts go: its version and its lifecycle.
AlertState = tuple[int, str, str | None, dt.datetime | None, bool]


# --- the sync -------------------------------------------------------------------------------


def sync_back(
    copy_path: str | Path,
    server: Engine,
    *,
    actor: str,
    refresh: bool = True,
    progress: Progress | None = None,
    cancel: Cancelled | None = None,
) -> SyncReport:
    """Push what was done in the offline copy at ``copy_path`` to ``server`` (once each),
    then refresh the copy from the server (when nothing is left to send)."""
    path = Path(copy_path).expanduser().resolve()
    if is_sqlite(server.url):
        raise WorkspaceError(
            "Sync back sends an offline copy's actions to the shared workspace (PostgreSQL); "
            "give its address (postgresql+psycopg://USER@HOST/DATABASE)."
        )
    if not path.is_file():
        raise WorkspaceError(f"There is no offline copy at {path}.")
    copy_engine = make_engine(f"sqlite:///{path}")
    try:
        origin = read_origin(copy_engine)
        if origin is None:
            raise WorkspaceError(
                f"{path.name} is not an offline copy (File ▸ Take offline… makes one), so "
                "there is nothing to sync back."
            )
        upgrade(copy_engine)  # a copy taken by an older version of the app: backed up first
        report = SyncReport(server=origin.label)
        _check_server(server, origin)
        with (
            translate_db_errors(f"The offline copy {path.name}"),
            Session(copy_engine) as session,
            session.begin(),
        ):
            changes = offline_changes(session, origin)
            report.kept_on_server = customer_data_changes(session, origin)
        pusher = _Pusher(server, copy_engine, origin, actor, report)
        for n, change in enumerate(changes):
            if cancel is not None and cancel():
                report.cancelled = True
                break
            if progress is not None:
                progress(0.3 * n / max(len(changes), 1), f"Sending: {change.words}")
            if not pusher.push(change):
                # The server is out of reach: the rest would fail the same way.
                report.failures += [c.words for c in changes[n + 1 :]]
                break
        pusher.note_sync(len(changes))
    finally:
        copy_engine.dispose()
    if refresh and report.ok:
        _refresh(server, path, origin, report, progress, cancel)
    elif progress is not None:
        progress(1.0, "Sync back done")
    return report


def _check_server(server: Engine, origin: OfflineOrigin) -> None:
    """The copy goes back to the workspace it came from, as the user who took it."""
    where = f"The shared workspace {origin.label}"
    with connect_server(server) as conn, translate_db_errors(where):
        database, user = conn.exec_driver_sql("SELECT current_database(), current_user").one()
    if origin.database and database != origin.database:
        raise WorkspaceError(
            f"This copy was taken from the workspace {origin.label}, not from the database "
            f"{database}. Sync it back to the server it came from."
        )
    if origin.user and user != origin.user:
        raise WorkspaceError(
            f"This copy was taken by the database account {origin.user}; you are connected "
            f"as {user}. Connect as {origin.user} to sync it back."
        )


def _refresh(
    server: Engine,
    path: Path,
    origin: OfflineOrigin,
    report: SyncReport,
    progress: Progress | None,
    cancel: Cancelled | None,
) -> None:
    def step(fraction: float, message: str) -> None:
        if progress is not None:
            progress(0.3 + 0.7 * fraction, message)

    try:
        report.refreshed = _take(
            server, path, months=origin.months, progress=step, cancel=cancel, now=None
        )
    except TakeOfflineCancelled:
        report.refresh_problem = "the refresh was stopped; your copy was kept as it was."
    except UserFacingError as exc:
        report.refresh_problem = str(exc)


class _Pusher:
    """Applies changes on the server, one transaction and one receipt each."""

    def __init__(
        self,
        server: Engine,
        copy_engine: Engine,
        origin: OfflineOrigin,
        actor: str,
        report: SyncReport,
    ) -> None:
        self.server = server
        self.copy_engine = copy_engine
        self.origin = origin
        self.actor = actor
        self.report = report
        # The copy's ids of its calls, notes and tasks -> the server's, once pushed.
        self.server_ids: dict[int, int] = {}
        # Each alert's state on the server as the copy last knew it (conflicts are changes
        # by someone else since): read from the copy's baseline, moved on by our pushes.
        self.known: dict[int, AlertState] = {}

    # -- one change ------------------------------------------------------------------------

    def push(self, change: OfflineChange) -> bool:
        """Apply one change; False when the server is out of reach (stop there)."""
        try:
            result = self._in_transaction(change)
        except (WorkspaceError, OperationalError) as exc:
            log.warning("Sync back: %s could not be sent", change.key, exc_info=True)
            self.report.failures.append(f"{change.words} — {_plain(exc)}")
            return False
        except DBAPIError as exc:  # refused by the database itself (a permission, say)
            log.warning("Sync back: the server refused %s", change.key, exc_info=True)
            self.report.failures.append(f"{change.words} — {_plain(exc)}")
            return True
        except UserFacingError as exc:
            # The server's rules refuse it (the customer was marked do not contact
            # meanwhile, the alert is gone): reported once, like a conflict.
            return self._refused(change, str(exc))
        except Exception:  # a bug: logged with its traceback; the others still go
            log.exception("Sync back: %s failed", change.key)
            self.report.failures.append(
                f"{change.words} — an error in Account Radar (see the log, and report it)"
            )
            return True
        if result is None:
            self.report.already.append(change.words)
        elif result.startswith((CONFLICT, NOT_APPLIED)):
            self.report.conflicts.append(result.split(": ", 1)[1])
        elif result == ALREADY_SO:
            self.report.same.append(change.words)
        else:
            self.report.pushed.append(change.words)
        return True

    def _refused(self, change: OfflineChange, reason: str) -> bool:
        said = f"{change.words}: not applied — {reason.rstrip('.')}"
        try:
            with translate_db_errors(), Session(self.server) as session, session.begin():
                if session.get(SyncReceipt, change.key) is None:
                    session.add(self._receipt(change, f"{NOT_APPLIED}: {said}"))
        except (WorkspaceError, DBAPIError) as exc:
            self.report.failures.append(f"{change.words} — {_plain(exc)}")
            return not isinstance(exc, WorkspaceError | OperationalError)
        self.report.conflicts.append(said)
        return True

    def _receipt(self, change: OfflineChange, result: str) -> SyncReceipt:
        return SyncReceipt(
            key=change.key,
            kind=change.kind,
            pushed_at=utcnow(),
            pushed_by=self.actor,
            result=result[:2000],
        )

    def _in_transaction(self, change: OfflineChange) -> str | None:
        """The change and its receipt in one transaction; None when already pushed."""
        moved: tuple[int, AlertState, AlertState] | None = None
        try:
            with translate_db_errors(), Session(self.server) as session, session.begin():
                found = session.get(SyncReceipt, change.key)
                if found is not None:
                    self._remember(change, found.result)
                    return None
                doing = Doing(session, change.at, self.actor)
                alert = self._alert(session, change)
                before = _state(alert) if alert is not None else None
                result = self._apply(doing, change, alert)
                session.flush()
                if alert is not None and before is not None and not result.startswith(CONFLICT):
                    session.refresh(alert)
                    moved = (int(alert.id), before, _state(alert))
                session.add(self._receipt(change, result))
        except IntegrityError:
            if self._receipt_exists(change.key):
                return None  # another sync of the same copy pushed it at the same moment
            raise
        if moved is not None and self._known(moved[0]) == moved[1]:
            # The server's alert was as the copy knew it: what our push made of it is known
            # too. (When it was not, a transition on it still meets the conflict.)
            self.known[moved[0]] = moved[2]
        self._after(change)
        return result

    def _receipt_exists(self, key: str) -> bool:
        with translate_db_errors(), Session(self.server) as session:
            return session.get(SyncReceipt, key) is not None

    def _alert(self, session: Session, change: OfflineChange) -> Alert | None:
        """The change's alert on the server, locked; an email whose alert is gone is still
        recorded (for the customer), anything else on a gone alert is refused."""
        if change.alert_id is None:
            return None
        if change.kind == "email":
            alert = session.get(Alert, change.alert_id, with_for_update=True)
            if alert is None or int(alert.customer_id) != change.customer_id:
                change.params["alert_gone"] = True
                return None
            return alert
        return load_alert(session, change.alert_id)

    def _remember(self, change: OfflineChange, result: str | None) -> None:
        found = _SERVER_ID.match(result or "")
        if found and change.kind in ("call", "note", "task") and change.action_id is not None:
            self.server_ids[change.action_id] = int(found.group(1))

    def _apply(self, doing: Doing, change: OfflineChange, alert: Alert | None) -> str:
        kind, p = change.kind, change.params
        if kind in ("call", "note"):
            assert alert is not None, "a call or note is always on an alert"
            logged = log_in(doing, alert, kind, str(p["text"]), outcome=p.get("outcome"))
            if kind == "call":
                started_by_contact(doing, alert, call_reason(logged.action.outcome))
            return self._new_action(change, logged.action)
        if kind == "task":
            assert alert is not None, "a task is always on an alert"
            return self._new_action(change, task_in(doing, alert, str(p["text"]), p["due"]))
        if kind == "task_done":
            task = load_task(doing.session, self._server_task(change))
            if task.done_at is not None:
                return ALREADY_SO
            complete_task_in(doing, int(task.id))
            return APPLIED
        if kind == "task_rescheduled":
            task = load_task(doing.session, self._server_task(change))
            if task.due_date == p["due"]:
                return ALREADY_SO
            reschedule_task_in(doing, int(task.id), p["due"])
            return APPLIED
        if kind in TRANSITION_KINDS:
            assert alert is not None
            return self._transition(doing, change, alert)
        if kind == "do_not_contact":
            changed = set_do_not_contact_in(
                doing.session,
                change.customer_id,
                bool(p["value"]),
                actor=doing.actor,
                now=doing.now,
            )
            return APPLIED if changed else ALREADY_SO
        if kind == "end_quiet_period":
            customer = doing.session.get(Customer, change.customer_id)
            ended = customer.quiet_override_at if customer is not None else None
            if ended is not None and ended >= doing.now:
                return ALREADY_SO  # ended on the server at the same time or later
            end_quiet_period_in(doing, change.customer_id, str(p["reason"]))
            return APPLIED
        if kind == "email":
            outreach_id = record_email_in(
                doing.session,
                change.customer_id,
                alert_id=None if p.get("alert_gone") else change.alert_id,
                subject=str(p["subject"]),
                body=p.get("body"),
                status=str(p["status"]),
                recipient=p.get("recipient"),
                provider=p.get("provider"),
                model=p.get("model"),
                template=p.get("template"),
                actor=doing.actor,
                now=doing.now,
                sent=SentAs(
                    goal=p.get("goal"),
                    tone=p.get("tone"),
                    variant=p.get("variant"),
                    edited=p.get("edited"),
                ),
            )
            return f"{APPLIED}: outreach {outreach_id}"
        raise AssertionError(f"unknown change {kind}")

    def _new_action(self, change: OfflineChange, action: Action) -> str:
        doing_id = int(action.id)
        if change.action_id is not None:
            self.server_ids[change.action_id] = doing_id
        return f"{APPLIED}: action {doing_id}"

    def _server_task(self, change: OfflineChange) -> int:
        assert change.action_id is not None
        if not change.new_row:
            return change.action_id  # a task of the server: same id in the copy
        server_id = self.server_ids.get(change.action_id)
        if server_id is None:
            raise AlertActionError("the task itself could not be sent, so neither can this")
        return server_id

    # -- alerts ------------------------------------------------------------------------------

    def _known(self, alert_id: int) -> AlertState | None:
        if alert_id not in self.known:
            with self.copy_engine.connect() as conn:
                row = conn.execute(
                    text(
                        "SELECT version, status, outcome, snoozed_until, snooze_until_clear "
                        "FROM offline_alert_baseline WHERE alert_id = :id"
                    ).columns(snoozed_until=UTCDateTime),
                    {"id": alert_id},
                ).first()
            if row is None:
                return None
            self.known[alert_id] = (
                int(row.version or 0),
                str(row.status),
                row.outcome,
                row.snoozed_until,
                bool(row.snooze_until_clear),
            )
        return self.known[alert_id]

    def _transition(self, doing: Doing, change: OfflineChange, alert: Alert) -> str:
        now = _state(alert)
        wanted = change.params
        if _reached(change.kind, now, wanted):
            return ALREADY_SO
        known = self._known(int(alert.id))
        if known is not None and now != known:
            return f"{CONFLICT}: {self._conflict_words(doing.session, change, alert)}"
        transition, accepted, _label, _audit = TRANSITIONS[change.kind]
        arguments = {k: v for k, v in wanted.items() if k in accepted}
        if change.kind == "raise":
            arguments["customer_id"] = change.customer_id
        transition(doing, alert, **arguments)
        return APPLIED

    def _conflict_words(self, session: Session, change: OfflineChange, alert: Alert) -> str:
        """What happened on the server, and that the change was not applied."""
        event = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.occurred_at, AuditEvent.details)
            .where(
                AuditEvent.entity_type == "alert",
                AuditEvent.entity_id == alert.id,
                AuditEvent.action.in_(_SERVER_LIFECYCLE),
                AuditEvent.id > self.origin.max_ids.get("audit_events", 0),
                AuditEvent.actor != self.actor,
            )
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).first()
        whose = f"{change.customer}'s alert"
        yours = f"your {_NOUNS.get(change.kind, change.kind)} was not applied"
        if event is None:
            status = str(alert.status).replace("_", " ")
            return (
                f"{whose} was changed on the server since your copy (it is {status} now); {yours}"
            )
        who = person(str(event.actor))
        verb = _VERBS.get(str(event.action), "changed")
        said = f"{who} {verb} {whose} at {clock(event.occurred_at)}"
        if event.action == "alert.resolved" and alert.outcome:
            said += f" ({OUTCOME_LABELS.get(alert.outcome, alert.outcome).lower()})"
        if event.action in ("alert.woke", "alert.auto_resolved"):
            said = f"Account Radar {verb} {whose} at {clock(event.occurred_at)}"
        return f"{said}; {yours}"

    # -- bookkeeping in the copy -------------------------------------------------------------

    def _after(self, change: OfflineChange) -> None:
        """What the server now holds becomes the copy's baseline, so that a later change of
        the same record in the copy is found (and a sync without refresh is not repeated)."""
        statements: list[tuple[Any, dict[str, Any]]] = []
        if change.alert_id is not None and change.alert_id in self.known:
            version, status, outcome, until, clear = self.known[change.alert_id]
            statements.append(
                (
                    text(
                        "UPDATE offline_alert_baseline SET version = :version, status = :status, "
                        "outcome = :outcome, snoozed_until = :until, snooze_until_clear = :clear "
                        "WHERE alert_id = :id"
                    ).bindparams(bindparam("until", type_=UTCDateTime)),
                    {
                        "version": version,
                        "status": status,
                        "outcome": outcome,
                        "until": until,
                        "clear": int(clear),
                        "id": change.alert_id,
                    },
                )
            )
        if change.kind in ("do_not_contact", "end_quiet_period"):
            statements.append(
                (
                    text(
                        "UPDATE offline_customer_baseline SET do_not_contact = (SELECT "
                        "do_not_contact FROM customers WHERE id = :id), quiet_override_at = "
                        "(SELECT quiet_override_at FROM customers WHERE id = :id) WHERE "
                        "customer_id = :id"
                    ),
                    {"id": change.customer_id},
                )
            )
        if change.kind in ("task_done", "task_rescheduled") and not change.new_row:
            statements.append(
                (
                    text(
                        "UPDATE offline_task_baseline SET due_date = (SELECT due_date FROM "
                        "actions WHERE id = :id), done_at = (SELECT done_at FROM actions WHERE "
                        "id = :id) WHERE action_id = :id"
                    ),
                    {"id": change.action_id},
                )
            )
        if not statements:
            return
        try:
            with self.copy_engine.begin() as conn:
                for statement, values in statements:
                    conn.execute(statement, values)
        except DBAPIError:
            # The receipt on the server already keeps it from going twice; a stale baseline
            # only makes a later change of the same alert read as a conflict (never lost).
            log.warning("Sync back: the copy's baseline was not updated", exc_info=True)

    def note_sync(self, found: int) -> None:
        """One audit event on the server for the sync as a whole (best effort)."""
        if not (self.report.pushed or self.report.conflicts):
            return
        try:
            with translate_db_errors(), Session(self.server) as session, session.begin():
                session.add(
                    AuditEvent(
                        occurred_at=utcnow(),
                        actor=self.actor,
                        action="offline.synced",
                        entity_type="workspace",
                        details={
                            "copy_id": self.origin.copy_id,
                            "taken_at": self.origin.taken_at.isoformat(),
                            "changes": found,
                            "pushed": len(self.report.pushed),
                            "not_applied": len(self.report.conflicts),
                        },
                    )
                )
        except (WorkspaceError, DBAPIError):
            log.warning("Sync back: the sync's audit event was not written", exc_info=True)


_SERVER_LIFECYCLE = (
    "alert.started",
    "alert.resolved",
    "alert.dismissed",
    "alert.snoozed",
    "alert.reopened",
    "alert.raised",
    "alert.woke",
    "alert.auto_resolved",
    "alert.undone",
    "alert.call_logged",
    "alert.email_logged",
)
_VERBS = {
    "alert.started": "started work on",
    "alert.resolved": "resolved",
    "alert.dismissed": "dismissed",
    "alert.snoozed": "snoozed",
    "alert.reopened": "reopened",
    "alert.raised": "raised",
    "alert.woke": "brought back from snooze",
    "alert.auto_resolved": "resolved (its condition cleared)",
    "alert.undone": "undid a change to",
    "alert.call_logged": "called about",
    "alert.email_logged": "emailed about",
}
_NOUNS = {
    "start": "start",
    "resolve": "resolution",
    "dismiss": "dismissal",
    "snooze": "snooze",
    "reopen": "reopening",
    "raise": "raising",
}


def _state(alert: Alert) -> AlertState:
    until = alert.snoozed_until
    return (
        int(alert.version or 0),
        str(alert.status),
        alert.outcome,
        until.astimezone(dt.UTC) if until is not None else None,
        bool(alert.snooze_until_clear),
    )


def _reached(kind: str, now: AlertState, wanted: dict[str, Any]) -> bool:
    """Whether the server's alert is already where the change would take it."""
    _version, status, outcome, until, clear = now
    if kind == "resolve":
        return status == "resolved" and outcome == wanted.get("outcome")
    if kind == "snooze":
        day = until.date() if until is not None else None
        return (
            status == "snoozed"
            and day == wanted.get("until")
            and clear == bool(wanted.get("until_clear"))
        )
    target = {"dismiss": "dismissed", "start": "in_progress", "reopen": "open", "raise": "open"}
    return status == target[kind]


def _plain(exc: BaseException) -> str:
    """Why a change could not be sent, in words."""
    if isinstance(exc, UserFacingError):
        return str(exc).rstrip(".")
    if isinstance(exc, OperationalError):
        return "the server could not be reached"
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return f"the server refused it: {first}"


__all__ = ["SyncReport", "sync_back"]

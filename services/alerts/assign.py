"""Assign a customer (and so its alert card) to a teammate, and take it back (undo).

Teammates are the workspace's owners (``customers.owner``) and, in a shared workspace,
the books of its members (``team_members.owner_name``). Assigning sets the customer's
owner and the owner of its active alerts (open, snoozed, in progress): the card moves to
the new owner's "Mine", My work and Since yesterday. A scoring copies the customer's
owner onto its alerts, so the customer is what is assigned, whichever card asked.

Who may assign whom (``check_may_assign``):

- a workspace file of one's own (no team): anyone to anyone, a new name included;
- a team lead or an admin of a shared workspace: any customer to a member's book (a name
  that is no member's would leave the customer in nobody's book);
- an account manager: nobody. The database lets a manager change only the marks of
  their own customers (services/team/security.py), never whose a customer is: handing a
  customer over is the lead's call.

Each assignment is audited ("customer.assigned" on the customer, "alert.assigned" on each
alert moved, with the owner before and after) and returns a records.Undoable whose
``owners`` services/alerts/undo.py puts back, refused when someone assigned it again since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Engine, bindparam, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, object_session

from models.base import UTCDateTime
from models.schema import Alert, Customer, TeamMember
from models.vocab import ACTIVE_ALERT_STATUSES
from services.alerts._db import reading
from services.alerts.config import default_actor
from services.alerts.lifecycle import (
    AlertActionError,
    Doing,
    alert_entity,
    moment,
    touch,
    unit_of_work,
)
from services.alerts.records import AlertBefore, OwnerBefore, Undoable
from services.core.access import TeamRoleError, team_role
from services.core.account_names import name_of

ASSIGNED = "customer.assigned"
ALERT_ASSIGNED = "alert.assigned"


def teammates(engine: Engine) -> list[str]:
    """Everyone a customer can be assigned to: the owners and the members' books, sorted."""
    with reading(engine) as conn, Session(bind=conn) as session:
        return teammates_in(session)


def teammates_in(session: Session) -> list[str]:
    """The teammates (see teammates), inside the caller's transaction."""
    owners = session.scalars(select(Customer.owner).where(Customer.owner.is_not(None)).distinct())
    books = session.scalars(
        select(TeamMember.owner_name).where(TeamMember.owner_name.is_not(None)).distinct()
    )
    names = {str(n).strip() for n in (*owners, *books) if n and str(n).strip()}
    return sorted(names, key=str.casefold)


def check_may_assign(role: str | None, to: str | None, members: Sequence[str]) -> None:
    """Refuse an assignment the user's team role does not allow (module doc); ``to``
    None: no owner."""
    if role is None:
        return
    if role == "manager":
        raise TeamRoleError(
            "Handing a customer to someone else is for a team lead or an admin; your "
            "account is an account manager's. Ask your team lead to assign it."
        )
    if to is not None and to.casefold() not in {m.casefold() for m in members}:
        raise TeamRoleError(
            f"{to} has no book in this shared workspace, so nobody would see the customer. "
            "Choose a teammate, or add them first (team add-user)."
        )


def assign_customer(
    engine: Engine,
    customer_id: int,
    to: str | None,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> Undoable:
    """Make ``to`` the owner of a customer and of its active alerts, audited, in one
    transaction; returns what undoing it restores. ``to`` None: no owner (the customer
    and its alerts are nobody's, and no segment rule gives them an owner again:
    services/segment_policy/owners.py). Refused in plain words when the role does not
    allow it or the customer is already theirs."""
    if to is not None:
        to = " ".join(to.split())
        if not to:
            raise AlertActionError("Choose whom to assign it to.")
    role = team_role(engine)
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine, write_first=True) as session:
        if role is not None:
            books = session.scalars(
                select(TeamMember.owner_name).where(TeamMember.owner_name.is_not(None))
            )
            check_may_assign(role, to, [str(b) for b in books])
        customer = session.get(Customer, customer_id, with_for_update=True)
        if customer is None:
            raise AlertActionError(f"Customer {customer_id} no longer exists; nothing changed.")
        name = name_of(session, customer_id)
        before = customer.owner
        if (before or "").casefold() == (to or "").casefold():
            raise AlertActionError(
                f"{name} is already {before}'s." if to else f"{name} has no owner already."
            )
        doing = Doing(session, when, who)
        set_owner_in(session, customer_id, to, when)
        moved = _assign_alerts(doing, customer_id, to)
        doing.audit(
            ASSIGNED,
            ("customer", customer_id),
            {"from": before, "to": to, "alerts": [int(a.id) for a, _ in moved] or None},
        )
        return Undoable(
            label=f"Assigned {name} to {to}" if to else f"Left {name} without an owner",
            undid=ASSIGNED,
            customer_id=customer_id,
            alerts=tuple(_after(alert) for alert, _ in moved),
            owners=(
                OwnerBefore("customer", customer_id, before, to),
                *(OwnerBefore("alert", int(a.id), was, to) for a, was in moved),
            ),
        )


def set_owner_in(session: Session, customer_id: int, owner: str | None, now: dt.datetime) -> None:
    """Write whose a customer is, inside the caller's transaction."""
    # A textual UPDATE, as for the customer's marks (services/alerts/contact.py): the
    # owner feeds no per-customer total, so the rollups must not be marked stale.
    session.execute(
        sql_text(
            "UPDATE customers SET owner = :owner, updated_at = :now WHERE id = :id"
        ).bindparams(bindparam("now", type_=UTCDateTime)),
        {"owner": owner, "now": now, "id": customer_id},
    )
    customer = session.get(Customer, customer_id)
    if customer is not None:
        session.expire(customer)


def _assign_alerts(
    doing: Doing, customer_id: int, to: str | None
) -> list[tuple[Alert, str | None]]:
    """The customer's active alerts given to ``to``: each with its owner before."""
    alerts = doing.session.scalars(
        select(Alert)
        .where(Alert.customer_id == customer_id, Alert.status.in_(ACTIVE_ALERT_STATUSES))
        .order_by(Alert.id)
        .with_for_update()
    ).all()
    moved: list[tuple[Alert, str | None]] = []
    for alert in alerts:
        was = alert.owner
        if was == to:
            continue
        alert.owner = to
        touch(alert, doing.now)
        doing.audit(ALERT_ASSIGNED, alert_entity(alert), {"from": was, "to": to})
        moved.append((alert, was))
    doing.session.flush()
    return moved


def _after(alert: Alert) -> AlertBefore:
    """The alert as the assignment left it: a quick next action on the card is not
    refused as if someone else had changed it (the version moved)."""
    session = object_session(alert)
    assert session is not None
    session.refresh(alert, ["updated_at", "version"])
    return AlertBefore(
        alert_id=int(alert.id),
        status=alert.status,
        outcome=alert.outcome,
        snoozed_until=alert.snoozed_until,
        snooze_until_clear=bool(alert.snooze_until_clear),
        resolved_at=alert.resolved_at,
        changed_at=alert.updated_at,
        version=int(alert.version),
    )

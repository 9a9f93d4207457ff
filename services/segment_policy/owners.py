"""The owner per segment: customers without an owner take the owner their segment's rule
names (the setting ``alerts.unassigned_owner`` set per segment), through the one door
(``values_for``), inside the caller's transaction.

Who calls it: an import, for the customers it created (services/usecases/owners.py, with
the import's summary line); every scoring, once the RFM segments are known, before the
alerts (so the new alerts carry the owner); and a change of the table of settings per
segment (the command line's ``config segment``, Settings ▸ Per segment).

What it never does:

- overwrite an owner: only customers whose owner is empty are given one;
- give an owner to a customer a person left without one on purpose: their last word on
  the customer's owner is in the audit, either the Assign action's "No owner" (a
  "customer.assigned" without "to"), after which no rule gives them an owner, or the
  undoing of a rule's assignment ("customer.undone" of ``RULE_ASSIGNED``, naming the
  owner taken back), after which no rule gives them that owner again. A later
  assignment by a person (or a file's owner) ends either.

Each customer given an owner is audited as ``RULE_ASSIGNED`` ("from" empty, "to" the
owner, "rule" the rule's segment, "Tier: Enterprise"), and each of their active alerts
moved to that owner as "alert.assigned" with the rule: the customer's history says "Owner
from the rule Tier: Enterprise". What was given comes back as ``RuleOwners``, which the
window turns into an undoable change (services/alerts/undo.py puts the owners back).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from models.base import UTCDateTime, utcnow
from models.schema import Alert, AuditEvent, Customer
from models.vocab import ACTIVE_ALERT_STATUSES
from services.segment_policy.door import has_segment_values, values_for
from services.settings.segments import OWNER_SETTING

# The audit actions: a person's assignment (services/alerts/assign.py), the rule's, an undo.
ASSIGNED = "customer.assigned"
RULE_ASSIGNED = "customer.assigned_by_rule"
UNDONE = "customer.undone"
ALERT_ASSIGNED = "alert.assigned"
CHUNK = 500  # ids per IN list


@dataclass(frozen=True)
class RuleOwners:
    """The customers given their segment's owner: (customer id, owner) each, and the
    alerts moved with them: (alert id, owner before, owner after)."""

    customers: tuple[tuple[int, str], ...] = ()
    alerts: tuple[tuple[int, str | None, str], ...] = ()
    by_rule: dict[str, int] = field(default_factory=dict)  # "Tier: Gold" -> customers

    @property
    def count(self) -> int:
        return len(self.customers)

    def words(self, new: bool = False) -> str:
        """'12 customers given their segment's owner' ('new customers' for an import)."""
        who = "new customer" if new else "customer"
        n = self.count
        return f"{n:,} {who}{'' if n == 1 else 's'} given their segment's owner"


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _without_owner(session: Session, ids: Collection[int] | None) -> list[int]:
    query = select(Customer.id).where(or_(Customer.owner.is_(None), Customer.owner == ""))
    if ids is None:
        return [int(i) for i in session.scalars(query)]
    found: list[int] = []
    for part in _chunks(sorted(set(ids))):
        found.extend(int(i) for i in session.scalars(query.where(Customer.id.in_(part))))
    return found


def left_without(session: Session, ids: list[int]) -> dict[int, str | None]:
    """The customers a person left without an owner on purpose (module doc): id -> the
    owner no rule may give them again (None: no owner at all)."""
    latest: dict[int, tuple[int, str, dict[str, object]]] = {}
    actions = (ASSIGNED, RULE_ASSIGNED, UNDONE)
    for part in _chunks(ids):
        rows = session.execute(
            select(AuditEvent.id, AuditEvent.entity_id, AuditEvent.action, AuditEvent.details)
            .where(
                AuditEvent.entity_type == "customer",
                AuditEvent.action.in_(actions),
                AuditEvent.entity_id.in_(part),
            )
            .order_by(AuditEvent.id)
        )
        for event_id, cid, action, details in rows:
            latest[int(cid)] = (int(event_id), str(action), dict(details or {}))
    out: dict[int, str | None] = {}
    for cid, (_, action, details) in latest.items():
        if action == ASSIGNED and not details.get("to"):
            out[cid] = None  # the Assign action's "No owner"
        elif action == UNDONE and details.get("undid") == RULE_ASSIGNED and details.get("was"):
            out[cid] = str(details["was"])  # the rule's owner, taken back
    return out


def give_rule_owners(
    session: Session,
    customer_ids: Collection[int] | None = None,
    *,
    actor: str,
    now: dt.datetime | None = None,
) -> RuleOwners:
    """Give each customer of ``customer_ids`` (None: every customer) who has no owner the
    owner their segment's rule names, audited; returns what was given."""
    if not has_segment_values(session, OWNER_SETTING):
        return RuleOwners()
    candidates = _without_owner(session, customer_ids)
    if not candidates:
        return RuleOwners()
    _, resolved = values_for(session, OWNER_SETTING, candidates)
    wanted = {
        cid: (" ".join(str(r.value).split()), r.segment)
        for cid, r in resolved.items()
        if r.value and str(r.value).strip()
    }
    if not wanted:
        return RuleOwners()
    for cid, kept in left_without(session, sorted(wanted)).items():
        if kept is None or kept.casefold() == wanted[cid][0].casefold():
            del wanted[cid]
    when = now or utcnow()
    given = _write_owners(session, wanted, when)
    moved = _move_alerts(session, {cid: wanted[cid][0] for cid in given}, when)
    alerts_of: dict[int, list[int]] = {}
    for alert_id, cid, _, _ in moved:
        alerts_of.setdefault(cid, []).append(alert_id)
    events = [
        {
            "occurred_at": when,
            "actor": actor,
            "action": RULE_ASSIGNED,
            "entity_type": "customer",
            "entity_id": cid,
            "details": _details(wanted[cid], alerts_of.get(cid)),
        }
        for cid in given
    ]
    events += [
        {
            "occurred_at": when,
            "actor": actor,
            "action": ALERT_ASSIGNED,
            "entity_type": "alert",
            "entity_id": alert_id,
            "details": _details((to, wanted[cid][1]), None, was),
        }
        for alert_id, cid, was, to in moved
    ]
    if events:
        session.execute(insert(AuditEvent), events)
    return RuleOwners(
        customers=tuple((cid, wanted[cid][0]) for cid in given),
        alerts=tuple((alert_id, was, to) for alert_id, _, was, to in moved),
        by_rule=dict(Counter(wanted[cid][1] for cid in given)),
    )


def _details(
    owner_rule: tuple[str, str], alerts: list[int] | None, was: str | None = None
) -> dict[str, object]:
    to, rule = owner_rule
    details: dict[str, object] = {"to": to, "rule": rule}
    if was:
        details["from"] = was
    if alerts:
        details["alerts"] = alerts
    return details


def _write_owners(
    session: Session, wanted: dict[int, tuple[str, str]], when: dt.datetime
) -> list[int]:
    """Set the owners, each only while the customer still has none; the ids written."""
    by_owner: dict[str, list[int]] = {}
    for cid, (owner, _) in wanted.items():
        by_owner.setdefault(owner, []).append(cid)
    # A textual UPDATE, as a person's assignment (services/alerts/assign.py): the owner
    # feeds no per-customer total, so the rollups must not be marked stale.
    statement = sql_text(
        "UPDATE customers SET owner = :owner, updated_at = :now "
        "WHERE id IN :ids AND (owner IS NULL OR owner = '')"
    ).bindparams(bindparam("now", type_=UTCDateTime), bindparam("ids", expanding=True))
    given: list[int] = []
    for owner, ids in by_owner.items():
        for part in _chunks(sorted(ids)):
            session.execute(statement, {"owner": owner, "now": when, "ids": part})
            written = select(Customer.id).where(Customer.id.in_(part), Customer.owner == owner)
            given.extend(int(i) for i in session.scalars(written))
    for cid in given:
        customer = session.identity_map.get(identity_key(Customer, cid))
        if customer is not None:
            session.expire(customer)
    return sorted(given)


def _move_alerts(
    session: Session, owners: dict[int, str], when: dt.datetime
) -> list[tuple[int, int, str | None, str]]:
    """The active alerts of these customers go to their new owner, as a person's
    assignment moves them: (alert id, customer id, owner before, owner after) each."""
    moved: list[tuple[int, int, str | None, str]] = []
    ids = sorted(owners)
    for part in _chunks(ids):
        rows = session.execute(
            select(Alert.id, Alert.customer_id, Alert.owner).where(
                Alert.customer_id.in_(part), Alert.status.in_(ACTIVE_ALERT_STATUSES)
            )
        ).all()
        for alert_id, cid, was in rows:
            to = owners[int(cid)]
            if was != to:
                moved.append((int(alert_id), int(cid), was, to))
    by_owner: dict[str, list[int]] = {}
    for alert_id, _, _, to in moved:
        by_owner.setdefault(to, []).append(alert_id)
    for to, alert_ids in by_owner.items():
        for part in _chunks(alert_ids):
            session.execute(
                update(Alert)
                .where(Alert.id.in_(part))
                .values(owner=to, updated_at=when, version=Alert.version + 1)
                .execution_options(synchronize_session=False)
            )
    return moved

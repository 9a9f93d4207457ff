"""The activities logged in the app, as a CRM should receive them.

An activity here is an interaction the app itself wrote (source ``APP_SOURCE``, no import
run): a call with its outcome, a note, an email sent or exported; and, from
``logged_records``, the tasks made in the app and the audited changes a CRM should hear of
(an alert's outcome, a do-not-contact mark). What an import brought
(the CRM's own calls and tasks, a help desk's tickets, emails read back from a file) is
never among them, so no CRM is sent its own records back.

Each activity carries its key (``external_id``, "radar-" and random hex, given when it
was logged; an older one without a key is given one on its first export), which every
file writes in its "App ID" column: a file brought back into the app is recognised by it
(services/importing/formats/activities.py), in this workspace or another.

Each activity names its customer by the ids the CRMs know them by: the Salesforce Account
Id and the HubSpot record ID the importers kept (on the customer itself, or among its
identities, services/importing/identity.py), and the person it was with, when known, by
their own CRM id and address (models/schema/contacts.py).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, and_, select, update
from sqlalchemy.orm import Session

from models.schema import (
    Action,
    Alert,
    AuditEvent,
    Contact,
    Customer,
    CustomerIdentity,
    Interaction,
)
from models.vocab import APP_SOURCE
from services.core.account_names import AccountName, account_names

__all__ = ["Activity", "logged_records", "logged_activities", "with_keys"]


@dataclass(frozen=True)
class Activity:
    """One activity logged in the app, with the ids its customer and person have elsewhere."""

    interaction_id: int
    key: str | None
    kind: str
    occurred_at: dt.datetime
    subject: str | None
    text: str | None
    status: str | None
    by: str | None
    customer_id: int
    customer_name: str | None
    customer_company: str | None
    customer_email: str | None
    customer_source: str
    customer_external_id: str | None
    owner: str | None
    salesforce_account: str | None
    hubspot_record: str | None
    contact_name: str | None
    contact_email: str | None
    contact_salesforce: str | None
    contact_hubspot: str | None
    # A task (models/schema/alerts.py Action) or an audited change (an alert's outcome, a
    # do-not-contact mark) rather than an interaction: its id there, for the next export.
    action_id: int = 0
    event_id: int = 0
    # A task's due day (its date in the CRM, where a task is dated by when it is due), and
    # a meeting's length when the app knows it (a meeting scheduled from a card).
    due: dt.date | None = None
    minutes: int | None = None
    # The account's name and its person (services/core/account_names.py): the file's
    # "Customer" column names the account as every screen does.
    account: AccountName | None = None

    @property
    def person_email(self) -> str | None:
        """The address of whom it was with: the person's, else the customer's own."""
        return self.contact_email or self.customer_email


def logged_activities(
    session: Session,
    *,
    after_id: int = 0,
    since: dt.date | None = None,
) -> list[Activity]:
    """The activities logged in the app, oldest first: those after interaction ``after_id``
    (the last one a previous export wrote) and on or after ``since`` when given."""
    i = Interaction.__table__.c
    c = Customer.__table__.c
    k = Contact.__table__.c
    query = (
        select(
            i.id, i.external_id, i.kind, i.occurred_at, i.subject, i.text, i.status,
            i.attributes, c.id, c.name, c.company, c.email, c.source, c.external_id, c.owner,
            k.name, k.email, k.source, k.external_id,
        )
        .join(Customer, c.id == i.customer_id)
        .outerjoin(Contact, k.id == i.contact_id)
        .where(i.source == APP_SOURCE, i.import_run_id.is_(None), i.id > after_id)
        .order_by(i.id)
    )  # fmt: skip
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        query = query.where(i.occurred_at >= start)
    conn = session.connection()
    return _activities_of_rows(conn, conn.execute(query).all())


# The audited changes a CRM should hear of: an alert's outcome, a do-not-contact mark.
_EVENTS = ("alert.resolved", "alert.dismissed", "customer.do_not_contact")


def logged_records(
    session: Session,
    *,
    after_action: int = 0,
    after_event: int = 0,
    since: dt.date | None = None,
) -> list[Activity]:
    """The tasks made in the app (with whether they are done) and the audited changes a CRM
    should hear of (an alert resolved with its outcome or dismissed, a customer marked do
    not contact or the mark lifted), oldest first, after the marks of a previous export.
    Their keys ("radar-task-", "radar-event-" and the id) tell the importers to leave
    them out when a file comes back: they are the app's own records, not activities."""
    from services.alerts.detail import describe_event

    a = Action.__table__.c
    c = Customer.__table__.c
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC) if since else None
    customer = (c.id, c.name, c.company, c.email, c.source, c.external_id, c.owner)
    tasks = (
        select(a.id, a.title, a.body, a.done_at, a.created_at, a.created_by, a.due_date,
               *customer)
        .join(Customer, c.id == a.customer_id)
        .where(a.kind == "task", a.id > after_action)
        .order_by(a.id)
    )  # fmt: skip
    if start is not None:
        tasks = tasks.where(a.created_at >= start)
    conn = session.connection()
    rows: list[tuple[Any, ...]] = []
    marks: list[tuple[int, int]] = []
    for t in conn.execute(tasks).all():
        rows.append(_task_row(t))
        marks.append((int(t[0]), 0))
    e = AuditEvent.__table__.c
    al = Alert.__table__.c
    who = (e.id, e.action, e.occurred_at, e.actor, e.details)
    for entity, link in (("alert", al.customer_id), ("customer", c.id)):
        events = select(*who, *customer).where(
            e.action.in_(_EVENTS), e.entity_type == entity, e.id > after_event
        )
        if entity == "alert":
            events = events.join(Alert, al.id == e.entity_id).join(Customer, c.id == link)
        else:
            events = events.join(Customer, c.id == e.entity_id)
        if start is not None:
            events = events.where(e.occurred_at >= start)
        for ev in conn.execute(events.order_by(e.id)).all():
            details = ev[4] if isinstance(ev[4], dict) else {}
            words = describe_event(str(ev[1]), details)
            note = details.get("note")
            rows.append((0, f"radar-event-{ev[0]}", "task", ev[2], words, note or None,
                         "Completed", {"by": ev[3]}, *ev[5:], None, None, None, None))  # fmt: skip
            marks.append((0, int(ev[0])))
    found = [
        replace(act, action_id=m[0], event_id=m[1])
        for act, m in zip(_activities_of_rows(conn, rows), marks, strict=True)
    ]
    return sorted(found, key=lambda x: x.occurred_at)


def _task_row(t: Sequence[Any]) -> tuple[Any, ...]:
    """A task as an activity row: a meeting scheduled from a card (its task says when and
    how long) is a meeting at its start; any other task is dated when done, else when
    made, and carries its due day."""
    from services.outreach.meeting import read_meeting_title

    done = t[3] is not None
    status = "Completed" if done else "Not Started"
    meeting = read_meeting_title(t[1], t[6])
    if meeting is not None:
        return (0, f"radar-task-{t[0]}", "meeting", meeting.start, meeting.title, t[2],
                status, {"by": t[5], "minutes": meeting.minutes}, *t[7:],
                None, None, None, None)  # fmt: skip
    return (0, f"radar-task-{t[0]}", "task", t[3] or t[4], t[1], _due_words(t[2], t[6]),
            status, {"by": t[5], "due": t[6]}, *t[7:], None, None, None, None)  # fmt: skip


def _due_words(body: str | None, due: dt.date | None) -> str | None:
    from services.core.formatting import format_date

    parts = [body or "", f"Due {format_date(due)}" if due is not None else ""]
    return "\n".join(p for p in parts if p) or None


def _activities_of_rows(conn: Connection, rows: Sequence[Sequence[Any]]) -> list[Activity]:
    """Activities from rows of (id, key, kind, when, subject, text, status, attributes,
    the customer's id, name, company, email, source, external id, owner, and the person's
    name, email, source and external id)."""
    customers = sorted({int(r[8]) for r in rows})
    ids = _crm_ids(conn, customers)
    people = _own_people(conn, customers)
    accounts = account_names(Session(bind=conn), customers)
    out = []
    for r in rows:
        attributes = r[7] if isinstance(r[7], dict) else {}
        by = attributes.get("by")
        customer_id, source, external = int(r[8]), str(r[12]), r[13]
        crm = ids.get(customer_id, {})
        salesforce = crm.get("salesforce", [])
        # Logged against the account, not a person: the person whose address is the
        # account's own (or its one person) is whom it was with.
        person = tuple(r[15:19]) if r[16] or r[18] else people.get(customer_id, (None,) * 4)
        contact_sf = person[3] if person[2] == "salesforce" else None
        out.append(
            Activity(
                interaction_id=int(r[0]), key=r[1], kind=str(r[2]),
                occurred_at=_aware(r[3]), subject=r[4], text=r[5], status=r[6],
                by=str(by) if by else None, customer_id=customer_id, customer_name=r[9],
                customer_company=r[10], customer_email=r[11], customer_source=source,
                customer_external_id=external, owner=r[14],
                salesforce_account=_salesforce_kind(salesforce, "001")
                or next((i for i in salesforce if not i.startswith("003")), None),
                hubspot_record=next(iter(crm.get("hubspot", [])), None),
                contact_name=person[0], contact_email=person[1],
                contact_salesforce=contact_sf or _salesforce_kind(salesforce, "003"),
                contact_hubspot=person[3] if person[2] == "hubspot" else None,
                due=_day(attributes.get("due")), minutes=_whole(attributes.get("minutes")),
                account=accounts.get(customer_id),
            )
        )  # fmt: skip
    return out


def _day(value: Any) -> dt.date | None:
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else None


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _crm_ids(conn: Connection, customer_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """customer -> {"salesforce": [ids], "hubspot": [ids]}: the customer's own id first,
    then its identities."""
    found: dict[int, dict[str, list[str]]] = {}
    if not customer_ids:
        return found
    crms = ("salesforce", "hubspot")
    ident = CustomerIdentity.__table__.c
    c = Customer.__table__.c
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start : start + 500]
        for cid, source, external in conn.execute(
            select(c.id, c.source, c.external_id).where(
                and_(c.id.in_(chunk), c.source.in_(crms), c.external_id.is_not(None))
            )
        ):
            found.setdefault(int(cid), {}).setdefault(str(source), []).append(str(external))
        for cid, source, external in conn.execute(
            select(ident.customer_id, ident.source, ident.external_id)
            .where(ident.customer_id.in_(chunk), ident.source.in_(crms))
            .order_by(ident.id)
        ):
            known = found.setdefault(int(cid), {}).setdefault(str(source), [])
            if str(external) not in known:
                known.append(str(external))
    return found


def _own_people(conn: Connection, customer_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """customer -> (name, email, source, external id) of the person whose address is the
    customer's own, else of its only person."""
    k = Contact.__table__.c
    c = Customer.__table__.c
    found: dict[int, list[tuple[Any, ...]]] = {}
    own: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start : start + 500]
        for cid, name, email, source, external, same in conn.execute(
            select(
                k.customer_id, k.name, k.email, k.source, k.external_id,
                k.email_normalized == c.email_normalized,
            )
            .join(Customer, c.id == k.customer_id)
            .where(k.customer_id.in_(chunk))
            .order_by(k.id)
        ):  # fmt: skip
            row = (name, email, source, external)
            found.setdefault(int(cid), []).append(row)
            if same:
                own.setdefault(int(cid), row)
    for cid, rows in found.items():
        if cid not in own and len(rows) == 1:
            own[cid] = rows[0]
    return own


def _salesforce_kind(ids: list[str], prefix: str) -> str | None:
    """The first Salesforce id of one object: Account ids start "001", Contact ids "003"
    (Salesforce's key prefixes); a customer made from a Contact export holds both."""
    return next((i for i in ids if i.startswith(prefix)), None)


def with_keys(session: Session, activities: list[Activity]) -> list[Activity]:
    """The activities, each with a key: one logged before keys existed is given its own
    now (stored, so every later file writes the same one)."""
    out = []
    for activity in activities:
        if activity.key or not activity.interaction_id:
            out.append(activity)
            continue
        key = "radar-" + secrets.token_hex(8)
        session.execute(
            update(Interaction)
            .where(Interaction.id == activity.interaction_id, Interaction.external_id.is_(None))
            .values(external_id=key)
        )
        out.append(replace(activity, key=key))
    return out

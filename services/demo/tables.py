"""Writing the generated rows: one transaction, chunked inserts, a bulk-load page cache."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from models.schema import (
    Alert,
    Contact,
    Contract,
    Customer,
    Outreach,
)
from services.core.rollups import refresh_rollups
from services.demo.vocabulary import BULK_CACHE_KIB, DATA_TABLES, INSERT_CHUNK, SOURCE, IntArray

# --------------------------------------------------------------------------- tables


@dataclass
class _TableData:
    """Column arrays of one table; row dicts are built chunk by chunk at insert time."""

    table: Table
    columns: dict[str, npt.NDArray[Any]]
    # Generation index of each row's customer, turned into database ids at insert time.
    customer: IntArray | None = None

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def rows(self, start: int, stop: int, customer_ids: IntArray | None) -> list[dict[str, Any]]:
        keys = list(self.columns)
        values = [self.columns[k][start:stop].tolist() for k in keys]
        if self.customer is not None:
            assert customer_ids is not None
            keys.append("customer_id")
            values.append(customer_ids[self.customer[start:stop]].tolist())
        return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]


@dataclass
class _OutreachTables:
    """The simulated past outreach (services/demo/outreach.py): rows that point at each
    other, written after the rest, with ids looked up by customer (one each)."""

    alerts: _TableData
    outreach: _TableData  # alert_id filled in at write time
    contacts: _TableData  # interactions; attributes (by, alert and outreach ids) likewise
    contact_by: npt.NDArray[Any]  # who made each contact
    audit: _TableData  # the alerts' audit trail; entity ids filled in at write time
    audit_alert: IntArray  # per audit row, the alert's row in ``alerts``
    truth: dict[str, Any]

    def parts(self) -> list[_TableData]:
        return [self.alerts, self.outreach, self.contacts]


@dataclass
class DemoPeople:
    """The business accounts' people (services/demo/people.py) and their emails; each
    email names its writer by the contact's external id."""

    contacts: _TableData
    emails: _TableData
    writer: list[str]
    truth: dict[str, Any]


@dataclass
class _DemoData:
    customers: _TableData
    external_ids: list[str]  # customer external ids, in generation order
    children: list[_TableData] = field(default_factory=list)
    outreach: _OutreachTables | None = None
    usage_truth: dict[str, Any] | None = None  # services/demo/usage.py's story
    renewal_truth: dict[str, Any] | None = None  # services/demo/renewal_truth.py's
    # The owners' calls on the contracts (services/demo/renewal_calls.py), each naming its
    # contract by external id, and the owners' skills.
    calls: _TableData | None = None
    calls_truth: dict[str, Any] | None = None
    # The business accounts' people and their emails (services/demo/people.py).
    people: DemoPeople | None = None

    def counts(self) -> dict[str, int]:
        counts = {"customers": len(self.customers)}
        past = self.outreach.parts() if self.outreach is not None else []
        for part in [*self.children, *past]:
            name = part.table.name
            counts[name] = counts.get(name, 0) + len(part)
        if self.calls is not None:
            counts["renewal_calls"] = len(self.calls)
        if self.people is not None:
            counts["contacts"] = len(self.people.contacts)
            counts["interactions"] = counts.get("interactions", 0) + len(self.people.emails)
        for name in ("orders", "interactions", "opportunities", "subscriptions", "contracts"):
            counts.setdefault(name, 0)
        return counts


@contextlib.contextmanager
def _bulk_load(conn: Connection) -> Iterator[None]:
    """On SQLite, a larger page cache while loading; restored afterwards.

    The default 2 MB cache thrashes once the order and interaction indexes grow
    past it, which made a 100,000-customer build take twice as long.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        if not conn.invalidated:
            conn.exec_driver_sql(f"PRAGMA cache_size = {previous}")


def _write(conn: Connection, data: _DemoData, step: Callable[[float, str], None]) -> None:
    with _bulk_load(conn):
        _clear_tables(conn, step)
        _write_rows(conn, data, step)
        _sum_up(conn, step)


def _clear_tables(conn: Connection, step: Callable[[float, str], None]) -> None:
    for i, table in enumerate(DATA_TABLES):
        step(0.28 + 0.02 * i / len(DATA_TABLES), "Preparing the workspace")
        conn.execute(delete(table))


def _sum_up(conn: Connection, step: Callable[[float, str], None]) -> None:
    _link_renewals(conn)
    step(0.985, "Summing up each customer")
    with Session(bind=conn) as session:
        refresh_rollups(session)


def _link_renewals(conn: Connection) -> None:
    """Each demo contract term that renews an earlier one points at it (``renewal_of_id``):
    the terms of one contract share their customer and the id before "@"
    (services/demo/renewal_truth.py)."""
    c = Contract.__table__.c
    rows = conn.execute(
        select(c.id, c.customer_id, c.external_id, c.start_date, c.outcome)
        .where(c.source == SOURCE)
        .order_by(c.external_id)
    ).all()
    chains: dict[tuple[int, str], list[tuple[Any, int, str]]] = {}
    for row_id, customer, external, start, outcome in rows:
        key = (int(customer), str(external).partition("@")[0])
        chains.setdefault(key, []).append((start, row_id, outcome))
    links = []
    for terms in chains.values():
        terms.sort()
        for (_s, earlier, outcome), (_t, later, _o) in zip(terms, terms[1:], strict=False):
            if outcome == "renewed":
                links.append({"term": later, "renews": earlier})
    if links:
        conn.execute(
            update(Contract)
            .where(c.id == bindparam("term"))
            .values(renewal_of_id=bindparam("renews")),
            links,
        )


def _write_rows(conn: Connection, data: _DemoData, step: Callable[[float, str], None]) -> None:
    """One generated batch of customers and everything of theirs (the tables are empty
    of the demo's rows, or hold only earlier batches of other customers)."""
    step(0.30, "Writing customers")
    _insert(conn, data.customers, None)
    # Database ids, not generation positions, are what the child rows point at.
    c = Customer.__table__.c
    id_by_external = dict(conn.execute(select(c.external_id, c.id).where(c.source == SOURCE)).all())
    customer_ids = np.array([id_by_external[x] for x in data.external_ids], dtype=np.int64)
    total = sum(len(p) for p in data.children) or 1
    done = 0
    for part in data.children:
        for start in range(0, len(part), INSERT_CHUNK):
            step(0.32 + 0.66 * done / total, f"Writing {part.table.name}")
            stop = min(start + INSERT_CHUNK, len(part))
            conn.execute(insert(part.table), part.rows(start, stop, customer_ids))
            done += stop - start
    if data.calls is not None:
        _write_calls(conn, data.calls, customer_ids)
    if data.people is not None:
        step(0.98, "Writing the accounts' people")
        _write_people(conn, data.people, customer_ids)
    if data.outreach is not None:
        step(0.98, "Writing past alerts and outreach")
        _write_outreach(conn, data.outreach, customer_ids)


def _write_people(conn: Connection, people: DemoPeople, customer_ids: IntArray) -> None:
    """The contacts, then their emails, each naming its writer by the contact's id."""
    _insert(conn, people.contacts, customer_ids)
    c = Contact.__table__.c
    wanted = set(people.writer)
    id_of = {
        str(ext): int(cid)
        for ext, cid in conn.execute(select(c.external_id, c.id))
        if ext in wanted
    }
    ids = np.empty(len(people.writer), dtype=object)
    ids[:] = [id_of[w] for w in people.writer]
    emails = people.emails
    _insert(conn, _TableData(emails.table, {**emails.columns, "contact_id": ids}, emails.customer),
            customer_ids)  # fmt: skip


def _write_calls(conn: Connection, calls: _TableData, customer_ids: IntArray) -> None:
    """The owners' calls, each pointing at its contract (found by external id)."""
    k = Contract.__table__.c
    contract_of = dict(conn.execute(select(k.external_id, k.id).where(k.source == SOURCE)).all())
    columns = dict(calls.columns)
    ids = np.empty(len(calls), dtype=object)
    ids[:] = [contract_of[x] for x in columns.pop("contract_external_id").tolist()]
    _insert(conn, _TableData(calls.table, {**columns, "contract_id": ids}, calls.customer),
            customer_ids)  # fmt: skip


def _insert(conn: Connection, part: _TableData, customer_ids: IntArray | None) -> None:
    for start in range(0, len(part), INSERT_CHUNK):
        stop = min(start + INSERT_CHUNK, len(part))
        conn.execute(insert(part.table), part.rows(start, stop, customer_ids))


def _write_outreach(conn: Connection, past: _OutreachTables, customer_ids: IntArray) -> None:
    """Alerts, then their outreach, then the contacts pointing at both.

    The tables were emptied in this transaction and each customer has at most one past
    alert and one email, so the customer finds the row's id.
    """
    _insert(conn, past.alerts, customer_ids)
    a = Alert.__table__.c
    alert_of = dict(conn.execute(select(a.customer_id, a.id)).all())
    emails = past.outreach
    assert emails.customer is not None
    assert past.contacts.customer is not None
    emailed = customer_ids[emails.customer]
    ids = np.empty(len(emails), dtype=object)
    ids[:] = [alert_of[int(x)] for x in emailed]
    _insert(conn, _TableData(emails.table, {**emails.columns, "alert_id": ids}, emails.customer),
            customer_ids)  # fmt: skip
    o = Outreach.__table__.c
    outreach_of = dict(conn.execute(select(o.customer_id, o.id)).all())
    contacts = past.contacts
    who = customer_ids[past.contacts.customer]
    attributes = np.empty(len(contacts), dtype=object)
    attributes[:] = [
        {"by": by, "alert_id": alert_of[int(x)]}
        | ({"outreach_id": outreach_of[int(x)]} if kind == "email_sent" else {})
        for x, by, kind in zip(
            who, past.contact_by.tolist(), contacts.columns["kind"].tolist(), strict=True
        )
    ]
    _insert(
        conn,
        _TableData(
            contacts.table, {**contacts.columns, "attributes": attributes}, contacts.customer
        ),
        customer_ids,
    )
    # The audit trail: the alert by its customer, an email's outreach id likewise.
    assert past.alerts.customer is not None
    whose = customer_ids[past.alerts.customer[past.audit_alert]]
    entity = np.empty(len(past.audit), dtype=object)
    entity[:] = [alert_of[int(x)] for x in whose]
    details = np.empty(len(past.audit), dtype=object)
    details[:] = [
        d | {"outreach_id": outreach_of[int(x)]} if "outreach_id" in d else d
        for x, d in zip(whose, past.audit.columns["details"].tolist(), strict=True)
    ]
    columns = {**past.audit.columns, "entity_id": entity, "details": details}
    _insert(conn, _TableData(past.audit.table, columns), customer_ids)

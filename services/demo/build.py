"""build_demo: fill a migrated workspace with the demo (the package's entry point)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, exists, select
from sqlalchemy.orm import Session

import services.demo.truth as truth_parts
from models.base import utcnow
from models.db import translate_db_errors
from models.errors import UserFacingError, WorkspaceError
from models.schema import (
    AuditEvent,
    Customer,
)
from services.demo.companies import company_names
from services.demo.events import (
    _emails,
    _interaction_table,
    _opportunities,
    _owner_touches,
    _subscriptions,
    _support,
)
from services.demo.extras import fit_tool_usage, label_campaigns, label_tickets
from services.demo.generate import _customers, _exact_shares, _objects, _order_times, _orders
from services.demo.outreach import CONTACTED_RATE, _outreach_tables, _plan_outreach
from services.demo.people import demo_people, tag_people
from services.demo.playbooks import add_demo_playbooks
from services.demo.renewal_calls import owner_calls
from services.demo.renewal_truth import business_contracts
from services.demo.replies import demo_replies
from services.demo.strategies import add_demo_experiment
from services.demo.surveys import nps_answers
from services.demo.tables import _bulk_load, _clear_tables, _DemoData, _sum_up, _write, _write_rows
from services.demo.usage import demo_usage
from services.demo.vocabulary import (
    _EPOCH,
    ARCHETYPES,
    BRAND,
    DEMO_SETTING,
    DEMO_SHARD,
    OWNERS,
    REFUSAL,
    SHARD_SEED_STEP,
)
from services.settings import set_setting
from services.settings.views import WorkspaceSettings

# How many company names the demo once shared among its business accounts: the main
# random stream still draws one of them for each, so that every later draw is unchanged.
_SHARED_NAMES = 16


class DemoCancelled(Exception):
    """The user cancelled the demo build; nothing was written."""


@dataclass(frozen=True)
class DemoSummary:
    """What build_demo wrote."""

    customers: int
    orders: int
    interactions: int
    opportunities: int
    subscriptions: int
    owners: tuple[str, ...]
    seed: int
    today: dt.date


def is_demo_workspace(session: Session) -> bool:
    """True when the workspace was built by build_demo (its demo marker setting is set)."""
    return WorkspaceSettings.read(session).demo is not None


def build_demo(
    engine: Engine,
    *,
    customers: int = 2000,
    seed: int = 7,
    today: dt.date | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    contacted_rate: float = CONTACTED_RATE,
) -> DemoSummary:
    """Build or rebuild the demo data in one transaction; refuse to overwrite real data.

    ``contacted_rate``: the contacted arm's true return rate (the held out's is
    services.demo.outreach.BASELINE_RATE); equal to it, outreach has no effect on anyone
    (an A/A book, for checking that nothing is claimed)."""
    if customers < 1:
        raise UserFacingError("The demo needs at least 1 customer.")
    # UTC, like every stored timestamp: a local "today" ahead of UTC would date orders
    # in the future for the rest of the world.
    today = today or dt.datetime.now(dt.UTC).date()

    def step(fraction: float, message: str) -> None:
        if cancelled is not None and cancelled():
            raise DemoCancelled("The demo build was cancelled; the workspace is unchanged.")
        if progress is not None:
            progress(fraction, message)

    # Refuse before spending time on generation; checked again inside the write.
    with translate_db_errors(), Session(engine) as session:
        _refuse_real_data(session)
    sizes = shard_sizes(customers)
    # One batch is generated before the transaction starts, more batches inside it.
    data = _generate(customers, seed, today, step, contacted_rate) if len(sizes) == 1 else None
    step(0.28 if data is not None else 0.01, "Preparing the workspace")
    with translate_db_errors(), engine.begin() as conn:
        with Session(bind=conn) as session:
            _refuse_real_data(session)
        if len(sizes) == 1:
            assert data is not None
            assert data.outreach is not None
            _write(conn, data, step)
            counts = data.counts()
            truth = _truths(data)
            data = None
        else:
            counts, truth = _write_shards(conn, sizes, seed, today, step, contacted_rate)
        built_at = utcnow()
        marker = {
            "customers": customers,
            "seed": seed,
            "today": today.isoformat(),
            "built_at": built_at.isoformat(timespec="seconds"),
        }
        with Session(bind=conn) as session:
            set_setting(session, DEMO_SETTING, marker)
            # What the simulation decided, in a table of its own (it grows with the book).
            truth_parts.write_truths(session, truth, built_at)
            # The demo's orders are in US dollars, its money figures too.
            set_setting(session, "workspace.home_currency", "USD")
            session.add(
                AuditEvent(
                    occurred_at=built_at,
                    actor="demo",
                    action="demo_built",
                    entity_type="workspace",
                    details={**marker, **counts, "brand": BRAND},
                )
            )
            session.flush()
            add_demo_playbooks(session, built_at)  # Results' Playbook breakdown
            add_demo_experiment(session, built_at)  # Results ▸ Experiments (strategies.py)
        # Last chance to cancel: the rollback still leaves the workspace as it was.
        step(0.99, "Saving")
    from services.listen.reasons import refresh_listening

    refresh_listening(engine)  # sentiment read on the laptop, the reasons learned
    if progress is not None:
        progress(1.0, "Demo workspace ready")
    return DemoSummary(
        customers=counts["customers"],
        orders=counts["orders"],
        interactions=counts["interactions"],
        opportunities=counts["opportunities"],
        subscriptions=counts["subscriptions"],
        owners=OWNERS,
        seed=seed,
        today=today,
    )


def shard_sizes(customers: int) -> list[int]:
    """How many customers each generated batch holds: one batch up to DEMO_SHARD customers
    (the data of a given size and seed never changes), else even batches of at most that
    many, each from a random stream of its own, so memory stays that of one batch."""
    parts = -(-customers // DEMO_SHARD)
    return [customers // parts + (1 if i < customers % parts else 0) for i in range(parts)]


def _write_shards(
    conn: Connection,
    sizes: list[int],
    seed: int,
    today: dt.date,
    step: Callable[[float, str], None],
    contacted_rate: float = CONTACTED_RATE,
) -> tuple[dict[str, int], dict[str, Any]]:
    """Generate and write the demo batch by batch, in the caller's transaction; the
    counts, and the simulated truths of the first batch (the marker's; the other batches
    follow the same story with other customers)."""
    counts: dict[str, int] = {}
    truth: dict[str, Any] = {}
    taken: set[str] = set()  # the companies named so far: each is one account
    with _bulk_load(conn):
        _clear_tables(conn, lambda _f, message: step(0.01, message))
        for k, size in enumerate(sizes):

            def part(fraction: float, message: str, k: int = k) -> None:
                step(0.01 + 0.97 * (k + fraction) / len(sizes),
                     f"{message}, part {k + 1} of {len(sizes)}")  # fmt: skip

            data = _generate(size, seed + SHARD_SEED_STEP * k, today, part, contacted_rate, taken)
            if k == 0:
                assert data.outreach is not None
                truth = {**_truths(data), truth_parts.CUSTOMERS: size}
            else:
                _tag_shard(data, f"-{k + 1}")
            _write_rows(conn, data, part)
            for name, n in data.counts().items():
                counts[name] = counts.get(name, 0) + n
            del data
        _sum_up(conn, step)
    return counts, truth


def _truths(data: _DemoData) -> dict[str, Any]:
    """What the simulation of one batch decided, by part (services/demo/truth.py)."""
    assert data.outreach is not None
    return {
        truth_parts.OUTREACH: data.outreach.truth,
        truth_parts.USAGE: data.usage_truth,
        truth_parts.RENEWALS: data.renewal_truth,
        truth_parts.CALLS: data.calls_truth,
        truth_parts.PEOPLE: data.people.truth if data.people is not None else None,
    }


def _tag_shard(data: _DemoData, tag: str) -> None:
    """Make a later batch's external ids unique: each ends with the batch's tag."""
    data.external_ids = [x + tag for x in data.external_ids]
    parts = [data.customers, *data.children]
    if data.outreach is not None:
        parts += [*data.outreach.parts(), data.outreach.audit]
    if data.people is not None:
        tag_people(data.people, tag)
    if data.calls is not None:
        data.calls.columns["contract_external_id"] = _objects(
            [f"{x}{tag}" for x in data.calls.columns["contract_external_id"].tolist()]
        )
    for part in parts:
        ids = part.columns.get("external_id")
        if ids is not None:
            part.columns["external_id"] = _objects(
                [None if x is None else f"{x}{tag}" for x in ids.tolist()]
            )


def _refuse_real_data(session: Session) -> None:
    has_customers = session.scalar(select(exists().select_from(Customer)))
    if has_customers and not is_demo_workspace(session):
        raise WorkspaceError(REFUSAL)


def _name_companies(
    rng: np.random.Generator, cust: Any, corporate: Any, seed: int, taken: set[str] | None
) -> None:
    """Corporate deals belong to customers who buy for a company, each a company of its
    own (services/demo/companies.py, a stream of its own): a company's name is one
    account. The main stream still draws what it drew when 16 names were shared among
    them, so that every later row is the same."""
    with_company = corporate[rng.random(len(corporate)) < 0.8]
    rng.integers(0, _SHARED_NAMES, len(with_company))
    cust.company[with_company] = _objects(company_names(seed, len(with_company), taken))


def _generate(
    n: int,
    seed: int,
    today: dt.date,
    step: Callable[[float, str], None],
    contacted_rate: float = CONTACTED_RATE,
    taken: set[str] | None = None,
) -> _DemoData:
    """One batch of the demo; ``taken``: the company names earlier batches gave (the new
    ones are added)."""
    rng = np.random.default_rng(seed)
    today_day = (today - _EPOCH).days  # events happen strictly before today 00:00 UTC
    step(0.02, "Generating orders")
    arch = _exact_shares(rng, n, [a.share for a in ARCHETYPES])
    times = _order_times(rng, arch, today_day)
    # The past outreach has a random stream of its own (services/demo/outreach.py).
    past_rng = np.random.default_rng([seed, 16])
    plan = _plan_outreach(past_rng, arch, times, today_day, contacted_rate)
    orders = _orders(rng, arch, today_day, times, plan.fixed_orders())
    step(0.12, "Generating customers")
    cust = _customers(rng, arch, orders, today_day)
    step(0.18, "Generating emails")
    # Campaign behaviour follows the history without the simulated orders, so that who
    # can be emailed never depends on the simulated outcome.
    emails = _emails(rng, arch, replace(cust, last_day=plan.raw_last_day), today_day)
    step(0.22, "Generating tickets and reviews")
    support = _support(rng, arch, cust, orders, today_day)
    touches = _owner_touches(rng, arch, cust, today_day)
    step(0.25, "Generating opportunities and memberships")
    opportunities, corporate = _opportunities(rng, arch, cust, today_day)
    subscriptions = _subscriptions(rng, arch, cust, today_day)

    _name_companies(rng, cust, corporate, seed, taken)
    # The shop's marketing flag reflects the unsubscribes.
    attributes = cust.columns["attributes"]
    for i in np.unique(emails.customer[emails.kind == "unsubscribe"]).tolist():
        attributes[i]["accepts_marketing"] = False
    email_table = _interaction_table(emails, today_day, detailed=False)
    unsubscribed_at = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    unsub = emails.kind == "unsubscribe"
    np.minimum.at(unsubscribed_at, emails.customer[unsub], emails.seconds[unsub])
    past = _outreach_tables(past_rng, plan, cust, unsubscribed_at, today_day)
    support_table = _interaction_table(support, today_day, detailed=True)
    # The NPS survey, with the outreach's true effect on it (a random stream of its own).
    nps_table, past.truth["nps"] = nps_answers(
        np.random.default_rng([seed, 21]), arch, times, (plan.customer, plan.contact),
        attributes, today_day,
    )  # fmt: skip
    # What questions need (Ask), from a stream of their own: no other row changes.
    label_campaigns(email_table)
    label_tickets(support_table, np.random.default_rng([seed, 31]), today_day)
    replies = demo_replies(np.random.default_rng([seed, 32]), past.outreach, attributes, today_day)
    status = orders.table.columns["status"]
    returned = np.zeros(n, dtype=bool)
    returned[orders.table.customer[status == "refunded"]] = True  # type: ignore[index]
    fit_tool_usage(
        np.random.default_rng([seed, 17]), attributes, cust.first_day, returned, today_day
    )
    # The members' app, its story the usage-drop alert's truth (services/demo/usage.py).
    usage, usage_truth = demo_usage(
        np.random.default_rng([seed, 18]), arch, cust.first_day, cust.last_day,
        np.array([c is not None for c in cust.company.tolist()]), cust.external_ids, today_day,
    )  # fmt: skip
    # The contracts, their known truth (renewal_truth.py) and the owners' calls (renewal_calls.py).
    contracts, renewal_truth = business_contracts(
        seed, arch, (cust, orders, support, subscriptions), usage_truth, today_day
    )
    data = _DemoData(
        customers=cust.table(),
        external_ids=cust.external_ids,
        children=[orders.table, email_table, support_table, touches, opportunities, subscriptions,
                  usage, nps_table, contracts, replies],  # NPS: services/demo/surveys.py
        outreach=past,
        usage_truth=usage_truth,
        renewal_truth=renewal_truth,
    )  # fmt: skip
    data.calls, data.calls_truth = owner_calls(seed, contracts, renewal_truth, today_day)
    # The business accounts' people, with known stories (a random stream of their own).
    data.people = demo_people(seed, cust, today_day)
    return data

"""The workspace's customers staged as of a date (services/lifecycle/stages.py says how),
with what each stage holds: customers, their value and churn.

Only what existed on the date is read: the paid orders placed by its end, the contracts
begun by then, the latest finished scoring run as of then (its churn risk, value and RFM
segment), a record's stage column once the record held it. The churn a past date's
customers then showed is read from the orders after it: churned, no paid order within the
run's horizon (90 days without a run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Text, case, cast, func, null, or_, select, type_coerce
from sqlalchemy.orm import Session

from models.schema import Contract, Customer, Order, ScoreSnapshot, ScoringRun
from models.vocab import LIFECYCLE_STAGES
from services.alerts.at_risk import at_risk_threshold
from services.core.account_names import name_map
from services.core.local_dates import workspace_zone
from services.lifecycle.records import ScoredFacts, StageBook, StageGroup
from services.lifecycle.stages import FIELD_KEYS, Staged, StageFacts, StageRules, stage_of
from services.settings.views import DateSettings, LifecycleSettings

__all__ = ["StageBook", "StageGroup", "field_value", "rules_of", "stage_book"]

DEFAULT_HORIZON = 90
CHUNK = 500


def rules_of(settings: LifecycleSettings) -> StageRules:
    """The rules the settings set."""
    return StageRules(
        source=settings.source,
        onboarding_days=int(settings.onboarding_days),
        renewal_days=int(settings.renewal_days),
        mature_days=int(settings.mature_days),
        mature_orders=int(settings.mature_orders),
    )


def field_value(attributes: Any) -> str | None:
    """The record's stage column (FIELD_KEYS), or None."""
    if not isinstance(attributes, dict):
        return None
    for key, value in attributes.items():
        named = isinstance(key, str) and key.replace(" ", "").replace("_", "").replace("-", "")
        if named and named.lower() in FIELD_KEYS and isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _stage_attributes() -> Any:
    """The record's columns when one may name a stage, else NULL: every key of FIELD_KEYS
    holds "stage" or "cycle", so the other records (most) are not decoded: a
    100,000-customer book is staged in ~2 s where decoding every record took ~6 s (each
    scoring stages its book, services/lifecycle/stored.py)."""
    raw = cast(Customer.attributes, Text)
    named = or_(raw.ilike("%stage%"), raw.ilike("%cycle%"))
    return type_coerce(case((named, Customer.attributes), else_=null()), Customer.attributes.type)


def _day_end(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def _only(column: Any, only: int | None) -> Any:
    """A condition that keeps one customer's rows (``only``), or every row."""
    return column == only if only is not None else column.is_not(None)


def _orders(
    session: Session, end: dt.datetime, only: int | None = None
) -> dict[int, tuple[dt.date, int]]:
    rows = session.execute(
        select(Order.customer_id, func.min(Order.order_date), func.count())
        .where(Order.status == "paid", Order.order_date < end, _only(Order.customer_id, only))
        .group_by(Order.customer_id)
    )
    return {int(c): (first.date(), int(n)) for c, first, n in rows}


def _next_orders(session: Session, after: dt.datetime, only: int | None) -> dict[int, dt.date]:
    rows = session.execute(
        select(Order.customer_id, func.min(Order.order_date))
        .where(Order.status == "paid", Order.order_date >= after, _only(Order.customer_id, only))
        .group_by(Order.customer_id)
    )
    return {int(c): first.date() for c, first in rows}


def _contracts(
    session: Session, on: dt.date, only: int | None
) -> dict[int, tuple[dt.date, dt.date | None]]:
    out: dict[int, tuple[dt.date, dt.date | None]] = {}
    rows = session.execute(
        select(Contract.customer_id, Contract.start_date, Contract.end_date).where(
            Contract.start_date <= on, _only(Contract.customer_id, only)
        )
    )
    for cid, start, end in rows:
        first, running = out.get(int(cid), (start, None))
        if end >= on and (running is None or end > running):
            running = end
        out[int(cid)] = (min(first, start), running)
    return out


def _run(session: Session, on: dt.date) -> tuple[int | None, dt.date | None, int]:
    row = session.execute(
        select(ScoringRun.id, ScoringRun.as_of, ScoringRun.horizon_days)
        .where(ScoringRun.status == "finished", ScoringRun.as_of <= on)
        .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, None, DEFAULT_HORIZON
    return int(row[0]), row[1], int(row[2])


def _scores(session: Session, run_id: int | None, only: int | None) -> dict[int, ScoredFacts]:
    if run_id is None:
        return {}
    rows = session.execute(
        select(
            ScoreSnapshot.customer_id,
            ScoreSnapshot.churn_risk,
            ScoreSnapshot.clv_12m_cents,
            ScoreSnapshot.segment,
            ScoreSnapshot.health_score,
        ).where(ScoreSnapshot.scoring_run_id == run_id, _only(ScoreSnapshot.customer_id, only))
    )
    return {
        int(c): ScoredFacts(None if r is None else float(r), None if v is None else int(v), s, h)
        for c, r, v, s, h in rows
    }


def _currency(session: Session, run_id: int | None) -> str:
    from services.scoring.queries import run_currency

    return run_currency(session, run_id)


def stage_book(
    engine: Engine, as_of: dt.date | None = None, *, only: int | None = None
) -> StageBook:
    """Every customer staged on ``as_of`` (today in the workspace's zone by default);
    ``only``: that one customer."""
    with Session(engine) as session:
        zone = ZoneInfo(workspace_zone(DateSettings.read(session).time_zone or None))
        today = dt.datetime.now(zone).date()
        on = as_of or today
        rules = replace(
            rules_of(LifecycleSettings.read(session)), at_risk_from=at_risk_threshold(session)
        )
        end = _day_end(on)
        orders = _orders(session, end, only)
        contracts = _contracts(session, on, only)
        run_id, run_as_of, horizon = _run(session, on)
        scores = _scores(session, run_id, only)
        currency = _currency(session, run_id)
        customers = session.execute(
            select(
                Customer.id,
                Customer.name,
                Customer.signup_date,
                _stage_attributes(),
                Customer.updated_at,
            )
            .where(_only(Customer.id, only))
            .order_by(Customer.id)
        ).all()
        followed_until = on + dt.timedelta(days=horizon)
        nexts = _next_orders(session, end, only) if followed_until <= today else {}
        # The accounts' names, as every screen names them (services/core/account_names.py).
        named = name_map(session, None if only is None else [int(r[0]) for r in customers])
    staged: list[Staged] = []
    names: dict[int, str] = {}
    for cid, name, signup, attributes, updated in customers:
        cid = int(cid)
        first, count = orders.get(cid, (None, 0))
        start, running = contracts.get(cid, (None, None))
        known = updated is None or updated.date() <= on
        stage_column = field_value(attributes) if known else None
        signed = signup if signup is not None and signup <= on else None
        if first is None and start is None and signed is None and stage_column is None:
            continue  # not yet a customer on the date
        names[cid] = named.get(cid, str(name or ""))
        facts = StageFacts(
            customer_id=cid,
            first_order=first,
            orders=count,
            signup=signed,
            first_contract_start=start,
            running_contract_end=running,
            field=stage_column,
            churn_risk=scores[cid].churn_risk if cid in scores else None,
            segment=scores[cid].segment if cid in scores else None,
        )
        staged.append(stage_of(facts, rules, on))
    followed = followed_until <= today
    churned = {
        cid
        for cid, (_first, _n) in orders.items()
        if followed and not (cid in nexts and nexts[cid] < followed_until)
    }
    groups = _groups(staged, scores, churned if followed else None, orders)
    outcomes = {s.customer_id: s.customer_id in churned for s in staged if s.customer_id in orders}
    return StageBook(
        on, rules, tuple(staged), groups, currency, horizon, run_as_of, names, scores,
        outcomes if followed else {},
    )  # fmt: skip


def _groups(
    staged: list[Staged],
    scores: Mapping[int, ScoredFacts],
    churned: set[int] | None,
    orders: Mapping[int, tuple[dt.date, int]],
) -> tuple[StageGroup, ...]:
    from services.lifecycle.stages import NO_STAGE, STAGE_LABELS

    out = []
    for stage in (*LIFECYCLE_STAGES, None):
        members = [s.customer_id for s in staged if s.stage == stage]
        if stage is None and not members:
            continue
        risks = [scores[c].churn_risk for c in members if c in scores]
        known = [r for r in risks if r is not None]
        value = sum(scores[c].value_cents or 0 for c in members if c in scores)
        buyers = [c for c in members if c in orders] if churned is not None else []
        out.append(
            StageGroup(
                stage=stage,
                label=STAGE_LABELS[stage] if stage else NO_STAGE,
                customers=len(members),
                scored=len(known),
                value_cents=int(value),
                churn_risk=sum(known) / len(known) if known else None,
                followed=len(buyers),
                churned=sum(1 for c in buyers if churned is not None and c in churned),
            )
        )
    return tuple(out)

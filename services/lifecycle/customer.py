"""One customer's lifecycle stage for the customer pane: the stage and which health profile
applies, in a line, and why, in its tip. A stage's own health profile applies only when
the last backtest (services/lifecycle/health.py) showed stage profiles beat one profile;
otherwise the tip says why not."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.schema import ScoreSnapshot
from services.lifecycle.book import stage_book
from services.lifecycle.health import (
    health_with,
    kept_check,
    parts_of,
    profile_weights,
    stage_label,
)
from services.lifecycle.stages import STAGE_LABELS
from services.settings.views import LifecycleSettings, ScoringSettings

__all__ = ["CustomerStage", "customer_stage"]


@dataclass(frozen=True)
class CustomerStage:
    """A customer's stage and health profile, in words."""

    stage: str | None
    line: str
    tip: str


def _stage_health(session: Session, customer_id: int, stage: str | None) -> float | None:
    """The customer's health in the latest scoring, blended by their stage's profile."""
    from services.scoring.queries import latest_run_id

    run_id = latest_run_id(session)
    if run_id is None:
        return None
    components = session.scalar(
        select(ScoreSnapshot.components).where(
            ScoreSnapshot.scoring_run_id == run_id, ScoreSnapshot.customer_id == customer_id
        )
    )
    base = profile_weights(dict(ScoringSettings.read(session).health_weights or {}), {}, None)
    profiles = dict(LifecycleSettings.read(session).health_profiles or {})
    return health_with(parts_of(components, base), profile_weights(base, profiles, stage))


def customer_stage(engine: Engine, customer_id: int) -> CustomerStage:
    """The customer's stage today, and the health profile that applies to them."""
    book = stage_book(engine, only=customer_id)
    staged = book.staged[0] if book.staged else None
    stage = staged.stage if staged is not None else None
    if staged is None or stage is None:
        why = staged.why if staged is not None else "no orders, contract or stage column yet"
        return CustomerStage(None, "No stage yet", f"No lifecycle stage: {why}.")
    label = STAGE_LABELS[stage]
    with Session(engine) as session:
        ranks, check = kept_check(session)
        own = stage in dict(LifecycleSettings.read(session).health_profiles or {})
        health = _stage_health(session, customer_id, stage) if own and ranks else None
    tip = f"{label} stage: {staged.why} (from {_source_words(staged.source)})."
    if own and ranks and health is not None:
        line = f"{label} stage · health {health:.0f} by its profile"
        tip += f" Health by {stage_label(stage)}: {check}"
    elif not own:
        line = f"{label} stage"
        tip += " Health by one profile: this stage has no health weights of its own."
    else:
        line = f"{label} stage"
        tip += f" Health by one profile, not the {label.lower()} profile: {check}"
    return CustomerStage(stage, line, tip)


def _source_words(source: str) -> str:
    return {
        "field": "the record's stage column",
        "contracts": "the contract's dates",
        "orders": "the orders",
        "churn risk": "the latest churn risk",
    }.get(source, source)

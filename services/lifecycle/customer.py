"""One customer's lifecycle stage for the customer pane: the stage today and which health
profile applies, in a line, and why, in its tip. The stage is worked out live, as of today;
the Customers table's Stage column shows the one stored with the latest scoring, as of
that scoring's date: where the two differ (another day, or something changed since), the
tip says both and the date of each. A stage's own health profile applies only when
the last backtest (services/lifecycle/health.py) showed stage profiles beat one profile;
otherwise the tip says why not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.schema import ScoreSnapshot, ScoringRun
from services.core.formatting import format_date
from services.lifecycle.book import stage_book
from services.lifecycle.health import (
    health_with,
    kept_check,
    parts_of,
    profile_weights,
    stage_label,
)
from services.lifecycle.stages import NO_STAGE, STAGE_LABELS
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


def _stored_words(session: Session, customer_id: int, today: dt.date, stage: str | None) -> str:
    """Where the Customers table's Stage column (the stage stored with the latest scoring,
    as of its date) differs from the stage today, or is of another day: which it shows,
    and as of when; "" when it says the same today or there is no scoring."""
    from services.scoring.queries import latest_run_id

    run_id = latest_run_id(session)
    if run_id is None:
        return ""
    run = session.get(ScoringRun, run_id)
    stored = session.scalar(
        select(ScoreSnapshot.stage).where(
            ScoreSnapshot.scoring_run_id == run_id, ScoreSnapshot.customer_id == customer_id
        )
    )
    if run is None or (run.as_of == today and stored == stage):
        return ""
    shown = f"the {STAGE_LABELS[stored]} stage" if stored in STAGE_LABELS else "no stage"
    return (
        f" The Customers table's Stage column shows {shown}, as of the latest scoring "
        f"({format_date(run.as_of)})."
    )


def customer_stage(engine: Engine, customer_id: int) -> CustomerStage:
    """The customer's stage today, and the health profile that applies to them; the tip
    says the date, and the stage stored with the latest scoring when that is another
    day's or another stage."""
    book = stage_book(engine, only=customer_id)
    today = f"today ({format_date(book.as_of)})"
    staged = book.staged[0] if book.staged else None
    stage = staged.stage if staged is not None else None
    with Session(engine) as session:
        stored = _stored_words(session, customer_id, book.as_of, stage)
    if staged is None or stage is None:
        why = staged.why if staged is not None else "no orders, contract or stage column yet"
        return CustomerStage(None, NO_STAGE, f"No lifecycle stage {today}: {why}.{stored}")
    label = STAGE_LABELS[stage]
    with Session(engine) as session:
        ranks, check = kept_check(session)
        own = stage in dict(LifecycleSettings.read(session).health_profiles or {})
        health = _stage_health(session, customer_id, stage) if own and ranks else None
    tip = f"{label} stage {today}: {staged.why} (from {_source_words(staged.source)}).{stored}"
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

"""The health score per lifecycle stage, and whether it ranks better than one profile.

The health score (services/scoring/health.py) blends its components with one set of
weights. A stage can have its own (setting ``lifecycle.health_profiles``: a stage left
out, or a component left out of a stage, keeps the health score's weight). A scoring run
stores each component's points; since the points of the components present are
``weight x sub-score / (sum of their weights)``, each sub-score is read back from them and
blended again with the stage's weights.

Stage profiles rank only once they beat the one profile on held-out data: the backtest
takes the latest scoring whose horizon has passed, stages its customers as of its date
(services/lifecycle/book.py, nothing later), and sets the two health scores' ranking of
who then churned (no paid order within the horizon) side by side: the ROC AUC of each, and
DeLong's paired 95 % interval of their difference (services/scoring/_conversation_check).
The stage profiles win when that interval lies above zero; otherwise one profile ranks
and the words say why, the missing difference first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from models.schema import ScoreSnapshot, ScoringRun
from services.core.formatting import format_date
from services.lifecycle.stages import STAGE_LABELS
from services.settings.scoring import HEALTH_WEIGHTS
from services.settings.views import LifecycleSettings, ScoringSettings

__all__ = [
    "MIN_CUSTOMERS",
    "StageCheck",
    "check_words",
    "health_with",
    "profile_weights",
    "stage_check",
    "sub_scores",
]

MIN_CUSTOMERS = 30  # customers held out, and at least 5 of each outcome
MIN_EACH = 5


def profile_weights(
    base: Mapping[str, Any], profiles: Mapping[str, Any], stage: str | None
) -> dict[str, float]:
    """The health weights of ``stage``: its own over the one profile's."""
    own = profiles.get(stage or "", {}) if isinstance(profiles, Mapping) else {}
    merged = {**HEALTH_WEIGHTS, **base, **(own if isinstance(own, Mapping) else {})}
    return {k: float(v) for k, v in merged.items()}


def sub_scores(points: Mapping[str, Any], weights: Mapping[str, float]) -> dict[str, float]:
    """Each component's 0-100 sub-score, read back from its points under ``weights``; a
    component missing (null) or of weight 0 is left out."""
    present = {
        k: float(v)
        for k, v in points.items()
        if v is not None and float(weights.get(k, 0.0)) > 0 and v == v
    }
    total = sum(float(weights[k]) for k in present)
    return {k: p * total / float(weights[k]) for k, p in present.items()}


def parts_of(components: Any, base: Mapping[str, float]) -> dict[str, float]:
    """A snapshot's sub-scores: kept as such once a stage's profile rewrote its health
    (``health_parts``: a weight of 0 leaves no points to read them back from), else its
    health points read back under ``base``, the run's weights."""
    stored = components if isinstance(components, Mapping) else {}
    kept = stored.get("health_parts")
    if isinstance(kept, Mapping):
        return {str(k): float(v) for k, v in kept.items() if v is not None}
    return sub_scores(stored.get("health") or {}, base)


def health_with(parts: Mapping[str, float], weights: Mapping[str, float]) -> float | None:
    """The health score of these sub-scores under ``weights``; None without any."""
    counted = [(float(weights.get(k, 0.0)), s) for k, s in parts.items()]
    total = sum(w for w, _ in counted)
    if total <= 0:
        return None
    return float(min(100.0, max(0.0, sum(w * s for w, s in counted) / total)))


@dataclass(frozen=True)
class StageCheck:
    """The backtest of the stage profiles against one profile."""

    verdict: str  # "better", "worse", "no_difference", "no_profiles", "too_few", "no_run"
    run_as_of: dt.date | None = None
    horizon_days: int = 0
    customers: int = 0
    churned: int = 0
    auc_stage: float | None = None
    auc_single: float | None = None
    difference: float | None = None
    low: float | None = None
    high: float | None = None
    stages: tuple[str, ...] = ()  # the stages with a profile of their own

    @property
    def stage_profiles_rank(self) -> bool:
        """True only when the stage profiles beat one profile on held-out data."""
        return self.verdict == "better"

    def as_record(self) -> dict[str, Any]:
        """What is kept of it (setting lifecycle.stage_check)."""
        return {
            "verdict": self.verdict,
            "run_as_of": self.run_as_of.isoformat() if self.run_as_of else None,
            "words": check_words(self),
        }


def check_words(check: StageCheck) -> str:
    """The backtest in words: when it shows no difference, that comes first."""
    if check.verdict == "no_profiles":
        return (
            "No stage has health weights of its own (setting lifecycle.health_profiles): "
            "every stage's health uses the one profile."
        )
    if check.verdict == "no_run":
        return (
            "Stage health profiles are not yet checked: no scoring is old enough for what "
            "followed it to be known. One profile ranks until they beat it."
        )
    if check.verdict == "too_few":
        return (
            f"Too few customers to check the stage health profiles ({check.customers:,} "
            f"followed, {check.churned:,} churned; at least {MIN_CUSTOMERS} and {MIN_EACH} of "
            "each outcome are needed): one profile ranks."
        )
    figures = (
        f"AUC {check.auc_stage:.3f} with stage profiles against {check.auc_single:.3f} with "
        f"one, difference {check.difference:+.3f}, 95% interval {check.low:+.3f} to "
        f"{check.high:+.3f}, on {check.customers:,} customers of the scoring of "
        f"{format_date(check.run_as_of or dt.date.today())} followed {check.horizon_days} days"
    )
    if check.verdict == "better":
        return (
            f"Stage health profiles rank who churned better than one profile ({figures}): "
            "each customer's health uses their stage's profile."
        )
    if check.verdict == "worse":
        return (
            f"Stage health profiles ranked who churned worse than one profile ({figures}): "
            "one profile ranks."
        )
    return (
        f"No measurable difference: stage health profiles did not rank who churned better "
        f"than one profile ({figures}). One profile ranks until they beat it."
    )


def _old_enough_run(session: Session, today: dt.date) -> tuple[int, dt.date, int, dict[str, Any]]:
    runs = session.execute(
        select(ScoringRun.id, ScoringRun.as_of, ScoringRun.horizon_days, ScoringRun.params)
        .where(ScoringRun.status == "finished")
        .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
    ).all()
    for run_id, as_of, horizon, params in runs:
        if as_of + dt.timedelta(days=int(horizon)) <= today:
            return int(run_id), as_of, int(horizon), dict(params or {})
    raise LookupError


def stage_check(engine: Engine, *, today: dt.date | None = None) -> StageCheck:
    """The stage profiles against one profile, on the latest scoring whose horizon passed."""
    from services.lifecycle.book import stage_book

    with Session(engine) as session:
        profiles = dict(LifecycleSettings.read(session).health_profiles or {})
        base_now = dict(ScoringSettings.read(session).health_weights or {})
        if not profiles:
            return StageCheck("no_profiles")
        try:
            run_id, as_of, horizon, params = _old_enough_run(session, today or dt.date.today())
        except LookupError:
            return StageCheck("no_run", stages=tuple(profiles))
        rows = session.execute(
            select(ScoreSnapshot.customer_id, ScoreSnapshot.components).where(
                ScoreSnapshot.scoring_run_id == run_id, ScoreSnapshot.health_score.is_not(None)
            )
        ).all()
    book = stage_book(engine, as_of)
    stages = book.stage_by_customer()
    churned = book.outcomes
    base = {**HEALTH_WEIGHTS, **base_now, **dict(params.get("health_weights") or {})}
    single, staged, labels = [], [], []
    for cid, components in rows:
        if int(cid) not in churned:
            continue  # never ordered by the run's date: no churn to rank
        parts = parts_of(components, base)
        stage = stages[int(cid)].stage if int(cid) in stages else None
        one, own = (
            health_with(parts, base),
            health_with(parts, profile_weights(base, profiles, stage)),
        )
        if one is None or own is None:
            continue
        single.append(one)
        staged.append(own)
        labels.append(churned[int(cid)])
    return _compare(np.array(labels, bool), np.array(staged), np.array(single), as_of, horizon,
                    tuple(profiles))  # fmt: skip


def _compare(
    labels: np.ndarray,
    staged: np.ndarray,
    single: np.ndarray,
    as_of: dt.date,
    horizon: int,
    with_profiles: tuple[str, ...],
) -> StageCheck:
    from services.scoring._conversation_check import auc_difference

    n, m = int(labels.size), int(labels.sum())
    base = StageCheck("too_few", as_of, horizon, n, m, stages=with_profiles)
    if n < MIN_CUSTOMERS or m < MIN_EACH or n - m < MIN_EACH:
        return base
    # A lower health means a likelier churn: rank by the negated score.
    found = auc_difference(labels, -staged, -single)
    verdict = "better" if found["low"] > 0 else "worse" if found["high"] < 0 else "no_difference"
    return StageCheck(
        verdict, as_of, horizon, n, m, found["auc_with"], found["auc_without"],
        found["difference"], found["low"], found["high"], with_profiles,
    )  # fmt: skip


def stage_label(stage: str | None) -> str:
    """A profile's name: "the onboarding profile", or "one profile"."""
    return f"the {STAGE_LABELS[stage].lower()} profile" if stage in STAGE_LABELS else "one profile"


def record_stage_check(engine: Engine, run_id: int | None = None) -> str:
    """Run the backtest and keep its verdict (setting lifecycle.stage_check); with stage
    profiles set, its words close the notes of the run ``run_id`` (the Model report's)
    and are returned; without, nothing is said ("")."""
    from services.settings.store import set_setting

    check = stage_check(engine)
    words = check_words(check)
    with Session(engine) as session, session.begin():
        set_setting(session, "lifecycle.stage_check", check.as_record(), actor="app")
        if check.verdict == "no_profiles":
            return ""
        run = session.get(ScoringRun, run_id) if run_id is not None else None
        if run is not None:
            run.notes = "\n".join(n for n in (run.notes, words) if n)
    if check.stage_profiles_rank and run_id is not None:
        apply_stage_health(engine, run_id)
    return words


def apply_stage_health(engine: Engine, run_id: int) -> int:
    """Blend the run's health scores again with each customer's stage profile (their
    stage as of the run's date), points and all, so that every list and alert ranks by
    them; the sub-scores are kept in the components. How many changed."""
    from services.lifecycle.book import stage_book

    with Session(engine) as session:
        run = session.get(ScoringRun, run_id)
        if run is None:
            return 0
        as_of, params = run.as_of, dict(run.params or {})
        profiles = dict(LifecycleSettings.read(session).health_profiles or {})
        base_now = dict(ScoringSettings.read(session).health_weights or {})
        rows = session.execute(
            select(ScoreSnapshot.id, ScoreSnapshot.customer_id, ScoreSnapshot.components).where(
                ScoreSnapshot.scoring_run_id == run_id, ScoreSnapshot.health_score.is_not(None)
            )
        ).all()
    base = {**HEALTH_WEIGHTS, **base_now, **dict(params.get("health_weights") or {})}
    stages = stage_book(engine, as_of).stage_by_customer()
    changes = []
    for snapshot_id, cid, components in rows:
        stage = stages[int(cid)].stage if int(cid) in stages else None
        if stage not in profiles:
            continue
        weights = profile_weights(base, profiles, stage)
        parts = parts_of(components, base)
        score = health_with(parts, weights)
        if score is None:
            continue
        total = sum(weights.get(k, 0.0) for k in parts)
        points = {k: round(weights.get(k, 0.0) * v / total, 2) for k, v in parts.items()}
        kept = dict(components or {})
        kept.update(health=points, health_parts={k: round(v, 2) for k, v in parts.items()},
                    health_stage=stage)  # fmt: skip
        changes.append({"id": int(snapshot_id), "health_score": score, "components": kept})
    if changes:
        with Session(engine) as session, session.begin():
            session.execute(update(ScoreSnapshot), changes)
    return len(changes)


def kept_check(session: Session) -> tuple[bool, str]:
    """(whether stage profiles rank, why in words) as the last backtest left it."""
    settings = LifecycleSettings.read(session)
    if not settings.health_profiles:
        return False, check_words(StageCheck("no_profiles"))
    kept = dict(settings.stage_check or {})
    if not kept or kept.get("verdict") == "no_profiles":
        return False, check_words(StageCheck("no_run"))
    return kept.get("verdict") == "better", str(kept.get("words") or "")

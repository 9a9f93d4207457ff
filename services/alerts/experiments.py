"""Strategy experiments: two or more ways of reaching a customer tried against each other,
within the outreach arm. Beside holdout.py, and drawn the way it is.

- An experiment names its strategies (two or more; ``kind`` says what each sets: a tone,
  a template, a playbook, an offer cap, a channel — models.vocab.EXPERIMENT_KINDS), the
  risk rules and bands whose alerts take part, and a seed. It runs from its start until a
  user ends it.
- Which alerts: active alerts of the outreach arm (``holdout_band`` set and not held out:
  the holdout is never touched) of those rules and bands, not contacted yet (no email sent
  or exported, no playbook started on them) and in no experiment yet. They are assigned
  when the experiment starts and, later, each time alerts are raised (``generate_alerts``
  calls ``assign_pending``).
- The draw is stratified by the holdout's risk band with permuted blocks: within each band
  the alerts are numbered (a counter per band kept on the experiment), cut into blocks of
  twice the number of strategies, and each block is a permutation of the strategies (each
  twice) drawn from the experiment's seed, the band and the block number. Within one
  assignment the alerts are numbered in the order they were raised, ties broken by a hash
  of the customer's source ids and the rule (never by internal ids). So each band splits
  evenly between the strategies, and the same seed with the same alerts gives the same
  strategies.
- A customer with an active alert that already has a strategy in the experiment keeps it
  for every new one (one customer, one strategy), as the holdout keeps its groups.
- Every assignment is stored (experiment_assignments) and audited
  ("alert.experiment_assigned", with its band, block and position); starting and ending
  an experiment are audited too ("experiment.started", "experiment.ended").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, exists, select
from sqlalchemy.orm import Session

from models.experiments import Experiment, ExperimentAssignment
from models.schema import Alert, Outreach, PlaybookRun
from models.vocab import (
    ACTIVE_ALERT_STATUSES,
    CONTACT_CHANNELS,
    EXPERIMENT_KINDS,
    RISK_BANDS,
)
from services.alerts.config import default_actor
from services.alerts.experiment_records import (
    MAX_STRATEGIES,
    MIN_STRATEGIES,
    AssignedStrategy,
    ExperimentError,
    ExperimentSpec,
    Strategy,
    offer_percent,
)
from services.alerts.holdout import HOLDOUT_RULES
from services.alerts.lifecycle import Doing, moment, unit_of_work
from services.core._stable import stable_keys
from services.settings.views import LearnSettings

__all__ = ["AssignedStrategy", "ExperimentError", "ExperimentSpec", "Strategy"]
# The bands an experiment may draw in (the holdout's; "unscored" alerts too).
EXPERIMENT_BANDS = tuple(RISK_BANDS)


def block_size(strategies: int) -> int:
    """Alerts per block: each strategy twice."""
    return 2 * strategies


def block_order(seed: int, band: str, block: int, strategies: int) -> tuple[int, ...]:
    """The strategies of one block of one band, in order (a pure function of its inputs)."""
    rng = np.random.default_rng([seed, EXPERIMENT_BANDS.index(band), block])
    cells = np.repeat(np.arange(strategies), block_size(strategies) // strategies)
    return tuple(int(s) for s in rng.permutation(cells))


def draw(
    bands: list[str], seed: int, strategies: int, draws: dict[str, int]
) -> tuple[list[int], list[int], list[int], dict[str, int]]:
    """The strategy index, block and position of each alert (in the order given), drawn
    within its band from the counters ``draws``; and the counters after."""
    after = {band: int(draws.get(band, 0)) for band in EXPERIMENT_BANDS}
    size = block_size(strategies)
    chosen, blocks, positions = [], [], []
    cache: dict[tuple[str, int], tuple[int, ...]] = {}
    for band in bands:
        number = after[band]
        after[band] += 1
        block, position = divmod(number, size)
        if (band, block) not in cache:
            cache[(band, block)] = block_order(seed, band, block, strategies)
        chosen.append(cache[(band, block)][position])
        blocks.append(block)
        positions.append(position)
    return chosen, blocks, positions, after


def check_spec(spec: ExperimentSpec) -> None:
    """Refuse an experiment that cannot run, saying why."""
    if not spec.name.strip():
        raise ExperimentError("Give the experiment a name.")
    if spec.kind not in EXPERIMENT_KINDS:
        raise ExperimentError(f"Unknown kind of strategy: {spec.kind}.")
    if not MIN_STRATEGIES <= len(spec.strategies) <= MAX_STRATEGIES:
        raise ExperimentError(
            f"An experiment needs {MIN_STRATEGIES} to {MAX_STRATEGIES} strategies."
        )
    keys = [s.key for s in spec.strategies]
    if len(set(keys)) != len(keys):
        raise ExperimentError("Two strategies have the same key.")
    _check_values(spec)
    if not spec.rules or set(spec.rules) - HOLDOUT_RULES:
        raise ExperimentError("Choose one or more risk rules.")
    if not spec.bands or set(spec.bands) - set(EXPERIMENT_BANDS):
        raise ExperimentError("Choose one or more risk bands.")


def _check_values(spec: ExperimentSpec) -> None:
    """An offer strategy sets a percent, a channel strategy one of the channels."""
    for strategy in spec.strategies:
        if spec.kind == "offer":
            offer_percent(strategy.value)
        elif spec.kind == "channel" and strategy.value not in CONTACT_CHANNELS:
            raise ExperimentError(f"Unknown channel: {strategy.value}.")


def start_experiment(
    engine: Engine,
    spec: ExperimentSpec,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Start an experiment and assign the alerts waiting now; returns its id."""
    check_spec(spec)
    when = moment(now)
    with unit_of_work(engine, write_first=True) as session:
        doing = Doing(session, when, actor or default_actor())
        taken = session.scalar(
            select(Experiment.id).where(
                Experiment.name == spec.name.strip(), Experiment.status == "running"
            )
        )
        if taken is not None:
            raise ExperimentError(f'An experiment named "{spec.name.strip()}" is running.')
        experiment = Experiment(
            name=spec.name.strip(),
            kind=spec.kind,
            strategies=[
                {"key": s.key, "label": s.label, "value": s.value} for s in spec.strategies
            ],
            rules=sorted(spec.rules),
            bands=[b for b in EXPERIMENT_BANDS if b in spec.bands],
            seed=0,
            draws={},
            status="running",
            started_at=when,
            created_by=doing.actor,
        )
        session.add(experiment)
        session.flush()
        holdout_seed = LearnSettings.read(session).holdout_seed
        experiment.seed = (
            spec.seed if spec.seed is not None else holdout_seed * 1000 + experiment.id
        )
        doing.audit(
            "experiment.started",
            ("experiment", experiment.id),
            {
                "name": experiment.name,
                "kind": experiment.kind,
                "strategies": experiment.strategies,
                "rules": experiment.rules,
                "bands": experiment.bands,
                "seed": experiment.seed,
            },
        )
        _assign(doing, experiment)
        return int(experiment.id)


def end_experiment(
    engine: Engine, experiment_id: int, *, actor: str | None = None, now: dt.datetime | None = None
) -> None:
    """End a running experiment: no alert is assigned to it from now on (those assigned
    keep their strategy in the results)."""
    when = moment(now)
    with unit_of_work(engine) as session:
        experiment = session.get(Experiment, experiment_id)
        if experiment is None:
            raise ExperimentError("This experiment no longer exists.")
        if experiment.status != "running":
            raise ExperimentError(f'The experiment "{experiment.name}" has already ended.')
        experiment.status = "ended"
        experiment.ended_at = when
        Doing(session, when, actor or default_actor()).audit(
            "experiment.ended", ("experiment", experiment.id), {"name": experiment.name}
        )


def assign_pending(session: Session, now: dt.datetime, actor: str) -> int:
    """Assign the waiting alerts of every running experiment (inside the caller's
    transaction); returns how many were assigned."""
    doing = Doing(session, now, actor)
    running = session.scalars(
        select(Experiment).where(Experiment.status == "running").order_by(Experiment.id)
    ).all()
    return sum(_assign(doing, experiment) for experiment in running)


def _waiting(session: Session, experiment: Experiment) -> pd.DataFrame:
    """The alerts that may take part now: alert_id, customer_id, rule_key, band, created."""
    contacted = exists().where(
        Outreach.alert_id == Alert.id, Outreach.status.in_(("sent", "exported"))
    )
    played = exists().where(PlaybookRun.alert_id == Alert.id)
    taken = exists().where(ExperimentAssignment.alert_id == Alert.id)
    rows = session.execute(
        select(
            Alert.id, Alert.customer_id, Alert.rule_key, Alert.holdout_band, Alert.created_at
        ).where(
            Alert.status.in_(ACTIVE_ALERT_STATUSES),
            Alert.holdout.is_(False),
            Alert.holdout_band.in_(list(experiment.bands)),
            Alert.rule_key.in_(list(experiment.rules)),
            ~contacted,
            ~played,
            ~taken,
        )
    ).all()
    return pd.DataFrame(rows, columns=["alert_id", "customer_id", "rule_key", "band", "created"])


def _inherited(session: Session, experiment: Experiment) -> dict[int, str]:
    """Customer id -> the strategy of their active alert already in the experiment."""
    rows = session.execute(
        select(ExperimentAssignment.customer_id, ExperimentAssignment.strategy)
        .join(Alert, Alert.id == ExperimentAssignment.alert_id)
        .where(
            ExperimentAssignment.experiment_id == experiment.id,
            Alert.status.in_(ACTIVE_ALERT_STATUSES),
        )
        .order_by(ExperimentAssignment.id)
    ).all()
    out: dict[int, str] = {}
    for customer, strategy in rows:
        out.setdefault(int(customer), str(strategy))
    return out


def _ordered(session: Session, waiting: pd.DataFrame) -> pd.DataFrame:
    """The waiting alerts in the order they are drawn: as raised, ties by a hash of the
    customer's source ids and the rule."""
    ids = waiting["customer_id"].astype(np.int64).to_numpy()
    keys = stable_keys(session.connection(), ids)
    text = np.array(
        [f"{k}|{r}" for k, r in zip(keys.tolist(), waiting["rule_key"].tolist(), strict=True)],
        dtype=object,
    )
    tie = pd.util.hash_array(text) if len(text) else np.zeros(0, np.uint64)
    created = pd.to_datetime(waiting["created"], utc=True)
    out = waiting.assign(created=created, tie=tie)
    return out.sort_values(["created", "tie"], kind="stable").reset_index(drop=True)


def _assign(doing: Doing, experiment: Experiment) -> int:
    """Draw the strategies of the experiment's waiting alerts, store and audit them."""
    session = doing.session
    waiting = _waiting(session, experiment)
    if waiting.empty:
        return 0
    waiting = _ordered(session, waiting)
    keys = [str(s["key"]) for s in experiment.strategies]
    inherited = _inherited(session, experiment)
    decided: dict[int, str] = {}
    drawing: list[int] = []
    for i, customer in enumerate(waiting["customer_id"].astype(int).tolist()):
        if customer in inherited or customer in decided:
            continue
        drawing.append(i)
        decided[customer] = ""
    bands = [str(waiting["band"].iloc[i]) for i in drawing]
    chosen, blocks, positions, after = draw(bands, experiment.seed, len(keys), experiment.draws)
    drawn: dict[int, tuple[int, int, int]] = {}
    for i, s, b, p in zip(drawing, chosen, blocks, positions, strict=True):
        customer = int(waiting["customer_id"].iloc[i])
        decided[customer] = keys[s]
        drawn[i] = (s, b, p)
    experiment.draws = after
    for i, row in enumerate(waiting.itertuples(index=False)):
        customer = int(row.customer_id)
        strategy = inherited.get(customer) or decided[customer]
        block, position = (drawn[i][1], drawn[i][2]) if i in drawn else (-1, -1)
        session.add(
            ExperimentAssignment(
                experiment_id=experiment.id,
                alert_id=int(row.alert_id),
                customer_id=customer,
                strategy=strategy,
                band=str(row.band),
                block=block,
                position=position,
                assigned_at=doing.now,
            )
        )
        details: dict[str, Any] = {
            "experiment_id": experiment.id,
            "experiment": experiment.name,
            "strategy": strategy,
            "band": str(row.band),
            "seed": experiment.seed,
        }
        if i in drawn:
            details.update(block=block, position=position)
        else:
            details["inherited"] = True
        doing.audit("alert.experiment_assigned", ("alert", int(row.alert_id)), details)
    session.flush()
    return len(waiting)


def strategies_for_alerts(session: Session, alert_ids: list[int]) -> dict[int, AssignedStrategy]:
    """The strategy of each of these alerts that is in a running experiment."""
    if not alert_ids:
        return {}
    rows = session.execute(
        select(ExperimentAssignment.alert_id, ExperimentAssignment.strategy, Experiment)
        .join(Experiment, Experiment.id == ExperimentAssignment.experiment_id)
        .where(
            ExperimentAssignment.alert_id.in_(sorted(set(alert_ids))),
            Experiment.status == "running",
        )
    ).all()
    out: dict[int, AssignedStrategy] = {}
    for alert_id, key, experiment in rows:
        spec = next((s for s in experiment.strategies if s["key"] == key), None)
        if spec is None:
            continue
        out[int(alert_id)] = AssignedStrategy(
            experiment_id=int(experiment.id),
            experiment=str(experiment.name),
            kind=str(experiment.kind),
            key=str(key),
            label=str(spec["label"]),
            value=str(spec["value"]),
        )
    return out


def strategy_for_alert(session: Session, alert_id: int | None) -> AssignedStrategy | None:
    """The strategy of one alert in a running experiment, or None."""
    if alert_id is None:
        return None
    return strategies_for_alerts(session, [alert_id]).get(alert_id)

"""The demo's strategy experiment: two tones tried against each other on the past
alerts of the outreach arm, with different true effects, so that Results ▸ Experiments
has a winner to find (and tests can check it is found).

- Which alerts: every past alert of the outreach arm (services/demo/outreach.py); the
  held out are never in it. Each gets a strategy from the app's own draw
  (services.alerts.experiments.draw: permuted blocks within the risk band, in the order
  the alerts were raised), seeded with ``SEED``.
- The truth: outreach's effect over the baseline (the contacted rate minus the baseline
  rate) is multiplied by the strategy's ``multiplier``; the multipliers average 1 over
  the strategies, which the draw splits evenly, so the contacted arm's mean rate stays
  services.demo.outreach.CONTACTED_RATE. An alert in no experiment has the multiplier 1.
  The contacted arm's probability for alert i is baseline_i + uplift_i x multiplier(i):
  the demo draws each arm as before, then ``redraw`` draws who re-engaged again within
  each strategy at its own rate (a random stream of its own, so nothing else moves).
- Each email of an alert in the experiment is written in its strategy's tone.
- Stored as an ended experiment ("Warm or concise", from an hour before the first past
  alert to an hour after the last), with one assignment per alert: today's alerts get no
  strategy (the composer and Draft for all keep the workspace's defaults until a user
  starts an experiment); the truth goes in the demo's truth ("outreach" ▸
  "experiment") and each customer's ``attributes["demo_outreach"]["strategy"]``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.experiments import Experiment, ExperimentAssignment
from models.schema import Alert, Customer
from models.vocab import RISK_BANDS
from services.alerts.experiments import draw
from services.demo.uplift_truth import draw_share
from services.demo.vocabulary import FloatArray, IntArray, ObjArray

NAME = "Warm or concise"
KIND = "tone"
SEED = 4040
# (key, label, tone, multiplier of outreach's effect): the multipliers average 1.
STRATEGIES: tuple[tuple[str, str, str, float], ...] = (
    ("warm", "Warm tone", "warm", 1.75),
    ("concise", "Concise tone", "concise", 0.25),
)
NONE = -1  # in no experiment
# The rules of the demo's past alerts (services/demo/outreach.py): the experiment's.
RULES = ("gone_quiet", "high_risk_high_value", "risk_rising")


def assign(band: IntArray, holdout: np.ndarray) -> tuple[IntArray, IntArray, IntArray]:
    """Each past alert's strategy (index into STRATEGIES; NONE for the held out), block
    and position, from the app's draw, in the order the alerts were raised."""
    arm = np.flatnonzero(~holdout)
    names = [RISK_BANDS[int(b)] for b in band[arm].tolist()]
    chosen, blocks, positions, _after = draw(names, SEED, len(STRATEGIES), {})
    out = np.full((3, len(band)), NONE, dtype=np.int64)
    out[0, arm], out[1, arm], out[2, arm] = chosen, blocks, positions
    return out[0], out[1], out[2]


def multipliers(strategy: IntArray) -> FloatArray:
    """Each alert's multiplier of outreach's effect (1 outside the experiment)."""
    table = np.array([m for *_rest, m in STRATEGIES], dtype=np.float64)
    return np.where(strategy >= 0, table[np.maximum(strategy, 0)], 1.0)


def redraw(
    reengaged: np.ndarray,
    contacted: np.ndarray,
    strategy: IntArray,
    chances: tuple[FloatArray, FloatArray],
    baseline: float,
    contacted_rate: float,
) -> np.ndarray:
    """Who re-engaged, redrawn within each strategy of the contacted arm at its own true
    rate (exact shares, as the demo draws each arm), each customer by their own chance
    ``baseline_i + uplift_i x multiplier`` (``chances``: services/demo/uplift_truth.py's
    baseline and uplift per alert), from a random stream of its own: the arm's draw and
    everything after it use the demo's stream as before."""
    own_baseline, own_uplift = chances
    rng = np.random.default_rng([SEED, len(strategy)])
    out = reengaged.copy()
    for s, (*_rest, multiplier) in enumerate(STRATEGIES):
        rate = baseline + (contacted_rate - baseline) * multiplier
        members = np.flatnonzero(contacted & (strategy == s))
        out[members] = False
        chance = own_baseline[members] + own_uplift[members] * multiplier
        out[draw_share(rng, members, chance, rate)] = True
    return out


def email_tones(tones: ObjArray, strategy: IntArray) -> ObjArray:
    """The emails' tones, each of an alert in the experiment in its strategy's."""
    out = tones.copy()
    for s, (_key, _label, tone, _m) in enumerate(STRATEGIES):
        out[strategy == s] = tone
    return out


def truth(strategy: IntArray, baseline: float, contacted_rate: float) -> dict[str, Any]:
    """The experiment's truth (services/demo/truth.py)."""
    return {
        "name": NAME,
        "kind": KIND,
        "seed": SEED,
        "strategies": [
            {
                "key": key,
                "tone": tone,
                "multiplier": m,
                "true_rate": round(baseline + (contacted_rate - baseline) * m, 6),
                "alerts": int((strategy == s).sum()),
            }
            for s, (key, _label, tone, m) in enumerate(STRATEGIES)
        ],
        "winner": max(STRATEGIES, key=lambda s: s[3])[0],
    }


def add_demo_experiment(session: Session, built_at: dt.datetime) -> None:
    """Store the experiment and its assignments (the past alerts of customers whose
    ``demo_outreach`` names a strategy). Its start is audited by the build's own event
    ("demo_built"; the experiment's truth is the demo's ``outreach`` truth)."""
    rows = session.execute(
        select(
            Alert.id, Alert.customer_id, Alert.holdout_band, Alert.created_at, Customer.attributes
        )
        .join(Customer, Customer.id == Alert.customer_id)
        .where(Alert.holdout.is_(False), Alert.holdout_band.is_not(None))
        .order_by(Alert.created_at, Alert.id)
    ).all()
    given = [r for r in rows if "strategy" in ((r.attributes or {}).get("demo_outreach") or {})]
    if not given:
        return
    first = min(r.created_at for r in given)
    counts: dict[str, int] = {}
    for r in given:
        counts[str(r.holdout_band)] = counts.get(str(r.holdout_band), 0) + 1
    experiment = Experiment(
        name=NAME,
        kind=KIND,
        strategies=[{"key": k, "label": label, "value": tone} for k, label, tone, _m in STRATEGIES],
        rules=list(RULES),
        bands=["low", "medium", "high"],
        seed=SEED,
        draws=counts,
        status="ended",
        started_at=first - dt.timedelta(hours=1),
        ended_at=max(r.created_at for r in given) + dt.timedelta(hours=1),
        created_by="demo",
    )
    session.add(experiment)
    session.flush()
    for r in given:
        said = r.attributes["demo_outreach"]
        session.add(
            ExperimentAssignment(
                experiment_id=experiment.id,
                alert_id=int(r.id),
                customer_id=int(r.customer_id),
                strategy=str(said["strategy"]),
                band=str(r.holdout_band),
                block=int(said["block"]),
                position=int(said["position"]),
                assigned_at=r.created_at,
            )
        )
    session.flush()


def mark(attributes: ObjArray, customers: IntArray, drawn: tuple[IntArray, ...]) -> None:
    """Each customer's strategy, block and position beside their demo arm."""
    strategy, blocks, positions = drawn
    for i in np.flatnonzero(strategy >= 0).tolist():
        attributes[int(customers[i])]["demo_outreach"].update(
            strategy=STRATEGIES[int(strategy[i])][0],
            block=int(blocks[i]),
            position=int(positions[i]),
        )

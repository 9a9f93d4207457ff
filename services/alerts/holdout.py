"""Learn's holdout: which newly alerted customers get no outreach suggested.

Decided once, when an alert is raised (``generate_alerts`` calls ``assign``), stored with
the alert (``alerts.holdout``, ``alerts.holdout_band``) and never redrawn:

- Only the risk queue's alerts take part (the customers we may lose); growth and pipeline
  alerts are in no group (``holdout_band`` NULL), as are alerts raised while the share
  (setting ``learn.holdout_percent``) is 0.
- A customer with an active alert that already took part keeps that alert's group for
  every new one: the holdout is of customers, and a customer cannot be both contacted
  and held out at once.
- Otherwise the draw is stratified by risk band (``services.alerts.risk_bands``, the
  bands the Customers filter offers, from the churn risk the alert was raised on) with
  permuted blocks, the design of randomised trials: within each band the alerts are
  numbered in the order they are raised (a counter per band kept in the setting
  ``learn.holdout_draws``; within one generation, highest priority first, then customer
  id and rule), cut into blocks of the smallest size B at which the share is a whole
  number m of alerts (10% -> blocks of 10, one held out), and in each block m positions,
  drawn from the seed (``learn.holdout_seed``), band and block number, are held out. So
  each band holds out the share exactly, block by block, and the same seed with the same
  alerts gives the same groups.
- Every alert held out is audited ("alert.held_out", with its band, block and position).

``mark_contacted`` records a held-out customer contacted anyway (an email logged, a
conversation by phone): their holdout alerts of the attribution window keep the flag
with when and why, and Learn counts the customer in neither group.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.schema import Alert, ScoreSnapshot
from models.vocab import ACTIVE_ALERT_STATUSES, RISK_BANDS
from services.alerts.risk_bands import RISK_HIGH_FROM, RISK_MEDIUM_FROM
from services.alerts.risk_bands import risk_band as risk_band
from services.settings import ALERT_RULES, set_setting
from services.settings.views import HoldoutRecords, LearnSettings

if TYPE_CHECKING:  # imported where used: the alert list's read (through lifecycle) skips it
    import pandas as pd

DRAWS_SETTING = "learn.holdout_draws"
NOT_GIVEN = "no reason given"

# The risk queue's rules: the alerts whose customers may be held out.
HOLDOUT_RULES = frozenset(rule.key for rule in ALERT_RULES if rule.queue == "risk")
# Band edges on churn risk (0-1): low below the first, high from the second.
BAND_EDGES = (RISK_MEDIUM_FROM, RISK_HIGH_FROM)


@dataclass(frozen=True)
class HoldoutConfig:
    """The holdout settings a generation draws with."""

    percent: float
    seed: int
    draws: dict[str, int]
    window_days: int

    @property
    def on(self) -> bool:
        return self.percent > 0


def read_config(session: Session) -> HoldoutConfig:
    """The workspace's holdout settings."""
    draws = HoldoutRecords.read(session).draws
    learn = LearnSettings.read(session)
    return HoldoutConfig(
        percent=learn.holdout_percent,
        seed=learn.holdout_seed,
        draws={band: int(draws.get(band, 0)) for band in RISK_BANDS},
        window_days=learn.attribution_days,
    )


def block_shape(percent: float) -> tuple[int, int]:
    """(block size B, held out per block m): the smallest B <= 100 at which ``percent`` of
    B is a whole number; beyond that, the nearest whole percent of 100."""
    share = Fraction(percent).limit_denominator(100) / 100
    if share.denominator <= 100:
        return share.denominator, share.numerator
    return 100, round(percent)


def held_positions(seed: int, band: str, block: int, size: int, held: int) -> frozenset[int]:
    """The positions held out in one block of one band (a pure function of its inputs)."""
    rng = np.random.default_rng([seed, RISK_BANDS.index(band), block])
    return frozenset(int(p) for p in rng.choice(size, size=held, replace=False))


def assign(
    fresh: pd.DataFrame,
    churn: pd.Series,
    inherited: dict[int, tuple[bool, str]],
    config: HoldoutConfig,
) -> tuple[pd.DataFrame, dict[str, int], list[dict[str, Any]]]:
    """The new alerts with ``holdout`` and ``holdout_band`` set; the draw counters after;
    and the audit details of each held-out alert (by customer and rule).

    ``fresh`` holds customer_id, rule_key, priority_cents and ``tie`` (a stable hash of
    the customer's source ids: equal priorities are drawn in its order, whatever order the
    rows were imported in). ``churn``: churn risk by customer id. ``inherited``: customer
    id -> (holdout, band) of their active alert that took part already.
    """
    import pandas as pd

    out = fresh.copy()
    out["holdout"] = False
    out["holdout_band"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    draws = {band: int(config.draws.get(band, 0)) for band in RISK_BANDS}
    if out.empty or not config.on:
        return out, draws, []
    size, held = block_shape(config.percent)
    taking = out[out["rule_key"].isin(sorted(HOLDOUT_RULES))].sort_values(
        ["priority_cents", "tie", "rule_key"],
        ascending=[False, True, True],
        kind="stable",
    )
    # Each customer is decided once, by their first alert in that order; customers who
    # inherit a group are not drawn.
    firsts = taking.drop_duplicates("customer_id")
    drawing = firsts[~firsts["customer_id"].isin(list(inherited))]
    customers = drawing["customer_id"].astype(np.int64).to_numpy()
    risk = pd.to_numeric(churn.reindex(customers), errors="coerce").to_numpy(np.float64)
    bands = np.select(
        [np.isnan(risk), risk < BAND_EDGES[0], risk < BAND_EDGES[1]],
        ["unscored", "low", "medium"],
        "high",
    ).astype(object)
    numbers = np.zeros(len(customers), np.int64)
    for band in RISK_BANDS:
        mask = bands == band
        numbers[mask] = draws[band] + np.arange(int(mask.sum()))
        draws[band] += int(mask.sum())
    blocks, positions = np.divmod(numbers, size)
    cache: dict[tuple[str, int], frozenset[int]] = {}
    flags = np.zeros(len(customers), bool)
    for i, (band, block, position) in enumerate(
        zip(bands.tolist(), blocks.tolist(), positions.tolist(), strict=True)
    ):
        if (band, block) not in cache:
            cache[(band, block)] = held_positions(config.seed, band, block, size, held)
        flags[i] = position in cache[(band, block)]
    decided = {
        c: (bool(f), str(b)) for c, f, b in zip(customers.tolist(), flags, bands, strict=True)
    }
    decided.update(inherited)
    rules = drawing["rule_key"].to_numpy(dtype=object)
    audits = [
        {
            "customer_id": int(customers[i]),
            "rule_key": str(rules[i]),
            "band": str(bands[i]),
            "block": int(blocks[i]),
            "position": int(positions[i]),
            "percent": config.percent,
            "seed": config.seed,
        }
        for i in np.flatnonzero(flags).tolist()
    ]
    who = taking["customer_id"].astype(np.int64).map(decided)
    out.loc[taking.index, "holdout"] = who.map(lambda d: d[0]).astype(bool)
    out.loc[taking.index, "holdout_band"] = who.map(lambda d: d[1]).astype(object)
    out["holdout"] = out["holdout"].astype(bool)
    return out, draws, audits


def save_draws(session: Session, draws: dict[str, int]) -> None:
    """Keep the counters for the next generation (inside its transaction)."""
    set_setting(session, DRAWS_SETTING, {band: int(n) for band, n in draws.items()})


def audit_rows(
    at: Any, actor: str, audits: list[dict[str, Any]], ids: dict[tuple[int, str], int]
) -> list[tuple[Any, ...]]:
    """The "alert.held_out" audit rows, once the held-out alerts have ids."""
    return [
        (
            at,
            actor,
            "alert.held_out",
            "alert",
            ids[(a["customer_id"], a["rule_key"])],
            json.dumps(a),
        )
        for a in audits
        if (a["customer_id"], a["rule_key"]) in ids
    ]


def held_out(session: Session, customer_id: int) -> bool:
    """Whether the customer is in the holdout now: an active alert held out, and not
    contacted anyway."""
    found = session.scalar(
        select(Alert.id)
        .where(
            Alert.customer_id == customer_id,
            Alert.holdout.is_(True),
            Alert.holdout_contacted_at.is_(None),
            Alert.status.in_(ACTIVE_ALERT_STATUSES),
        )
        .limit(1)
    )
    return found is not None


def mark_contacted(
    session: Session, customer_id: int, when: dt.datetime, reason: str | None
) -> list[int]:
    """Record that a held-out customer was contacted anyway (inside the caller's
    transaction): their holdout alerts raised within the attribution window before
    ``when``, not marked yet, get the time and the reason. Returns the alert ids marked
    (the caller audits them); none when the customer is in no holdout."""
    window = LearnSettings.read(session).attribution_days
    since = when - dt.timedelta(days=window)
    ids = list(
        session.scalars(
            select(Alert.id).where(
                Alert.customer_id == customer_id,
                Alert.holdout.is_(True),
                Alert.holdout_contacted_at.is_(None),
                (Alert.created_at >= since) | Alert.status.in_(ACTIVE_ALERT_STATUSES),
            )
        )
    )
    if ids:
        # A change a person made (the version moves, as for any other; updated_at is the
        # time of its audit event). The alerts this session holds (a card being acted
        # on) must take the new version, or their own UPDATE would be refused as stale:
        # "fetch" says so rather than leaving it to the default's evaluation in Python.
        session.execute(
            update(Alert)
            .where(Alert.id.in_(ids))
            .values(
                holdout_contacted_at=when,
                holdout_contact_reason=(reason or "").strip() or NOT_GIVEN,
                updated_at=when,
                version=Alert.version + 1,
            )
            .execution_options(synchronize_session="fetch")
        )
    return [int(i) for i in ids]


def draw_for_raised(session: Session, alert: Alert) -> dict[str, Any] | None:
    """Draw the group of a held-back alert a user raises (inside their transaction), as
    the generation would have; returns the audit details when it is held out."""
    config = read_config(session)
    if not config.on or alert.rule_key not in HOLDOUT_RULES or alert.holdout_band is not None:
        return None
    import pandas as pd

    inherited: dict[int, tuple[bool, str]] = {}
    row = session.execute(
        select(Alert.holdout, Alert.holdout_band)
        .where(
            Alert.customer_id == alert.customer_id,
            Alert.id != alert.id,
            Alert.status.in_(ACTIVE_ALERT_STATUSES),
            Alert.holdout_band.is_not(None),
        )
        .order_by(Alert.id)
        .limit(1)
    ).first()
    if row is not None:
        inherited[int(alert.customer_id)] = (bool(row[0]), str(row[1]))
    snapshot = (
        session.get(ScoreSnapshot, alert.score_snapshot_id) if alert.score_snapshot_id else None
    )
    churn = pd.Series(
        {int(alert.customer_id): snapshot.churn_risk if snapshot is not None else None},
        dtype=object,
    )
    fresh = pd.DataFrame(
        {
            "customer_id": [int(alert.customer_id)],
            "rule_key": [alert.rule_key],
            "priority_cents": [int(alert.priority_cents or 0)],
            "tie": [0],  # one alert: nothing to break a tie with
        }
    )
    drawn, draws, audits = assign(fresh, churn, inherited, config)
    alert.holdout = bool(drawn["holdout"].iloc[0])
    alert.holdout_band = str(drawn["holdout_band"].iloc[0])
    if draws != config.draws:
        save_draws(session, draws)
    return audits[0] if audits else None

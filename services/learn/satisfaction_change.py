"""NPS and CSAT after outreach, the contacted against the held out (the brief's "NPS
changes following alert-driven interventions").

The alerts are Learn's exposures (services/learn/data.py, the one exposure definition):
the contacted (an email sent or a playbook started on the alert; the clock starts then)
and the held out nobody contacted (the clock starts when the alert was raised); held-out
alerts contacted anyway and alerts assigned outreach that never got it are in neither
arm. For each alert:

- **before**: the customer's latest answer in the ``BEFORE_DAYS`` (180) days before the
  alert was raised;
- **after**: the customer's first answer in the ``AFTER_DAYS`` (120) days after the clock
  started;
- the alert is *paired* when it has both; its change is after - before (NPS on its
  0-10 scale; CSAT as 1 for a ticket rated good and 0 for bad, so a mean change is a
  share).

Each arm's mean change, and the difference (contacted's - held out's) with a 95%
percentile bootstrap interval (services.learn.lift's, seeded, over the changes sorted so
that the order rows come in never matters). "Not enough data" when either arm has fewer
than ``MIN_PAIRED`` (20) paired alerts; the response rate of each arm (paired / alerts)
says how thin the comparison is.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from services.learn.attribution import CONTACTED, HOLDOUT
from services.learn.data import load_learn_data
from services.learn.lift import DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, bootstrap_mean_difference
from services.learn.satisfaction_records import CSAT, NPS, ArmChange, ChangeAfterOutreach

BEFORE_DAYS = 180
AFTER_DAYS = 120
MIN_PAIRED = 20
PAIR_COLUMNS = ("alert_id", "customer_id", "group", "before", "after", "change")


def exposures_for_change(
    session: Session, since: dt.date | None, until: dt.date | None, zone: str
) -> pd.DataFrame:
    """The alerts of both arms whose clock started in the period: alert_id, customer_id,
    group, alert_created and start (UTC)."""
    exposures = load_learn_data(session, since, until, zone).exposures
    kept = exposures[~exposures["excluded"].astype(bool)]
    kept = kept[kept["group"].isin((CONTACTED, HOLDOUT))]
    return kept[["alert_id", "customer_id", "group", "alert_created", "start"]].reset_index(
        drop=True
    )


def pair_answers(
    exposures: pd.DataFrame,
    answers: pd.DataFrame,
    before_days: int = BEFORE_DAYS,
    after_days: int = AFTER_DAYS,
) -> pd.DataFrame:
    """Per alert with an answer on both sides: its latest answer in the ``before_days``
    before the alert was raised, its first in the ``after_days`` after the clock started,
    and the change (PAIR_COLUMNS, by alert id)."""
    frame = exposures[["alert_id", "customer_id", "group", "alert_created", "start"]].merge(
        answers[["customer_id", "at", "value"]], on="customer_id"
    )
    created = pd.to_datetime(frame["alert_created"], utc=True)
    start = pd.to_datetime(frame["start"], utc=True)
    at = pd.to_datetime(frame["at"], utc=True)
    before = frame[(at < created) & (at >= created - pd.Timedelta(days=before_days))]
    after = frame[(at > start) & (at <= start + pd.Timedelta(days=after_days))]
    order = ["alert_id", "at", "value"]
    last = before.sort_values(order, kind="stable").drop_duplicates("alert_id", keep="last")
    first = after.sort_values(order, kind="stable").drop_duplicates("alert_id", keep="first")
    pairs = last[["alert_id", "customer_id", "group", "value"]].merge(
        first[["alert_id", "value"]], on="alert_id", suffixes=("_before", "_after")
    )
    out = pd.DataFrame(
        {
            "alert_id": pairs["alert_id"].astype(np.int64),
            "customer_id": pairs["customer_id"].astype(np.int64),
            "group": pairs["group"],
            "before": pairs["value_before"].astype(np.float64),
            "after": pairs["value_after"].astype(np.float64),
        },
        columns=list(PAIR_COLUMNS[:-1]),
    )
    out["change"] = out["after"] - out["before"]
    return out.sort_values("alert_id", kind="stable").reset_index(drop=True)


def _arm(group: str, exposures: pd.DataFrame, pairs: pd.DataFrame) -> ArmChange:
    mine = pairs[pairs["group"] == group]

    def mean(column: str) -> float | None:
        return float(mine[column].mean()) if len(mine) else None

    return ArmChange(
        group=group,
        alerts=int((exposures["group"] == group).sum()),
        paired=len(mine),
        mean_before=mean("before"),
        mean_after=mean("after"),
        mean_change=mean("change"),
        customer_ids=tuple(int(c) for c in np.unique(mine["customer_id"].to_numpy())),
    )


def compare_arms(
    measure: str,
    exposures: pd.DataFrame,
    pairs: pd.DataFrame,
    *,
    before_days: int = BEFORE_DAYS,
    after_days: int = AFTER_DAYS,
    min_paired: int = MIN_PAIRED,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> ChangeAfterOutreach:
    """Each arm's mean change and the difference with its bootstrap interval."""
    contacted, holdout = _arm(CONTACTED, exposures, pairs), _arm(HOLDOUT, exposures, pairs)
    difference = low = high = None
    if contacted.paired and holdout.paired:
        changes = {g: np.sort(pairs.loc[pairs["group"] == g, "change"].to_numpy()) for g in
                   (CONTACTED, HOLDOUT)}  # fmt: skip
        lift = bootstrap_mean_difference(
            changes[CONTACTED], changes[HOLDOUT], confidence, resamples, seed
        )
        difference, low, high = lift.lift_cents, lift.low_cents, lift.high_cents
    return ChangeAfterOutreach(
        measure=measure,
        contacted=contacted,
        holdout=holdout,
        difference=difference,
        low=low,
        high=high,
        confidence=confidence,
        min_paired=min_paired,
        before_days=before_days,
        after_days=after_days,
    )


def change_after_outreach(
    session: Session,
    nps: pd.DataFrame,
    csat: pd.DataFrame,
    since: dt.date | None,
    until: dt.date | None,
    zone: str,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
) -> dict[str, ChangeAfterOutreach]:
    """The change of NPS and of CSAT after the outreach of the alerts whose clock started
    in ``[since, until]`` (local dates), by measure."""
    exposures = exposures_for_change(session, since, until, zone)
    return {
        measure: compare_arms(
            measure,
            exposures,
            pair_answers(exposures, answers),
            confidence=confidence,
            seed=seed,
        )
        for measure, answers in ((NPS, nps), (CSAT, csat))
    }

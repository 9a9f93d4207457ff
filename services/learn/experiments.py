"""Results of the strategy experiments: each strategy against the holdout and
against each other (services/learn/experiments_stats.py), for Results ▸ Experiments and
``report experiments``.

Who counts, with Learn's one exposure definition (services/learn/data.py and
attribution.py, as every other Learn figure):

- A strategy's customers: the contacted exposures (an email sent or exported, or a
  playbook started; for a channel experiment also a call or meeting logged on the alert:
  services/learn/experiment_contacts.py) of the alerts assigned that strategy
  (experiment_assignments), counted by ``attribute`` (the customer's first exposure, its
  window closed).
- The holdout: the held-out exposures of the experiment's rules and bands that started
  while it ran (from its start to its end, or now). The holdout's draw is never touched by
  an experiment, so the same held-out customers serve every strategy.
- Re-engaged: a paid order within the attribution window (``learn.attribution_days``).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.experiments import Experiment, ExperimentAssignment
from models.schema import Alert
from models.vocab import CONTACT_CHANNELS, EXPERIMENT_KINDS
from services.alerts._db import aware, reading
from services.alerts.config import RULE_TITLES
from services.alerts.experiment_records import ExperimentChoices, offer_label
from services.alerts.lifecycle import moment
from services.learn.attribution import CONTACTED, HOLDOUT, attribute
from services.learn.data import load_learn_data
from services.learn.experiment_contacts import with_channel_contacts
from services.learn.experiments_records import ExperimentResult, ExperimentsReport, StrategyRow
from services.learn.experiments_stats import StrategyCounts, compare
from services.learn.lift import DEFAULT_CONFIDENCE
from services.settings.views import LearnSettings


def experiments_report(
    engine: Engine, now: dt.datetime | None = None, *, confidence: float = DEFAULT_CONFIDENCE
) -> ExperimentsReport:
    """The results of every experiment, as of ``now``."""
    when = moment(now)
    with reading(engine) as conn, Session(bind=conn) as session:
        return experiments_in(session, when, confidence)


def experiments_in(
    session: Session, when: dt.datetime, confidence: float = DEFAULT_CONFIDENCE
) -> ExperimentsReport:
    """The report, read in the caller's transaction."""
    window = LearnSettings.read(session).attribution_days
    experiments = session.scalars(
        select(Experiment).order_by(Experiment.started_at.desc(), Experiment.id.desc())
    ).all()
    if not experiments:
        return ExperimentsReport((), window, when)
    data = load_learn_data(session)
    exposures = with_channel_contacts(session, data, experiments)
    counted = attribute(exposures, data.orders, window, as_of=when.replace(tzinfo=None))
    counted = counted[counted["counted"]]
    assignments = pd.DataFrame(
        session.execute(
            select(
                ExperimentAssignment.experiment_id,
                ExperimentAssignment.alert_id,
                ExperimentAssignment.strategy,
            )
        ).all(),
        columns=["experiment_id", "alert_id", "strategy"],
    )
    bands = dict(
        session.execute(select(Alert.id, Alert.holdout_band).where(Alert.holdout.is_(True))).all()
    )
    held = counted[counted["group"] == HOLDOUT]
    held = held.assign(band=held["alert_id"].map(bands))
    contacted = counted[counted["group"] == CONTACTED]
    results = tuple(_result(e, assignments, contacted, held, when, confidence) for e in experiments)
    return ExperimentsReport(results, window, when)


def _ids(rows: pd.DataFrame) -> tuple[int, ...]:
    return tuple(sorted(int(c) for c in rows["customer_id"].tolist()))


def _result(
    experiment: Experiment,
    assignments: pd.DataFrame,
    contacted: pd.DataFrame,
    held: pd.DataFrame,
    when: dt.datetime,
    confidence: float,
) -> ExperimentResult:
    mine = assignments[assignments["experiment_id"] == experiment.id]
    given = contacted.merge(mine[["alert_id", "strategy"]], on="alert_id", how="inner")
    start = pd.Timestamp(aware(experiment.started_at))
    end = pd.Timestamp(aware(experiment.ended_at) if experiment.ended_at else when)
    starts = pd.to_datetime(held["start"], utc=True)
    holdout = held[
        held["rule"].isin(list(experiment.rules)).to_numpy()
        & held["band"].isin(list(experiment.bands)).to_numpy()
        & (starts >= start).to_numpy()
        & (starts <= end).to_numpy()
    ]
    rows, counts = [], []
    for spec in experiment.strategies:
        key = str(spec["key"])
        part = given[given["strategy"] == key]
        back = part[part["reengaged"].astype(bool)]
        rows.append(
            StrategyRow(
                key=key,
                label=str(spec["label"]),
                value=str(spec["value"]),
                assigned=int((mine["strategy"] == key).sum()),
                customer_ids=_ids(part),
                reengaged_ids=_ids(back),
            )
        )
        counts.append(StrategyCounts(key, str(spec["label"]), len(part), len(back)))
    x0 = int(holdout["reengaged"].astype(bool).sum())
    return ExperimentResult(
        id=int(experiment.id),
        name=str(experiment.name),
        kind=str(experiment.kind),
        status=str(experiment.status),
        started_at=aware(experiment.started_at),
        ended_at=aware(experiment.ended_at) if experiment.ended_at else None,
        rules=tuple(experiment.rules),
        bands=tuple(experiment.bands),
        seed=int(experiment.seed),
        strategies=tuple(rows),
        holdout_ids=_ids(holdout),
        comparison=compare(counts, (x0, len(holdout)), confidence),
        rule_titles=tuple(RULE_TITLES.get(r, r) for r in experiment.rules),
    )


KIND_LABELS = {
    "tone": "Tone",
    "template": "Template",
    "playbook": "Playbook",
    "offer": "Offer size",
    "channel": "Channel",
}
# The offer caps a strategy may set (percent of the predicted value; 0: no offer).
OFFER_PERCENTS = (0, 5, 10, 15, 20, 25)
CHANNEL_LABELS = {"email": "Email", "call": "Call", "meeting": "Meeting"}


def experiment_choices(engine: Engine) -> ExperimentChoices:
    """The tones, templates (one per goal), playbooks, risk rules and bands an experiment
    may use."""
    from services.alerts.holdout import HOLDOUT_RULES
    from services.alerts.playbooks import playbook_choices
    from services.alerts.risk_bands import RISK_BAND_BY_KEY
    from services.outreach.records import GOAL_LABELS, TONE_LABELS

    playbooks = tuple((p.key, p.name) for p in playbook_choices(engine))
    values = {
        "tone": tuple((k, f"{v} tone") for k, v in TONE_LABELS.items()),
        "template": tuple((k, f"{v} template") for k, v in GOAL_LABELS.items()),
        "playbook": playbooks,
        "offer": tuple((str(p), offer_label(p)) for p in OFFER_PERCENTS),
        "channel": tuple((c, CHANNEL_LABELS[c]) for c in CONTACT_CHANNELS),
    }
    return ExperimentChoices(
        kinds=tuple((k, KIND_LABELS[k]) for k in EXPERIMENT_KINDS if values[k]),
        values={k: v for k, v in values.items() if v},
        rules=tuple((k, RULE_TITLES[k]) for k in RULE_TITLES if k in HOLDOUT_RULES),
        bands=tuple((b.key, b.label) for b in RISK_BAND_BY_KEY.values()),
    )

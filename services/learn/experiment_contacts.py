"""Contact by call or meeting for channel experiments, beside
services/learn/experiments.py.

Learn's exposure definition (services/learn/data.py) counts an email sent or exported and
a playbook started. A channel experiment asks for a call or a meeting instead, so for the
alerts it assigned, the first of these recorded on the alert also counts as the contact
(when no email or playbook came first):

- a call logged on the alert that reached the customer (outcome "connected", or a call
  logged before calls had an outcome), as services/alerts/inputs.py counts contact;
- a meeting scheduled from the alert (services/outreach/meeting.py: its task "Meeting
  at ..."), from when it was scheduled.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from models.experiments import Experiment, ExperimentAssignment
from models.schema import Action
from models.vocab import CALL_CONVERSATION
from services.learn.attribution import CONTACTED
from services.learn.data import EXPOSURE_COLUMNS, LearnData

MEETING_TITLE = "Meeting at %"  # the task log_meeting writes on the meeting's day


def channel_exposures(
    session: Session, data: LearnData, experiments: Sequence[Experiment]
) -> pd.DataFrame:
    """Contacted exposures (EXPOSURE_COLUMNS) of the not-yet-contacted alerts of channel
    experiments reached by a logged call or a meeting, from the first of them."""
    ids = [int(e.id) for e in experiments if e.kind == "channel"]
    waiting = data.not_contacted
    if not ids or waiting.empty:
        return pd.DataFrame(columns=list(EXPOSURE_COLUMNS))
    call = and_(
        Action.kind == "call",
        or_(Action.outcome.is_(None), Action.outcome == CALL_CONVERSATION),
    )
    meeting = and_(Action.kind == "task", Action.title.like(MEETING_TITLE))
    rows = session.execute(
        select(Action.alert_id, func.min(Action.created_at))
        .join(ExperimentAssignment, ExperimentAssignment.alert_id == Action.alert_id)
        .where(ExperimentAssignment.experiment_id.in_(ids), or_(call, meeting))
        .group_by(Action.alert_id)
    ).all()
    if not rows:
        return pd.DataFrame(columns=list(EXPOSURE_COLUMNS))
    first = pd.DataFrame(rows, columns=["alert_id", "start"])
    first["alert_id"] = first["alert_id"].astype("int64")
    reached = waiting.merge(first, on="alert_id", how="inner")
    reached["start"] = pd.to_datetime(reached["start"], utc=True)
    reached["group"] = CONTACTED
    reached["excluded"] = False
    reached["outreach_id"] = pd.array([pd.NA] * len(reached), dtype="Int64")
    return reached[list(EXPOSURE_COLUMNS)].reset_index(drop=True)


def with_channel_contacts(
    session: Session, data: LearnData, experiments: Sequence[Experiment]
) -> pd.DataFrame:
    """The exposures with those of channel experiments' calls and meetings added."""
    extra = channel_exposures(session, data, experiments)
    if extra.empty:
        return data.exposures
    return pd.concat([data.exposures, extra], ignore_index=True)

"""One customer's product usage for the customer pane: whether the workspace holds any
usage at all, and the customer's summary (services/usage/summary.py) as of the
workspace's today.

The features the workspace saw (every customer's last 90 days, read from their JSON) cost
far more than one customer's rows; ``FeaturesSeen`` keeps them from one customer to the
next until the day, the usage stored or the imports change.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.schema import ImportRun, UsageDay
from services.core.local_dates import TIME_ZONE_SETTING, workspace_zone
from services.settings import get_setting
from services.usage.records import CustomerUsage
from services.usage.summary import customer_usage, has_usage, workspace_features


def local_today(session: Session, now: dt.datetime) -> dt.date:
    """The day ``now`` falls on in the workspace's time zone (usage days are local days)."""
    moment = now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)
    zone = ZoneInfo(workspace_zone(get_setting(session, TIME_ZONE_SETTING) or None))
    return moment.astimezone(zone).date()


class FeaturesSeen:
    """The workspace's features seen as of a day (summary.workspace_features), read again
    when the day changes, usage rows are added or an import lands or is undone."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._features: tuple[str, ...] = ()

    def get(self, session: Session, as_of: dt.date) -> tuple[str, ...]:
        """The features seen as of ``as_of``, read from the workspace when stale."""
        # Usage rows come and go only with imports (written, merged, undone: undoing sets
        # undone_at); no count of every row, which cost 85 ms a selection at 100,000.
        last_run, last_undone = session.execute(
            select(func.max(ImportRun.id), func.max(ImportRun.undone_at))
        ).one()
        key = (as_of, session.scalar(select(func.max(UsageDay.id))), last_run, last_undone)
        if key != self._key:
            self._features = workspace_features(session, as_of=as_of)
            self._key = key
        return self._features


def load_customer_usage(
    engine: Engine, customer_id: int, *, now: dt.datetime, seen: FeaturesSeen | None = None
) -> CustomerUsage:
    """The customer's usage as of today (``now`` in the workspace's zone); no summary when
    the workspace, or this customer, has none. ``seen`` keeps the workspace's features
    between calls."""
    with translate_db_errors(), Session(engine) as session:
        if not has_usage(session):
            return CustomerUsage(workspace_has_usage=False)
        as_of = local_today(session, now)
        features = seen.get(session, as_of) if seen is not None else None
        summary = customer_usage(session, customer_id, as_of=as_of, features_seen=features)
        return CustomerUsage(workspace_has_usage=True, summary=summary)

"""One customer's product usage for the customer pane: whether the workspace holds any
usage at all, and the customer's summary (services/usage/summary.py) as of the
workspace's today.

The features the workspace saw (every customer's last 90 days, read from their JSON) cost
far more than one customer's rows; ``FeaturesSeen`` keeps them from one customer to the
next until the day, the usage stored or the imports change. At a million customers they
take seconds even so: the pane reads the customer's own usage first (``features=False``)
and the workspace's features next (``load_features_seen``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.schema import ImportRun, UsageDay
from services.core.local_dates import workspace_zone
from services.settings.views import DateSettings
from services.usage.records import CustomerUsage, WorkspaceFeatures
from services.usage.summary import customer_usage, has_usage, workspace_features


def local_today(session: Session, now: dt.datetime) -> dt.date:
    """The day ``now`` falls on in the workspace's time zone (usage days are local days)."""
    moment = now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)
    zone = ZoneInfo(workspace_zone(DateSettings.read(session).time_zone or None))
    return moment.astimezone(zone).date()


class FeaturesSeen:
    """The workspace's features seen as of a day (summary.workspace_features), read again
    when the day changes, usage rows are added or an import lands or is undone."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._features: tuple[str, ...] = ()

    def get(self, session: Session, as_of: dt.date) -> tuple[str, ...]:
        """The features seen as of ``as_of``, read from the workspace when stale."""
        key = self._current_key(session, as_of)
        if key != self._key:
            self._features = workspace_features(session, as_of=as_of)
            self._key = key
        return self._features

    def kept(self, session: Session, as_of: dt.date) -> tuple[str, ...] | None:
        """The features seen as of ``as_of`` when the ones kept are still current, else
        None (nothing read but the key)."""
        return self._features if self._current_key(session, as_of) == self._key else None

    @staticmethod
    def _current_key(session: Session, as_of: dt.date) -> tuple[object, ...]:
        # Usage rows come and go only with imports (written, merged, undone: undoing sets
        # undone_at); no count of every row, which cost 85 ms a selection at 100,000.
        last_run, last_undone = session.execute(
            select(func.max(ImportRun.id), func.max(ImportRun.undone_at))
        ).one()
        return (as_of, session.scalar(select(func.max(UsageDay.id))), last_run, last_undone)


def load_customer_usage(
    engine: Engine,
    customer_id: int,
    *,
    now: dt.datetime,
    seen: FeaturesSeen | None = None,
    features: bool = True,
) -> CustomerUsage:
    """The customer's usage as of today (``now`` in the workspace's zone); no summary when
    the workspace, or this customer, has none. ``seen`` keeps the workspace's features
    between calls. ``features=False``: the workspace's features only when ``seen`` keeps
    them current; otherwise none, marked pending (``load_features_seen`` reads them)."""
    with translate_db_errors(), Session(engine) as session:
        if not has_usage(session):
            return CustomerUsage(workspace_has_usage=False)
        as_of = local_today(session, now)
        if features:
            names = seen.get(session, as_of) if seen is not None else None
        else:
            names = seen.kept(session, as_of) if seen is not None else None
        pending = not features and names is None
        summary = customer_usage(
            session, customer_id, as_of=as_of, features_seen=() if pending else names
        )
        return CustomerUsage(
            workspace_has_usage=True,
            summary=summary,
            features_pending=pending and summary is not None,
        )


def load_features_seen(
    engine: Engine, *, now: dt.datetime, seen: FeaturesSeen | None = None
) -> WorkspaceFeatures | None:
    """The features the workspace saw in the 90 days to today (``now`` in the workspace's
    zone), kept in ``seen``; None when the workspace holds no usage."""
    with translate_db_errors(), Session(engine) as session:
        if not has_usage(session):
            return None
        as_of = local_today(session, now)
        kept = seen if seen is not None else FeaturesSeen()
        return WorkspaceFeatures(as_of=as_of, names=kept.get(session, as_of))

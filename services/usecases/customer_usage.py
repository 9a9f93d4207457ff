"""One customer's product usage for the customer pane: whether the workspace holds any
usage at all, and the customer's summary (services/usage/summary.py) as of the
workspace's today."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from services.core.local_dates import TIME_ZONE_SETTING, workspace_zone
from services.settings import get_setting
from services.usage.records import CustomerUsage
from services.usage.summary import customer_usage, has_usage


def local_today(session: Session, now: dt.datetime) -> dt.date:
    """The day ``now`` falls on in the workspace's time zone (usage days are local days)."""
    moment = now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)
    zone = ZoneInfo(workspace_zone(get_setting(session, TIME_ZONE_SETTING) or None))
    return moment.astimezone(zone).date()


def load_customer_usage(engine: Engine, customer_id: int, *, now: dt.datetime) -> CustomerUsage:
    """The customer's usage as of today (``now`` in the workspace's zone); no summary when
    the workspace, or this customer, has none."""
    with translate_db_errors(), Session(engine) as session:
        if not has_usage(session):
            return CustomerUsage(workspace_has_usage=False)
        as_of = local_today(session, now)
        return CustomerUsage(
            workspace_has_usage=True,
            summary=customer_usage(session, customer_id, as_of=as_of),
        )

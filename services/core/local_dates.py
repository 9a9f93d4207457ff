"""The local date of an event: when, on the source's clock, an order or a ticket happened.

Orders and interactions are stored in UTC with ``utc_offset_minutes``, the offset of the
clock the source wrote them with (Shopify's "2024-09-19 21:30:00 -0700": -420). Their
local date is ``stored + offset``: that order was placed on 19 September, although it is
20 September in UTC. A stored NULL means the file named no zone: the stored time is the
source's wall time, shown as it is (rows imported before the offset was kept, too).

A source that writes UTC outright ("Z", "UTC") names no local clock: such events take the
workspace's time zone (setting ``workspace.time_zone``, default this computer's), turned
into an offset at import.

Every screen, draft, export and command that shows the date of an event goes through
:func:`local_date` / :func:`local_dates`.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    # pandas takes half a second to import and the settings (hence the window's start)
    # import this module: the vectorised functions import it when they run.
    import numpy as np
    import pandas as pd

TIME_ZONE_SETTING = "workspace.time_zone"


def computer_zone() -> str:
    """This computer's IANA zone name ("Europe/Berlin"), "UTC" when it cannot be told."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env and _valid(env):
        return env
    try:
        target = Path("/etc/localtime").resolve()
        parts = target.parts
        if "zoneinfo" in parts:
            name = "/".join(parts[parts.index("zoneinfo") + 1 :])
            if _valid(name):
                return name
    except OSError:
        pass
    return "UTC"


def _valid(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_problem(value: Any) -> str | None:
    """Why a time zone setting is refused ("" is fine: this computer's zone)."""
    if not isinstance(value, str):
        return "a time zone is a name such as Europe/Berlin"
    if value and not _valid(value):
        return f"'{value}' is not a time zone name; use one such as America/New_York or UTC"
    return None


def workspace_zone(setting: str | None) -> str:
    """The zone the setting names, else this computer's."""
    return setting if setting and _valid(setting) else computer_zone()


def local_time(stored: dt.datetime, offset_minutes: int | None) -> dt.datetime:
    """The event's time on the source's clock, labelled UTC (what views format as they
    format every time): Shopify's 21:30 at -0700 reads 21:30 on 19 September."""
    if stored.tzinfo is not None:
        stored = stored.astimezone(dt.UTC).replace(tzinfo=None)
    if offset_minutes is not None:
        stored = stored + dt.timedelta(minutes=int(offset_minutes))
    return stored.replace(tzinfo=dt.UTC)


def local_date(stored: dt.datetime | None, offset_minutes: int | None) -> dt.date | None:
    """The local date of one event (``stored`` naive UTC or aware)."""
    if stored is None:
        return None
    if stored.tzinfo is not None:
        stored = stored.astimezone(dt.UTC).replace(tzinfo=None)
    if offset_minutes is None:
        return stored.date()
    return (stored + dt.timedelta(minutes=int(offset_minutes))).date()


def local_day_sql(stored: str, offset: str, dialect: str = "sqlite") -> str:
    """SQL for the local date, 'YYYY-MM-DD' text, of a stored UTC time and its offset
    column, by :func:`local_date`'s rule (a NULL offset: the stored day). E.g. a customer's
    last order's from the rollups: ``local_day_sql("r.last_order_at",
    "r.last_order_offset_min")`` (models/last_orders.py)."""
    if dialect == "postgresql":
        return f"to_char({stored} + coalesce({offset}, 0) * interval '1 minute', 'YYYY-MM-DD')"
    return f"date({stored}, coalesce({offset}, 0) || ' minutes')"


def local_times(stored: pd.Series, offsets: pd.Series | None) -> pd.Series:
    """The local times of many events, naive datetime64[ns] (vectorised; a missing
    offset leaves the stored time as it is)."""
    import pandas as pd

    stamps = pd.to_datetime(stored, utc=True, errors="coerce").dt.tz_localize(None)
    if offsets is not None:
        minutes = pd.to_numeric(offsets, errors="coerce").fillna(0).to_numpy(dtype="float64")
        stamps = stamps + pd.to_timedelta(minutes, unit="m")
    return stamps


def local_dates(stored: pd.Series, offsets: pd.Series | None) -> pd.Series:
    """The local dates of many events, as datetime64[ns] at midnight (vectorised)."""
    return local_times(stored, offsets).dt.normalize()


def zone_offsets(stamps_utc: pd.Series, zone: str) -> np.ndarray[Any, Any]:
    """The offset (minutes) of ``zone`` at each UTC instant (for events a source wrote in
    UTC outright)."""
    import pandas as pd

    utc = pd.to_datetime(stamps_utc, utc=True, errors="coerce")
    local = utc.dt.tz_convert(zone).dt.tz_localize(None)
    delta = (local - utc.dt.tz_localize(None)).dt.total_seconds() / 60.0
    out: np.ndarray[Any, Any] = delta.to_numpy(dtype="float64")
    return out

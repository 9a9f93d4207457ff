"""Each source's freshness, judged once: its expected cadence (a setting, else learned from
the gaps between its imports), the usual gap between its records, and its state.

- Cadence: the source's own setting (``freshness.source_cadence_days``, by format), else
  the workspace's (``freshness.cadence_days``, when above 0), else the median gap between
  the days of its imports (at least a day); not known after a single import.
- Late: its last import is older than its cadence and half again (at least a day more):
  the import it usually gets was missed.
- Stale: its newest record is older than STALE_FACTOR times the usual gap (the larger of
  the gap between its records' days and its cadence), and at least MIN_STALE_DAYS: the
  data has stopped, whether the imports go on or not. Stale wins over late.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from services.core.access import team_role
from services.core.formatting import days_ago, format_date, plural
from services.freshness.records import FRESHNESS_STATES, FreshnessReport, SourceFreshness
from services.freshness.sources import ImportDay, landed_imports, record_days, source_name
from services.settings.views import FreshnessSettings

MIN_CADENCE_DAYS = 1.0
LATE_FACTOR = 1.5
STALE_FACTOR = 3.0
MIN_STALE_DAYS = 7.0
_DAY = 86_400.0


def freshness_report(engine: Engine, *, now: dt.datetime | None = None) -> FreshnessReport:
    """Every source of the workspace at ``now`` (default: the present), least current first."""
    with translate_db_errors(), Session(engine) as session:
        report = read_freshness(session, now=now)
    if not report.sources and team_role(engine) == "manager":
        return FreshnessReport(as_of=report.as_of, imports_hidden=True)
    return report


def read_freshness(session: Session, *, now: dt.datetime | None = None) -> FreshnessReport:
    """As ``freshness_report``, in the caller's session."""
    now = now or dt.datetime.now(dt.UTC)
    settings = FreshnessSettings.read(session)
    sources = []
    for key, runs in landed_imports(session).items():
        days = record_days(session, [r.run_id for r in runs])
        own = settings.source_cadence_days.get(key)
        if own is not None:
            cadence: float | None = max(float(own), MIN_CADENCE_DAYS)
            origin = "source setting"
        elif settings.cadence_days > 0:
            cadence, origin = float(settings.cadence_days), "setting"
        else:
            cadence = import_cadence(runs)
            origin = "imports" if cadence is not None else ""
        sources.append(judge(key, runs, days, cadence, origin, now))
    order = {state: i for i, state in enumerate(reversed(FRESHNESS_STATES))}
    sources.sort(key=lambda s: (order[s.state], s.name.casefold(), s.key))
    return FreshnessReport(as_of=now, sources=tuple(sources))


def median_gap(days: Sequence[dt.date]) -> float | None:
    """The median gap in days between distinct days (at least a day); None with fewer than
    two days."""
    distinct = sorted(set(days))
    if len(distinct) < 2:
        return None
    gaps = [(b - a).days for a, b in zip(distinct, distinct[1:], strict=False)]
    return max(float(statistics.median(gaps)), MIN_CADENCE_DAYS)


def import_cadence(runs: Sequence[ImportDay]) -> float | None:
    """The median gap between the (UTC) days of a source's imports: several files on one
    day are one delivery. None after a single day of imports."""
    return median_gap([r.started_at.astimezone(dt.UTC).date() for r in runs])


def judge(
    key: str,
    runs: Sequence[ImportDay],
    days: Sequence[dt.date],
    cadence: float | None,
    origin: str,
    now: dt.datetime,
) -> SourceFreshness:
    """One source's freshness at ``now`` from its imports (oldest first), its records'
    distinct days and its expected cadence."""
    name = source_name(key)
    last = runs[-1]
    import_age = max((now - last.started_at).total_seconds() / _DAY, 0.0)
    newest = max(days) if days else None
    # Whole days on the UTC calendar: a record of today is 0 days old.
    record_age = (
        None if newest is None else float(max((now.astimezone(dt.UTC).date() - newest).days, 0))
    )
    gap = median_gap(days)
    usual = max(gap or 0.0, cadence or 0.0)
    state = "current"
    if record_age is not None and usual > 0 and record_age > stale_after(usual):
        state = "stale"
    elif cadence is not None and import_age > late_after(cadence):
        state = "late"
    reason = _reason(name, state, import_age, newest, record_age, cadence, usual, len(runs))
    return SourceFreshness(
        key=key,
        name=name,
        imports=len(runs),
        last_import_at=last.started_at,
        last_import_rows=last.rows,
        newest_record=newest,
        cadence_days=cadence,
        cadence_from=origin,
        record_gap_days=gap,
        import_age_days=import_age,
        record_age_days=record_age,
        state=state,
        reason=reason,
    )


def late_after(cadence: float) -> float:
    """Days after its last import a source of this cadence is late."""
    return max(cadence * LATE_FACTOR, cadence + 1.0)


def stale_after(usual: float) -> float:
    """Days after its newest record a source of this usual gap is stale."""
    return max(usual * STALE_FACTOR, MIN_STALE_DAYS)


def every(days: float) -> str:
    """A cadence in words: 'day', '7 days'."""
    whole = max(round(days), 1)
    return "day" if whole == 1 else plural(whole, "day")


def _reason(
    name: str,
    state: str,
    import_age: float,
    newest: dt.date | None,
    record_age: float | None,
    cadence: float | None,
    usual: float,
    imports: int,
) -> str:
    imported = f"last imported {days_ago(math.floor(import_age))}"
    if state == "stale" and newest is not None and record_age is not None:
        return (
            f"{name}: no new records for {plural(record_age, 'day')} (the "
            f"newest is from {format_date(newest)}); they usually come every {every(usual)}."
        )
    if cadence is not None:
        return f"{name}: {imported}; it usually comes every {every(cadence)}."
    so_far = plural(imports, "import")
    return f"{name}: {imported}; {so_far} so far, so its usual cadence is not known yet."

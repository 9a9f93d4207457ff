"""NPS and CSAT over time (``satisfaction_report``), defined once here for every surface
(Results, ``report satisfaction``).

- **NPS** of a period: among the customers who answered an NPS survey in it (interactions
  of kind ``nps`` with a ``rating`` from 0 to 10), each customer's latest answer in the
  period counts once; promoters answered 9 or 10, detractors 0 to 6, and the NPS is
  % promoters - % detractors, from -100 to +100, with the count of customers it is of.
- **CSAT** of a period: the share of the support tickets rated in it (satisfaction
  ``good`` or ``bad``, as help desks such as Zendesk export it) that were rated good;
  each rated ticket counts (a customer with two rated tickets gives two answers).
  Tickets offered a rating and not answering, and product reviews' stars (they rate a
  product, not the service), are not CSAT answers.
- Months are local months (the workspace's time zone; an answer's local date is the
  source's clock, services/core/local_dates.py), from ``since`` to ``until``: by default
  the 12 months ending with this month. Per owner: the customer's owner today
  ("Unassigned" when none).

The change after outreach against the holdout is services/learn/satisfaction_change.py's.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from services.alerts._db import columns, fetch, floats, reading, timestamps
from services.core.local_dates import local_dates, workspace_zone
from services.learn.lift import DEFAULT_CONFIDENCE
from services.learn.satisfaction_change import (
    AFTER_DAYS,
    BEFORE_DAYS,
    MIN_PAIRED,
    change_after_outreach,
)
from services.learn.satisfaction_records import (
    CSAT,
    NPS,
    MonthScore,
    SatisfactionReport,
)
from services.settings.views import DateSettings

__all__ = [
    "AFTER_DAYS",
    "BEFORE_DAYS",
    "DEFAULT_MONTHS",
    "MIN_PAIRED",
    "load_answers",
    "month_range",
    "satisfaction_report",
    "score_months",
]

PROMOTER_FROM = 9  # 9 and 10
DETRACTOR_UNTIL = 6  # 0 to 6
DEFAULT_MONTHS = 12
UNASSIGNED = "Unassigned"
SATISFIED, UNSATISFIED = "good", "bad"
ANSWER_COLUMNS = ("customer_id", "at", "day", "month", "value")

_NPS_SQL = (
    "SELECT i.customer_id, i.occurred_at, i.utc_offset_minutes, i.rating FROM interactions i "
    "WHERE i.kind = 'nps' AND i.rating IS NOT NULL AND i.rating BETWEEN 0 AND 10"
)
_CSAT_SQL = (
    "SELECT i.customer_id, i.occurred_at, i.utc_offset_minutes, "
    f"CASE WHEN lower(i.satisfaction) = '{SATISFIED}' THEN 1 ELSE 0 END FROM interactions i "
    f"WHERE i.kind = 'ticket' AND lower(i.satisfaction) IN ('{SATISFIED}', '{UNSATISFIED}')"
)


def load_answers(session: Session, measure: str) -> pd.DataFrame:
    """Every NPS answer (value 0-10) or CSAT answer (1 satisfied, 0 not): customer_id,
    at (UTC), day (local date, midnight), month ("2026-03") and value, in a fixed order
    (customer, time, value) whatever order the rows came in."""
    text = _NPS_SQL if measure == NPS else _CSAT_SQL
    customers, stamps, offsets, values = columns(fetch(session.connection(), text), 4)
    at = pd.Series(timestamps(stamps))
    days = local_dates(at, pd.Series(floats(offsets)))
    frame = pd.DataFrame(
        {
            "customer_id": customers.astype(np.int64),
            "at": at,
            "day": days,
            "month": days.dt.strftime("%Y-%m"),
            "value": floats(values),
        },
        columns=list(ANSWER_COLUMNS),
    )
    order = ["customer_id", "at", "value"]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)


def month_range(since: dt.date, until: dt.date) -> tuple[str, ...]:
    """The months from ``since``'s to ``until``'s, both included ("2026-01", ...)."""
    months = []
    year, month = since.year, since.month
    while (year, month) <= (until.year, until.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def _latest_per_customer(nps: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Each customer's latest answer per ``by`` (the answers come sorted by time)."""
    return nps.drop_duplicates([*by, "customer_id"], keep="last")


def _score(month: str, nps: pd.DataFrame, csat: pd.DataFrame) -> MonthScore:
    values = nps["value"].to_numpy()
    return MonthScore(
        month=month,
        nps_responses=len(values),
        promoters=int((values >= PROMOTER_FROM).sum()),
        detractors=int((values <= DETRACTOR_UNTIL).sum()),
        csat_responses=len(csat),
        satisfied=int((csat["value"].to_numpy() == 1).sum()),
    )


def score_months(
    nps: pd.DataFrame, csat: pd.DataFrame, months: tuple[str, ...]
) -> tuple[MonthScore, ...]:
    """The NPS and CSAT of each month (answers of other months are left out)."""
    latest = _latest_per_customer(nps[nps["month"].isin(months)], ["month"])
    nps_by = dict(iter(latest.groupby("month", sort=True)))
    csat_by = dict(iter(csat[csat["month"].isin(months)].groupby("month", sort=True)))
    empty_nps, empty_csat = nps.iloc[0:0], csat.iloc[0:0]
    return tuple(_score(m, nps_by.get(m, empty_nps), csat_by.get(m, empty_csat)) for m in months)


def _owners(conn: Connection) -> dict[int, str]:
    ids, owners = columns(fetch(conn, "SELECT c.id, c.owner FROM customers c"), 2)
    return {
        int(i): (str(o) if o else UNASSIGNED)
        for i, o in zip(ids.tolist(), owners.tolist(), strict=True)
    }


def _in_period(frame: pd.DataFrame, since: dt.date, until: dt.date) -> pd.DataFrame:
    days = frame["day"]
    return frame[(days >= pd.Timestamp(since)) & (days <= pd.Timestamp(until))]


def default_period(
    since: dt.date | None, until: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The period asked for; by default the ``DEFAULT_MONTHS`` months ending with
    ``until``'s (else today's) month."""
    end = until or today
    if since is None:
        month = end.year * 12 + end.month - 1 - (DEFAULT_MONTHS - 1)
        since = dt.date(month // 12, month % 12 + 1, 1)
    if since > end:
        raise ValueError(f"the period starts ({since}) after it ends ({end})")
    return since, end


def satisfaction_report(
    engine: Engine,
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    now: dt.datetime | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
) -> SatisfactionReport:
    """NPS and CSAT per local month of ``[since, until]`` (default: the 12 months ending
    this month), overall and per owner, and their change after the outreach of the
    exposures that started in the period, against the holdout."""
    when = now or dt.datetime.now(dt.UTC)
    with reading(engine) as conn, Session(bind=conn) as session:
        zone = workspace_zone(DateSettings.read(session).time_zone)
        since, until = default_period(since, until, when.astimezone(ZoneInfo(zone)).date())
        nps, csat = load_answers(session, NPS), load_answers(session, CSAT)
        owners = _owners(conn)
        changes = change_after_outreach(
            session, nps, csat, since, until, zone, confidence=confidence, seed=seed
        )
    months = month_range(since, until)
    nps_in, csat_in = _in_period(nps, since, until), _in_period(csat, since, until)
    nps_owner = nps_in["customer_id"].map(owners).fillna(UNASSIGNED)
    csat_owner = csat_in["customer_id"].map(owners).fillna(UNASSIGNED)
    names = tuple(sorted(set(nps_owner) | set(csat_owner)))
    by_owner = {
        name: score_months(nps_in[nps_owner == name], csat_in[csat_owner == name], months)
        for name in names
    }
    period = _score("", _latest_per_customer(nps_in, []), csat_in)
    owner_period = {
        name: _score(
            "", _latest_per_customer(nps_in[nps_owner == name], []), csat_in[csat_owner == name]
        )
        for name in names
    }
    return SatisfactionReport(
        months=months,
        overall=score_months(nps_in, csat_in, months),
        by_owner=by_owner,
        period=period,
        nps_change=changes[NPS],
        csat_change=changes[CSAT],
        since=since,
        until=until,
        zone=zone,
        owners=names,
        owner_period=owner_period,
    )

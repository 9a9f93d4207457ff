"""Did outreach work: the effectiveness report (``effectiveness_report``), from the
workspace to the numbers the Results tab and ``report effectiveness`` show.

The exposures are services.learn.data's (the exposure definition); attribution,
the lift and its interval, won-back revenue and time to re-engagement are
services.learn.attribution, lift and report's. This module adds what the screens need
around them: the customers behind each figure, what was set aside and why, the breakdown,
re-engagement per month, the at-risk share of the latest scoring, offers, and alert
quality:

- Alert quality is judged on the held-out customers nobody contacted (their first alert
  of the period), once the scoring horizon (setting scoring.horizon_days) has passed since
  the alert: churned means no paid order within the horizon after it. For the churned
  customers' risk alerts (rules of the "risk" queue), the warning is the days from the
  alert to the day the gap since their last paid order reached the horizon (negative when
  it already had); customers with no order before the alert have no such day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from services.alerts._db import columns, fetch, floats, reading
from services.alerts.at_risk import at_risk_mask
from services.alerts.config import RULE_TITLES, read_alert_config
from services.alerts.inputs import ScoringRunRef, latest_run
from services.alerts.lifecycle import moment
from services.core.local_dates import workspace_zone
from services.learn.attribution import (
    CONTACTED,
    EXCLUDED,
    HOLDOUT,
    REPEAT,
    WINDOW_OPEN,
    attribute,
)
from services.learn.data import LearnData, load_learn_data, local_day
from services.learn.lift import DEFAULT_CONFIDENCE, MIN_EVENTS, MIN_GROUP_SIZE, proportion_lift
from services.learn.records import (
    AT_RISK_BREAKDOWNS,
    BREAKDOWNS,
    EMAIL_BREAKDOWNS,
    LOW_ENGAGEMENT,
    NO_VALUE,
    AlertQuality,
    AtRisk,
    AtRiskPart,
    Customers,
    EffectivenessReport,
    GroupRate,
    Lift,
    MonthPoint,
    Offers,
    Revenue,
    SetAside,
    Slice,
    TimeToReengagement,
    WarningBucket,
)
from services.learn.report import learn_summary, time_to_reengagement
from services.settings import ALERT_RULES
from services.settings.views import DateSettings, LearnSettings, ScoringSettings

RISK_RULES = frozenset(rule.key for rule in ALERT_RULES if rule.queue == "risk")
# Days of warning: (label, first day, last day); None ends are open.
WARNING_BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("already past", None, -1),
    ("0-14 days", 0, 14),
    ("15-29 days", 15, 29),
    ("30-59 days", 30, 59),
    ("60-89 days", 60, 89),
    ("90+ days", 90, None),
)
_DAY = pd.Timedelta(days=1)
# Resamples of the revenue bootstrap: 1,000 settle a 95% percentile interval to within a
# few percent of its width, at half the time of lift.DEFAULT_RESAMPLES.
REPORT_RESAMPLES = 1000


def customers(ids: Iterable[object] | np.ndarray | pd.Series) -> Customers:
    """The distinct customers among ``ids``, ascending."""
    if isinstance(ids, pd.Series):
        array = ids.to_numpy(dtype=np.int64)
    elif isinstance(ids, np.ndarray):
        array = ids.astype(np.int64)
    else:
        array = np.asarray(list(ids), dtype=np.int64)
    unique = np.unique(array)
    return Customers(int(unique.size), tuple(unique.tolist()))


def check_request(since: dt.date | None, until: dt.date | None, by: str | None, what: str) -> None:
    """Refuse a breakdown the reports do not know, and a period that ends before it starts
    (``what``: "report", "return"... for the message)."""
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"cannot break the {what} down by {by!r}; choose one of {BREAKDOWNS}")
    if since is not None and until is not None and since > until:
        raise ValueError(f"the period starts ({since}) after it ends ({until})")


def effectiveness_report(
    engine: Engine,
    since: dt.date | None = None,
    until: dt.date | None = None,
    by: str | None = None,
    now: dt.datetime | None = None,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = REPORT_RESAMPLES,
    seed: int = 0,
) -> EffectivenessReport:
    """The Learn figures of the exposures that started in ``[since, until]`` (local
    dates), overall and per value of ``by`` (records.BREAKDOWNS), as of ``now``."""
    check_request(since, until, by, "report")
    when = moment(now)
    with reading(engine) as conn, Session(bind=conn) as session:
        return _report(session, since, until, by, when, confidence, resamples, seed)


def _report(
    session: Session,
    since: dt.date | None,
    until: dt.date | None,
    by: str | None,
    when: dt.datetime,
    confidence: float,
    resamples: int,
    seed: int,
) -> EffectivenessReport:
    window = LearnSettings.read(session).attribution_days
    horizon = ScoringSettings.read(session).horizon_days
    zone = workspace_zone(DateSettings.read(session).time_zone or None)
    at_risk = _at_risk(session, until, by)
    data = load_learn_data(session, since, until, zone)
    as_of = when.replace(tzinfo=None)
    attributed = attribute(data.exposures, data.orders, window, as_of=as_of)

    # An alert of the outreach arm with no email yet whose window has not closed may still
    # get one: it waits with the open windows, not among the never contacted.
    created = pd.to_datetime(data.not_contacted["alert_created"], utc=True).dt.tz_localize(None)
    pending = (created + pd.Timedelta(days=window) > pd.Timestamp(as_of)).to_numpy()

    # Intention to treat: the never contacted, from their alert, with the contacted.
    never_attributed = attribute(_from_alert(data.not_contacted), data.orders, window, as_of)

    def summary(key: str, rows: pd.DataFrame, missed: pd.DataFrame) -> Slice:
        waiting = missed[pending[missed.index]] if len(missed) else missed
        never = missed[~pending[missed.index]] if len(missed) else missed
        part = _slice(key, rows, never, window, confidence, resamples, seed, waiting)
        return replace(
            part, as_assigned=_as_assigned(rows, never_attributed.loc[never.index], confidence)
        )

    overall = summary("", attributed, data.not_contacted)
    breakdown: list[Slice] = []
    if by is not None:
        keys = _keys(attributed[by])
        missed_keys = _keys(data.not_contacted[by])
        holdout = (attributed["group"] == HOLDOUT).to_numpy()
        # Slices by what the email was hold the contacted only (the rest got no email).
        wanted = set(keys[~holdout]) if by in EMAIL_BREAKDOWNS else set(keys) | set(missed_keys)
        for key in sorted(wanted, key=_sort_key):
            mine = keys == key
            rows = attributed[mine | holdout] if by in EMAIL_BREAKDOWNS else attributed[mine]
            part = summary(key, rows, data.not_contacted[missed_keys == key])
            breakdown.append(replace(part, label=key_label(by, key)))
    return EffectivenessReport(
        since=since,
        until=until,
        as_of=when,
        window_days=window,
        currency=data.money.home,
        at_risk=at_risk,
        overall=overall,
        by=by,
        breakdown=tuple(breakdown),
        over_time=_over_time(attributed, zone),
        alert_quality=_alert_quality(attributed, data, horizon, as_of),
        offers=_offers(attributed, data),
        exposures=len(data.exposures),
        money_note=data.money.left_out_note(data.left_out),
    )


def key_label(by: str, key: str) -> str:
    """A breakdown key in words: a rule's title, "Draft 1" for variant 0, "Win back"."""
    if key == NO_VALUE:
        return key
    if by == "rule":
        return RULE_TITLES.get(key, key)
    if by == "variant":
        return f"Draft {int(key) + 1}" if key.lstrip("-").isdigit() else key
    if by in ("goal", "tone"):
        return key.replace("_", " ").capitalize()
    return key


def _keys(values: pd.Series) -> np.ndarray:
    """A breakdown column as texts (NO_VALUE for a missing one)."""
    out = np.array(
        [NO_VALUE if v is None or v is pd.NA or v != v else str(v) for v in values.tolist()],
        dtype=object,
    )
    return out


def _sort_key(key: str) -> tuple[int, str]:
    return (key == NO_VALUE, key.casefold())


def _group_rate(rows: pd.DataFrame) -> GroupRate:
    counted = customers(rows["customer_id"])
    back = customers(rows.loc[rows["reengaged"].to_numpy(dtype=bool), "customer_id"])
    rate = back.count / counted.count if counted.count else None
    return GroupRate(counted, back, rate)


def _not_enough_reason(n1: int, n0: int, events: int) -> str:
    if min(n1, n0) < MIN_GROUP_SIZE:
        return (
            f"{n1:,} contacted and {n0:,} held-out customers so far; at least "
            f"{MIN_GROUP_SIZE} of each are needed"
        )
    if events < MIN_EVENTS:
        return f"only {events} re-engaged so far; at least {MIN_EVENTS} are needed"
    if n1 + n0 - events < MIN_EVENTS:
        return f"only {n1 + n0 - events} did not re-engage; at least {MIN_EVENTS} are needed"
    return ""


def _time(rows: pd.DataFrame, window: int) -> TimeToReengagement:
    days = rows["days_to_order"].to_numpy(dtype=np.float64)
    base = time_to_reengagement(days, window)
    hit = ~np.isnan(days)
    week = np.floor(days[hit]).astype(np.int64) // 7
    ids = rows["customer_id"].to_numpy(np.int64)[hit]
    per_week = tuple(
        tuple(int(i) for i in np.unique(ids[week == k]).tolist())
        for k in range(len(base.week_counts))
    )
    return TimeToReengagement(
        base.reengaged, base.median_days, base.week_first_days, base.week_counts, per_week
    )


def _slice(
    key: str,
    rows: pd.DataFrame,
    missed: pd.DataFrame,
    window: int,
    confidence: float,
    resamples: int,
    seed: int,
    waiting: pd.DataFrame | None = None,
) -> Slice:
    learned = learn_summary(rows, window, confidence, resamples, seed)
    counted = rows[rows["counted"].to_numpy(dtype=bool)]
    contacted = counted[counted["group"] == CONTACTED]
    held = counted[counted["group"] == HOLDOUT]
    rates = learned.rates
    lift = Lift(
        contacted=_group_rate(contacted),
        holdout=_group_rate(held),
        lift=rates.lift,
        low=rates.low,
        high=rates.high,
        confidence=rates.confidence,
        enough=rates.enough,
        not_enough_reason=""
        if rates.enough
        else _not_enough_reason(
            rates.contacted_n,
            rates.holdout_n,
            rates.contacted_reengaged + rates.holdout_reengaged,
        ),
    )
    back = learned.won_back
    revenue = Revenue(
        reengaged=lift.contacted.reengaged,
        won_back_cents=back.revenue_cents,
        average_cents=back.average_cents,
        incremental_customers=back.incremental_customers,
        incremental_cents=back.incremental_cents,
        incremental_low_cents=back.incremental_low_cents,
        incremental_high_cents=back.incremental_high_cents,
        per_customer_lift_cents=learned.revenue.lift_cents,
        per_customer_low_cents=learned.revenue.low_cents,
        per_customer_high_cents=learned.revenue.high_cents,
        enough=learned.revenue.enough,
    )
    reason = rows["reason"]
    set_aside = SetAside(
        contacted_anyway=customers(rows.loc[reason == EXCLUDED, "customer_id"]),
        not_contacted=customers(missed["customer_id"]),
        repeats=customers(rows.loc[reason == REPEAT, "customer_id"]),
        window_open=customers(
            pd.concat(
                [
                    rows.loc[reason == WINDOW_OPEN, "customer_id"],
                    *([waiting["customer_id"]] if waiting is not None else []),
                ]
            )
        ),
    )
    return Slice(
        key=key,
        lift=lift,
        time_contacted=_time(contacted, window),
        time_holdout=_time(held, window),
        revenue=revenue,
        set_aside=set_aside,
    )


def _from_alert(missed: pd.DataFrame) -> pd.DataFrame:
    """Alerts of the outreach arm never emailed, as exposures whose clock starts at the alert."""
    out = missed.copy()
    out["group"] = CONTACTED
    out["start"] = pd.to_datetime(out["alert_created"], utc=True)
    out["excluded"] = False
    return out


def _as_assigned(rows: pd.DataFrame, never: pd.DataFrame, confidence: float) -> Lift:
    """The outreach arm as assigned (the contacted, then the never contacted who are not
    counted already) against the held out: the intention-to-treat lift."""
    counted = rows[rows["counted"].to_numpy(dtype=bool)]
    contacted = counted[counted["group"] == CONTACTED]
    held = counted[counted["group"] == HOLDOUT]
    taken = set(counted["customer_id"].tolist())
    never = never[never["counted"].to_numpy(dtype=bool)]
    never = never[~never["customer_id"].isin(taken)].drop_duplicates("customer_id")
    arm = pd.concat([contacted[["customer_id", "reengaged"]], never[["customer_id", "reengaged"]]])
    arm_rate, held_rate = _group_rate(arm), _group_rate(held)
    n1, x1 = arm_rate.customers.count, arm_rate.reengaged.count
    n0, x0 = held_rate.customers.count, held_rate.reengaged.count
    rates = proportion_lift(x1, n1, x0, n0, confidence)
    return Lift(
        contacted=arm_rate,
        holdout=held_rate,
        lift=rates.lift,
        low=rates.low,
        high=rates.high,
        confidence=rates.confidence,
        enough=rates.enough,
        not_enough_reason="" if rates.enough else _not_enough_reason(n1, n0, x1 + x0),
    )


def _over_time(attributed: pd.DataFrame, zone: str) -> tuple[MonthPoint, ...]:
    """Each group's re-engagement per month of the counted exposures' local start."""
    counted = attributed[attributed["counted"].to_numpy(dtype=bool)]
    if counted.empty:
        return ()
    days = local_day(counted["start"], zone)
    month_keys = (days.dt.year * 12 + days.dt.month - 1).to_numpy(np.int64)
    ids = counted["customer_id"].to_numpy(np.int64)
    back = counted["reengaged"].to_numpy(dtype=bool)
    contacted = (counted["group"] == CONTACTED).to_numpy()

    def rate(mask: np.ndarray) -> GroupRate:
        group, engaged = customers(ids[mask]), customers(ids[mask & back])
        return GroupRate(group, engaged, engaged.count / group.count if group.count else None)

    points = []
    for key in np.unique(month_keys).tolist():
        month = month_keys == key
        points.append(
            MonthPoint(
                month=dt.date(key // 12, key % 12 + 1, 1),
                contacted=rate(month & contacted),
                holdout=rate(month & ~contacted),
            )
        )
    return tuple(points)


def _at_risk(session: Session, until: dt.date | None, by: str | None) -> AtRisk | None:
    """The at-risk customers (as the dashboard counts them) and those with an engagement
    below LOW_ENGAGEMENT, in the latest scoring as of the period's end (the latest of all
    without one); only those rows are read. Broken down by owner or segment, the at-risk
    share of each (counted by the database)."""
    run = latest_run(session) if until is None else _run_as_of(session, until)
    if run is None:
        return None
    config = read_alert_config(session)
    threshold = float(config.rule("high_risk_high_value")["min_churn_risk"]) / 100.0
    conn = session.connection()
    (scored,) = fetch(
        conn,
        "SELECT COUNT(*) FROM score_snapshots WHERE scoring_run_id = ? AND churn_risk IS NOT NULL",
        (run.id,),
    )[0]
    split = by in AT_RISK_BREAKDOWNS
    key = "c.owner" if by == "owner" else "s.segment"
    rows = fetch(
        conn,
        f"SELECT s.customer_id, s.churn_risk, s.engagement_score, s.segment, "
        f"{key if split else 'NULL'} FROM score_snapshots s "
        f"{'JOIN customers c ON c.id = s.customer_id ' if by == 'owner' else ''}"
        "WHERE s.scoring_run_id = ? AND s.churn_risk IS NOT NULL "
        "AND (s.churn_risk >= ? OR s.engagement_score < ?)",
        (run.id, threshold, LOW_ENGAGEMENT),
    )
    ids, churn, engagement, segment, keys = columns(rows, 5)
    risky = at_risk_mask(floats(churn), segment, threshold)
    low = floats(engagement) < LOW_ENGAGEMENT
    total = int(scored)
    ids = ids.astype(np.int64)
    parts: dict[str, AtRiskPart] = {}
    if split:
        texts = _keys(pd.Series(keys[risky], dtype=object))
        for value, count in _scored_by(conn, run.id, key, by == "owner").items():
            mine = customers(ids[risky][texts == value])
            parts[value] = AtRiskPart(mine, count, mine.count / count)
    return AtRisk(
        as_of=run.as_of,
        threshold=threshold,
        scored=total,
        at_risk=customers(ids[risky]),
        at_risk_share=int(risky.sum()) / total if total else None,
        low_engagement=customers(ids[low]),
        low_engagement_share=int(low.sum()) / total if total else None,
        by=parts,
    )


def _scored_by(conn: Connection, run_id: int, key: str, owners: bool) -> dict[str, int]:
    """The run's scored customers per owner or segment (missing: NO_VALUE)."""
    rows = fetch(
        conn,
        f"SELECT {key}, COUNT(*) FROM score_snapshots s "
        f"{'JOIN customers c ON c.id = s.customer_id ' if owners else ''}"
        f"WHERE s.scoring_run_id = ? AND s.churn_risk IS NOT NULL GROUP BY {key}",
        (run_id,),
    )
    out: dict[str, int] = {}
    for value, count in rows:
        name = NO_VALUE if value is None else str(value)
        out[name] = out.get(name, 0) + int(count)
    return out


def _run_as_of(session: Session, day: dt.date) -> ScoringRunRef | None:
    """The latest finished scoring run as of ``day`` (its as-of date on or before it)."""
    conn = session.connection()
    rows = fetch(
        conn,
        "SELECT id, as_of, horizon_days FROM scoring_runs WHERE status = 'finished' AND "
        "as_of <= ? ORDER BY as_of DESC, id DESC LIMIT 1",
        (day.isoformat() if conn.dialect.name == "sqlite" else day,),
    )
    if not rows:
        return None
    run_id, as_of, horizon = rows[0]
    when = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of)[:10])
    return ScoringRunRef(int(run_id), when, int(horizon))


def _alert_quality(
    attributed: pd.DataFrame, data: LearnData, horizon: int, as_of: dt.datetime
) -> AlertQuality:
    """Held out and not contacted: who churned, and how much warning the alert gave."""
    held = attributed[
        (attributed["group"] == HOLDOUT)
        & attributed["reason"].isin(["counted", WINDOW_OPEN]).to_numpy()
    ]
    created = pd.to_datetime(held["alert_created"], utc=True).dt.tz_localize(None)
    passed = (created + horizon * _DAY <= pd.Timestamp(as_of)).to_numpy()
    decided = held[passed]
    ordered = attribute(
        decided[["customer_id", "group", "start"]], data.orders, horizon, as_of=None
    )["reengaged"].to_numpy(dtype=bool)
    churned = decided[~ordered]
    risk = churned[churned["rule"].isin(RISK_RULES).to_numpy()]
    last = data.last_order_before.reindex(risk["alert_id"].to_numpy())
    last_naive = pd.DatetimeIndex(pd.to_datetime(last.to_numpy(), utc=True)).tz_localize(None)
    alert_at = pd.DatetimeIndex(pd.to_datetime(risk["alert_created"].to_numpy(), utc=True))
    warning = (last_naive + horizon * _DAY) - alert_at.tz_localize(None)
    warning_days = np.asarray(warning.total_seconds(), dtype=np.float64) / 86_400.0
    known = ~np.isnan(warning_days)
    days = warning_days[known]
    ids = risk["customer_id"].to_numpy(np.int64)[known]
    whole = np.floor(days)
    buckets = []
    for label, first, last_day in WARNING_BUCKETS:
        inside = np.ones(len(days), dtype=bool)
        if first is not None:
            inside &= whole >= first
        if last_day is not None:
            inside &= whole <= last_day
        buckets.append(WarningBucket(label, first, last_day, customers(ids[inside])))
    decided_ids = customers(decided["customer_id"])
    churned_ids = customers(churned["customer_id"])
    return AlertQuality(
        horizon_days=horizon,
        decided=decided_ids,
        churned=churned_ids,
        churn_share=churned_ids.count / decided_ids.count if decided_ids.count else None,
        pending=customers(held.loc[~passed, "customer_id"]),
        warned=customers(ids),
        median_warning_days=float(np.median(days)) if len(days) else None,
        warning_buckets=tuple(buckets),
    )


def _offers(attributed: pd.DataFrame, data: LearnData) -> Offers:
    """Offers in the emails of the counted contacted customers: as stored when each email
    was recorded, found in the text of the older ones. A percent off is valued at most at
    that share of the orders the customer placed in the window (if it was redeemed)."""
    from services.outreach.checks import offers_made

    counted = attributed[
        attributed["counted"].to_numpy(dtype=bool) & (attributed["group"] == CONTACTED)
    ]
    revenue = dict(
        zip(
            counted["outreach_id"].dropna().astype(np.int64).tolist(),
            counted.loc[counted["outreach_id"].notna(), "revenue_cents"].tolist(),
            strict=True,
        )
    )
    emails = data.emails[data.emails["outreach_id"].isin(list(revenue))]
    with_offer: list[int] = []
    money_offers = percent_offers = money_cents = 0
    percent_cents = 0.0
    for outreach, customer, stored, subject, body in zip(
        emails["outreach_id"].tolist(),
        emails["customer_id"].tolist(),
        emails["offers"].tolist(),
        emails["subject"].tolist(),
        emails["body"].tolist(),
        strict=True,
    ):
        found = stored if isinstance(stored, dict) else offers_made(subject, body)
        amounts, percents = found.get("amounts") or [], found.get("percents") or []
        if amounts or percents:
            with_offer.append(int(customer))
        money_offers += len(amounts)
        money_cents += int(sum(amounts))
        percent_offers += len(percents)
        if percents:
            percent_cents += min(max(percents), 100.0) / 100.0 * float(revenue[int(outreach)])
    return Offers(
        emails=len(emails),
        with_offer=customers(with_offer),
        money_offers=money_offers,
        money_offer_cents=money_cents,
        percent_offers=percent_offers,
        percent_offer_max_cents=int(round(percent_cents)),
    )

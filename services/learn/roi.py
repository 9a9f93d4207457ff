"""Return on outreach (``roi_report``): what outreach earned against what it cost.

Over the same exposures as the lift (services.learn.data's definition, attributed by
services.learn.attribution, each customer once), per slice:

- Incremental revenue: the one figure of services.learn.lift (``won_back``): the revenue
  lift per customer (contacted minus held out) x the contacted customers, taken from
  ``learn_summary`` as the effectiveness report takes it. Incremental margin: that x the
  margin rate (setting learn.margin_percent), when one is set.
- Cost, of the counted contacted customers only (the held out got nothing):
  - each redeemed offer at the set share of its value (learn.cost_offer_percent). An
    offer is the one recorded with the email that started the exposure (as stored when
    it was recorded, found in its text for older ones); it is redeemed when the customer
    re-engaged, i.e. ordered within the attribution window. A money offer is worth its
    amount, a percent off that share of the orders in the window; together never more
    than those orders came to.
  - each contact made on the exposure's alert from its start to the window's end, at the
    cost set for its channel: emails sent or exported (outreach rows), calls (calls
    logged on the alert, every outcome, and playbook call steps done), meetings
    (playbook meeting steps done).
  - the team's time (learn.cost_team_month) over the period, in months of 365.25 / 12
    days, from its first day (``since``, else the first exposure's) to its last
    (``until``, else the report's day), shared among the slices by their contacted
    customers.
- ROI = (incremental margin, or revenue when no margin rate is set, - cost) / cost, with
  the lift's studentised (bootstrap-t) interval (services.learn.lift): the contacted
  customers are resampled from their own (each with their revenue and their own cost),
  the held out in the lift's ``HeldOutWorld`` (their chance of ordering, the order values
  of both groups), and each resample's return is divided by its delta-method standard
  error. Seeded.
- "Not enough data": as the lift says it (``lift.enough_data`` and its reason), or when
  a resample has no cost to divide by.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from models.vocab import CONTACT_CHANNELS
from services.alerts._db import columns, fetch, reading, timestamps
from services.alerts.lifecycle import moment
from services.core.local_dates import workspace_zone
from services.learn.attribution import CONTACTED, HOLDOUT, attribute
from services.learn.data import LearnData, load_learn_data, local_day
from services.learn.effectiveness import (
    REPORT_RESAMPLES,
    _not_enough_reason,
    check_request,
    customers,
    key_label,
)
from services.learn.lift import DEFAULT_CONFIDENCE, held_out_world, studentised_interval
from services.learn.records import EMAIL_BREAKDOWNS, NO_VALUE
from services.learn.report import learn_summary
from services.learn.roi_records import Cost, CostSettings, RoiReport, RoiRow
from services.settings.views import DateSettings, LearnSettings, ReturnSettings

CHANNELS = CONTACT_CHANNELS
DAYS_PER_MONTH = 365.25 / 12
_BLOCK_ELEMENTS = 2_000_000
_UNITS = "a.holdout_band IS NOT NULL AND a.status <> 'held_back' AND a.holdout = ?"
_CONTACTS_SQL = (
    "SELECT o.alert_id, COALESCE(o.sent_at, o.created_at), 'email' FROM outreach o "
    f"JOIN alerts a ON a.id = o.alert_id WHERE o.status IN ('sent', 'exported') AND {_UNITS} "
    "UNION ALL SELECT c.alert_id, c.created_at, 'call' FROM actions c "
    f"JOIN alerts a ON a.id = c.alert_id WHERE c.kind = 'call' AND {_UNITS} "
    "UNION ALL SELECT r.alert_id, s.done_at, s.kind FROM playbook_steps s "
    "JOIN playbook_runs r ON r.id = s.run_id JOIN alerts a ON a.id = r.alert_id "
    f"WHERE s.done_at IS NOT NULL AND s.kind IN ('call', 'meeting') AND {_UNITS}"
)


def _cents(value: float) -> int:
    return int(round(value * 100))


def read_costs(session: Session) -> CostSettings:
    """The margin rate and the costs as set, through the policy-aware resolver."""
    costs = ReturnSettings.read(session)
    return CostSettings(
        margin_percent=costs.margin_percent,
        offer_percent=costs.cost_offer_percent,
        email_cents=_cents(costs.cost_email),
        call_cents=_cents(costs.cost_call),
        meeting_cents=_cents(costs.cost_meeting),
        team_month_cents=_cents(costs.cost_team_month),
    )


def roi_report(
    engine: Engine,
    since: dt.date | None = None,
    until: dt.date | None = None,
    by: str | None = None,
    now: dt.datetime | None = None,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = REPORT_RESAMPLES,
    seed: int = 0,
) -> RoiReport:
    """The return on outreach of the exposures that started in ``[since, until]`` (local
    dates), overall and per value of ``by`` (records.BREAKDOWNS), as of ``now``."""
    check_request(since, until, by, "return")
    when = moment(now)
    with reading(engine) as conn, Session(bind=conn) as session:
        window = LearnSettings.read(session).attribution_days
        zone = workspace_zone(DateSettings.read(session).time_zone or None)
        costs = read_costs(session)
        data = load_learn_data(session, since, until, zone)
        contacts = _contacts(conn)
    as_of = when.replace(tzinfo=None)
    attributed = attribute(data.exposures, data.orders, window, as_of=as_of)
    attributed = _with_costs(attributed, data, contacts, costs, window)
    first, last = _period(data, since, until, when, zone)
    months = ((last - first).days + 1) / DAYS_PER_MONTH if first and last else 0.0
    team = costs.team_month_cents * months
    contacted_all = _contacted(attributed)
    args = (costs, team, len(contacted_all), confidence, resamples, seed, window)
    overall = _row("", "", attributed, *args)
    breakdown = []
    if by is not None:
        keys = _keys(attributed[by])
        holdout = (attributed["group"] == HOLDOUT).to_numpy()
        wanted = set(keys[~holdout]) if by in EMAIL_BREAKDOWNS else set(keys)
        for key in sorted(wanted, key=lambda k: (k == NO_VALUE, k.casefold())):
            mine = keys == key
            rows = attributed[mine | holdout] if by in EMAIL_BREAKDOWNS else attributed[mine]
            breakdown.append(_row(key, key_label(by, key), rows, *args))
    return RoiReport(
        since=since,
        until=until,
        as_of=when,
        window_days=window,
        currency=data.money.home,
        costs=costs,
        first_day=first,
        last_day=last,
        months=months,
        overall=overall,
        by=by,
        breakdown=tuple(breakdown),
        money_note=data.money.left_out_note(data.left_out),
    )


def _keys(values: pd.Series) -> np.ndarray:
    return np.array(
        [NO_VALUE if v is None or v is pd.NA or v != v else str(v) for v in values.tolist()],
        dtype=object,
    )


def _contacted(rows: pd.DataFrame) -> pd.DataFrame:
    counted = rows["counted"].to_numpy(dtype=bool)
    return rows[counted & (rows["group"] == CONTACTED).to_numpy()]


def _period(
    data: LearnData, since: dt.date | None, until: dt.date | None, when: dt.datetime, zone: str
) -> tuple[dt.date | None, dt.date | None]:
    """The period's first and last local days (open ends: the first exposure, today)."""
    first = since
    if first is None and len(data.exposures):
        first = local_day(data.exposures["start"], zone).min().date()
    last = until
    if last is None:
        last = pd.Timestamp(when).tz_convert(zone).date()
    if first is None or first > last:
        return None, None
    return first, last


def _contacts(conn: Connection) -> pd.DataFrame:
    """Every contact made on an alert of the contacted arm: alert_id, when, channel."""
    alert_ids, stamps, channels = columns(fetch(conn, _CONTACTS_SQL, (False, False, False)), 3)
    return pd.DataFrame(
        {
            "alert_id": alert_ids.astype(np.int64),
            "t": pd.to_datetime(timestamps(stamps), utc=True),
            "channel": np.asarray(channels, dtype=object),
        }
    )


def _with_costs(
    attributed: pd.DataFrame,
    data: LearnData,
    contacts: pd.DataFrame,
    costs: CostSettings,
    window: int,
) -> pd.DataFrame:
    """The attributed exposures with each contacted one's contacts, offer cost and cost."""
    out = attributed.copy()
    starts = pd.to_datetime(out["start"], utc=True)
    spans = pd.DataFrame(
        {"pos": np.arange(len(out)), "alert_id": out["alert_id"].to_numpy(np.int64)}
    )
    spans["lo"], spans["hi"] = starts.to_numpy(), (starts + pd.Timedelta(days=window)).to_numpy()
    pairs = spans[(out["group"] == CONTACTED).to_numpy()].merge(contacts, on="alert_id")
    pairs = pairs[(pairs["t"] >= pairs["lo"]) & (pairs["t"] <= pairs["hi"])]
    price = {"email": costs.email_cents, "call": costs.call_cents, "meeting": costs.meeting_cents}
    for channel in CHANNELS:
        made = pairs.loc[pairs["channel"] == channel, "pos"].to_numpy(np.int64)
        out[f"{channel}s"] = np.bincount(made, minlength=len(out))
    out["contacts_cents"] = sum(out[f"{c}s"].to_numpy() * price[c] for c in CHANNELS)
    offer = _offer_values(out, data) * costs.offer_percent / 100.0
    out["offer_cents"] = np.where(out["reengaged"].to_numpy(dtype=bool), offer, 0.0)
    out["cost_cents"] = out["contacts_cents"] + out["offer_cents"]
    return out


def _offer_values(rows: pd.DataFrame, data: LearnData) -> npt.NDArray[np.float64]:
    """Per exposure, the value of the offers its email made, if they were redeemed: the
    money offers' amounts and the largest percent off of the orders in the window, at
    most what those orders came to."""
    from services.outreach.checks import offers_made

    found: dict[int, float] = {}
    revenue = dict(
        zip(
            rows["outreach_id"].dropna().astype(np.int64).tolist(),
            rows.loc[rows["outreach_id"].notna(), "revenue_cents"].tolist(),
            strict=True,
        )
    )
    for outreach, stored, subject, body in zip(
        data.emails["outreach_id"].tolist(),
        data.emails["offers"].tolist(),
        data.emails["subject"].tolist(),
        data.emails["body"].tolist(),
        strict=True,
    ):
        if int(outreach) not in revenue:
            continue
        offers = stored if isinstance(stored, dict) else offers_made(subject, body)
        amounts, percents = offers.get("amounts") or [], offers.get("percents") or []
        spent = float(revenue[int(outreach)])
        value = float(sum(amounts)) + (min(max(percents), 100.0) / 100.0 * spent if percents else 0)
        found[int(outreach)] = min(value, spent)
    ids = rows["outreach_id"].astype("Int64").fillna(-1).to_numpy(np.int64)
    return np.array([found.get(int(i), 0.0) for i in ids], dtype=np.float64)


def _row(
    key: str,
    label: str,
    rows: pd.DataFrame,
    costs: CostSettings,
    team_total: float,
    contacted_total: int,
    confidence: float,
    resamples: int,
    seed: int,
    window: int,
) -> RoiRow:
    learned = learn_summary(rows, window, confidence, resamples, seed)
    mine = _contacted(rows)
    held = rows[rows["counted"].to_numpy(dtype=bool) & (rows["group"] == HOLDOUT).to_numpy()]
    team = team_total * len(mine) / contacted_total if contacted_total else 0.0
    cost = _cost(mine, team)
    back = learned.won_back
    margin = costs.margin_percent / 100.0 if costs.margin_percent > 0 else None
    gain = back.incremental_cents
    if gain is not None and margin is not None:
        gain *= margin
    roi = (
        (gain - cost.total_cents) / cost.total_cents
        if gain is not None and cost.total_cents
        else None
    )
    rates = learned.rates
    reason = (
        ""
        if learned.revenue.enough
        else _not_enough_reason(
            rates.contacted_n, rates.holdout_n, rates.contacted_reengaged + rates.holdout_reengaged
        )
    )
    low = high = None
    if roi is not None:
        rng = np.random.default_rng(seed)
        low, high = _interval(mine, held, margin or 1.0, team, confidence, resamples, rng)
        if low is None and not reason:
            reason = "too few contacted customers carry a cost to bound the return"
    return RoiRow(
        key=key,
        label=label,
        contacted=customers(mine["customer_id"]),
        holdout=len(held),
        incremental_cents=back.incremental_cents,
        incremental_low_cents=back.incremental_low_cents,
        incremental_high_cents=back.incremental_high_cents,
        margin_cents=None if margin is None or gain is None else gain,
        cost=cost,
        roi=roi,
        low=low,
        high=high,
        confidence=confidence,
        enough=not reason and roi is not None,
        reason=reason,
    )


def _cost(contacted: pd.DataFrame, team: float) -> Cost:
    offers = float(contacted["offer_cents"].sum())
    contacts = int(contacted["contacts_cents"].sum())
    redeemed = contacted.loc[contacted["offer_cents"].to_numpy() > 0, "customer_id"]
    return Cost(
        offers_cents=int(round(offers)),
        redeemed=customers(redeemed),
        emails=int(contacted["emails"].sum()),
        calls=int(contacted["calls"].sum()),
        meetings=int(contacted["meetings"].sum()),
        contacts_cents=contacts,
        team_cents=int(round(team)),
        total_cents=int(round(offers + contacts + team)),
    )


def _interval(
    contacted: pd.DataFrame,
    held: pd.DataFrame,
    margin: float,
    team: float,
    confidence: float,
    resamples: int,
    rng: np.random.Generator,
) -> tuple[float | None, float | None]:
    """The bootstrap-t interval of the ROI (None, None: a resample cost nothing, or a
    group is empty).

    With m1, m0 the mean revenue per contacted and held-out customer, c the cost per
    contacted customer (their own plus their share of the team's) and k = margin x (m1 -
    m0) / c, the ROI is k - 1, and its delta-method variance is

        (margin^2 var(r1) - 2 margin k cov(r1, c1) + k^2 var(c1)) / n1
          + margin^2 var(r0) / n0,   all over c^2."""
    revenue1 = contacted["revenue_cents"].to_numpy(np.float64)
    cost1 = contacted["cost_cents"].to_numpy(np.float64)
    revenue0 = held["revenue_cents"].to_numpy(np.float64)
    n1, n0 = len(revenue1), len(revenue0)
    if not n1 or not n0:
        return None, None
    moments = _contacted_moments(revenue1, cost1, resamples, rng)
    if np.any(moments[1] * n1 + team <= 0) or cost1.sum() + team <= 0:
        return None, None
    world = held_out_world(revenue0, revenue1, resamples, rng)
    observed = np.array(
        [[revenue1.mean()], [cost1.mean()], [(revenue1 * revenue1).mean()],
         [(cost1 * cost1).mean()], [(revenue1 * cost1).mean()]]
    )  # fmt: skip
    roi, se = _roi_and_se(
        observed, np.array([world.mean]), np.array([world.variance]), margin, team, n1, n0
    )
    tilde, _ = _roi_and_se(
        observed, np.array([world.world_mean]), np.array([world.variance]), margin, team, n1, n0
    )
    rois, ses = _roi_and_se(moments, world.means, world.variances, margin, team, n1, n0)
    low, high = studentised_interval(
        float(roi[0]), float(se[0]), float(tilde[0]), rois, ses, confidence
    )
    return low, high


def _contacted_moments(
    revenue: npt.NDArray[np.float64],
    cost: npt.NDArray[np.float64],
    resamples: int,
    rng: np.random.Generator,
) -> npt.NDArray[np.float64]:
    """Per resample with replacement of the contacted (rows: mean revenue, mean cost, mean
    revenue squared, mean cost squared, mean revenue x cost).

    As services.learn.lift resamples revenue: most contacted customers ordered nothing and
    cost one of a few amounts (an email, a call). How many of a resample's n picks land on
    those who ordered is Binomial(n, k/n), uniform over them; the rest fall on the others'
    cost amounts as a multinomial by how many customers have each. The same law as
    drawing all n picks, with about k picks a resample instead of n."""
    n = len(revenue)
    ordered = revenue != 0
    amounts, counts = np.unique(cost[~ordered], return_counts=True)
    buyers = np.column_stack(
        [revenue[ordered], cost[ordered], revenue[ordered] ** 2, cost[ordered] ** 2,
         revenue[ordered] * cost[ordered]]
    )  # fmt: skip
    others = np.column_stack([np.zeros(len(amounts)), amounts, np.zeros(len(amounts)),
                              amounts**2, np.zeros(len(amounts))])  # fmt: skip
    k = len(buyers)
    hits = rng.binomial(n, k / n, size=resamples)
    sums = np.zeros((resamples, 5))
    if len(amounts):
        sums += rng.multinomial(n - hits, counts / counts.sum()) @ others
    if k:
        block = max(1, _BLOCK_ELEMENTS // k)
        for first in range(0, resamples, block):
            part = hits[first : first + block]
            cells = np.repeat(np.arange(len(part)) * k, part)
            cells += rng.integers(0, k, size=len(cells))
            picked = np.bincount(cells, minlength=len(part) * k).reshape(len(part), k)
            sums[first : first + len(part)] += picked @ buyers
    return np.asarray(sums.T / n, dtype=np.float64)


def _roi_and_se(
    moments: npt.NDArray[np.float64],
    mean0: npt.NDArray[np.float64],
    variance0: npt.NDArray[np.float64],
    margin: float,
    team: float,
    n1: int,
    n0: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The ROI and its delta-method standard error from the contacted's moments (mean
    revenue, mean cost, mean squares, mean product) and the held out's mean and variance."""
    mean1, cost, square1, square_cost, product = moments
    scale = n1 / max(n1 - 1, 1)
    var1 = np.maximum(square1 - mean1**2, 0.0) * scale
    var_cost = np.maximum(square_cost - cost**2, 0.0) * scale
    cov = (product - mean1 * cost) * scale
    per_customer = cost + team / n1
    k = margin * (mean1 - mean0) / per_customer
    variance = (
        (margin**2 * var1 - 2 * margin * k * cov + k**2 * var_cost) / n1
        + margin**2 * variance0 / n0
    ) / per_customer**2
    return k - 1.0, np.sqrt(np.maximum(variance, 0.0))

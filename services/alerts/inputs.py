"""What the alert rules read: one frame row per scored customer, from a few reads.

- the latest run's snapshot (numbers only; the drivers are copied to the alerts in SQL),
  with each customer's owner and do-not-contact flag;
- the previous snapshot (same horizon, the latest earlier as-of date), for "since the
  previous scoring";
- scoring's own purchase features as of T (services.scoring.features over the paid
  orders): purchase days, recency, the usual gap, spend in the last 90 days and the 90
  before;
- aggregates over recent interactions (bad tickets and low reviews in a window, late
  tickets, email clicks), stalled deals, and who was contacted recently.

Nothing here runs a query per customer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import (
    Connection,
    Date,
    Engine,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from models.db import sqlite_path, translate_db_errors
from models.schema import Action, Interaction, Opportunity, Order, Outreach, ScoringRun
from models.vocab import APP_SOURCE, OUTREACH_STATUSES
from services.alerts._conversation_risk import read_conversation_risks
from services.alerts._db import (
    as_datetime,
    bools,
    columns,
    fetch,
    floats,
    ints,
    midnight,
    number_grid,
    positions,
)
from services.alerts._relationship import RULES as RELATIONSHIP_RULES
from services.alerts._relationship import Proofs, read_relationships
from services.alerts.config import AlertConfig, RuleConfig
from services.alerts.contact_times import contacts_since
from services.alerts.lapse import LAPSE_RULE, lapse_chance, run_bgnbd
from services.alerts.renewal_rules import read_renewals
from services.alerts.segment_values import add_segment_values
from services.alerts.usage_drop import read_usage_drop, read_weeks, usage_frame
from services.core.money import home_cents_expr, home_cents_sql, load_money_context
from services.core.rollups import CLOSED_TICKET_STATUSES
from services.scoring.bgnbd import BGNBDParams
from services.scoring.data import ScoringData, day_number
from services.scoring.features import lifetime_features
from services.scoring.health import usual_gap
from services.usage.weekly import WeeklyUsage

IntArray = npt.NDArray[np.int64]
# (customer id, UTC day number, cents) per paid order.
_Orders = tuple[IntArray, IntArray, IntArray]

# Interactions that count as a conversation with the customer for a stalled deal (not
# campaign emails, opens or clicks).
TOUCH_KINDS = ("call", "meeting", "note", "ticket")
# Interactions that count as contact for the cool-down.
_DAYS_1900_1970 = 25_567


@dataclass(frozen=True)
class ScoringRunRef:
    """The scoring run the alerts come from."""

    id: int
    as_of: dt.date
    horizon_days: int


@dataclass(frozen=True)
class AlertInputs:
    """Everything the rules read.

    ``customers``: one row per scored customer, ascending id. ``deals``: the stalled
    deals (customer_id, name, stage, stage_days, value_cents, quiet_days), oldest stage
    first per customer. ``contacted``: customers contacted within the cool-down.
    """

    as_of: dt.date
    previous_as_of: dt.date | None
    customers: pd.DataFrame
    deals: pd.DataFrame
    contacted: frozenset[int]
    # services.alerts.usage_drop's USAGE_COLUMNS, row for row; None: no usage data.
    usage: pd.DataFrame | None = None
    # The scoring's churn horizon: a customer quiet this long has lapsed (alerts/lapse.py).
    horizon_days: int = 0
    # The open contracts (services.alerts.renewal_rules.RENEWAL_COLUMNS); None: none.
    renewals: pd.DataFrame | None = None


@dataclass(frozen=True)
class GivenScores:
    """Scores computed and not stored (the alert replay, services/learn/alert_replay.py),
    read in place of the run's snapshot: ``current`` has the snapshot's columns as
    ``_snapshot`` reads them (customer_id, snapshot_id, churn, engagement, clv_cents,
    risk_cents, churn_low); ``previous`` (customer_id, churn, engagement) those of
    ``previous_as_of``, or None."""

    current: pd.DataFrame
    previous_as_of: dt.date | None = None
    previous: pd.DataFrame | None = None
    bgnbd: BGNBDParams | None = None  # the week's BG/NBD fit (Lapse coming's chance)


def latest_run(session: Session) -> ScoringRunRef | None:
    """The latest finished scoring run (latest as-of date, then latest run)."""
    row = (
        session.connection()
        .execute(
            select(ScoringRun.id, ScoringRun.as_of, ScoringRun.horizon_days)
            .where(ScoringRun.status == "finished")
            .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
            .limit(1)
        )
        .first()
    )
    return None if row is None else ScoringRunRef(int(row[0]), row[1], int(row[2]))


def _previous_run(conn: Connection, run: ScoringRunRef) -> ScoringRunRef | None:
    """The finished run before ``run``: same horizon, the latest earlier as-of date."""
    row = conn.execute(
        select(ScoringRun.id, ScoringRun.as_of, ScoringRun.horizon_days)
        .where(
            ScoringRun.status == "finished",
            ScoringRun.horizon_days == run.horizon_days,
            ScoringRun.as_of < run.as_of,
        )
        .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)
    ).first()
    return None if row is None else ScoringRunRef(int(row[0]), row[1], int(row[2]))


def read_inputs(
    session: Session,
    run: ScoringRunRef,
    config: AlertConfig,
    now: dt.datetime,
    step: Callable[[float, str], None],
    *,
    engine: Engine | None = None,
    given: GivenScores | None = None,
    proofs: Proofs | None = None,
) -> AlertInputs:
    """Read what the enabled rules need, for the customers of ``run`` (of ``given``, scores
    computed as of ``run.as_of`` and not stored, when given). ``proofs``: the relationship
    signals' proofs as of ``run.as_of`` (None: kept or measured now,
    services/alerts/signal_proofs.py); an unproven signal raises nothing.

    With ``engine`` on a SQLite file, the paid orders and the usage weeks (the largest
    reads) are read on connections of their own in threads while this one reads the
    rest: SQLite runs them at once, as scoring's reader does. Each read sees a committed
    state.
    """
    conn = session.connection()
    # Days since the last order also tell early warnings from win-backs (alerts/lapse.py).
    need_orders = any(
        config.rule(key).enabled
        for key in ("gone_quiet", "expansion", "high_risk_high_value", LAPSE_RULE)
    )
    drop = config.rule("usage_drop")
    with contextlib.ExitStack() as stack:
        orders: Future[list[_Orders]] | None = None
        weeks: Future[WeeklyUsage] | None = None
        if engine is not None and sqlite_path(engine.url) is not None:
            # The usage weeks too (a pass over every usage row): the two largest reads
            # then share the machine's cores with the snapshot's.
            pool = stack.enter_context(ThreadPoolExecutor(2, thread_name_prefix="alerts-read"))
            if need_orders:
                orders = pool.submit(_paid_orders_on_own_connection, engine, run.as_of)
            if drop.enabled:
                weeks = pool.submit(_weeks_on_own_connection, engine, run.as_of, drop)
        if proofs is None and any(config.rule(key).enabled for key in RELATIONSHIP_RULES):
            from services.alerts.signal_proofs import signal_proofs

            proofs = signal_proofs(session, config, midnight(run.as_of + dt.timedelta(days=1)))
        inputs = _read_inputs(
            conn, run, config, now, step, need_orders, orders, given, weeks, proofs or {}
        )
    # Thresholds and owners a customer's segment sets (Settings ▸ Per segment).
    add_segment_values(session, inputs.customers)
    return inputs


def _paid_orders_on_own_connection(engine: Engine, as_of: dt.date) -> list[_Orders]:
    """The paid orders in a list the reader empties (a future keeps its result: at ten
    million orders, 230 MB held to the end of the read)."""
    with translate_db_errors(), engine.connect() as conn, conn.begin():
        return [_paid_orders(conn, as_of)]


def _weeks_on_own_connection(engine: Engine, as_of: dt.date, rule: RuleConfig) -> WeeklyUsage:
    with translate_db_errors(), engine.connect() as conn, conn.begin(), Session(bind=conn) as s:
        return read_weeks(s, as_of, rule)


def _read_inputs(
    conn: Connection,
    run: ScoringRunRef,
    config: AlertConfig,
    now: dt.datetime,
    step: Callable[[float, str], None],
    need_orders: bool,
    orders: Future[list[_Orders]] | None,
    given: GivenScores | None = None,
    weeks: Future[WeeklyUsage] | None = None,
    proofs: Proofs | None = None,
) -> AlertInputs:
    snap = _snapshot(conn, run.id) if given is None else _with_owners(conn, given.current.copy())
    ids = snap["customer_id"].to_numpy()
    n = ids.size
    previous = None
    if config.rule("risk_rising").enabled or config.rule("engagement_drop").enabled:
        previous = _previous_run(conn, run) if given is None else _given_previous(given, run)
    snap["prev_churn"] = np.nan
    snap["prev_engagement"] = np.nan
    if previous is not None:
        cust, churn, engagement = (
            columns(
                fetch(
                    conn,
                    "SELECT customer_id, churn_risk, engagement_score FROM score_snapshots "
                    "WHERE scoring_run_id = ?",
                    (previous.id,),
                ),
                3,
            )
            if given is None or given.previous is None
            else [given.previous[k].to_numpy() for k in ("customer_id", "churn", "engagement")]
        )
        pos, ok = positions(ids, ints(cust))
        for values, name in ((churn, "prev_churn"), (engagement, "prev_engagement")):
            column = np.full(n, np.nan)
            column[pos[ok]] = floats(values)[ok]
            snap[name] = column

    step(0.15, "Reading tickets, reviews and deals")
    end = midnight(run.as_of + dt.timedelta(days=1))
    # Data dated after T is left out, as scoring does; durations such as the SLA are
    # measured up to now when T is today.
    ref = min(now, end)
    _experience(conn, snap, config, end)
    read_conversation_risks(conn, snap, config, end)
    read_relationships(conn, snap, config, end, proofs=proofs or {})
    _late_tickets(conn, snap, config, ref)
    _clicks(conn, snap, config, end)
    deals = _stalled_deals(conn, config, ref)
    drop = config.rule("usage_drop")
    usage = None
    if weeks is not None:
        usage = usage_frame(weeks.result(), ids, drop)
    elif drop.enabled:
        with Session(bind=conn) as usage_session:  # a read in the caller's transaction
            usage = read_usage_drop(usage_session, ids, run.as_of, drop)
    contacted: frozenset[int] = frozenset()
    if config.cooldown_days > 0:
        since = now - dt.timedelta(days=config.cooldown_days)
        contacted = frozenset(int(c) for c in conn.execute(contacts_since(since, now)).scalars())

    step(0.3, "Reading orders")
    purchase_columns = ("recency_days", "purchase_days", "spend_90", "spend_prev_90")
    if need_orders:
        # Nothing but the call holds the orders: they go before the features are computed.
        data = purchase_data(
            ids, orders.result().pop() if orders is not None else _paid_orders(conn, run.as_of)
        )
        features = lifetime_features(data, day_number(run.as_of))
        del data
        for name in purchase_columns:
            snap[name] = features[name].to_numpy()
        snap["usual_gap"] = usual_gap(features)
        fit = None
        if config.rule(LAPSE_RULE).enabled:
            fit = given.bgnbd if given is not None else _run_fit(conn, run.id)
        snap["lapse_chance"] = lapse_chance(features, fit, run.horizon_days)
    else:
        for name in (*purchase_columns, "usual_gap", "lapse_chance"):
            snap[name] = np.nan
    with Session(bind=conn) as renewal_session:  # a read in the caller's transaction
        renewals = read_renewals(renewal_session, config)
    return AlertInputs(
        as_of=run.as_of,
        previous_as_of=previous.as_of if previous is not None else None,
        customers=snap,
        deals=deals,
        contacted=contacted,
        usage=usage,
        horizon_days=run.horizon_days,
        renewals=renewals,
    )


_SNAPSHOT_NUMBERS = (
    "customer_id",
    "id",
    "churn_risk",
    "engagement_score",
    "clv_12m_cents",
    "revenue_at_risk_cents",
    "churn_risk_low",
)


def _snapshot(conn: Connection, run_id: int) -> pd.DataFrame:
    """The run's scores with each customer's owner and do-not-contact flag."""
    if conn.dialect.name == "sqlite":
        grid = number_grid(
            conn,
            f"SELECT {', '.join(_SNAPSHOT_NUMBERS)} FROM score_snapshots WHERE scoring_run_id = ?",
            (run_id,),
            len(_SNAPSHOT_NUMBERS),
        )
        grid = grid[np.argsort(grid[:, 0], kind="stable")]
        parts: list[Any] = [grid[:, k] for k in range(len(_SNAPSHOT_NUMBERS))]
    else:
        parts = columns(
            fetch(
                conn,
                f"SELECT {', '.join(_SNAPSHOT_NUMBERS)} FROM score_snapshots "
                "WHERE scoring_run_id = ? ORDER BY customer_id",
                (run_id,),
            ),
            len(_SNAPSHOT_NUMBERS),
        )
    ids = ints(parts[0])
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "snapshot_id": ints(parts[1]),
            "churn": floats(parts[2]),
            "engagement": floats(parts[3]),
            "clv_cents": floats(parts[4]),
            "risk_cents": floats(parts[5]),
            "churn_low": floats(parts[6]),
        }
    )
    return _with_owners(conn, frame)


def _run_fit(conn: Connection, run_id: int) -> BGNBDParams | None:
    """The BG/NBD fit stored with scoring run ``run_id`` (None when it has none)."""
    stored = conn.execute(select(ScoringRun.params).where(ScoringRun.id == run_id)).scalar()
    return run_bgnbd(stored if isinstance(stored, dict) else None)


def _given_previous(given: GivenScores, run: ScoringRunRef) -> ScoringRunRef | None:
    """The given previous scores as a run reference (no id: they were not stored)."""
    if given.previous is None or given.previous_as_of is None:
        return None
    return ScoringRunRef(0, given.previous_as_of, run.horizon_days)


def _with_owners(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """The scores with each customer's owner and do-not-contact flag."""
    ids = frame["customer_id"].to_numpy(np.int64)
    who, owner, dnc = columns(fetch(conn, "SELECT id, owner, do_not_contact FROM customers"), 3)
    pos, ok = positions(ids, ints(who))
    owners = np.full(ids.size, None, dtype=object)
    owners[pos[ok]] = owner[ok]
    flags = np.zeros(ids.size, bool)
    flags[pos[ok]] = bools(dnc)[ok]
    frame["owner"] = owners
    frame["do_not_contact"] = flags
    return frame


def _paid_orders(conn: Connection, as_of: dt.date) -> _Orders:
    """(customer id, UTC day number, cents) of every paid order dated on or before T."""
    end = as_of + dt.timedelta(days=1)
    # Amounts in the home currency; an order in a currency with no rate adds no money.
    ctx = load_money_context(conn)
    if conn.dialect.name == "sqlite":
        # One text of numbers parsed by numpy in C, packed as services/scoring/data.py
        # packs them (customer id and day since 1900 in one integer, then the amount):
        # a million orders in well under a second. The covering index (customer_id,
        # order_date, amount_cents, status) serves it; the date filter is applied here
        # rather than as a text comparison per row there.
        text = conn.exec_driver_sql(
            "SELECT group_concat((customer_id * 131072 + min(max(CAST(julianday(order_date) "
            f"- 2415020.5 AS INTEGER), 0), 131071)) || ',' || COALESCE({home_cents_sql(ctx)}, 0)) "
            "FROM orders WHERE status = 'paid'"
        ).scalar()
        values = (
            np.fromstring(text, sep=",", dtype=np.int64).reshape(-1, 2)
            if text
            else np.zeros((0, 2), np.int64)
        )
        days = (values[:, 0] & 131071) - _DAYS_1900_1970
        keep = days <= day_number(as_of)
        return values[keep, 0] >> 17, days[keep], values[keep, 1]
    if conn.dialect.name == "postgresql":
        # A bulk read (services/core/_bulk.py): a million orders as columns, not as tuples.
        from services.core._bulk import read_columns

        frame = read_columns(
            conn,
            "SELECT customer_id, CAST(order_date AS DATE) - DATE '1970-01-01', "
            f"COALESCE({home_cents_sql(ctx)}, 0) FROM orders WHERE status = 'paid' "
            f"AND order_date < TIMESTAMP '{end.isoformat()} 00:00:00'",
            ("customer", "day", "amount"),
        )
        cust, day, amount = (frame[c].to_numpy(np.int64, copy=True) for c in frame.columns)
        return cust, day, amount
    o = Order.__table__.c
    rows = conn.execute(
        select(
            o.customer_id,
            cast(o.order_date, Date),
            func.coalesce(home_cents_expr(ctx, o.amount_cents, o.currency), 0),
        ).where(o.status == "paid", o.order_date < midnight(end))
    ).all()
    n = len(rows)
    cust = np.fromiter((r[0] for r in rows), np.int64, count=n)
    dates = np.array([r[1] for r in rows], dtype="datetime64[D]")
    amount = np.fromiter((int(r[2]) for r in rows), np.int64, count=n)
    return cust, dates.astype(np.int64), amount


def purchase_data(ids: IntArray, orders: _Orders) -> ScoringData:
    """The paid orders of the customers ``ids`` as scoring's purchase days, for scoring's
    own purchase features as of T (services.scoring.features' lifetime_features: recency,
    purchase days, gaps, spend windows), the ones scoring computed; none of the
    interaction columns, which the rules do not read (at a million customers, 95 columns
    are 760 MB)."""
    # Each step lets go of the arrays before it (ten million orders are 77 MB a column).
    pos, ok = positions(ids, orders[0])
    # Same-day orders are one purchase, as scoring merges them.
    key = pos[ok] * (1 << 22) + (orders[1][ok] + (1 << 21))
    del pos
    order = np.argsort(key)
    key = key[order]
    amount = orders[2][ok][order].astype(np.float64)
    del ok, order
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1]))) if key.size else key
    uniq = key[starts]
    # Whole cents: the sums are exact in any order.
    spent = np.add.reduceat(amount, starts) if key.size else amount
    count = np.diff(np.append(starts, key.size))
    del key, amount
    empty = np.zeros(0, np.int32)
    return ScoringData(
        customer_ids=ids,
        signup_day=np.full(ids.size, np.nan),
        p_cust=(uniq >> 22).astype(np.int32),
        p_day=((uniq & ((1 << 22) - 1)) - (1 << 21)).astype(np.int32),
        p_amount=np.rint(spent).astype(np.int64),
        p_orders=count.astype(np.int32),
        i_cust=empty,
        i_day=empty.copy(),
        i_kind=np.zeros(0, np.int8),
        i_sat=np.zeros(0, np.int8),
        i_rating=np.zeros(0),
        i_sentiment=np.zeros(0),
        s_cust=empty.copy(),
        s_start=np.zeros(0),
        s_cancel=np.zeros(0),
    )


def _scatter(
    frame: pd.DataFrame,
    rows: list[Any],
    defaults: dict[str, float],
) -> None:
    """Aggregate rows (customer_id, values...) into frame columns (defaults elsewhere)."""
    ids = frame["customer_id"].to_numpy()
    for name, value in defaults.items():
        frame[name] = np.full(ids.size, value)
    if not rows:
        return
    parts = columns([tuple(r) for r in rows], len(defaults) + 1)
    pos, ok = positions(ids, ints(parts[0]))
    for name, values in zip(defaults, parts[1:], strict=True):
        column = frame[name].to_numpy(copy=True)
        column[pos[ok]] = floats(values)[ok]
        frame[name] = column


def _experience(
    conn: Connection, frame: pd.DataFrame, config: AlertConfig, end: dt.datetime
) -> None:
    """Negative tickets (rated bad, or negative words) and low-star or negative reviews in
    the window, per customer; the lowest star rating among the low-star ones."""
    rule = config.rule("negative_experience")
    defaults = {"bad_tickets": 0.0, "low_reviews": 0.0, "lowest_stars": np.nan}
    rows: list[Any] = []
    if rule.enabled:
        i = Interaction.__table__.c
        felt = func.coalesce(i.sentiment, i.text_sentiment)  # imported, else read locally
        words = felt <= float(rule["max_sentiment"])
        bad = and_(i.kind == "ticket", or_(func.lower(i.satisfaction) == "bad", words))
        starred = and_(i.kind == "review", i.rating.between(1, int(rule["max_review_stars"])))
        low = or_(starred, and_(i.kind == "review", words))
        start = end - dt.timedelta(days=int(rule["window_days"]))
        rows = list(
            conn.execute(
                select(
                    i.customer_id,
                    func.sum(case((bad, 1), else_=0)),
                    func.sum(case((low, 1), else_=0)),
                    func.min(case((starred, i.rating), else_=None)),
                )
                .where(
                    i.kind.in_(("ticket", "review")), i.occurred_at >= start, i.occurred_at < end
                )
                .group_by(i.customer_id)
            ).all()
        )
    _scatter(frame, rows, defaults)


def _late_tickets(
    conn: Connection, frame: pd.DataFrame, config: AlertConfig, ref: dt.datetime
) -> None:
    """Unfinished tickets opened more than the SLA before ``ref``: count, oldest age."""
    rule = config.rule("ticket_past_sla")
    defaults = {"late_tickets": 0.0, "oldest_late_days": np.nan}
    rows: list[Any] = []
    if rule.enabled:
        i = Interaction.__table__.c
        due = ref - dt.timedelta(hours=int(rule["sla_hours"]))
        found = conn.execute(
            select(i.customer_id, func.count(), func.min(i.occurred_at))
            .where(
                i.kind == "ticket",
                i.status.is_not(None),
                func.lower(i.status).not_in(CLOSED_TICKET_STATUSES),
                i.occurred_at <= due,
            )
            .group_by(i.customer_id)
        ).all()
        rows = [
            (c, k, (ref - as_datetime(first)).total_seconds() // 86_400) for c, k, first in found
        ]
    _scatter(frame, rows, defaults)


def _clicks(conn: Connection, frame: pd.DataFrame, config: AlertConfig, end: dt.datetime) -> None:
    """Email clicks in the last 90 days and in the 90 before."""
    defaults = {"clicks_90": 0.0, "clicks_prev_90": 0.0}
    rows: list[Any] = []
    if config.rule("expansion").enabled:
        i = Interaction.__table__.c
        split = end - dt.timedelta(days=90)
        rows = list(
            conn.execute(
                select(
                    i.customer_id,
                    func.sum(case((i.occurred_at >= split, 1), else_=0)),
                    func.sum(case((i.occurred_at < split, 1), else_=0)),
                )
                .where(
                    i.kind == "email_click",
                    i.occurred_at >= end - dt.timedelta(days=180),
                    i.occurred_at < end,
                )
                .group_by(i.customer_id)
            ).all()
        )
    _scatter(frame, rows, defaults)


def _stalled_deals(conn: Connection, config: AlertConfig, ref: dt.datetime) -> pd.DataFrame:
    """Open deals in a stalling stage for too long, of customers not contacted since."""
    names = ["customer_id", "name", "stage", "stage_days", "value_cents", "quiet_days"]
    rule = config.rule("stalled_opportunity")
    if not rule.enabled:
        return pd.DataFrame(columns=names)
    o = Opportunity.__table__.c
    since = func.coalesce(o.stage_changed_at, o.created_at)
    stages = [str(s).strip().lower() for s in rule["stages"]]
    stalling = and_(
        o.closed == false(),
        o.stage.is_not(None),
        or_(*(func.lower(o.stage).startswith(s, autoescape=True) for s in stages)),
        since <= ref - dt.timedelta(days=int(rule["stalled_days"])),
    )
    deals = pd.DataFrame(
        [
            tuple(r)
            for r in conn.execute(
                select(
                    o.customer_id,
                    o.name,
                    o.stage,
                    since,
                    # The deal's value in the home currency (none without a rate).
                    home_cents_expr(load_money_context(conn), o.amount_cents, o.currency),
                    o.probability,
                )
                .where(stalling)
                .order_by(o.customer_id, since, o.id)
            )
        ],
        columns=["customer_id", "name", "stage", "since", "amount", "probability"],
    )
    if deals.empty:
        return pd.DataFrame(columns=names)
    # The latest conversation with each of these customers (any time up to ref).
    i, a, out = Interaction.__table__.c, Action.__table__.c, Outreach.__table__.c
    who = select(o.customer_id).where(stalling)
    # SQLite: the kind as an expression, so that the few stalled customers' own rows are
    # read (their index) rather than every ticket and call ever, each looked up for its
    # customer (at a million customers, 3 s of 4).
    kind = i.kind.op("||")(literal("")) if conn.dialect.name == "sqlite" else i.kind
    touched = or_(kind.in_(TOUCH_KINDS), and_(kind == "email_sent", i.source == APP_SOURCE))
    touches = union_all(
        select(i.customer_id.label("c"), i.occurred_at.label("at")).where(
            touched, i.occurred_at <= ref, i.customer_id.in_(who)
        ),
        select(a.customer_id, a.created_at).where(a.created_at <= ref, a.customer_id.in_(who)),
        select(out.customer_id, func.coalesce(out.sent_at, out.created_at)).where(
            out.status.in_(OUTREACH_STATUSES), out.customer_id.in_(who)
        ),
    ).subquery()
    last = {
        int(c): at
        for c, at in conn.execute(
            select(touches.c.c, func.max(touches.c.at)).group_by(touches.c.c)
        ).all()
    }

    def age_days(value: Any) -> float:
        if value is None:
            return np.inf
        return float((ref - as_datetime(value)).total_seconds() // 86_400)

    deals["customer_id"] = deals["customer_id"].astype(np.int64)
    deals["stage_days"] = [age_days(v) for v in deals["since"].tolist()]
    deals["quiet_days"] = [age_days(last.get(c)) for c in deals["customer_id"].tolist()]
    deals = deals[deals["quiet_days"] >= float(rule["quiet_days"])]
    amount = pd.to_numeric(deals["amount"], errors="coerce").fillna(0.0)
    # Expected value: amount x probability (the amount when no probability is known).
    probability = pd.to_numeric(deals["probability"], errors="coerce").fillna(1.0).clip(0, 1)
    deals = deals.assign(value_cents=(amount * probability).round())
    return deals.loc[:, names].reset_index(drop=True)

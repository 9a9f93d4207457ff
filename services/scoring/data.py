"""Read what scoring needs from a workspace: one SQL read per table, then numpy arrays.

Scoring replays the past (backtests at T-2H and T-H, then T), so everything is read once,
up to the as-of date, and sliced by date in memory. Dates become whole UTC day numbers
(days since 1970-01-01); money stays integer cents.

On SQLite the order and interaction reads pack each row into integers and let SQLite
join them into one text value (``group_concat``) that numpy parses in C: a million rows
arrive in about half a second instead of two or three through Python tuples. Other
databases (PostgreSQL) read plain rows through SQLAlchemy Core.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import Date

from models.db import sqlite_path
from models.schema import Customer, Interaction, Order, Subscription
from models.vocab import GUEST_EXTERNAL_ID, INTERACTION_KINDS
from services.core._bulk import read_columns
from services.core._stable import stable_keys, stable_order
from services.core.money import MoneyContext, home_cents_expr, home_cents_sql, load_money_context
from services.people.tracking import opted_out_ids
from services.scoring._conversations import (
    ConversationRows,
    RawConversations,
    ordered_conversations,
    read_conversations,
)
from services.scoring._packing import (
    CUSTOMER_BITS,
    DAY_BITS,
    DAY_OFFSET,
    KIND_BITS,
    LOW_BITS,
    RATING_BITS,
    SAT_BITS,
    Inter,
    People,
    ordered_interactions,
    ordered_packed,
    sentiment_value,
    unpack_day,
)
from services.scoring.known import known_as_of

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
Int8Array = npt.NDArray[np.int8]
FloatArray = npt.NDArray[np.float64]
ObjArray = npt.NDArray[np.object_]

EPOCH = dt.date(1970, 1, 1)
# Interaction kinds as small integer codes (index in models.vocab.INTERACTION_KINDS).
KIND = {kind: code for code, kind in enumerate(INTERACTION_KINDS)}
OTHER_KIND = 15
# Ticket satisfaction codes.
SATISFACTION = {"good": 1, "bad": 2, "offered": 3, "unoffered": 4}

_NO_DAY = -1_000_000
_JULIAN_1900 = 2_415_020.5


def day_number(value: dt.date) -> int:
    """The day number (days since 1970-01-01) of a date."""
    return (value - EPOCH).days


def day_date(day: int) -> dt.date:
    """The date of a day number."""
    return EPOCH + dt.timedelta(days=int(day))


# The amount read for a paid order in a currency with no exchange rate to the home one.
NO_RATE = -(1 << 60)


@dataclass(frozen=True)
class ScoringData:
    """Everything scoring reads, as arrays; customer positions index ``customer_ids``."""

    # Non-guest customers known as of the last day read (services/scoring/known.py: from
    # their signup or first order on), in a stable order (stable_order: a hash of their
    # source and external id), never in the order rows were inserted: every sample, split
    # and fold downstream is drawn by position, so scores cannot depend on a file's row
    # order.
    customer_ids: IntArray
    signup_day: FloatArray  # NaN where unknown
    # One row per (customer, UTC day) with paid orders, sorted by customer then day;
    # same-day orders are merged into one purchase, as the BG/NBD literature does.
    p_cust: Int32Array
    p_day: Int32Array
    p_amount: IntArray  # cents paid that day
    p_orders: Int32Array  # paid orders that day
    # Interactions sorted by customer then day.
    i_cust: Int32Array
    i_day: Int32Array
    i_kind: Int8Array
    i_sat: Int8Array  # SATISFACTION code, 0 = none
    i_rating: FloatArray  # NaN = none
    i_sentiment: FloatArray  # NaN = none
    # Subscriptions (one row each).
    s_cust: Int32Array
    s_start: FloatArray  # day number, NaN = unknown
    s_cancel: FloatArray  # day number, NaN = not cancelled
    kinds_present: frozenset[str] = field(default_factory=frozenset)
    # Product usage (services/scoring/_usage.py): one row per customer and day with use.
    u_cust: Int32Array = field(default_factory=lambda: np.zeros(0, np.int32))
    u_day: Int32Array = field(default_factory=lambda: np.zeros(0, np.int32))
    u_sessions: FloatArray = field(default_factory=lambda: np.zeros(0))
    # Per customer (in the stable order): True when a paid order of theirs is in a
    # currency with no exchange rate to the home one. Their money figures are unknown,
    # never 0 (services/scoring/run.py leaves them empty); empty: none such.
    unpriced: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    # Money is in this (home) currency; paid orders in a currency with no exchange rate
    # count as purchases but add no money: how many, by currency.
    currency: str = "USD"
    left_out: dict[str, int] = field(default_factory=dict)
    # The conversations imported (services/scoring/_conversations.py): empty without.
    conversations: ConversationRows = field(default_factory=ConversationRows)

    @property
    def n(self) -> int:
        return int(self.customer_ids.size)

    @cached_property
    def kind_rows(self) -> dict[int, IntArray]:
        """Row positions of each interaction kind, in row order (customer, then day)."""
        order = np.argsort(self.i_kind, kind="stable").astype(np.int64)
        kinds, starts = np.unique(self.i_kind[order], return_index=True)
        bounds = np.append(starts, order.size)
        return {int(k): order[bounds[i] : bounds[i + 1]] for i, k in enumerate(kinds)}

    def first_purchase_day(self) -> int | None:
        """The earliest purchase day in the workspace, or None without paid orders."""
        return int(self.p_day.min()) if self.p_day.size else None


def load_scoring_data(engine: Engine, *, until_day: int) -> ScoringData:
    """Read the customers known by ``until_day`` (services/scoring/known.py), and the paid
    orders, interactions and subscriptions dated up to it.

    On a SQLite file the interactions (then customers and subscriptions) are read on a
    second connection, in a thread, while this one reads the orders: SQLite runs both
    queries at once (it releases the GIL). Each read sees a committed state; an import
    committing in between can at worst add rows dated up to the as-of date, never half
    an import.
    """
    if engine.dialect.name == "sqlite" and sqlite_path(engine.url) is not None:
        with ThreadPoolExecutor(1, thread_name_prefix="scoring-read") as pool:
            future = pool.submit(_read_rest_sqlite, engine, until_day)
            with engine.connect() as conn, conn.begin():
                ctx = load_money_context(conn)
                orders = _orders_sqlite(conn, until_day, ctx)
                # Another pass over the orders only when one has no exchange rate.
                left_out = _left_out(conn, until_day, ctx) if _no_rate(orders) else {}
                usage, talks = _tracked(
                    conn, _read_usage(conn, until_day), read_conversations(conn, until_day)
                )
            people, subs, inter = future.result()
    else:
        with engine.connect() as conn, conn.begin():
            ctx = load_money_context(conn)
            people = _read_people(conn, until_day)
            orders = _orders_generic(conn, until_day, ctx)
            left_out = _left_out(conn, until_day, ctx) if _no_rate(orders) else {}
            usage, talks = _tracked(
                conn, _read_usage(conn, until_day), read_conversations(conn, until_day)
            )
            subs = _read_subscriptions(conn)
            inter = ordered_interactions(_interactions_generic(conn, until_day), people)

    o_cust, o_day, o_amount = orders
    no_rate = o_amount == NO_RATE
    o_amount = np.where(no_rate, 0, o_amount)  # a purchase all the same, of unknown value
    o_place, o_ok = people.places(o_cust)
    unpriced = np.zeros(people.ids.size, bool)
    unpriced[o_place[o_ok & no_rate]] = True
    p_cust, p_day, p_amount, p_orders = _purchase_days(o_place[o_ok], o_day[o_ok], o_amount[o_ok])

    i_cust, iday, kind, sat, rating, sentiment = inter
    i_kind = kind.astype(np.int8)
    present = frozenset(
        INTERACTION_KINDS[k]
        for k in np.flatnonzero(np.bincount(kind, minlength=1))
        if 0 <= k < len(KIND)
    )

    s_cust_raw, s_start, s_cancel = subs
    s_place, s_ok = people.places(s_cust_raw)
    u_raw, u_day, u_sessions = usage
    u_place, u_ok = people.places(u_raw)
    return ScoringData(
        customer_ids=people.ids[people.stable],
        signup_day=people.signup_day[people.stable],
        p_cust=p_cust,
        p_day=p_day,
        p_amount=p_amount,
        p_orders=p_orders,
        i_cust=i_cust.astype(np.int32),
        i_day=iday.astype(np.int32),
        i_kind=i_kind,
        i_sat=sat.astype(np.int8),
        i_rating=rating,
        i_sentiment=sentiment,
        s_cust=s_place[s_ok].astype(np.int32),
        s_start=s_start[s_ok],
        s_cancel=s_cancel[s_ok],
        kinds_present=present,
        u_cust=u_place[u_ok].astype(np.int32),
        u_day=u_day[u_ok].astype(np.int32),
        u_sessions=u_sessions[u_ok],
        currency=ctx.home,
        left_out=left_out,
        unpriced=unpriced,
        conversations=_conversations(talks, people),
    )


def _tracked(
    conn: Connection, usage: tuple[IntArray, IntArray, FloatArray], talks: RawConversations
) -> tuple[tuple[IntArray, IntArray, FloatArray], RawConversations]:
    """The usage and conversations without those of customers who opted out of activity
    tracking (customers.tracking_opted_out_at): their features read as a customer's
    without any."""
    with Session(bind=conn) as session:
        out = np.fromiter(opted_out_ids(session), np.int64)
    if not out.size:
        return usage, talks
    keep = ~np.isin(usage[0], out)
    usage = (usage[0][keep], usage[1][keep], usage[2][keep])
    said = ~np.isin(talks[0], out)
    c, d, k, f, b, n, names = talks
    return usage, (c[said], d[said], k[said], f[said], b[said], n[said], names)


def _conversations(raw: RawConversations, people: People) -> ConversationRows:
    """The conversations of customers, in ScoringData's order."""
    place, ok = people.places(raw[0])
    return ordered_conversations(raw, place, ok)


def _read_people(conn: Connection, until_day: int) -> People:
    customer_ids, signup_day = _read_customers(conn, until_day)
    stable = stable_order(stable_keys(conn, customer_ids), customer_ids)
    rank = np.empty_like(stable)
    rank[stable] = np.arange(stable.size)
    return People(customer_ids, signup_day, stable, rank)


def _read_rest_sqlite(
    engine: Engine, until_day: int
) -> tuple[People, tuple[IntArray, FloatArray, FloatArray], Inter]:
    """The customers, their subscriptions and interactions (in the order of ScoringData),
    on their own connection."""
    with engine.connect() as conn, conn.begin():
        cust, low = _interactions_sqlite(conn, until_day)
        people = _read_people(conn, until_day)
        subs = _read_subscriptions(conn)
    return people, subs, ordered_packed(cust, low, people)


def _no_rate(orders: tuple[IntArray, IntArray, IntArray]) -> bool:
    """Whether a paid order read has no exchange rate to the home currency."""
    return bool((orders[2] == NO_RATE).any())


def _purchase_days(
    cust: IntArray, day: IntArray, amount: IntArray
) -> tuple[Int32Array, Int32Array, IntArray, Int32Array]:
    """Merge paid orders into one row per (customer, day), sorted by customer then day."""
    if cust.size == 0:
        empty = np.zeros(0, np.int32)
        return empty, empty.copy(), np.zeros(0, np.int64), empty.copy()
    key = cust.astype(np.int64) * (1 << 20) + (day.astype(np.int64) + (1 << 19))
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    amounts = np.bincount(inverse, weights=amount.astype(np.float64), minlength=uniq.size)
    p_cust = (uniq >> 20).astype(np.int32)
    p_day = ((uniq & ((1 << 20) - 1)) - (1 << 19)).astype(np.int32)
    return p_cust, p_day, np.rint(amounts).astype(np.int64), counts.astype(np.int32)


def _read_customers(conn: Connection, until_day: int) -> tuple[IntArray, FloatArray]:
    """The ids (ascending) and signup days of the non-guest customers known as of
    ``until_day`` (services/scoring/known.py)."""
    c = Customer.__table__.c
    where = and_(
        or_(c.external_id.is_(None), c.external_id != GUEST_EXTERNAL_ID),
        known_as_of(day_date(until_day)),
    )
    if conn.dialect.name == "sqlite":
        packed: ColumnElement[str] = literal_column(
            "group_concat(customers.id || ',' || coalesce("
            f"{_julian_day('customers.signup_date')}, {_NO_DAY}))"
        )
        text = conn.execute(select(packed).select_from(Customer.__table__).where(where)).scalar()
        values = (
            np.fromstring(text, sep=",", dtype=np.int64) if text else np.zeros(0, np.int64)
        ).reshape(-1, 2)
        values = values[np.argsort(values[:, 0], kind="stable")]
        signup = values[:, 1].astype(np.float64)
        signup[values[:, 1] == _NO_DAY] = np.nan
        return values[:, 0].copy(), signup
    rows = conn.execute(select(c.id, c.signup_date).where(where).order_by(c.id)).all()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    signup = np.array(
        [np.nan if r[1] is None else float(day_number(_as_date(r[1]))) for r in rows],
        dtype=np.float64,
    )
    return ids, signup


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _julian_day(column: str) -> str:
    """SQLite: the UTC day number since 1970-01-01 of a stored timestamp, as SQL."""
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _day_1900(column: str) -> str:
    """SQLite: the day number since 1900-01-01, clamped into its bits (earlier counts as
    1900-01-01, long ago)."""
    return (
        f"min(max(CAST(julianday({column}) - {_JULIAN_1900} AS INTEGER), 0), {(1 << DAY_BITS) - 1})"
    )


def _concat_ints(conn: Connection, sql: str) -> IntArray:
    text = conn.exec_driver_sql(sql).scalar()
    if not text:
        return np.zeros(0, np.int64)
    return np.fromstring(text, sep=",", dtype=np.int64)


def _concat_columns(conn: Connection, sql: str) -> list[IntArray]:
    """The integer lists of a one-row query of group_concat columns (each column of the
    same rows, so a ``||`` per row is left out: SQLite builds a string for each)."""
    row = conn.exec_driver_sql(sql).one()
    return [
        np.fromstring(text, sep=",", dtype=np.int64) if text else np.zeros(0, np.int64)
        for text in row
    ]


def _read_usage(conn: Connection, until_day: int) -> tuple[IntArray, IntArray, FloatArray]:
    """(customer id, day number, sessions) of the product usage dated up to ``until_day``
    (services/scoring/_usage.py), read in bulk; a day may come once per source."""
    if conn.dialect.name == "sqlite":
        # Row by row (a day of two sources is two rows; grouping costs SQLite twice), in
        # table order: most rows are wanted, and the day index would jump for each.
        packed, sessions = _concat_columns(
            conn,
            f"SELECT group_concat(coalesce(customer_id * {1 << DAY_BITS} + "
            f"{_day_1900('day')}, -1)), group_concat(COALESCE(sessions, 0)) "
            f"FROM usage_days NOT INDEXED WHERE day <= '{day_date(until_day).isoformat()}'",
        )
        keep = packed >= 0
        cust, days = unpack_day(packed[keep])
        return cust, days, sessions[keep].astype(np.float64)
    day = "(day - DATE '1970-01-01')"
    sql = (
        f"SELECT customer_id, {day}, SUM(COALESCE(sessions, 0)) FROM usage_days "
        f"WHERE {day} <= {int(until_day)} GROUP BY customer_id, {day}"
    )
    if conn.dialect.name == "postgresql":
        frame = read_columns(conn, sql, ("customer", "day", "sessions"))
        rows = frame.to_numpy(np.float64)
    else:
        rows = np.array([tuple(r) for r in conn.exec_driver_sql(sql)], np.float64).reshape(-1, 3)
    return rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64), rows[:, 2]


def _until(until_day: int) -> dt.datetime:
    return dt.datetime.combine(day_date(until_day + 1), dt.time(), tzinfo=dt.UTC)


def _left_out(conn: Connection, until_day: int, ctx: MoneyContext) -> dict[str, int]:
    """Paid orders up to the day whose currency has no rate to the home one, by currency."""
    o = Order.__table__.c
    rows = conn.execute(
        select(o.currency, func.count())
        .where(
            o.status == "paid",
            o.order_date < _until(until_day),
            home_cents_expr(ctx, o.amount_cents, o.currency).is_(None),
        )
        .group_by(o.currency)
    ).all()
    return {str(currency): int(n) for currency, n in rows if n}


def _orders_sqlite(
    conn: Connection, until_day: int, ctx: MoneyContext
) -> tuple[IntArray, IntArray, IntArray]:
    # Two integers per order: customer id and day packed into one, and the amount in the
    # home currency (NO_RATE without an exchange rate: a purchase of unknown value).
    packed, amount = _concat_columns(
        conn,
        f"SELECT group_concat(coalesce(customer_id * {1 << DAY_BITS} + "
        f"{_day_1900('order_date')}, -1)), group_concat(COALESCE({home_cents_sql(ctx)}, "
        f"{NO_RATE})) FROM orders WHERE status = 'paid'",
    )
    cust, day = unpack_day(packed)
    # Filtering here is cheaper than a text comparison per row in SQLite.
    keep = (packed >= 0) & (day <= until_day)
    return cust[keep], day[keep], amount[keep]


def _pg_until(until_day: int) -> str:
    """The end of ``until_day`` (UTC) as a PostgreSQL timestamp literal (stored timestamps
    are UTC without a zone)."""
    return f"TIMESTAMP '{day_date(until_day + 1).isoformat()} 00:00:00'"


def _pg_day(column: str) -> str:
    """The UTC day number (days since 1970) of a stored timestamp, in PostgreSQL."""
    return f"(CAST({column} AS DATE) - DATE '1970-01-01')"


def _orders_postgres(
    conn: Connection, until_day: int, ctx: MoneyContext
) -> tuple[IntArray, IntArray, IntArray]:
    """_orders_generic's columns read in bulk (services/core/_bulk.py)."""
    frame = read_columns(
        conn,
        f"SELECT customer_id, {_pg_day('order_date')}, COALESCE({home_cents_sql(ctx)}, {NO_RATE}) "
        f"FROM orders WHERE status = 'paid' AND order_date < {_pg_until(until_day)}",
        ("customer", "day", "amount"),
    )
    cust, day, amount = (frame[c].to_numpy(np.int64, copy=True) for c in frame.columns)
    return cust, day, amount


def _orders_generic(
    conn: Connection, until_day: int, ctx: MoneyContext
) -> tuple[IntArray, IntArray, IntArray]:
    if conn.dialect.name == "postgresql":
        return _orders_postgres(conn, until_day, ctx)
    o = Order.__table__.c
    home = func.coalesce(home_cents_expr(ctx, o.amount_cents, o.currency), NO_RATE)
    rows = conn.execute(
        select(o.customer_id, cast(o.order_date, Date), home).where(
            and_(o.status == "paid", o.order_date < _until(until_day))
        )
    ).all()
    cust = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    days = np.fromiter((day_number(_as_date(r[1])) for r in rows), np.int64, count=len(rows))
    amount = np.fromiter((int(r[2]) for r in rows), dtype=np.int64, count=len(rows))
    return cust, days, amount


def _kind_sql() -> str:
    """An interaction's kind as its code (KIND), in SQL (SQLite and PostgreSQL)."""
    whens = " ".join(f"WHEN '{k}' THEN {code}" for k, code in KIND.items())
    return f"CASE kind {whens} ELSE {OTHER_KIND} END"


def _satisfaction_sql() -> str:
    """A ticket's satisfaction as its code (SATISFACTION; 0 unknown), in SQL."""
    whens = " ".join(f"WHEN '{k}' THEN {code}" for k, code in SATISFACTION.items())
    return f"CASE lower(satisfaction) {whens} ELSE 0 END"


def _interactions_sqlite(conn: Connection, until_day: int) -> tuple[IntArray, IntArray]:
    """(customer id, packed low bits: day, kind, satisfaction, rating, sentiment) of each
    interaction dated up to ``until_day``, in table order."""
    kind, sat = _kind_sql(), _satisfaction_sql()
    rating = "CASE WHEN rating BETWEEN 0 AND 30 THEN rating + 1 ELSE 0 END"
    felt = "coalesce(sentiment, text_sentiment)"  # imported, else read on the laptop
    sentiment = (
        f"CASE WHEN {felt} BETWEEN -1 AND 1 "
        f"THEN CAST(({felt} + 1) * 100 + 0.5 AS INTEGER) + 1 "
        "ELSE 0 END"
    )
    # Satisfaction, rating and sentiment only matter (and are only computed) for tickets,
    # reviews and NPS answers.
    extra = (
        "CASE WHEN kind IN ('ticket', 'review', 'nps') THEN "
        f"(({sentiment}) * {1 << RATING_BITS} + ({rating})) * {1 << SAT_BITS} + ({sat}) "
        "ELSE 0 END"
    )
    day = _day_1900("occurred_at")
    low = f"(({extra}) * {1 << KIND_BITS} + ({kind})) * {1 << DAY_BITS} + {day}"
    max_id = conn.exec_driver_sql("SELECT max(customer_id) FROM interactions").scalar() or 0
    if int(max_id) < (1 << CUSTOMER_BITS):
        # One integer per interaction: the customer id in the top bits.
        packed = _concat_ints(
            conn, f"SELECT group_concat(customer_id * {1 << LOW_BITS} + {low}) FROM interactions"
        )
        values = np.stack([packed >> LOW_BITS, packed & ((1 << LOW_BITS) - 1)], axis=1)
    else:
        values = _concat_ints(
            conn, f"SELECT group_concat(customer_id || ',' || ({low})) FROM interactions"
        ).reshape(-1, 2)
    until_1900 = int(until_day) + DAY_OFFSET
    keep = (values[:, 1] & ((1 << DAY_BITS) - 1)) <= until_1900
    return values[keep, 0], values[keep, 1]


def _interactions_generic(conn: Connection, until_day: int) -> Inter:
    if conn.dialect.name == "postgresql":
        # Kinds and satisfaction as their codes in SQL: the bulk read hands numbers over only.
        kind, sat = _kind_sql(), _satisfaction_sql()
        frame = read_columns(
            conn,
            f"SELECT customer_id, {_pg_day('occurred_at')}, {kind}, {sat}, rating, "
            "COALESCE(sentiment, text_sentiment) FROM interactions "
            f"WHERE occurred_at < {_pg_until(until_day)}",
            ("customer", "day", "kind", "sat", "rating", "sentiment"),
        )
        cust, day, kinds, sats = (
            frame[c].to_numpy(np.int64, copy=True) for c in ("customer", "day", "kind", "sat")
        )
        ratings = frame["rating"].to_numpy(np.float64, copy=True)
        sentiments = frame["sentiment"].to_numpy(np.float64, copy=True)
    else:
        i = Interaction.__table__.c
        until = dt.datetime.combine(day_date(until_day + 1), dt.time(), tzinfo=dt.UTC)
        rows = conn.execute(
            select(
                i.customer_id,
                cast(i.occurred_at, Date),
                i.kind,
                i.satisfaction,
                i.rating,
                func.coalesce(i.sentiment, i.text_sentiment),
            ).where(i.occurred_at < until)
        ).all()
        n = len(rows)
        cust = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
        day = np.fromiter((day_number(_as_date(r[1])) for r in rows), dtype=np.int64, count=n)
        kinds = np.fromiter((KIND.get(r[2], OTHER_KIND) for r in rows), dtype=np.int64, count=n)
        sats = np.fromiter(
            (SATISFACTION.get((r[3] or "").lower(), 0) for r in rows), dtype=np.int64, count=n
        )
        ratings = np.array([np.nan if r[4] is None else float(r[4]) for r in rows], np.float64)
        sentiments = np.array([np.nan if r[5] is None else float(r[5]) for r in rows], np.float64)
    # As the SQLite read packs them: ratings 0..30, sentiment -1..1 to two decimals, and
    # both only for tickets, reviews and NPS answers.
    rated = np.isin(kinds, (KIND["ticket"], KIND["review"], KIND["nps"]))
    ratings[~rated | ~((ratings >= 0) & (ratings <= 30))] = np.nan
    sentiments[~rated | ~((sentiments >= -1) & (sentiments <= 1))] = np.nan
    sentiments = sentiment_value(np.floor((sentiments + 1.0) * 100.0 + 0.5))
    sats[~rated] = 0
    return cust, day, kinds, sats, ratings, sentiments


def _read_subscriptions(conn: Connection) -> tuple[IntArray, FloatArray, FloatArray]:
    if conn.dialect.name == "sqlite":
        values = _concat_ints(
            conn,
            f"SELECT group_concat(customer_id || ',' || "
            f"coalesce({_julian_day('started_at')}, {_NO_DAY}) || ',' || "
            f"coalesce({_julian_day('canceled_at')}, {_NO_DAY})) FROM subscriptions",
        ).reshape(-1, 3)
        start, cancel = values[:, 1].astype(np.float64), values[:, 2].astype(np.float64)
        start[values[:, 1] == _NO_DAY] = np.nan
        cancel[values[:, 2] == _NO_DAY] = np.nan
        return values[:, 0].copy(), start, cancel
    s = Subscription.__table__.c
    rows = conn.execute(select(s.customer_id, s.started_at, s.canceled_at)).all()
    n = len(rows)

    def days(col: int) -> FloatArray:
        return np.array(
            [np.nan if r[col] is None else float(day_number(_as_date(r[col]))) for r in rows],
            dtype=np.float64,
        )

    return np.fromiter((r[0] for r in rows), np.int64, count=n), days(1), days(2)

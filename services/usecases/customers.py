"""Customer queries for the window: the customers table and workspace facts (one customer's
detail is services/usecases/customer_detail.py).

Plain functions over an Engine, no Qt. The table loader is on the start-up path of the
window, so it reads with one aggregate SQL statement per table through the raw DBAPI
cursor (no ORM objects, no per-row type processing) and assembles numpy columns.
pandas and the ORM classes are imported inside the functions that need them: the
window can show its table before either has been loaded.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.vocab import GUEST_EXTERNAL_ID, INTERACTION_KINDS
from services.core.records import (
    WorkspaceSummary,
)

if TYPE_CHECKING:
    import pandas as pd

    from services.core.money import MoneyContext

# Interaction kinds read for a customer's timeline. Opens and clicks are folded into
# the email they belong to ("opened", "not opened"), and logins are left out: a
# customer has dozens of them and they would bury the events that matter.
TIMELINE_INTERACTION_KINDS = tuple(k for k in INTERACTION_KINDS if k != "login")

# "name": the account's name (services/core/account_names.py: the company, else the
# person, else the email); "person": who stands for the account, beside its name (None when
# the account is its person).
TABLE_COLUMNS = (
    "id",
    "name",
    "person",
    "email",
    "company",
    "owner",
    "tier",
    "region",
    "signup_date",
    "orders",
    "revenue",
    "last_order",
    "days_since_last_order",
    "open_tickets",
    "open_opportunities",
)

# The latest scores, added to the table columns once the workspace has been scored
# (float64 with NaN for a customer without a snapshot; money in dollars; segment,
# confidence and stage object arrays with None). "stage": the lifecycle stage's key
# stored with the latest scoring (services/lifecycle/stored.py).
SCORE_TABLE_COLUMNS = (
    "churn_risk",
    "engagement_score",
    "health_score",
    "clv_12m",
    "revenue_at_risk",
    "predicted_orders",
    "segment",
    "confidence",
    "stage",
)

# "amount" is in the home currency (NaN when the order's currency has no exchange rate);
# "currency" and "original" are the order's own currency and amount.
ORDER_COLUMNS = ("order_date", "amount", "status", "category", "channel", "currency", "original")


def cents_to_units(cents: Any) -> float | None:
    return None if cents is None else int(cents) / 100.0


def _fetch(cursor: Any, sql: str) -> list[tuple[Any, ...]]:
    """Run one statement on a raw DBAPI cursor and return all rows as tuples."""
    cursor.execute(sql)
    return list(cursor.fetchall())


def _to_datetime64(values: np.ndarray) -> np.ndarray:
    """SQLite gives ISO text, PostgreSQL gives datetime objects; both become datetime64[ns]."""
    try:
        # numpy's own parser is twice as fast as pandas' and reads what we store
        # ("YYYY-MM-DD HH:MM:SS.ffffff", "YYYY-MM-DD", naive datetimes, None).
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            parsed_np: np.ndarray = values.astype("datetime64[us]").astype("datetime64[ns]")
            return parsed_np
    except (ValueError, TypeError, DeprecationWarning, UserWarning):
        # Hand-made files may hold offsets or a "T" separator with zone: let pandas read them.
        import pandas as pd

        parsed = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601", utc=True)
        result: np.ndarray = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        return result


def _today_utc(today: dt.date | dt.datetime | None) -> np.datetime64:
    if today is None:
        return np.datetime64(dt.datetime.now(dt.UTC).replace(tzinfo=None), "ns")
    if isinstance(today, dt.datetime):
        if today.tzinfo is not None:
            today = today.astimezone(dt.UTC).replace(tzinfo=None)
        return np.datetime64(today, "ns")
    return np.datetime64(dt.datetime.combine(today, dt.time()), "ns")


def load_customer_table(
    engine: Engine, *, today: dt.date | dt.datetime | None = None
) -> pd.DataFrame:
    """One row per customer with paid-order aggregates, open tickets and open opportunities."""
    import pandas as pd

    columns = load_customer_columns(engine, today=today)
    days = columns["days_since_last_order"]
    data: dict[str, Any] = dict(columns)
    for name in ("name", "person", "email", "company", "owner", "tier", "region"):
        data[name] = pd.Series(columns[name], dtype=object, copy=False)
    # NaN (never ordered) becomes <NA> in a nullable integer column.
    data["days_since_last_order"] = pd.array(days, dtype="Int64")
    table = pd.DataFrame(data, columns=list(TABLE_COLUMNS))
    # Not columns: the part of the revenue that converts to the home currency (beside an
    # empty "revenue" when some of it has no rate), and what was paid per currency then.
    table.attrs["revenue_converted"] = columns["revenue_converted"]
    table.attrs["revenue_unconverted"] = columns["revenue_unconverted"]
    return table


def load_customer_columns(
    engine: Engine, *, today: dt.date | dt.datetime | None = None, scores: bool = True
) -> dict[str, np.ndarray]:
    """The customers table as numpy columns (TABLE_COLUMNS), without pandas.

    Text columns are object arrays (None when missing), dates datetime64[ns] (NaT),
    counts int64, revenue float64 dollars, days_since_last_order float64 (NaN).
    Once the workspace has been scored (and scores is true) the latest scores follow,
    as SCORE_TABLE_COLUMNS. Beside the columns: "currency", "external_id" and
    "do_not_contact" (bool).
    """
    with translate_db_errors(), engine.connect() as conn, conn.begin():
        # One transaction: every read sees the same snapshot on SQLite.
        return _read_columns(conn, today, scores)


def _read_columns(
    conn: Connection,
    today: dt.date | dt.datetime | None,
    scores: bool,
    only: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """load_customer_columns in the caller's transaction; with only (ascending ids, read
    through the rollups), those customers alone."""
    from services.core.money import load_money_context

    latest: dict[str, np.ndarray] | None = None
    months = 12
    ctx = load_money_context(conn)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        rolled = _read_with_rollups(cursor, only)
        parts = rolled[0] if rolled else _read_live(cursor, ctx)
        # Few customers are marked: their ids, not a column read for every row.
        marked = "SELECT id FROM customers WHERE do_not_contact"
        if only is not None:
            marked += f" AND id IN ({_listed(only)})"
        do_not_contact = np.array([r[0] for r in _fetch(cursor, marked)], dtype=np.int64)
    finally:
        cursor.close()
    # The rollups keep each customer's last order's offset (migration 0021); a live read
    # looks it up in the orders.
    if rolled:
        offsets = rolled[2]
    else:
        ids = parts[0][:, 0].astype(np.int64)
        offsets = _offsets_of(ids, _last_order_offsets(conn, only))
    from services.core.rollups import unconverted_revenue

    # Paid amounts in a currency with no rate to the home one: never counted as 0. None
    # while the current rollups say every order is in the home currency.
    single = rolled is not None and rolled[1] == ctx.home
    unconverted = {} if single else unconverted_revenue(Session(bind=conn), ctx)
    stages: tuple[np.ndarray, np.ndarray] | None = None
    if scores:
        from services.scoring.queries import latest_scores_columns, latest_stages, value_months

        with Session(bind=conn) as session:
            # The snapshots' own rows: _align_scores places them on the customers read
            # above (no second read of every customer's id).
            latest = latest_scores_columns(session, aligned=False, customer_ids=only)
            stages = latest_stages(session, only) if latest is not None else None
            months = value_months(session)
    grid, order_count, revenue_cents, last_text, open_tickets, open_opps = parts
    ids = grid[:, 0].astype(np.int64)
    # The last order on the shop's clock (services/local_dates): 21:30 at -0700 on 19
    # September is the 19th, not UTC's 20th; a time with no zone stays as written.
    last_order = _to_datetime64(last_text) + offsets

    # Calendar days between today (UTC) and the last paid order's local date, as the detail pane
    # counts them: an order late yesterday is 1 day ago. NaN for customers who never
    # ordered; never negative (an order stamped later today than "today" is 0).
    today_day = _today_utc(today).astype("datetime64[D]")
    days = (today_day - last_order.astype("datetime64[D]")).astype("timedelta64[D]")
    days_f = days.astype(np.int64).astype(float)
    days_f[np.isnat(last_order)] = np.nan
    days = np.maximum(days_f, 0.0)
    data: dict[str, np.ndarray] = {"id": ids}
    for i, name in enumerate(("name", "email", "company", "owner", "tier", "region"), start=1):
        data[name] = np.ascontiguousarray(grid[:, i])
    from services.core.account_names import account_columns

    # The account's name and its person, by the one definition (the row's own name is
    # its person's, who may have left).
    with Session(bind=conn) as session:
        data["name"], data["person"] = account_columns(
            session, ids, data["company"], data["name"], data["email"]
        )
    data.update(
        signup_date=_to_datetime64(grid[:, 7]),
        orders=order_count,
        # Display only: the stored amounts stay integer cents.
        revenue=revenue_cents / 100.0,
        last_order=last_order,
        days_since_last_order=days,
        open_tickets=open_tickets,
        open_opportunities=open_opps,
    )
    result = {name: data[name] for name in TABLE_COLUMNS}
    _leave_out_unconverted(result, ids, unconverted, ctx.home)
    if latest is not None:
        result.update(_align_scores(ids, latest, stages))
    # The currency of every money column (revenue, scores): the home one, on every row.
    result["currency"] = np.full(len(ids), ctx.home, dtype=object)
    # Not a column: T of the scores' T-month value ("clv_12m"), which names its header.
    result["clv_months"] = np.full(len(ids), months, dtype=np.int64)
    # The id in the source system (CRM, shop): not a column, but the search finds it.
    result["external_id"] = np.ascontiguousarray(grid[:, 8])
    # Not a column either: the customers table filters on it.
    result["do_not_contact"] = np.isin(ids, do_not_contact)
    return result


# Above this many customers the window shows a first screenful of the table before the
# rest is read (load_customer_head): at 100,000 the whole read takes ~0.6 s of CPU, at a
# million ~7 s.
HEAD_MIN_CUSTOMERS = 250_000
# The rows read in full for the first screenful: a screen holds ~30, a scroll or two more.
HEAD_ROWS = 500


def load_customer_head(
    engine: Engine,
    *,
    today: dt.date | dt.datetime | None = None,
    rows: int = HEAD_ROWS,
    min_customers: int = HEAD_MIN_CUSTOMERS,
) -> dict[str, np.ndarray] | None:
    """The customers table's first screenful, for a big table shown before all of it is read.

    The columns of load_customer_columns, one row per customer (ascending id), where only
    the ``rows`` customers first in the table's default order are read in full (revenue
    at risk, largest first, once scored; else revenue): the other rows hold only their id
    and that column (missing values elsewhere: None, NaN, NaT, False). Beside them:
    "loaded" (bool, the rows read in full), "whole_columns" (the columns read for every
    row) and "order" (the rows in that order: a stable argsort, largest first).

    None on a table under ``min_customers``, on a database other than SQLite, or while
    the rollups are stale or count orders in several currencies: the whole read is then
    the one to wait for.
    """
    if engine.dialect.name != "sqlite":
        return None
    with translate_db_errors(), engine.connect() as conn, conn.begin():
        from services.core.money import load_money_context
        from services.scoring.queries import window_sort_scores

        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            state = _rollups_state(cursor)
            if state is None or state[0] < min_customers:
                return None  # a small table (most) returns here, on one cheap read
            if state[1] != load_money_context(conn).home:
                return None
            ids = _ids_text(_fetch(cursor, f"SELECT group_concat(id) FROM customers {_GUESTS}"))
            if len(ids) < min_customers:  # the count above includes guest checkouts
                return None
            with Session(bind=conn) as session:
                scored = window_sort_scores(session)
            if scored is None:
                revenue = _fetch(
                    cursor,
                    "SELECT group_concat(r.customer_id), group_concat(r.paid_revenue_cents) "
                    "FROM customer_rollups r JOIN customers c ON c.id = r.customer_id "
                    + _GUESTS.replace("external_id", "c.external_id"),
                )
                keys = (_ids_text(revenue), _ids_text(revenue, column=1).astype(np.float64))
            else:
                keys = scored
        finally:
            cursor.close()
        column = "revenue" if scored is None else "revenue_at_risk"
        # As the table sorts it: largest first, ties in id order, missing last.
        key = _placed(ids, *keys) / 100.0
        order = np.argsort(-key, kind="stable").astype(np.intp)
        top = np.sort(order[:rows])
        part = _read_columns(conn, today, scores=scored is not None, only=ids[top])
    result = _spread(part, ids, top, column, key)
    result["order"] = order  # not a column: the rows in that order
    return result


def _listed(ids: np.ndarray) -> str:
    """Ids from the database written out for an IN list ("NULL" for none)."""
    return ", ".join(str(int(c)) for c in ids) or "NULL"


def _ids_text(rows: list[tuple[Any, ...]], column: int = 0) -> np.ndarray:
    """One group_concat text of integers as int64 (empty when there were no rows)."""
    text = rows[0][column] if rows else None
    if not text:
        return np.zeros(0, np.int64)
    return np.fromstring(text, sep=",", dtype=np.int64)


def _placed(ids: np.ndarray, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """values (of the customers keys) on the rows of ids; NaN for the others. ids sorted
    first when they are not (group_concat keeps no order)."""
    ids.sort()
    out = np.full(len(ids), np.nan)
    if len(ids) and len(keys):
        pos = np.minimum(np.searchsorted(ids, keys), len(ids) - 1)
        ok = ids[pos] == keys
        out[pos[ok]] = values[ok]
    return out


def _spread(
    part: dict[str, np.ndarray], ids: np.ndarray, top: np.ndarray, column: str, key: np.ndarray
) -> dict[str, np.ndarray]:
    """The first screenful's columns (part, the rows top of ids) on every customer's row."""
    n = len(ids)
    result: dict[str, np.ndarray] = {}
    for name, values in part.items():
        if name in ("currency", "clv_months"):  # the same on every row
            result[name] = np.full(n, values[0] if len(values) else None, dtype=values.dtype)
            continue
        if values.dtype == object:
            full = np.full(n, None, dtype=object)
        elif values.dtype == bool:
            full = np.zeros(n, dtype=bool)
        elif values.dtype.kind == "M":
            full = np.full(n, np.datetime64("NaT"), dtype=values.dtype)
        else:  # counts become float64 with NaN, as the table holds them
            full = np.full(n, np.nan)
        full[top] = values
        result[name] = full
    result["id"] = ids
    result[column] = key
    loaded = np.zeros(n, dtype=bool)
    loaded[top] = True
    result["loaded"] = loaded
    result["whole_columns"] = np.array(["id", column], dtype=object)
    return result


_NONE = np.array(None, dtype=object)  # compares element-wise with an object array


def _leave_out_unconverted(
    result: dict[str, np.ndarray],
    ids: np.ndarray,
    unconverted: dict[int, dict[str, int]],
    home: str,
) -> None:
    """A customer who paid in a currency with no exchange rate has no home-currency revenue
    (NaN, never the converted part alone, never 0); "revenue_unconverted" (not a column)
    names what they paid in each currency, as the customer detail does: "$30 + €20", and
    "revenue_converted" keeps the part that did convert."""
    from services.core.money import format_money

    words = np.full(len(ids), None, dtype=object)
    result["revenue_converted"] = result["revenue"]
    if unconverted:
        revenue = result["revenue"].astype(np.float64, copy=True)
        position = {int(cid): row for row, cid in enumerate(ids.tolist())}
        for cid, amounts in unconverted.items():
            row = position.get(cid)
            if row is None:
                continue
            # As the customer detail's revenue tile says it: "$30 + €20".
            parts = [format_money(cents, code) for code, cents in sorted(amounts.items())]
            if revenue[row] > 0:  # what did convert, in the home currency
                parts.append(format_money(revenue[row] * 100, home))
            revenue[row] = np.nan
            words[row] = " + ".join(parts)
        result["revenue"] = revenue
    result["revenue_unconverted"] = words


def _last_order_offsets(conn: Connection, only: np.ndarray | None = None) -> dict[int, int]:
    """The utc_offset_minutes of each customer's last paid order, for the customers whose
    last order's source named its clock (services/local_dates); the rest are left out.
    With only: those customers' alone."""
    from sqlalchemy import select

    from models.schema import Customer, Order

    # Most workspaces with no zoned source stop here (one row looked up, ~30 ms on 500,000
    # orders); else one index seek per customer (~0.2 s for 50,000 customers, where a
    # join on each customer's latest date took 0.5 s).
    if (
        only is None  # a first screenful's few customers: cheaper to look than to check
        and conn.execute(
            select(Order.id).where(Order.utc_offset_minutes.is_not(None)).limit(1)
        ).first()
        is None
    ):
        return {}
    latest = (
        select(Order.utc_offset_minutes)
        .where(Order.customer_id == Customer.id, Order.status == "paid")
        .order_by(Order.order_date.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = select(Customer.id, latest)
    if only is not None:
        query = query.where(Customer.id.in_([int(c) for c in only]))
    rows = conn.execute(query).all()
    return {int(c): int(o) for c, o in rows if o is not None}


def _offsets_of(ids: np.ndarray, offsets: dict[int, int]) -> np.ndarray:
    """The offset of each id's last order as timedelta64[m] (0 where none is known)."""
    minutes = np.zeros(len(ids), dtype=np.int64)
    if offsets:
        keys = np.fromiter(offsets.keys(), dtype=np.int64, count=len(offsets))
        values = np.fromiter(offsets.values(), dtype=np.int64, count=len(offsets))
        order = np.argsort(keys)
        keys, values = keys[order], values[order]
        pos = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
        minutes = np.where(keys[pos] == ids, values[pos], 0)
    return minutes.astype("timedelta64[m]")


def _align_scores(
    ids: np.ndarray,
    latest: dict[str, np.ndarray],
    stages: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """The latest score columns placed on the table's rows (vectorised, by customer id),
    and the stages stored with them (customer ids, stage keys)."""
    n = len(ids)
    out: dict[str, np.ndarray] = {}
    keys = np.asarray(latest["customer_id"], dtype=np.int64)
    if n and len(keys):
        pos = np.minimum(np.searchsorted(ids, keys), n - 1)
        ok = ids[pos] == keys
        rows, src = pos[ok], np.flatnonzero(ok)
    else:
        rows = src = np.array([], dtype=np.intp)
    sources = {
        "churn_risk": ("churn_risk", 1.0),
        "engagement_score": ("engagement_score", 1.0),
        "health_score": ("health_score", 1.0),
        "clv_12m": ("clv_12m_cents", 100.0),
        "revenue_at_risk": ("revenue_at_risk_cents", 100.0),
        "predicted_orders": ("predicted_orders", 1.0),
    }
    for name, (key, divisor) in sources.items():
        column = np.full(n, np.nan)
        values = _floats(latest[key])
        # Display only: the stored amounts stay integer cents.
        column[rows] = values[src] / divisor
        out[name] = column
    for name in ("segment", "confidence"):
        text = np.full(n, None, dtype=object)
        values = np.asarray(latest[name], dtype=object)
        # NaN (from pandas) as None, like every other missing text.
        values = np.where(np.equal(values, _NONE) | (values != values), _NONE, values)
        text[rows] = values[src]
        out[name] = text
    out["stage"] = np.full(n, None, dtype=object)
    if stages is not None and n and len(stages[0]):
        pos = np.minimum(np.searchsorted(ids, stages[0]), n - 1)
        ok = ids[pos] == stages[0]
        out["stage"][pos[ok]] = stages[1][ok]
    return {name: out[name] for name in SCORE_TABLE_COLUMNS}


def _floats(values: Any) -> np.ndarray:
    """float64 with NaN for missing values (None in an object array)."""
    array = np.asarray(values)
    if array.dtype == object:
        array = np.where(np.equal(array, _NONE), np.nan, array)
    result: np.ndarray = array.astype(np.float64)
    return result


# Guest checkouts (one placeholder customer per source) are not customers to list or score.
_NOT_GUEST = f"(external_id IS NULL OR external_id <> '{GUEST_EXTERNAL_ID}')"
_GUESTS = f"WHERE {_NOT_GUEST}"
_CUSTOMER_SQL = (
    "SELECT id, name, email, company, owner, tier, region, signup_date, external_id "
    "FROM customers "
    f"WHERE {_NOT_GUEST}"
)
_Parts = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _rollups_state(cursor: Any) -> tuple[int, str] | None:
    """The number of customers and the one currency of every order at the rollups' last
    refresh ("" when several or not known); None when the rollups are marked stale (a
    write since the last refresh) or do not cover every customer."""
    cursor.execute(
        "SELECT (SELECT COUNT(*) FROM customers), (SELECT COUNT(*) FROM customer_rollups), "
        "(SELECT value FROM settings WHERE key = 'rollups.stale'), "
        "(SELECT value FROM settings WHERE key = 'rollups.single_currency')"
    )
    n_customers, n_rollups, stale, single = cursor.fetchone()
    # JSON true: text on SQLite, a bool from PostgreSQL's jsonb.
    if n_customers != n_rollups or stale in (True, "true"):
        return None
    # JSON: a quoted text on SQLite, a str from PostgreSQL's jsonb.
    if isinstance(single, str) and single.startswith('"'):
        single = json.loads(single)
    return int(n_customers), single if isinstance(single, str) else ""


def _read_with_rollups(
    cursor: Any, only: np.ndarray | None = None
) -> tuple[_Parts, str, np.ndarray] | None:
    """Customers joined with their rollups: one read of 100k rows, no order scan; the
    one currency of every order at their refresh ("" when several or not known); and each
    customer's last paid order's offset as timedelta64[m] (0 where it named none). With
    only (ascending ids), those customers alone.

    None when the rollups are marked stale or do not cover every customer
    (_rollups_state); the caller then aggregates live.
    """
    state = _rollups_state(cursor)
    if state is None:
        return None
    where = _NOT_GUEST.replace("external_id", "c.external_id")
    if only is not None:
        # A first screenful's ids (ints from the database, written out).
        where += f" AND c.id IN ({_listed(only)})"
    rows = _fetch(
        cursor,
        "SELECT c.id, c.name, c.email, c.company, c.owner, c.tier, c.region, c.signup_date, "
        "c.external_id, r.paid_orders, r.paid_revenue_cents, r.last_order_at, r.open_tickets, "
        "r.open_opportunities, r.last_order_offset_min "
        "FROM customers c JOIN customer_rollups r ON r.customer_id = c.id "
        f"WHERE {where} ORDER BY c.id",
    )
    # A 2-D object array is the cheapest way from DBAPI rows to numpy columns.
    grid = np.array(rows, dtype=object).reshape(len(rows), 15)
    parts = (
        grid[:, :9],
        grid[:, 9].astype(np.int64),
        grid[:, 10].astype(np.int64),
        np.ascontiguousarray(grid[:, 11]),
        grid[:, 12].astype(np.int64),
        grid[:, 13].astype(np.int64),
    )
    offsets = np.where(grid[:, 14] == None, 0, grid[:, 14]).astype(np.int64)  # noqa: E711
    return parts, state[1], offsets.astype("timedelta64[m]")


def _read_live(cursor: Any, ctx: MoneyContext) -> _Parts:
    """The same columns aggregated from the raw rows (slower on a million orders); revenue
    in the home currency, as the rollups have it."""
    from services.core.money import home_cents_sql
    from services.core.rollups import CLOSED_TICKET_STATUSES

    closed = ", ".join(f"'{s}'" for s in CLOSED_TICKET_STATUSES)
    customers = _fetch(cursor, _CUSTOMER_SQL + " ORDER BY id")
    # Served from the covering index (customer_id, order_date, amount_cents, status).
    # Walking it backwards (DESC) meets each customer's newest order first, so SQLite's
    # MAX() keeps its first value instead of copying a new text value at every row.
    orders = _fetch(
        cursor,
        f"SELECT customer_id, COUNT(*), COALESCE(SUM({home_cents_sql(ctx)}), 0), "
        "MAX(order_date) "
        "FROM orders WHERE status = 'paid' GROUP BY customer_id ORDER BY customer_id DESC",
    )
    tickets = _fetch(
        cursor,
        "SELECT customer_id, COUNT(*) FROM interactions "
        "WHERE kind = 'ticket' AND status IS NOT NULL "
        f"AND LOWER(status) NOT IN ({closed}) GROUP BY customer_id",
    )
    opportunities = _fetch(
        cursor,
        "SELECT customer_id, COUNT(*) FROM opportunities WHERE NOT closed GROUP BY customer_id",
    )
    n = len(customers)
    grid = np.array(customers, dtype=object).reshape(n, 9)
    ids = grid[:, 0].astype(np.int64)
    order_count = np.zeros(n, dtype=np.int64)
    revenue_cents = np.zeros(n, dtype=np.int64)
    last_text = np.full(n, None, dtype=object)
    _scatter(ids, orders, order_count, revenue_cents, last_text)
    open_tickets = np.zeros(n, dtype=np.int64)
    _scatter(ids, tickets, open_tickets)
    open_opps = np.zeros(n, dtype=np.int64)
    _scatter(ids, opportunities, open_opps)
    return grid, order_count, revenue_cents, last_text, open_tickets, open_opps


def _scatter(ids: np.ndarray, rows: list[tuple[Any, ...]], *targets: np.ndarray) -> None:
    """Write per-customer aggregate rows (customer_id, value...) into arrays aligned with ids."""
    if not rows or len(ids) == 0:
        return
    grid = np.array(rows, dtype=object).reshape(len(rows), 1 + len(targets))
    keys = grid[:, 0].astype(np.int64)
    pos = np.minimum(np.searchsorted(ids, keys), len(ids) - 1)
    # Rows of customers that no longer exist (foreign keys off) are ignored, not misplaced.
    ok = ids[pos] == keys
    for i, target in enumerate(targets, start=1):
        target[pos[ok]] = grid[ok, i].astype(target.dtype)


def workspace_summary(engine: Engine, *, rows: bool = True) -> WorkspaceSummary:
    """Row counts of the main tables and whether this is a demo workspace; rows=False counts
    only the customers (the orders, interactions and opportunities are None): at a million
    customers the others are 24 million rows to count."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from models.schema import Customer, Interaction, Opportunity, Order
    from services.settings.views import WorkspaceSettings

    with translate_db_errors(), Session(engine) as session:

        def count(model: Any) -> int | None:
            if not rows:
                return None
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

        demo = WorkspaceSettings.read(session).demo
        not_guest = (Customer.external_id.is_(None)) | (Customer.external_id != GUEST_EXTERNAL_ID)
        return WorkspaceSummary(
            customers=int(
                session.scalar(select(func.count()).select_from(Customer).where(not_guest)) or 0
            ),
            orders=count(Order),
            interactions=count(Interaction),
            opportunities=count(Opportunity),
            is_demo=bool(demo),
            demo_info=dict(demo) if isinstance(demo, dict) else None,
        )

"""Per-customer rollups (paid orders, revenue, first/last order, refunded orders, open
tickets and deals).

Revenue is in the workspace's home currency (services/core/money.py): orders in another
currency are converted with the user's rates, or add nothing when there is no rate. Those
are never silently zero: ``unconverted_revenue`` gives them per customer in their own
currency, for the figures that must show them (the customers export).

The customers table of the window reads these instead of aggregating every order at
every launch. Writers that change many rows (the demo, imports) call refresh_rollups()
in their own transaction. Any other write through SQLAlchemy to a table the rollups
depend on marks them stale in that same transaction (watch_for_stale_rollups), and
readers then aggregate live until the next refresh: a forgotten refresh costs speed,
never correctness. `db check` compares the rollups with the live aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    SmallInteger,
    cast,
    delete,
    event,
    except_,
    false,
    func,
    insert,
    null,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.dml import UpdateBase

from models.base import utcnow
from models.schema import Customer, CustomerRollup, Interaction, Opportunity, Order, Setting
from services.core.money import MoneyContext, home_cents_expr, load_money_context

# A ticket counts as open unless its status says it is finished (Zendesk, Freshdesk,
# generic exports); a ticket with no status is not counted as open.
CLOSED_TICKET_STATUSES = ("solved", "closed", "resolved", "cancelled", "canceled")

STALE_SETTING = "rollups.stale"
# The home currency when every order was in it at the last refresh (else empty): while the
# rollups are current, no order can be in another currency, so nothing is unconverted and
# the window need not scan every order to find so.
SINGLE_CURRENCY_SETTING = "rollups.single_currency"
WATCHED_TABLES = frozenset({"customers", "orders", "interactions", "opportunities"})
_MARKED = "account_radar.rollups_marked"  # this transaction already marked them stale

ROLLUP_COLUMNS = (
    "customer_id",
    "paid_orders",
    "paid_revenue_cents",
    "first_order_at",
    "last_order_at",
    "last_order_offset_min",
    "refunded_orders",
    "open_tickets",
    "open_opportunities",
)


def live_rollups(
    ctx: MoneyContext | None = None, *, foreign: bool = True, offsets: bool = True
) -> Select[tuple[object, ...]]:
    """The rollups computed from the raw rows, one row per customer (portable SQL).

    Revenue is in the home currency of ``ctx``: other currencies are converted with its
    rates, and orders in a currency without one are counted but add no revenue.
    ``foreign=False`` says every order is in the home currency (``has_foreign_orders``):
    the amounts are then summed as they are, which the covering index on orders answers
    without reading the table. ``offsets=False`` says no order has an offset
    (``_has_order_offsets``): the last order's is then NULL without a lookup per customer.
    """
    ctx = ctx or MoneyContext()
    revenue = (
        home_cents_expr(ctx, Order.amount_cents, Order.currency) if foreign else Order.amount_cents
    )
    orders = (
        select(
            Order.customer_id.label("customer_id"),
            func.count().label("n"),
            func.sum(revenue).label("revenue"),
            func.min(Order.order_date).label("first"),
            func.max(Order.order_date).label("last"),
        )
        .where(Order.status == "paid")
        .group_by(Order.customer_id)
        .subquery()
    )
    # A second pass over the orders' covering index (models/refunds.py): cheaper than the
    # paid totals above made conditional on the status (0.05 against 0.12 s a million).
    refunds = (
        select(Order.customer_id.label("customer_id"), func.count().label("n"))
        .where(Order.status == "refunded")
        .group_by(Order.customer_id)
        .subquery()
    )
    tickets = (
        select(Interaction.customer_id.label("customer_id"), func.count().label("n"))
        .where(
            Interaction.kind == "ticket",
            Interaction.status.is_not(None),
            func.lower(Interaction.status).not_in(CLOSED_TICKET_STATUSES),
        )
        .group_by(Interaction.customer_id)
        .subquery()
    )
    # The offset of the paid order at that last time (models/last_orders.py): an index seek
    # per customer on (customer, time) and one row read, not a read of every order's row.
    last = aliased(Order)
    last_offset = (
        select(func.max(last.utc_offset_minutes))
        .where(
            last.customer_id == Customer.id,
            last.order_date == orders.c.last,
            last.status == "paid",
        )
        .scalar_subquery()
        if offsets
        else cast(null(), SmallInteger)
    )
    deals = (
        select(Opportunity.customer_id.label("customer_id"), func.count().label("n"))
        .where(Opportunity.closed == false())
        .group_by(Opportunity.customer_id)
        .subquery()
    )
    return (
        select(
            Customer.id,
            func.coalesce(orders.c.n, 0),
            func.coalesce(orders.c.revenue, 0),
            orders.c.first,
            orders.c.last,
            last_offset,
            func.coalesce(refunds.c.n, 0),
            func.coalesce(tickets.c.n, 0),
            func.coalesce(deals.c.n, 0),
        )
        .select_from(Customer)
        .outerjoin(orders, orders.c.customer_id == Customer.id)
        .outerjoin(refunds, refunds.c.customer_id == Customer.id)
        .outerjoin(tickets, tickets.c.customer_id == Customer.id)
        .outerjoin(deals, deals.c.customer_id == Customer.id)
    )


def has_foreign_orders(session: Session, ctx: MoneyContext) -> bool:
    """Whether any order is in a currency other than the home currency (one scan)."""
    return _has_foreign_orders(session.connection(), ctx)


def _has_foreign_orders(conn: Connection, ctx: MoneyContext) -> bool:
    found = conn.execute(select(Order.id).where(Order.currency != ctx.home).limit(1)).first()
    return found is not None


def _has_order_offsets(conn: Connection) -> bool:
    """Whether any order has a UTC offset (one scan when none has: files with no zone)."""
    found = conn.execute(
        select(Order.id).where(Order.utc_offset_minutes.is_not(None)).limit(1)
    ).first()
    return found is not None


@dataclass(frozen=True)
class OrderFacts:
    """What a writer knows of every order in the workspace (an import into a workspace
    that held none: its own orders are all of them): their currencies, and whether any
    may have a UTC offset."""

    currencies: frozenset[str]
    offsets: bool


def _live(conn: Connection) -> Select[tuple[object, ...]]:
    return _live_and_currency(conn)[0]


def _live_and_currency(
    conn: Connection, every_order: OrderFacts | None = None
) -> tuple[Select[tuple[object, ...]], str]:
    """The live rollups, and the home currency when every order is in it (else "")."""
    ctx = load_money_context(conn)
    if every_order is not None and not every_order.offsets and every_order.currencies <= {ctx.home}:
        # Told: every order is in the home currency with no offset; no scan to find so.
        foreign, offsets = False, False
    else:
        foreign, offsets = _order_flags(conn, ctx)
    live = live_rollups(ctx, foreign=foreign, offsets=offsets)
    return live, "" if foreign else ctx.home


def _order_flags(conn: Connection, ctx: MoneyContext) -> tuple[bool, bool]:
    """Whether any order is in another currency, and whether any has a UTC offset: one
    scan of the orders when neither (one currency, no zones: the usual file), where each
    question alone is a scan of its own (about 0.06 s of CPU each at a million orders)."""
    either = conn.execute(
        select(Order.id)
        .where(or_(Order.currency != ctx.home, Order.utc_offset_minutes.is_not(None)))
        .limit(1)
    ).first()
    if either is None:
        return False, False
    return _has_foreign_orders(conn, ctx), _has_order_offsets(conn)


def unconverted_revenue(session: Session, ctx: MoneyContext) -> dict[int, dict[str, int]]:
    """Paid revenue in a currency with no rate to the home one, per customer:
    customer id -> {currency: hundredths of it}. Empty when every amount converts."""
    convertible = [ctx.home, *(code for code, _rate in ctx.sql_rate_cases())]
    # "+ 0": grouped by the bare column, SQLite walks the customer index and looks every
    # order up in the table (1.8 s on a million orders); one table scan takes 0.1 s.
    customer = Order.customer_id + 0
    rows = session.execute(
        select(customer, Order.currency, func.sum(Order.amount_cents))
        .where(Order.status == "paid", Order.currency.not_in(convertible))
        .group_by(customer, Order.currency)
    ).all()
    found: dict[int, dict[str, int]] = {}
    for customer_id, currency, cents in rows:
        found.setdefault(int(customer_id), {})[str(currency)] = int(cents or 0)
    return found


def refresh_rollups(session: Session, every_order: OrderFacts | None = None) -> int:
    """Recompute every customer's rollup inside the caller's transaction (never commits);
    returns the count. ``every_order``: what the caller knows of every order (else the
    orders are scanned to find whether any is in another currency or has an offset)."""
    conn = session.connection()
    conn.execute(delete(CustomerRollup))
    live, single = _live_and_currency(conn, every_order)
    conn.execute(insert(CustomerRollup).from_select(list(ROLLUP_COLUMNS), live))
    _set_stale(conn, False)
    _set(conn, SINGLE_CURRENCY_SETTING, single)
    conn.info[_MARKED] = False  # later writes in this transaction must mark them again
    return int(conn.execute(select(func.count()).select_from(CustomerRollup)).scalar_one())


def watch_for_stale_rollups(engine: Engine) -> None:
    """Mark the rollups stale whenever a watched table is written through this engine."""
    if event.contains(engine, "after_execute", _after_execute):
        return
    event.listen(engine, "after_execute", _after_execute)
    event.listen(engine, "commit", _forget_mark)
    event.listen(engine, "rollback", _forget_mark)


def _after_execute(conn: Connection, statement: Any, *_args: Any) -> None:
    if conn.info.get(_MARKED) or not isinstance(statement, UpdateBase):
        return
    table = getattr(statement, "table", None)
    if getattr(table, "name", None) in WATCHED_TABLES:
        conn.info[_MARKED] = True
        _set_stale(conn, True)


def _forget_mark(conn: Connection) -> None:
    conn.info.pop(_MARKED, None)


def marked_current(session: Session) -> bool:
    """Whether the stored flag says the rollups are current (marked not stale by their
    last refresh, and no write since)."""
    flag = session.execute(
        select(Setting.value).where(Setting.key == STALE_SETTING)
    ).scalar_one_or_none()
    return flag is False


def _set_stale(conn: Connection, stale: bool) -> None:
    _set(conn, STALE_SETTING, stale)


def _set(conn: Connection, key: str, value: object) -> None:
    conn.execute(delete(Setting).where(Setting.key == key))
    conn.execute(insert(Setting).values(key=key, value=value, updated_at=utcnow()))


def stale_rollups(session: Session) -> int:
    """How many customers' rollups differ from the live aggregates (0 when all agree)."""
    conn = session.connection()
    stored = select(*(getattr(CustomerRollup, c) for c in ROLLUP_COLUMNS))
    live = _live(conn)
    missing = except_(live, stored).subquery()
    extra = except_(stored, live).subquery()
    ids = union(select(list(missing.c)[0]), select(list(extra.c)[0])).subquery()
    return int(conn.execute(select(func.count()).select_from(ids)).scalar_one())

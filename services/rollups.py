"""Per-customer rollups (paid orders, revenue, first/last order, open tickets and deals).

The customers table of the window reads these instead of aggregating every order at
every launch. The contract: whoever writes orders, interactions, opportunities or
customers calls refresh_rollups() in the same transaction, so the rollups are never
seen out of step. `db check` compares them with the live aggregates.
"""

from __future__ import annotations

from sqlalchemy import Connection, Select, delete, except_, false, func, insert, select, union

from models.schema import Customer, CustomerRollup, Interaction, Opportunity, Order

# A ticket counts as open unless its status says it is finished (Zendesk, Freshdesk,
# generic exports); a ticket with no status is not counted as open.
CLOSED_TICKET_STATUSES = ("solved", "closed", "resolved", "cancelled", "canceled")

ROLLUP_COLUMNS = (
    "customer_id",
    "paid_orders",
    "paid_revenue_cents",
    "first_order_at",
    "last_order_at",
    "open_tickets",
    "open_opportunities",
)


def live_rollups() -> Select[tuple[object, ...]]:
    """The rollups computed from the raw rows, one row per customer (portable SQL)."""
    orders = (
        select(
            Order.customer_id.label("customer_id"),
            func.count().label("n"),
            func.sum(Order.amount_cents).label("revenue"),
            func.min(Order.order_date).label("first"),
            func.max(Order.order_date).label("last"),
        )
        .where(Order.status == "paid")
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
            func.coalesce(tickets.c.n, 0),
            func.coalesce(deals.c.n, 0),
        )
        .select_from(Customer)
        .outerjoin(orders, orders.c.customer_id == Customer.id)
        .outerjoin(tickets, tickets.c.customer_id == Customer.id)
        .outerjoin(deals, deals.c.customer_id == Customer.id)
    )


def refresh_rollups(conn: Connection) -> int:
    """Recompute every customer's rollup inside the caller's transaction; returns the count."""
    conn.execute(delete(CustomerRollup))
    conn.execute(insert(CustomerRollup).from_select(list(ROLLUP_COLUMNS), live_rollups()))
    return int(conn.execute(select(func.count()).select_from(CustomerRollup)).scalar_one())


def stale_rollups(conn: Connection) -> int:
    """How many customers' rollups differ from the live aggregates (0 when all agree)."""
    stored = select(*(getattr(CustomerRollup, c) for c in ROLLUP_COLUMNS))
    live = live_rollups()
    missing = except_(live, stored).subquery()
    extra = except_(stored, live).subquery()
    ids = union(select(list(missing.c)[0]), select(list(extra.c)[0])).subquery()
    return int(conn.execute(select(func.count()).select_from(ids)).scalar_one())

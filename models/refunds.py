"""How many refunded orders each customer has, kept in the rollups (migration 0022).

``customer_rollups.refunded_orders`` counts the customer's orders whose status is
``refunded`` (returned purchases), so "customers who returned a purchase" is a column read
of the rollups, not a pass over every order. 0 when there is none. services/core/rollups.py
works it out in the same pass over the orders as the paid totals, and `db check` compares
it with the orders.
"""

from __future__ import annotations

from sqlalchemy import Integer, text
from sqlalchemy.orm import MappedColumn, mapped_column

from models.last_orders import last_order_offset_column  # the rollups' other kept column

REFUNDED_ORDERS = "refunded_orders"


def refunded_orders_column() -> MappedColumn[int]:
    """The column, as CustomerRollup declares it (models/schema/customers.py)."""
    return mapped_column(
        REFUNDED_ORDERS, Integer, nullable=False, default=0, server_default=text("0")
    )


__all__ = ["REFUNDED_ORDERS", "last_order_offset_column", "refunded_orders_column"]

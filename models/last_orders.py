"""The offset of a customer's latest paid order, kept in the rollups (migration 0021).

``customer_rollups.last_order_at`` is the UTC time of the customer's latest paid order;
``last_order_offset_min`` beside it is that order's ``utc_offset_minutes``, so the local
day of the last order (services/core/local_dates.py) is a column read, not an orders
lookup per customer. NULL when that order named no zone, or when there is no paid order.
When two paid orders share the latest time, the greater offset is kept (the later local
day). services/core/rollups.py writes it with the other rollups and `db check` compares it
with the orders.
"""

from __future__ import annotations

from sqlalchemy import SmallInteger
from sqlalchemy.orm import MappedColumn, mapped_column

LAST_ORDER_OFFSET = "last_order_offset_min"


def last_order_offset_column() -> MappedColumn[int | None]:
    """The column, as CustomerRollup declares it (models/schema/customers.py)."""
    return mapped_column(LAST_ORDER_OFFSET, SmallInteger, nullable=True)

"""Customer rollups: last_order_offset_min, the UTC offset of the latest paid order (the
one whose time is last_order_at)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-26 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0021'
down_revision: Union[str, Sequence[str], None] = '0020'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# As services/core/rollups.py works it out (models/last_orders.py): the offset of the paid
# order at last_order_at, the greater one when two share that time. One index seek each
# (orders by customer and time), and only the customers whose last order has an offset
# are written.
_OFFSET = (
    "(SELECT max(o.utc_offset_minutes) FROM orders o "
    "WHERE o.customer_id = customer_rollups.customer_id "
    "AND o.order_date = customer_rollups.last_order_at AND o.status = 'paid')"
)


def upgrade() -> None:
    """Upgrade schema."""
    # Added in place (no table rebuilt): the Gold question and the customers view read the
    # last order's local day from the rollups instead of an orders lookup per customer
    # (docs/benchmarks.md).
    op.add_column(
        'customer_rollups', sa.Column('last_order_offset_min', sa.SmallInteger(), nullable=True)
    )
    op.execute(
        f"UPDATE customer_rollups SET last_order_offset_min = {_OFFSET} "
        f"WHERE last_order_at IS NOT NULL AND {_OFFSET} IS NOT NULL"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('customer_rollups', schema=None) as batch_op:
        batch_op.drop_column('last_order_offset_min')

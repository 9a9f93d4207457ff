"""Customer rollups: refunded_orders, how many of the customer's orders were refunded

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-26 15:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0022'
down_revision: Union[str, Sequence[str], None] = '0021'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# As services/core/rollups.py counts them (models/refunds.py): the customer's orders whose
# status is 'refunded'. One pass over the orders' covering index finds the customers with
# one, then a count each; the others keep the column's default, 0.
_COUNT = (
    "(SELECT count(*) FROM orders o "
    "WHERE o.customer_id = customer_rollups.customer_id AND o.status = 'refunded')"
)


def upgrade() -> None:
    """Upgrade schema."""
    # Added in place (no table rebuilt): "customers who returned a purchase" reads the
    # rollups instead of every order (docs/benchmarks.md).
    op.add_column(
        'customer_rollups',
        sa.Column('refunded_orders', sa.Integer(), nullable=False, server_default=sa.text('0')),
    )
    op.execute(
        f"UPDATE customer_rollups SET refunded_orders = {_COUNT} "
        "WHERE customer_id IN (SELECT customer_id FROM orders WHERE status = 'refunded')"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('customer_rollups', schema=None) as batch_op:
        batch_op.drop_column('refunded_orders')

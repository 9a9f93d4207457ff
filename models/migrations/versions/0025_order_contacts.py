"""The person at the account who placed an order (orders.contact_id)

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-27 16:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0025'
down_revision: Union[str, Sequence[str], None] = '0024'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Added in place (the orders are not rebuilt: a book may hold millions), with no
    # foreign key, as interactions.contact_id: nothing is copied, an existing order names
    # no person and reads as before.
    op.add_column('orders', sa.Column('contact_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_orders_contact_id'), 'orders', ['contact_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_orders_contact_id'), table_name='orders')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('contact_id')

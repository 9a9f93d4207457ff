"""a call's outcome, and the quiet period a user ended: actions.outcome and
customers.quiet_override_at

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema: two nullable columns (calls logged before keep NULL and count as
    a conversation, as they did; no customer has a quiet period ended by hand)."""
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=16), nullable=True))
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiet_override_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('quiet_override_at')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_column('outcome')

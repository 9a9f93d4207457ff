"""alert lifecycle: cleared_at, one active alert per customer and rule

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTIVE = sa.text("status IN ('open', 'snoozed', 'in_progress')")


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cleared_at', sa.DateTime(), nullable=True))
    # Older workspaces hold no alerts yet (nothing raised them), so the unique index can
    # be created without de-duplicating first.
    op.create_index(
        'uq_alerts_active_customer_rule',
        'alerts',
        ['customer_id', 'rule_key'],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('uq_alerts_active_customer_rule', table_name='alerts')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('cleared_at')

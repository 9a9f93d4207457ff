"""Product usage: usage_days, one row per customer, source and local day

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25 20:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('usage_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('period_days', sa.SmallInteger(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=True),
    sa.Column('logins', sa.Integer(), nullable=True),
    sa.Column('active_users', sa.Integer(), nullable=True),
    sa.Column('minutes', sa.Float(), nullable=True),
    sa.Column('documents_viewed', sa.Integer(), nullable=True),
    sa.Column('features', JSON, nullable=True),
    sa.Column('users', JSON, nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_usage_days_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_runs.id'], name=op.f('fk_usage_days_import_run_id_import_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_days')),
    sa.UniqueConstraint('customer_id', 'source', 'day', name=op.f('uq_usage_days_customer_id_source_day'))
    )
    with op.batch_alter_table('usage_days', schema=None) as batch_op:
        batch_op.create_index('ix_usage_days_day', ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_usage_days_import_run_id'), ['import_run_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('usage_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_usage_days_import_run_id'))
        batch_op.drop_index('ix_usage_days_day')
    op.drop_table('usage_days')

"""Scores: 80% intervals of churn risk, predicted orders and 12-month CLV
(score_snapshots.churn_risk_low/high, predicted_orders_low/high,
clv_12m_low_cents/high_cents)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 21:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema: snapshots scored before have no intervals (NULL) until the next
    scoring."""
    with op.batch_alter_table('score_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('churn_risk_low', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('churn_risk_high', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('predicted_orders_low', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('predicted_orders_high', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('clv_12m_low_cents', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('clv_12m_high_cents', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('score_snapshots', schema=None) as batch_op:
        batch_op.drop_column('clv_12m_high_cents')
        batch_op.drop_column('clv_12m_low_cents')
        batch_op.drop_column('predicted_orders_high')
        batch_op.drop_column('predicted_orders_low')
        batch_op.drop_column('churn_risk_high')
        batch_op.drop_column('churn_risk_low')

"""Score snapshots: a covering index on (scoring_run_id, customer_id, the numbers and words
the customers table shows)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-26 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0020'
down_revision: Union[str, Sequence[str], None] = '0019'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # The window's latest scores (services/scoring/queries.py) read from the index alone: a
    # snapshot row is ~600 bytes with its drivers and components, its entry here ~60, so a
    # million customers' scores read a tenth of the pages (docs/benchmarks.md).
    with op.batch_alter_table('score_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_score_snapshots_run_table', ['scoring_run_id', 'customer_id', 'engagement_score', 'churn_risk', 'health_score', 'clv_12m_cents', 'revenue_at_risk_cents', 'predicted_orders', 'segment', 'confidence'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('score_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_score_snapshots_run_table')

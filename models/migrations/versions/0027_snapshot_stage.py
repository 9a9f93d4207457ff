"""Each snapshot's lifecycle stage as of its scoring run (score_snapshots.stage), which the
Customers table, its filters and the segment rules read

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-27 22:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0027'
down_revision: Union[str, Sequence[str], None] = '0026'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Added in place, NULL for every snapshot scored before: the next scoring fills it.
    op.add_column('score_snapshots', sa.Column('stage', sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.execute('ALTER TABLE score_snapshots DROP COLUMN stage')

"""Teams: the database user who pushed each offline action back (sync_receipts.db_user),
so a manager sees and writes only their own receipts

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 07:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('sync_receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('db_user', sa.String(length=255), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('sync_receipts', schema=None) as batch_op:
        batch_op.drop_column('db_user')

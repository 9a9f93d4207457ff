"""events keep their local time: utc_offset_minutes on orders and interactions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 00:40:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ('orders', 'interactions')


def upgrade() -> None:
    """Upgrade schema: a nullable column (rows imported before keep NULL: their stored
    time is the time the file gave, shown as it is)."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('utc_offset_minutes', sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('utc_offset_minutes')

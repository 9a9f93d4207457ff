"""Teams: the people of a shared workspace (team_members) and the offline actions pushed
back (sync_receipts)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 18:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('team_members',
    sa.Column('db_role', sa.String(length=63), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('owner_name', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('db_role', name=op.f('pk_team_members'))
    )
    op.create_table('sync_receipts',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('pushed_at', sa.DateTime(), nullable=False),
    sa.Column('pushed_by', sa.String(length=255), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sync_receipts'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('sync_receipts')
    op.drop_table('team_members')

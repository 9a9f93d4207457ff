"""Outreach: the offers an email made (money amounts and percents off, as the incentive
check finds them in its subject and text), stored when the email is recorded so the
effectiveness report need not read every email again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 21:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema: emails recorded before have no offers stored (NULL); the report
    reads their text instead, so their figures do not change."""
    with op.batch_alter_table('outreach', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('outreach', schema=None) as batch_op:
        batch_op.drop_column('offers')

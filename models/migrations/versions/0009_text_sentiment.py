"""Interactions: sentiment read from the text on the laptop and the reason learned from
the workspace's negative text (interactions.text_sentiment, text_sentiment_hash, reason)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 10:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema: texts stored before are read at the next scoring."""
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_sentiment', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('text_sentiment_hash', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.String(length=120), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_column('reason')
        batch_op.drop_column('text_sentiment_hash')
        batch_op.drop_column('text_sentiment')

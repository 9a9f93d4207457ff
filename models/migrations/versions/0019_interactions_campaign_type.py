"""Interactions: campaign_type, the campaign's type of an email event, as a column, and an
index of the email events by kind and time that holds it

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26 09:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0019'
down_revision: Union[str, Sequence[str], None] = '0018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# As models/campaigns.py reads it: the import's own key, then the export's column name.
_KEYS = ('campaign_type', 'Campaign type')
_EMAIL_KINDS = "('email_sent', 'email_open', 'email_click', 'unsubscribe')"


def _from_json(dialect: str) -> str:
    if dialect == 'postgresql':
        found = [f"(attributes ->> '{key}')" for key in _KEYS]
    else:
        found = [f"json_extract(attributes, '$.\"{key}\"')" for key in _KEYS]
    return f"coalesce({', '.join(found)})"


def upgrade() -> None:
    """Upgrade schema."""
    # Added in place (no table rebuilt) and filled by one UPDATE of the email events that
    # carry attributes: "Email conversion by campaign type" then reads the type from an
    # index instead of two JSON lookups in every email's row (docs/benchmarks.md).
    op.add_column('interactions', sa.Column('campaign_type', sa.Text(), nullable=True))
    dialect = op.get_bind().dialect.name
    op.execute(
        f"UPDATE interactions SET campaign_type = {_from_json(dialect)} "
        f"WHERE kind IN {_EMAIL_KINDS} AND attributes IS NOT NULL"
    )
    op.create_index(
        'ix_interactions_campaign_time',
        'interactions',
        ['kind', 'occurred_at', 'campaign_type', 'customer_id', 'utc_offset_minutes'],
        unique=False,
        sqlite_where=sa.text('campaign_type IS NOT NULL'),
        postgresql_where=sa.text('campaign_type IS NOT NULL'),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_interactions_campaign_time', table_name='interactions')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_column('campaign_type')

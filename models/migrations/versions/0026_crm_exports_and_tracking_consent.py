"""Activities exported to a CRM (crm_exports), a customer's opt-out of activity tracking
(customers.tracking_opted_out_at), and a key of its own for each activity logged in the app

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-27 19:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0026'
down_revision: Union[str, Sequence[str], None] = '0025'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'crm_exports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=16), nullable=False),
        sa.Column('last_interaction_id', sa.Integer(), nullable=False),
        sa.Column('last_action_id', sa.Integer(), nullable=False),
        sa.Column('last_event_id', sa.Integer(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('path', sa.Text(), nullable=True),
        sa.Column('exported_by', sa.String(length=255), nullable=True),
        sa.Column('exported_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_crm_exports_target', 'crm_exports', ['target', 'last_interaction_id'], unique=False
    )
    # Added in place, NULL for everyone: nobody has opted out until a file or a user says so.
    op.add_column('customers', sa.Column('tracking_opted_out_at', sa.DateTime(), nullable=True))
    # Each activity logged in the app gets a key of its own (services/alerts/contact.py
    # gives new ones theirs), so that a CRM file carrying it back is recognised as the
    # same activity, in this workspace or another. Random, so two workspaces never share one.
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        key = "'radar-' || substr(md5(random()::text || id::text), 1, 16)"
    else:
        key = "'radar-' || lower(hex(randomblob(8)))"
    op.execute(
        f"UPDATE interactions SET external_id = {key} "
        "WHERE source = 'account_radar' AND external_id IS NULL"
    )


def downgrade() -> None:
    """Downgrade schema."""
    # In place (SQLite 3.35+ and PostgreSQL): rebuilding customers, as a batch would,
    # drops the table its children's rows cascade from.
    op.execute('ALTER TABLE customers DROP COLUMN tracking_opted_out_at')
    op.drop_index('ix_crm_exports_target', table_name='crm_exports')
    op.drop_table('crm_exports')

"""Contacts: the people of each account (name, email, title, role), and the person an
interaction was with (interactions.contact_id)

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-27 14:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# revision identifiers, used by Alembic.
revision: str = '0024'
down_revision: Union[str, Sequence[str], None] = '0023'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Nothing is copied: a customer without contacts rows stands for its own one person
    # (its name and email), so an existing workspace reads as before.
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('email_normalized', sa.String(length=320), nullable=True),
    sa.Column('title', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.Column('user_role', sa.String(length=32), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('attributes', JSON, nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.Column('row_hash', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_contacts_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_runs.id'], name=op.f('fk_contacts_import_run_id_import_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_contacts_source_external_id'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_contacts_email_normalized', ['email_normalized'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_import_run_id'), ['import_run_id'], unique=False)
    # Added in place (the interactions are not rebuilt: a book may hold millions), with no
    # foreign key: SQLite could add one only unnamed, or by rebuilding the table.
    op.add_column('interactions', sa.Column('contact_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_interactions_contact_id'), 'interactions', ['contact_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_interactions_contact_id'), table_name='interactions')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_column('contact_id')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_import_run_id'))
        batch_op.drop_index('ix_contacts_email_normalized')
        batch_op.drop_index(batch_op.f('ix_contacts_customer_id'))
    op.drop_table('contacts')

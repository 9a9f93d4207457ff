"""Each change to a contact's role or presence, dated (contact_changes), so that a replay
of a past day reads the people and roles of that day

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-28 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0028'
down_revision: Union[str, Sequence[str], None] = '0027'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Empty when made: a person's role and presence before it are read as they are now.
    op.create_table(
        'contact_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=16), nullable=False),
        sa.Column('before', sa.String(length=32), nullable=True),
        sa.Column('after', sa.String(length=32), nullable=True),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('import_run_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ['customer_id'], ['customers.id'],
            name=op.f('fk_contact_changes_customer_id_customers'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['contact_id'], ['contacts.id'],
            name=op.f('fk_contact_changes_contact_id_contacts'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['import_run_id'], ['import_runs.id'],
            name=op.f('fk_contact_changes_import_run_id_import_runs'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_changes')),
    )
    with op.batch_alter_table('contact_changes', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_contact_changes_customer_id'), ['customer_id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_contact_changes_contact_id'), ['contact_id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_contact_changes_import_run_id'), ['import_run_id'], unique=False
        )
        batch_op.create_index(
            'ix_contact_changes_contact_changed', ['contact_id', 'changed_at'], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('contact_changes')

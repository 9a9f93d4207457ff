"""Escalations: the causes escalated, each once (escalations)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 10:40:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cause_key', sa.String(length=255), nullable=False),
    sa.Column('rule_key', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('assignee', sa.String(length=255), nullable=True),
    sa.Column('emailed_to', sa.String(length=255), nullable=True),
    sa.Column('email_problem', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_escalations_action_id_actions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_escalations_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations')),
    sa.UniqueConstraint('cause_key', name=op.f('uq_escalations_cause_key'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_customer_id'), ['customer_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_customer_id'))
        batch_op.drop_index(batch_op.f('ix_escalations_action_id'))
    op.drop_table('escalations')

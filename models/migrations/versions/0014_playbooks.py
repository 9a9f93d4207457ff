"""Playbooks: the runs started on a customer (playbook_runs) and their steps (playbook_steps)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 08:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

RUNNING = sa.text("stopped_at IS NULL")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('playbook_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('playbook', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('started_by', sa.String(length=255), nullable=True),
    sa.Column('stopped_at', sa.DateTime(), nullable=True),
    sa.Column('stop_reason', sa.String(length=32), nullable=True),
    sa.Column('stopped_by', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_playbook_runs_alert_id_alerts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_playbook_runs_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playbook_runs'))
    )
    with op.batch_alter_table('playbook_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_playbook_runs_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_playbook_runs_customer_id'), ['customer_id'], unique=False)
    # One running playbook per customer, even with two writers at once.
    op.create_index(
        'uq_playbook_runs_running_customer',
        'playbook_runs',
        ['customer_id'],
        unique=True,
        sqlite_where=RUNNING,
        postgresql_where=RUNNING,
    )
    op.create_table('playbook_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('day_offset', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('skipped_at', sa.DateTime(), nullable=True),
    sa.Column('done_by', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['playbook_runs.id'], name=op.f('fk_playbook_steps_run_id_playbook_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playbook_steps'))
    )
    with op.batch_alter_table('playbook_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_playbook_steps_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('playbook_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_playbook_steps_run_id'))
    op.drop_table('playbook_steps')
    op.drop_index('uq_playbook_runs_running_customer', table_name='playbook_runs')
    with op.batch_alter_table('playbook_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_playbook_runs_customer_id'))
        batch_op.drop_index(batch_op.f('ix_playbook_runs_alert_id'))
    op.drop_table('playbook_runs')

"""Contracts and renewals: contracts, renewal_forecasts (the model's likelihood a scoring run
and contract) and renewal_calls (the owner's call at a checkpoint)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-27 07:33:35.337862

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# revision identifiers, used by Alembic.
revision: str = '0023'
down_revision: Union[str, Sequence[str], None] = '0022'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('auto_renew', sa.Boolean(), nullable=False),
    sa.Column('notice_days', sa.Integer(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('renewed_amount_cents', sa.BigInteger(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('renewal_of_id', sa.Integer(), nullable=True),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('owner', sa.String(length=255), nullable=True),
    sa.Column('attributes', JSON, nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.Column('row_hash', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_contracts_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_runs.id'], name=op.f('fk_contracts_import_run_id_import_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['renewal_of_id'], ['contracts.id'], name=op.f('fk_contracts_renewal_of_id_contracts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'], name=op.f('fk_contracts_subscription_id_subscriptions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_contracts_source_external_id'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_contracts_end_date', ['end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_import_run_id'), ['import_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_renewal_of_id'), ['renewal_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('renewal_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_months', sa.Integer(), nullable=False),
    sa.Column('call', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('made_by', sa.String(length=255), nullable=True),
    sa.Column('made_at', sa.DateTime(), nullable=False),
    sa.Column('model_likelihood', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_renewal_calls_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_renewal_calls_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_renewal_calls'))
    )
    with op.batch_alter_table('renewal_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_renewal_calls_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_renewal_calls_customer_id'), ['customer_id'], unique=False)

    op.create_table('renewal_forecasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('likelihood', sa.Float(), nullable=False),
    sa.Column('model', sa.String(length=32), nullable=False),
    sa.Column('drivers', JSON, nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_renewal_forecasts_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_renewal_forecasts_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['scoring_runs.id'], name=op.f('fk_renewal_forecasts_run_id_scoring_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_renewal_forecasts')),
    sa.UniqueConstraint('run_id', 'contract_id', name=op.f('uq_renewal_forecasts_run_id_contract_id'))
    )
    with op.batch_alter_table('renewal_forecasts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_renewal_forecasts_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_renewal_forecasts_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_renewal_forecasts_run_id'), ['run_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('renewal_forecasts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_renewal_forecasts_run_id'))
        batch_op.drop_index(batch_op.f('ix_renewal_forecasts_customer_id'))
        batch_op.drop_index(batch_op.f('ix_renewal_forecasts_contract_id'))

    op.drop_table('renewal_forecasts')
    with op.batch_alter_table('renewal_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_renewal_calls_customer_id'))
        batch_op.drop_index(batch_op.f('ix_renewal_calls_contract_id'))

    op.drop_table('renewal_calls')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_contracts_renewal_of_id'))
        batch_op.drop_index(batch_op.f('ix_contracts_import_run_id'))
        batch_op.drop_index('ix_contracts_end_date')
        batch_op.drop_index(batch_op.f('ix_contracts_customer_id'))

    op.drop_table('contracts')

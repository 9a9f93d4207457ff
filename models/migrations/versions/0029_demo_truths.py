"""A demo workspace's simulated truth in a table of its own (demo_truths), out of the demo
marker setting, which every settings read loads and which outgrew a setting's bounds at
100,000 customers

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-28 20:00:00.000000

"""
from typing import Any, Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB


# revision identifiers, used by Alembic.
revision: str = '0029'
down_revision: Union[str, Sequence[str], None] = '0028'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

JSON_TYPE = sa.JSON().with_variant(JSONB(), "postgresql")
MARKER = "workspace.demo"
PREFIX = "simulated_"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'demo_truths',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('body', JSON_TYPE, nullable=True),
        sa.Column('built_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_demo_truths')),
    )
    # A demo built before: its truths move out of the marker, which keeps how it was built.
    settings = sa.table('settings', sa.column('key', sa.String), sa.column('value', JSON_TYPE))
    truths = sa.table(
        'demo_truths',
        sa.column('name', sa.String),
        sa.column('body', JSON_TYPE),
        sa.column('built_at', sa.DateTime),
    )
    conn = op.get_bind()
    marker: Any = conn.execute(
        sa.select(settings.c.value).where(settings.c.key == MARKER)
    ).scalar()
    if not isinstance(marker, dict):
        return
    moved = {k[len(PREFIX):]: v for k, v in marker.items() if k.startswith(PREFIX)}
    if not moved:
        return
    import datetime as dt

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    conn.execute(
        truths.insert(),
        [{'name': name, 'body': body, 'built_at': now} for name, body in moved.items()],
    )
    kept = {k: v for k, v in marker.items() if not k.startswith(PREFIX)}
    conn.execute(settings.update().where(settings.c.key == MARKER).values(value=kept))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('demo_truths')

"""A workspace taken back to an older revision by the migrations' own downgrades, for the
tests of what an upgrade brings to a workspace an older version of the app left: a new
table or migration needs no edit in them."""

from __future__ import annotations

from sqlalchemy import create_engine


def downgrade(url: str, revision: str) -> None:
    """Take the workspace at ``url`` back to ``revision``, as its owner (or a superuser).

    On a shared workspace, a row-level security policy that names a column or a table the
    downgrade drops holds on to it: the caller drops such policies first."""
    from alembic import command

    from models.migrate import alembic_config

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, revision)
    finally:
        engine.dispose()

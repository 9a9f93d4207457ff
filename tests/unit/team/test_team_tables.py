"""The shared workspace's lists of tables (services/team/security.py, guards.py) against
the schema itself: the tables of a customer's rows are read from the ORM's foreign keys
(models/ownership.py), they are the tables the migrations give a foreign key to
``customers``, and each one is under row-level security and audited unless it is derived.
Every table is placed in the managers' grants, as written to or as only read."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, create_engine, inspect

from models.base import Base
from models.ownership import customer_keys
from services.team.guards import AUDITED, NOT_AUDITED
from services.team.security import (
    CUSTOMER_KEYS,
    CUSTOMER_TABLES,
    MANAGER_READS_ONLY,
    MANAGER_WRITES,
    _security_sql,
)

_GROUPS = {"manager": "w_radar_manager", "lead": "w_radar_lead", "admin": "w_radar_admin"}


def _migrated_customer_tables(file: Path) -> set[str]:
    engine = create_engine(f"sqlite:///{file}")
    try:
        found = inspect(engine)
        return {
            table
            for table in found.get_table_names()
            if table != "customers"
            and any(fk["referred_table"] == "customers" for fk in found.get_foreign_keys(table))
        }
    finally:
        engine.dispose()


def test_the_tables_of_a_customers_rows_are_those_the_migrations_key_to_customers(
    request: pytest.FixtureRequest,
) -> None:
    # The session's migrated, empty workspace (tests/conftest.py): a table migrated but not
    # declared where models/ownership.py reads the schema would be missed; this finds it.
    migrated = _migrated_customer_tables(request.getfixturevalue("_empty_workspace_file"))
    assert {"orders", "usage_days", "experiment_assignments"} <= migrated
    assert set(CUSTOMER_TABLES) == migrated
    assert list(CUSTOMER_TABLES) == sorted(CUSTOMER_TABLES)  # a stable order


def test_a_new_table_keyed_to_customers_is_found_by_its_foreign_key() -> None:
    metadata = MetaData()
    Table("customers", metadata, Column("id", Integer, primary_key=True))
    Table("runs", metadata, Column("id", Integer, primary_key=True))
    Table(
        "visits",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("visitor", ForeignKey("customers.id")),
    )
    Table(
        "notes", metadata, Column("id", Integer, primary_key=True), Column("customer_id", Integer)
    )
    Table("steps", metadata, Column("id", Integer, primary_key=True), Column("run_id", Integer))
    assert customer_keys(metadata) == {"notes": "customer_id", "visits": "visitor"}


def test_every_table_of_a_customers_rows_gets_its_policies_and_audit_triggers() -> None:
    statements = _security_sql(_GROUPS, [*Base.metadata.tables, "alembic_version"])
    assert set(NOT_AUDITED) <= set(CUSTOMER_TABLES)
    for table, column in CUSTOMER_KEYS.items():
        book = f"CREATE POLICY radar_book ON {table} "
        policy = next(s for s in statements if s.startswith(book))
        assert f"seen.id = {table}.{column}" in policy
        assert f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY" in statements
        assert any(s.startswith(f"CREATE POLICY radar_all ON {table} ") for s in statements)
        audited = any(s.startswith(f"CREATE TRIGGER {table}_audit_update ") for s in statements)
        assert audited == (table not in NOT_AUDITED), table
    assert AUDITED.keys() - set(Base.metadata.tables) == set()


def test_every_table_is_placed_in_the_managers_grants() -> None:
    tables = set(Base.metadata.tables)
    assert {"customers", "alerts", "team_members"} <= tables
    assert set(MANAGER_WRITES) & set(MANAGER_READS_ONLY) == set()
    unplaced = tables - set(MANAGER_WRITES) - set(MANAGER_READS_ONLY)
    assert unplaced == set(), "add them to MANAGER_WRITES or MANAGER_READS_ONLY"
    assert set(MANAGER_WRITES) | set(MANAGER_READS_ONLY) <= tables  # no table gone from the schema

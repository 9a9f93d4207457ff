"""The shared workspace's lists of tables (services/team/security.py, guards.py) against
the schema itself, as the migrations build it: every table whose rows belong to a
customer is under row-level security, and audited unless it is derived."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from services.team.guards import AUDITED, NOT_AUDITED
from services.team.security import CUSTOMER_TABLES


def _customer_tables(file: Path) -> set[str]:
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


def test_every_table_of_a_customers_rows_is_under_row_security_and_audited(
    request: pytest.FixtureRequest,
) -> None:
    # The session's migrated, empty workspace (tests/conftest.py).
    tables = _customer_tables(request.getfixturevalue("_empty_workspace_file"))
    assert "usage_days" in tables
    assert tables - set(CUSTOMER_TABLES) == set(), "add them to CUSTOMER_TABLES"
    assert tables - set(NOT_AUDITED) - AUDITED.keys() == set(), "add them to AUDITED"
    assert set(NOT_AUDITED) <= set(CUSTOMER_TABLES)

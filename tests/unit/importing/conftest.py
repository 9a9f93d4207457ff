"""The importing tests' shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.unit.importing.usage_support import new_usage_workspace


@pytest.fixture
def usage_ws(workspace_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A workspace (SQLite, then PostgreSQL) with three known customers, in New York time,
    for the product-usage imports."""
    workspace = new_usage_workspace(workspace_url, tmp_path)
    try:
        yield workspace.engine
    finally:
        workspace.close()

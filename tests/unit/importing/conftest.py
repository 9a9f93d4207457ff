"""The importing tests' shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.workspace import open_workspace
from services.importing import run
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


@pytest.fixture
def ws(workspace_url: str) -> Iterator[Engine]:
    """A new, empty workspace (SQLite, then PostgreSQL)."""
    workspace = open_workspace(workspace_url, backup=False)
    try:
        yield workspace.engine
    finally:
        workspace.close()


@pytest.fixture
def converted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of file rows each import converted (after the skip)."""
    seen: list[int] = []
    real = run._convert

    def counting(plan: run.Plan) -> tuple[run.Batch, int]:
        seen.append(len(plan.table.frame))
        return real(plan)

    monkeypatch.setattr(run, "_convert", counting)
    return seen

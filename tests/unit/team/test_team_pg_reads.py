"""A shared workspace reads what the file reads: every customer's weekly usage, summed by
PostgreSQL (services/usage/pg_weekly.py), is the file's, matrix for matrix, and the same
as the generic path's on the same PostgreSQL rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.workspace import open_workspace, to_url
from models.schema import UsageDay
from services.demo import build_demo
from services.team.publish import publish
from services.usage import weekly
from services.usage.weekly import WeeklyUsage, full_weeks_to, weekly_usage
from tests.unit.workspace.test_postgres import pg_url  # noqa: F401  (the fixture)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    from tests.support.postgres_server import pg_bin, throwaway_postgres

    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries are not installed (Debian: postgresql)")
    path = Path(tmp_path_factory.mktemp("pg-reads")) / "team.radar.sqlite"
    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(workspace.engine, customers=120, seed=5)
        with throwaway_postgres(bin_dir, "team") as url:
            assert publish(workspace.engine, url).problems == []
            yield to_url(str(path)), url
    finally:
        workspace.close()


def _weeks(url: str) -> tuple[WeeklyUsage, dt.date]:
    workspace = open_workspace(url, backup=False)
    try:
        with Session(workspace.engine) as session:
            last = session.execute(select(func.max(UsageDay.day))).scalar_one()
            assert last is not None
            last_week = full_weeks_to(last)
            return weekly_usage(session, last_week=last_week, weeks=8), last_week
    finally:
        workspace.close()


def _same(a: WeeklyUsage, b: WeeklyUsage) -> None:
    assert a.starts == b.starts
    assert a.customers.tolist() == b.customers.tolist()
    for name in ("sessions", "active_users", "days_active"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_weekly_usage_on_postgresql_is_the_files(
    published: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    file_url, shared_url = published
    here, last_week = _weeks(file_url)
    there, _ = _weeks(shared_url)
    assert here.customers.size > 10
    assert here.active_users.sum() > 0
    _same(here, there)
    # The generic path (rows grouped in pandas) on the same PostgreSQL rows agrees.
    monkeypatch.setattr(weekly, "cells_postgres", lambda *args: None)
    generic, _ = _weeks(shared_url)
    _same(generic, there)

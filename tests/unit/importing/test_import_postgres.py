"""Every sample export imports, re-imports unchanged and undoes the same on SQLite and on a
real PostgreSQL server (a throwaway cluster on loopback; skipped, saying so, without its
binaries)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.workspace import open_workspace, to_url
from services.importing.service import run_import, undo_import
from tests.support.paths import DATA
from tests.unit.workspace.test_postgres import pg_url  # noqa: F401  (the fixture)

SAMPLES = DATA / "samples"
GENERIC = [SAMPLES / "generic" / "orders.csv", SAMPLES / "generic" / "customers.csv"]
TABLES = ("customers", "orders", "interactions", "opportunities", "subscriptions")


def _counts(engine: object) -> dict[str, int]:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return {
            t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in TABLES
        }


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    url = (
        to_url(str(tmp_path / "w.radar.sqlite"))
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    ws = open_workspace(url)
    try:
        if request.param == "postgresql":  # the cluster is shared by the module: start empty
            with ws.engine.begin() as conn:
                conn.execute(text("TRUNCATE customers, import_runs RESTART IDENTITY CASCADE"))
        yield ws.engine
    finally:
        ws.close()


def test_orders_then_customers_updates_and_undoes(engine: object) -> None:
    """The customers file updates customers the orders file created: their before-values
    (dates among them) are logged, and undo puts them back."""
    first = run_import(engine, [GENERIC[0]])  # type: ignore[arg-type]
    assert first.landed, first.lines()
    after_orders = _counts(engine)
    second = run_import(engine, [GENERIC[1]])  # type: ignore[arg-type]
    assert second.landed, second.lines()
    assert second.files[0].error is None, second.lines()
    assert second.files[0].updated > 0
    run_id = second.files[0].run_id
    assert run_id is not None
    undo_import(engine, run_id)  # type: ignore[arg-type]
    assert _counts(engine) == after_orders


def test_every_sample_imports_reimports_unchanged_and_undoes(engine: object) -> None:
    files = sorted(p for p in SAMPLES.rglob("*.csv"))
    report = run_import(engine, files)  # type: ignore[arg-type]
    failed = [f.file for f in report.files if f.error]
    assert not failed, report.lines()
    landed = _counts(engine)
    assert landed["customers"] > 0
    assert landed["orders"] > 0
    again = run_import(engine, files)  # type: ignore[arg-type]
    assert all(f.inserted == 0 and f.updated == 0 for f in again.files), again.lines()
    assert _counts(engine) == landed
    for f in reversed(report.files):
        if f.run_id is not None:
            undo_import(engine, f.run_id)  # type: ignore[arg-type]
    assert all(n == 0 for n in _counts(engine).values())

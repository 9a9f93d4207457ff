"""An import into a workspace that held no orders tells the rollups' refresh what every
order is like (services/importing/run.py, services/core/rollups.py): when its orders are
in the home currency with no offset, the refresh does not scan them to find so. The
rollups and the single-currency setting are those the scan gives (the old path), on
SQLite and PostgreSQL; any other file, and any later import, is scanned as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.schema import CustomerRollup, Setting
from services.core import rollups
from services.importing import service

PLAIN = (
    "customer_id,order_id,order_date,amount,category\n"
    "C1,O1,2026-01-05,10.00,tops\n"
    "C2,O2,2026-01-06,5.50,shoes\n"
    "C1,O3,2026-02-01,7.25,tops\n"
    "C3,O4,2026-02-03,1.00,bags\n"
)
TWO_CURRENCIES = (
    "customer_id,order_id,order_date,amount,currency\n"
    "C1,O1,2026-01-05,10.00,USD\n"
    "C2,O2,2026-01-06,5.50,EUR\n"
    "C1,O3,2026-02-01,7.25,USD\n"
)
ZONES = (
    "customer_id,order_id,order_date,amount\n"
    "C1,O1,2026-01-05T10:00:00+02:00,10.00\n"
    "C2,O2,2026-01-06T23:30:00-05:00,5.50\n"
)
MORE = "customer_id,order_id,order_date,amount\nC4,O9,2026-03-01,3.00\n"


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per scan of the orders for their currencies and offsets."""
    seen: list[int] = []
    real = rollups._order_flags

    def counting(*args: Any) -> tuple[bool, bool]:
        seen.append(1)
        return real(*args)

    monkeypatch.setattr(rollups, "_order_flags", counting)
    return seen


def _stored(engine: Engine) -> tuple[list[tuple[Any, ...]], Any]:
    with Session(engine) as session:
        rows = session.execute(
            select(*(getattr(CustomerRollup, c) for c in rollups.ROLLUP_COLUMNS)).order_by(
                CustomerRollup.customer_id
            )
        ).all()
        single = session.execute(
            select(Setting.value).where(Setting.key == rollups.SINGLE_CURRENCY_SETTING)
        ).scalar_one_or_none()
        return [tuple(r) for r in rows], single


def _scanned_again(engine: Engine) -> tuple[list[tuple[Any, ...]], Any]:
    """The rollups and setting the old path (a scan of the orders) writes."""
    with Session(engine) as session:
        rollups.refresh_rollups(session)
        session.commit()
    return _stored(engine)


def _import(engine: Engine, path: Path, body: str) -> None:
    path.write_text(body, encoding="utf-8")
    report = service.run_import(engine, [path])
    assert report.files[0].landed, report.files[0]


def test_a_first_import_in_one_currency_is_not_scanned(
    ws: Engine, tmp_path: Path, scans: list[int]
) -> None:
    _import(ws, tmp_path / "orders.csv", PLAIN)
    assert scans == []
    told = _stored(ws)
    assert len(told[0]) == 3
    assert told[1] == "USD"
    assert _scanned_again(ws) == told
    with Session(ws) as session:
        assert rollups.stale_rollups(session) == 0


@pytest.mark.parametrize("body", [TWO_CURRENCIES, ZONES], ids=["two currencies", "zones"])
def test_other_first_imports_are_scanned(
    ws: Engine, tmp_path: Path, scans: list[int], body: str
) -> None:
    _import(ws, tmp_path / "orders.csv", body)
    assert scans == [1]
    told = _stored(ws)
    assert _scanned_again(ws) == told


def test_an_import_into_a_workspace_with_orders_is_scanned(
    ws: Engine, tmp_path: Path, scans: list[int]
) -> None:
    _import(ws, tmp_path / "orders.csv", PLAIN)
    _import(ws, tmp_path / "more.csv", MORE)
    assert scans == [1]
    told = _stored(ws)
    assert len(told[0]) == 4
    assert _scanned_again(ws) == told

"""The customers table's reads at start-up skip what they can prove empty: the scan for
revenue in a currency with no rate is left out while the current rollups say every order
is in the home currency, and done again once they do not (a real SQLite workspace, no
Qt)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from models.schema import Customer, Order
from services.core import rollups
from services.core.rollups import SINGLE_CURRENCY_SETTING, refresh_rollups
from services.settings import get_setting, set_setting
from services.usecases.customers import load_customer_columns

TODAY = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    with Session(ws.engine) as s, s.begin():
        for cid, name in ((1, "Ada"), (2, "Bo")):
            s.add(Customer(id=cid, source="t", external_id=name, name=name))
        s.flush()
        for n, (cid, cents) in enumerate(((1, 1000), (1, 2500), (2, 700))):
            day = dt.datetime(2026, 6, 1 + n, 9, tzinfo=dt.UTC)
            s.add(Order(customer_id=cid, external_id=f"o{n}", order_date=day, amount_cents=cents))
        s.flush()
        refresh_rollups(s)
    yield ws
    ws.close()


def _counting_scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = rollups.unconverted_revenue

    def counted(*args: Any, **kwargs: Any) -> dict[int, dict[str, int]]:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(rollups, "unconverted_revenue", counted)
    return calls


def test_one_currency_needs_no_scan_for_unconverted_revenue(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(workspace.engine) as s:
        assert get_setting(s, SINGLE_CURRENCY_SETTING) == "USD"
    scans = _counting_scans(monkeypatch)
    columns = load_customer_columns(workspace.engine, today=TODAY, scores=False)
    assert scans == []
    assert columns["revenue"].tolist() == [35.0, 7.0]
    assert columns["revenue_unconverted"].tolist() == [None, None]


def test_an_order_in_another_currency_brings_the_scan_back(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans = _counting_scans(monkeypatch)
    with Session(workspace.engine) as s, s.begin():
        # A write through SQLAlchemy marks the rollups stale: the table aggregates live.
        day = dt.datetime(2026, 6, 9, 9, tzinfo=dt.UTC)
        s.add(Order(customer_id=2, external_id="e", order_date=day, amount_cents=2000))
        s.flush()
        s.get(Order, 4).currency = "EUR"  # type: ignore[union-attr]
    columns = load_customer_columns(workspace.engine, today=TODAY, scores=False)
    assert scans == [1]
    assert np.isnan(columns["revenue"][1])
    assert columns["revenue_unconverted"][1] == "€20 + $7"
    # Refreshed, the rollups know the orders are in two currencies: still scanned.
    with Session(workspace.engine) as s, s.begin():
        refresh_rollups(s)
        assert get_setting(s, SINGLE_CURRENCY_SETTING) == ""
    again = load_customer_columns(workspace.engine, today=TODAY, scores=False)
    assert scans == [1, 1]
    assert again["revenue_unconverted"][1] == "€20 + $7"


def test_another_home_currency_brings_the_scan_back(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans = _counting_scans(monkeypatch)
    with Session(workspace.engine) as s, s.begin():
        set_setting(s, "workspace.home_currency", "EUR")
    columns = load_customer_columns(workspace.engine, today=TODAY, scores=False)
    assert scans == [1]
    assert columns["revenue_unconverted"].tolist() == ["$35", "$7"]

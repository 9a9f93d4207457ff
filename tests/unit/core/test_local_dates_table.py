"""The customers list in the window shows the last order on the shop's clock: an
order placed at 21:30 -0700 on 19 September is the 19th, not UTC's 20th, with the rollups
and without them (the live aggregate)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete

from app.workspace import open_workspace, to_url
from models.schema import CustomerRollup
from services.importing.service import run_import
from services.usecases.customers import load_customer_columns


@pytest.mark.parametrize("rollups", [True, False])
def test_the_customers_list_shows_the_last_order_on_the_shops_clock(
    tmp_path: Path, rollups: bool
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "customer_id,order_id,order_date,amount\n"
        "C1,O1,2024-09-01 10:00:00 -0700,20.00\n"
        "C1,O2,2024-09-19 21:30:00 -0700,50.00\n"
        "C2,O3,2024-09-19 21:30:00,30.00\n"
        "C3,O4,2024-09-19 23:30:00 +0530,10.00\n",
        encoding="utf-8",
    )
    ws = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    try:
        assert run_import(ws.engine, [path]).landed
        if not rollups:
            with ws.engine.begin() as conn:
                conn.execute(delete(CustomerRollup))
        columns = load_customer_columns(ws.engine, today=dt.date(2024, 9, 21), scores=False)
    finally:
        ws.close()
    got = {
        int(i): (str(np.datetime64(t, "m")), d)
        for i, t, d in zip(
            columns["id"], columns["last_order"], columns["days_since_last_order"], strict=True
        )
    }
    assert got == {
        # 04:30 UTC on the 20th; 21:30 on the 19th in the shop: two days before the 21st.
        1: ("2024-09-19T21:30", 2.0),
        # No zone named: the time as written.
        2: ("2024-09-19T21:30", 2.0),
        # 18:00 UTC on the 19th; 23:30 on the 19th in India.
        3: ("2024-09-19T23:30", 2.0),
    }

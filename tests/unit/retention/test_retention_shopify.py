"""The incentive cost and the acquisition channel read from a Shopify orders export in its
own layout (written here, imported as the app imports it), on SQLite and on PostgreSQL:
the Discount Amount an order records is an offer redeemed, and the Source of a first order
is the channel it was acquired through."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.workspace import open_workspace
from services.importing.service import run_import
from services.retention.report import retention_report

HEADER = (
    "Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Discount Code,Discount Amount,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Billing Name,Source\n"
)
ROWS = (
    # Ann: a customer of 2024, back in 2025 with a code worth $10 (retained, redeemed).
    "#1001,ann@example.com,paid,,USD,100.00,100.00,,0.00,2024-05-02 10:00:00 -0400,1,Coat,"
    "100.00,Ann Lee,web\n"
    "#1004,ann@example.com,paid,,USD,100.00,90.00,SPRING10,10.00,2025-03-05 10:00:00 -0500,1,"
    "Coat,100.00,Ann Lee,web\n"
    # Bo: 2024 only (churned). Cy: a first order in 2025 at the shop's till (store).
    "#1002,bo@example.com,paid,,USD,60.00,60.00,,0.00,2024-06-01 10:00:00 -0400,1,Hat,60.00,"
    "Bo Park,web\n"
    "#1005,cy@example.com,paid,,USD,55.00,50.00,WELCOME5,5.00,2025-04-09 10:00:00 -0400,1,Hat,"
    "55.00,Cy Dunn,pos\n"
    # A continuation row of #1005: no order-level fields.
    "#1005,cy@example.com,,,,,,,,2025-04-09 10:00:00 -0400,1,Socks,0.00,,\n"
)


def test_a_shopify_export(workspace_url: str, tmp_path: Path) -> None:
    path = tmp_path / "orders_export_1.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    ws = open_workspace(workspace_url, backup=False)
    try:
        imported = run_import(ws.engine, [path])
        assert all(f.error is None for f in imported.files)
        report = retention_report(
            ws.engine, dt.date(2025, 1, 1), dt.date(2025, 12, 31), today=dt.date(2026, 1, 31)
        )
    finally:
        ws.close()
    names = {v: k for k, v in report.names.items()}
    assert report.overall.at_start == 2  # Ann and Bo
    incentives = report.incentives
    assert incentives is not None
    whole = incentives.overall
    # Ann came back with SPRING10: $10 over one retained customer. Cy's WELCOME5 was no
    # retained customer's (she is new).
    assert whole.customer_ids() == (names["Ann Lee"],)
    assert dict(whole.redeemed) == {names["Ann Lee"]: 1000}
    assert whole.cost_per_retained_cents == 1000
    assert whole.contacted == 0
    acquisition = report.acquisition
    assert acquisition is not None
    (store,) = acquisition.channels
    assert (store.label, store.acquired, store.mean_clv_cents) == ("store", 1, 5000)
    assert store.cac_cents is None

"""The customer pane shows the 80% ranges of churn risk, orders and 12-month value:
"12-month value $640–$1,380", in the workspace's currency, inside the figures' tiles."""

from __future__ import annotations

import os

from sqlalchemy import text

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from services.core.formatting import format_percent
from views.customers.detail_pane import CustomerDetailPane
from views.customers.score_tiles import DASH
from views.kit.formatting import format_money
from views.kit.jobs import JobRunner


def test_the_pane_shows_the_ranges_of_the_scores(
    qtbot, jobs: JobRunner, workspace: Workspace, theme: object
) -> None:
    with workspace.engine.connect() as conn:
        # A repeat customer with a real range of value (the demo's, scored today).
        row = conn.execute(
            text(
                "SELECT customer_id, churn_risk_low, churn_risk_high, predicted_orders_low, "
                "predicted_orders_high, clv_12m_low_cents, clv_12m_high_cents "
                "FROM score_snapshots WHERE clv_12m_high_cents > clv_12m_low_cents + 10000 "
                "AND predicted_orders_high >= 1 ORDER BY customer_id LIMIT 1"
            )
        ).one()
    pane = CustomerDetailPane(jobs)
    qtbot.addWidget(pane)
    pane.resize(1000, 760)
    pane.show()
    pane.set_source(WorkspaceCustomerSource(workspace))
    with qtbot.waitSignal(pane.detail_shown, timeout=10_000):
        pane.show_customer(int(row.customer_id))
    line = pane.score_strip.ranges.full_text()
    low = format_money(row.clv_12m_low_cents / 100, "USD", cents=False)
    high = format_money(row.clv_12m_high_cents / 100, "USD", cents=False)
    assert f"12-month value {low}{DASH}{high}" in line
    risk = f"{format_percent(row.churn_risk_low)}{DASH}{format_percent(row.churn_risk_high)}"
    assert f"churn risk {risk}" in line
    assert f"orders {row.predicted_orders_low:.0f}{DASH}" in line
    assert pane.score_strip.ranges.isVisible()
    # The whole line fits this pane: nothing is cut.
    assert pane.score_strip.ranges.text() == line
    if os.environ.get("RANGES_SHOT"):
        pane.grab().save(os.environ["RANGES_SHOT"])
    # A narrow pane shortens the line rather than cutting the CLV range off.
    pane.resize(480, 760)
    qtbot.waitUntil(lambda: pane.score_strip.ranges.text() != line)
    assert f"value {low}{DASH}{high}" in pane.score_strip.ranges.text()
    if os.environ.get("RANGES_SHOT"):
        pane.grab().save(os.environ["RANGES_SHOT"].replace(".png", "-narrow.png"))
    qtbot.waitUntil(jobs.is_idle)


def test_a_snapshot_without_ranges_shows_no_range_line(
    qtbot, jobs: JobRunner, workspace: Workspace
) -> None:
    # Scored before intervals were kept (the columns added by migration 0008 are NULL).
    with workspace.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE score_snapshots SET churn_risk_low = NULL, churn_risk_high = NULL, "
                "predicted_orders_low = NULL, predicted_orders_high = NULL, "
                "clv_12m_low_cents = NULL, clv_12m_high_cents = NULL"
            )
        )
        customer = conn.execute(text("SELECT min(customer_id) FROM score_snapshots")).scalar()
    pane = CustomerDetailPane(jobs)
    qtbot.addWidget(pane)
    pane.resize(1000, 760)
    pane.show()
    pane.set_source(WorkspaceCustomerSource(workspace))
    with qtbot.waitSignal(pane.detail_shown, timeout=10_000):
        pane.show_customer(int(customer))
    assert pane.score_strip.isVisible()
    assert not pane.score_strip.ranges.isVisible()
    qtbot.waitUntil(jobs.is_idle)


def test_range_wording_at_the_ends(workspace: Workspace) -> None:
    # A range is never certain ("100%"), a figure that cannot move is said once ("0"),
    # and a bound is not joined by a dash ("95% to >99%").
    from dataclasses import replace

    from sqlalchemy.orm import Session

    from services.scoring.queries import customer_scores
    from views.customers.score_tiles import ranges_text

    with workspace.engine.connect() as conn:
        cid = conn.execute(text("SELECT MIN(customer_id) FROM score_snapshots")).scalar_one()
    with Session(workspace.engine) as session:
        scores = customer_scores(session, int(cid))
    assert scores is not None
    sure = replace(
        scores,
        churn_risk_low=0.95,
        churn_risk_high=1.0,
        predicted_orders_low=0.0,
        predicted_orders_high=0.0,
        clv_12m_low_cents=0,
        clv_12m_high_cents=0,
    )
    line = ranges_text(sure)[0]
    assert "churn risk 95% to >99%" in line
    assert "orders 0 ·" in line
    assert line.endswith("12-month value $0")
    assert "100%" not in line
    low = ranges_text(replace(sure, churn_risk_low=0.0, churn_risk_high=0.12))[0]
    assert "churn risk <1% to 12%" in low
    plain = ranges_text(replace(sure, churn_risk_low=0.2, churn_risk_high=0.35))[0]
    assert f"churn risk 20%{DASH}35%" in plain

"""A card whose condition cleared says the customer's figures by the latest scoring (the
same as their tiles), and labels the figures of its reason as those of when it was
raised: a real alert of the scored demo, whose customer's latest score then changed."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest
from PySide6.QtCore import Qt

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from services.alerts.config import RULE_QUEUES
from views.alerts.view import AlertsView
from views.kit.jobs import JobRunner

TIMEOUT_MS = 60_000
CHURN_NOW = 0.23
RISK_NOW_CENTS = 31_300


@pytest.fixture
def cleared(workspace: Workspace) -> tuple[int, str]:
    """A risk alert alone on its card, mentioning churn risk when the demo has one; its
    customer's latest score now lower and its condition marked cleared, as the next
    scoring would. Returns the alert and the reason it was raised with."""
    path = workspace.engine.url.database
    assert path is not None
    with sqlite3.connect(path) as con:
        rows = con.execute(
            "SELECT a.id, a.customer_id, a.rule_key, a.reason FROM alerts a "
            "WHERE a.status IN ('open', 'in_progress') AND NOT a.holdout "
            "AND (SELECT COUNT(*) FROM alerts b "
            "WHERE b.customer_id = a.customer_id AND b.status IN ('open', 'in_progress')) = 1 "
            "ORDER BY a.reason NOT LIKE '%churn risk%', a.id"
        ).fetchall()
        alert, customer, _rule, reason = next(r for r in rows if RULE_QUEUES[r[2]] == "risk")
        run = con.execute(
            "SELECT id FROM scoring_runs WHERE status = 'finished' ORDER BY as_of DESC, id DESC"
        ).fetchone()[0]
        con.execute(
            "UPDATE score_snapshots SET churn_risk = ?, revenue_at_risk_cents = ? "
            "WHERE customer_id = ? AND scoring_run_id = ?",
            (CHURN_NOW, RISK_NOW_CENTS, customer, run),
        )
        stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
        con.execute("UPDATE alerts SET cleared_at = ? WHERE id = ?", (stamp, alert))
    return int(alert), str(reason)


def test_a_cleared_card_says_the_latest_figures_and_labels_the_old_ones(
    qtbot, jobs: JobRunner, workspace: Workspace, cleared: tuple[int, str]
) -> None:
    alert_id, reason = cleared
    view = AlertsView(jobs)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    view.set_sources(
        WorkspaceAlertSource(workspace, user="dana"),
        WorkspaceCustomerSource(workspace),
        owner_name=None,
    )
    pane = view.alerts_pane
    qtbot.waitUntil(lambda: pane.model.rowCount() > 0 and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert pane.show_alert(alert_id)

    def shown() -> bool:
        alert, detail = view.action_pane.alert, view.detail_pane.detail
        return (
            alert is not None
            and alert.id == alert_id
            and detail is not None
            and detail.id == alert.customer_id
            and not view.detail_pane.load_pending
            and jobs.is_idle()
        )

    qtbot.waitUntil(shown, timeout=TIMEOUT_MS)
    expected = f"churn risk now 23% · when raised: {reason}"

    # The card in the list: the latest churn risk and revenue at risk, the old figures
    # labelled, and the cleared condition said.
    model = pane.model
    row = model.row_of(alert_id)
    record = model.record(row)
    assert record["live"] is False
    assert record["reason"] == expected
    assert model.index(row, 0).data().endswith(f": {expected} ($313 at risk).")
    assert expected in model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)

    # The card on the right says the same.
    action = view.action_pane
    assert expected in action.reason.text()
    assert "$313" in action.meta.text()

    # The customer's tiles: the same figures.
    tiles = view.detail_pane.score_strip.tiles
    assert tiles["churn_risk"].value.full_text() == "23%"
    assert tiles["revenue_at_risk"].value.full_text() == "$313"
    if os.environ.get("SHOT_DIR"):
        view.grab().save(os.path.join(os.environ["SHOT_DIR"], "cleared-card.png"))

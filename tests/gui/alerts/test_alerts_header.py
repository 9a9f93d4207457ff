"""The alert list's header says one thing in one unit: "x of y cards", x the rows the list
shows and y the cards of the queue in the chosen status (closed alerts only when the
status filter lists them), on the scored demo."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QSettings

from app.gui.alerts_source import WorkspaceAlertSource
from app.workspace import Workspace
from services.alerts.config import RULE_QUEUES
from views.alerts.pane import AlertsPane
from views.kit.jobs import JobRunner

TIMEOUT_MS = 60_000


def cards(workspace: Workspace, statuses: tuple[str, ...], queue: str | None) -> set[tuple]:
    """(customer, queue) of the alerts of these statuses: the list's cards."""
    path = workspace.engine.url.database
    assert path is not None
    with sqlite3.connect(path) as con:
        rows = con.execute(
            f"SELECT customer_id, rule_key FROM alerts WHERE status IN "
            f"({', '.join('?' * len(statuses))})",
            statuses,
        ).fetchall()
    found = {(c, RULE_QUEUES[r]) for c, r in rows}
    return {card for card in found if queue is None or card[1] == queue}


@pytest.fixture
def pane(qtbot, jobs: JobRunner, workspace: Workspace, ui_settings: QSettings) -> AlertsPane:
    widget = AlertsPane(jobs, settings=ui_settings)
    qtbot.addWidget(widget)
    widget.resize(520, 760)
    widget.show()
    widget.set_source(WorkspaceAlertSource(workspace, user="dana"), owner_name=None)
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0 and jobs.is_idle(), timeout=TIMEOUT_MS)
    return widget


ACTIVE = ("open", "in_progress")
EVERY = ("open", "in_progress", "snoozed", "resolved", "dismissed")


def test_the_header_counts_cards_of_the_queue_in_the_chosen_status(
    qtbot, pane: AlertsPane, workspace: Workspace
) -> None:
    # The risk queue, active: every card shown, with its alerts.
    active = cards(workspace, ACTIVE, "risk")
    alerts = pane.model.alert_count()
    assert pane.model.rowCount() == len(active)
    assert alerts > len(active)  # some customers have several alerts: one card each
    assert pane.count_label.text() == f"{len(active):,} cards · {alerts:,} alerts"

    # Narrowed by an owner: x is the rows shown, y the active cards of the queue (not the
    # demo's closed ones, many more).
    every = cards(workspace, EVERY, "risk")
    assert len(every) > len(active)
    pane.owner_combo.setCurrentIndex(1)
    shown = pane.model.rowCount()
    assert 0 < shown < len(active)
    assert pane.count_label.text() == f"{shown:,} of {len(active):,} cards"
    assert pane.count_label.toolTip().startswith(
        f"{shown:,} of the {len(active):,} active cards in the Risk queue shown"
    )

    # Every status listed: now the closed ones count, in the total and in the rows.
    pane.status_combo.setCurrentIndex(pane.status_combo.findData("all"))
    shown = pane.model.rowCount()
    assert pane.count_label.text() == f"{shown:,} of {len(every):,} cards"
    pane.owner_combo.setCurrentIndex(0)
    assert pane.model.rowCount() == len(every)
    assert pane.count_label.text().startswith(f"{len(every):,} cards · ")

    # Every queue: the same unit.
    pane.status_combo.setCurrentIndex(pane.status_combo.findData("active"))
    pane.set_queue("all")
    everywhere = cards(workspace, ACTIVE, None)
    assert pane.model.rowCount() == len(everywhere)
    assert pane.count_label.text().startswith(f"{len(everywhere):,} cards · ")
    assert "in every queue" in pane.count_label.toolTip()
    qtbot.waitUntil(pane._jobs.is_idle, timeout=TIMEOUT_MS)

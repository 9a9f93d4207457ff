"""The alert card's menu on the demo workspace: a help-desk ticket asked for the card
under the pointer names that card's most urgent alert (the controller opens its ticket:
tests/gui/crm_files/test_ticket_dialog.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu

from app.gui.alerts_source import WorkspaceAlertSource
from app.workspace import Workspace
from views.alerts.pane import AlertsPane
from views.kit.jobs import JobRunner

TIMEOUT_MS = 30_000


@pytest.fixture
def pane(qtbot, jobs: JobRunner, workspace: Workspace, ui_settings: QSettings) -> AlertsPane:
    widget = AlertsPane(jobs, settings=ui_settings)
    qtbot.addWidget(widget)
    widget.resize(520, 760)
    widget.show()
    widget.set_source(WorkspaceAlertSource(workspace, user="dana"), owner_name=None)
    qtbot.waitUntil(lambda: widget.model.rowCount() > 1 and jobs.is_idle(), timeout=TIMEOUT_MS)
    return widget


def test_a_cards_menu_asks_for_a_ticket_for_that_cards_alert(
    qtbot, pane: AlertsPane, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[QMenu] = []  # the menu as it would pop up (offscreen, it cannot grab keys)
    monkeypatch.setattr(QMenu, "popup", lambda menu, *_args: shown.append(menu))
    row = 1  # not the first card: the one under the pointer, not the one selected
    pos = pane.list.visualRect(pane.model.index(row, 0)).center()
    pane._on_list_context_menu_requested(pos)
    menu = shown[-1]
    labels = [a.text() for a in menu.actions()]
    assert "Help-desk ticket…" in labels
    ticket = next(a for a in menu.actions() if a.text() == "Help-desk ticket…")
    with qtbot.waitSignal(pane.ticket_requested, timeout=TIMEOUT_MS) as asked:
        ticket.trigger()
    assert asked.args == [pane.model.card_ids(row)[0]]

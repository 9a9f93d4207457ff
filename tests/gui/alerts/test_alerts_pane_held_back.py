"""The alerts pane says "N more held back by the daily cap", lists them on a click, and
the action pane raises one into today's queue."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace, open_workspace, to_url
from tests.unit.alerts.test_alerts_held_back import late_tickets
from tests.unit.alerts.test_alerts_rules import make_book
from views.alerts.view import AlertsView
from views.kit.jobs import JobRunner

TIMEOUT_MS = 60_000


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    books = make_book(to_url(str(tmp_path / "w.radar.sqlite")))
    book = next(books)
    late_tickets(book, 3)
    book.set("alerts.daily_cap_per_owner", 1)
    book.generate()
    books.close()
    ws = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    yield ws
    ws.close()


def names(view: AlertsView) -> list[str]:
    model = view.alerts_pane.model
    return [model.record(r)["customer"] for r in range(model.rowCount())]


def test_held_back_alerts_are_counted_shown_and_raised(
    qtbot, jobs: JobRunner, workspace: Workspace
) -> None:
    view = AlertsView(jobs)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    view.set_sources(
        WorkspaceAlertSource(workspace, user="maya"),
        WorkspaceCustomerSource(workspace),
        owner_name=None,
    )
    pane = view.alerts_pane
    qtbot.waitUntil(lambda: pane.model.total() > 0 and jobs.is_idle(), timeout=TIMEOUT_MS)
    # Today's queue holds the one raised alert; the note counts the two held back.
    assert names(view) == ["Late 2"]
    assert pane.count_label.text() == "1 card · 1 alert"
    note = pane.held_back_note
    assert note.isVisible()
    assert "2 more held back by the daily cap" in note.text()
    if os.environ.get("SHOT_DIR"):
        view.grab().save(os.path.join(os.environ["SHOT_DIR"], "held-back-note.png"))

    # The link lists them, marked as held back; Raise now is the one action offered.
    note.linkActivated.emit("show")
    qtbot.waitUntil(lambda: sorted(names(view)) == ["Late 0", "Late 1"], timeout=TIMEOUT_MS)
    assert pane.count_label.text() == "2 held back"
    assert "Back to the active alerts" in note.text()

    def showing_current() -> bool:
        alert = view.action_pane.alert
        return alert is not None and alert.id == pane.current_alert_id and jobs.is_idle()

    qtbot.waitUntil(showing_current, timeout=TIMEOUT_MS)
    action = view.action_pane
    assert action.alert is not None
    assert action.alert.status == "held_back"
    assert action.raise_button.isVisible()
    assert action.held_back_box.isVisible()
    assert action.meta.text().startswith("Held back · found ")  # not raised (yet)
    assert not action.buttons["dismiss"].isEnabled()
    assert not action.buttons["resolve"].isEnabled()
    if os.environ.get("SHOT_DIR"):
        view.grab().save(os.path.join(os.environ["SHOT_DIR"], "held-back-list.png"))
    raised = action.alert.customer
    qtbot.mouseClick(action.raise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(names(view)) == 1 and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert raised not in names(view)
    assert "1 more held back" not in note.text()  # the list view still shows its own note

    # Back to the queue: the raised alert is there, one is still held back.
    note.linkActivated.emit("back")
    qtbot.waitUntil(lambda: len(names(view)) == 2, timeout=TIMEOUT_MS)
    assert sorted(names(view)) == sorted(["Late 2", raised])
    assert "1 more held back by the daily cap" in note.text()

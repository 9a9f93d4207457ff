"""Results ▸ Support, driven as a user would, on the hand-made book of
tests/support/support_book.py: the section reads the first half of 2025 through the job
runner, shows the figures counted by hand there, follows the tables' choices, opens a
row's tickets in their own window and a ticket's customer from it, and says which exports
bring tickets when there are none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace, open_workspace
from tests.support.support_book import SINCE, UNTIL, fill_support_book
from views.item_models.customer_filters import CustomerFilter
from views.results.sections import section_classes
from views.results.support import SupportSection
from views.results.support_tickets import CUSTOMER_COLUMN

TIMEOUT_MS = 60_000


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Workspace, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_support_book(ws.engine)
    yield ws, ids
    ws.close()


def _section(qtbot, jobs, ws: Workspace) -> SupportSection:  # type: ignore[no-untyped-def]
    section = SupportSection(jobs)
    qtbot.addWidget(section)
    section.resize(1300, 2000)
    section.show()
    section.set_source(WorkspaceResultsSource(ws))
    section.reload(SINCE, UNTIL)
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return section


def _column(section: SupportSection, table: str, col: int) -> list[str]:
    model = section.tables[table].model
    return [model.index(r, col).data() for r in range(model.rowCount())]


def _click(qtbot, section: SupportSection, table: str, row: int) -> None:  # type: ignore[no-untyped-def]
    view = section.tables[table].table
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_section_is_listed() -> None:
    assert SupportSection in section_classes()


def test_the_figures_of_the_half_year(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, _ids = book
    section = _section(qtbot, jobs, ws)
    # 12 tickets, 3 open; resolved: 1.5 4 6 6 12 24 48 48, median 9 hours; 5 of 7 good.
    assert section.tiles["tickets"].value.text() == "12"
    assert section.tiles["resolution"].value.text() == "9 hours"
    assert section.tiles["satisfaction"].value.text() == "71%"
    assert section.tiles["repeat"].value.text() == "4"
    assert "12 tickets from 6 customers, 3 still open." in section.headline_label.text()
    # Per month by channel: the period first, then Email (5), Chat, Web, Phone, none.
    assert _column(section, "volume", 0) == [
        "All tickets", "Email", "Chat", "Web", "Phone", "No channel",
    ]  # fmt: skip
    assert _column(section, "volume", 4) == ["1", "1", "0", "0", "0", "0"]  # April: T6
    combo = section.tables["volume"].combo
    assert combo is not None
    combo.setCurrentIndex(combo.findData("priority"))
    assert _column(section, "volume", 0)[1:] == ["Urgent", "High", "Normal", "Low", "No priority"]
    # Time to resolution: Refund 24 hours, 90th 43.2 hours, one open.
    refund = _column(section, "resolution", 0).index("Refund")
    row = [section.tables["resolution"].model.index(refund, c).data() for c in range(7)]
    assert row == ["Refund", "4", "3", "24 hours", "43.2 hours", "1", "0"]
    assert "3 open tickets are counted apart" in section.tables["resolution"].note.text()
    # Satisfaction by agent; under 10 rated, each agent is muted and marked.
    assert _column(section, "satisfaction", 0)[1] == "Sam Okafor *"
    assert _column(section, "satisfaction", 4)[1] == "75%"
    assert "fewer than 10 rated tickets" in section.tables["satisfaction"].note.text()
    # Came back: Refund 2 of 2, Question 1 of 4 (E).
    assert _column(section, "repeat", 2) == ["4", "1", "2", "1"]


def test_a_row_opens_its_tickets_and_a_ticket_its_customer(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, ids = book
    section = _section(qtbot, jobs, ws)
    combo = section.tables["satisfaction"].combo
    assert combo is not None
    combo.setCurrentIndex(combo.findData("agent"))
    lee = _column(section, "satisfaction", 0).index("Lee Marchetti *")
    _click(qtbot, section, "satisfaction", lee)
    qtbot.waitUntil(lambda: section.tickets_dialog is not None, timeout=TIMEOUT_MS)
    dialog = section.tickets_dialog
    assert dialog is not None
    model = dialog.model
    # Lee's T9 and T10, oldest first, on the help desk's clock.
    assert [model.index(r, 4).data() for r in range(model.rowCount())] == [
        "Ticket T9", "Ticket T10",
    ]  # fmt: skip
    assert model.index(0, 0).data() == "Jan 5, 2025 at 10:00"
    assert model.index(0, CUSTOMER_COLUMN).data() == "Customer D"
    assert "2 tickets" in dialog.windowTitle()
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        rect = dialog.table.visualRect(model.index(1, CUSTOMER_COLUMN))
        qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    chosen = opened.args[0]
    assert isinstance(chosen, CustomerFilter)
    assert chosen.customer_ids == frozenset({ids["D"]})
    assert chosen.title.startswith("Customer D")
    qtbot.waitUntil(lambda: section.tickets_dialog is None, timeout=TIMEOUT_MS)  # closed


def test_an_open_ticket_shows_as_open(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, _ids = book
    section = _section(qtbot, jobs, ws)
    refund = _column(section, "repeat", 0).index("Refund")
    _click(qtbot, section, "repeat", refund)
    qtbot.waitUntil(lambda: section.tickets_dialog is not None, timeout=TIMEOUT_MS)
    dialog = section.tickets_dialog
    assert dialog is not None
    model = dialog.model
    # A's T1 and the T2 he came back with, C's T6 and T7 (pending, still open).
    assert [model.index(r, 4).data() for r in range(model.rowCount())] == [
        "Ticket T1", "Ticket T2", "Ticket T6", "Ticket T7",
    ]  # fmt: skip
    assert (model.index(3, 1).data(), model.index(3, 2).data()) == ("open", "Pending")
    dialog.reject()
    qtbot.waitUntil(lambda: section.tickets_dialog is None, timeout=TIMEOUT_MS)
    # A tile opens all twelve tickets of the period.
    qtbot.mouseClick(section.tiles["tickets"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.tickets_dialog is not None, timeout=TIMEOUT_MS)
    assert section.tickets_dialog is not None
    assert section.tickets_dialog.model.rowCount() == 12
    section.tickets_dialog.reject()


def test_no_tickets_says_which_exports_bring_them(qtbot, jobs, workspace_url: str) -> None:  # type: ignore[no-untyped-def]
    ws = open_workspace(workspace_url, backup=False)
    try:
        section = _section(qtbot, jobs, ws)
    finally:
        ws.close()
    assert "No tickets in this workspace yet" in section.headline_label.text()
    assert "Zendesk" in section.headline_label.text()
    assert section.tiles_row.isHidden()
    assert section.tables["volume"].card.isHidden()

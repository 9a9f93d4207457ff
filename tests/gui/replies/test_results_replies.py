"""Results ▸ Replies, driven as a user would, on the hand-made book of
tests/support/replies_book.py (its answers imported through the real import): the
section reads the first half of 2025 through the job runner, shows the figures counted by
hand there, follows the breakdown's choice, opens a row's emails in their own window, a
customer from it and all of its customers, and says when no email was sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace, open_workspace
from services.importing.service import run_import
from tests.support.replies_book import SINCE, UNTIL, fill_replies_book
from views.item_models.customer_filters import CustomerFilter
from views.results.replies import RepliesSection
from views.results.replies_emails import CUSTOMER_COLUMN
from views.results.sections import section_classes

TIMEOUT_MS = 60_000


@pytest.fixture
def book(workspace_url: str, tmp_path: Path) -> Iterator[tuple[Workspace, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_replies_book(ws.engine, tmp_path / "mail")
    assert all(f.landed for f in run_import(ws.engine, [tmp_path / "mail"]).files)
    yield ws, ids
    ws.close()


def _section(qtbot, jobs, ws: Workspace, since=SINCE, until=UNTIL) -> RepliesSection:  # type: ignore[no-untyped-def]
    section = RepliesSection(jobs)
    qtbot.addWidget(section)
    section.resize(1300, 1600)
    section.show()
    section.set_source(WorkspaceResultsSource(ws))
    section.reload(since, until)
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return section


def _column(section: RepliesSection, col: int) -> list[str]:
    model = section.model
    return [model.index(r, col).data() for r in range(model.rowCount())]


def _click(qtbot, view, row: int, col: int = 0) -> None:  # type: ignore[no-untyped-def]
    rect = view.visualRect(view.model().index(row, col))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_section_sits_beside_outreach() -> None:
    assert section_classes()[0] is RepliesSection


def test_the_figures_of_the_half_year(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, _ids = book
    section = _section(qtbot, jobs, ws)
    # 5 sent (O1-O5), 3 replied (6, 48 and 12 hours: median 12), O3 automatic only.
    assert section.tiles["sent"].value.text() == "5"
    assert section.tiles["sent"].note.full_text() == "1 held out got none"
    assert section.tiles["replied"].value.text() == "60%"
    assert "likely 23% to 88%" in section.tiles["replied"].note.full_text()
    assert section.tiles["time"].value.text() == "12 hours"
    assert section.tiles["automatic"].value.text() == "1"
    assert _column(section, 0) == [
        "All emails *",
        "Check-in *",
        "Welcome back *",
        "Written without a template *",
    ]  # fmt: skip (the most emails first, then by name)
    assert _column(section, 3) == ["60%", "0%", "100%", "100%"]
    assert _column(section, 5) == ["too few to compare"] * 4
    assert _column(section, 7) == ["12 hours", "–", "27 hours", "12 hours"]
    assert "too few to say which template" in section.best_label.text()
    assert "not a lift" in section.holdout_label.text()
    section.by_combo.setCurrentIndex(section.by_combo.findData("playbook"))
    assert _column(section, 0) == ["All emails *", "No playbook *", "Win back *"]
    assert _column(section, 2) == ["3", "2", "1"]


def test_a_row_opens_its_emails_and_their_customers(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, ids = book
    section = _section(qtbot, jobs, ws)
    _click(qtbot, section.table, 1)  # Check-in
    dialog = section.emails_dialog
    assert dialog is not None
    assert dialog.windowTitle() == "Check-in: 2 emails"
    replies = [dialog.model.index(r, 4).data() for r in range(dialog.model.rowCount())]
    assert replies == ["Automatic reply only", "No reply"]
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as got:
        _click(qtbot, dialog.table, 1, CUSTOMER_COLUMN)  # Dee's email
    wanted = got.args[0]
    assert isinstance(wanted, CustomerFilter)
    assert wanted.customer_ids == frozenset({ids["D"]})
    section.tiles["replied"].clicked.emit()
    dialog = section.emails_dialog
    assert dialog is not None
    assert dialog.windowTitle() == "Replied: 3 emails"
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as got:
        dialog.customers_button.click()
    assert got.args[0].customer_ids == frozenset(ids[k] for k in "ABE")


def test_a_period_with_no_email_says_so(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, _ids = book
    section = _section(qtbot, jobs, ws, dt.date(2023, 1, 1), dt.date(2023, 6, 30))
    assert section.headline_label.text().startswith("No emails sent in this period.")
    assert section.card.isHidden()
    assert section.tiles_row.isHidden()

"""The customers pane and the detail pane when things go wrong or nothing matches:
a failed load, a search with no result, a customer deleted under the window."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from models.errors import WorkspaceError
from services.core.records import CustomerDetail
from tests.gui.conftest import RecordingPresenter
from views.customers import pane as customers_pane
from views.item_models import customer_table_data
from views.item_models.customer_table_data import COLUMN_INDEX
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import MainWindow


class FlakySource(WorkspaceCustomerSource):
    """A real workspace whose table or detail loads can be made to fail."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.fail_table = False
        self.fail_detail = False

    def load_customer_columns(self):  # type: ignore[no-untyped-def]
        if self.fail_table:
            raise WorkspaceError("The workspace is locked by another program.")
        return super().load_customer_columns()

    def load_customer_detail(self, customer_id: int) -> CustomerDetail:
        if self.fail_detail:
            raise WorkspaceError("The workspace is locked by another program.")
        return super().load_customer_detail(customer_id)


@pytest.fixture
def source(demo_workspace: Workspace) -> FlakySource:
    return FlakySource(demo_workspace)


@pytest.fixture
def window(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings
) -> Iterator[MainWindow]:
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.show()
    yield w
    qtbot.waitUntil(jobs.is_idle)


def open_source(qtbot, window: MainWindow, source: FlakySource, jobs: JobRunner) -> None:
    window.set_source(source)
    qtbot.waitUntil(
        lambda: window.detail_pane.detail is not None and jobs.is_idle(), timeout=15_000
    )


@pytest.mark.presents_errors
def test_a_failed_table_load_offers_retry(
    qtbot, window: MainWindow, source: FlakySource, jobs: JobRunner, presenter: RecordingPresenter
) -> None:
    pane = window.customers_pane
    source.fail_table = True
    window.set_source(source)
    qtbot.waitUntil(lambda: not pane.loading and jobs.is_idle(), timeout=15_000)
    # The presenter said what happened; the pane no longer says "Loading customers…".
    assert [type(e) for e in presenter.take()] == [WorkspaceError]
    assert pane.message == "Could not load the customers."
    assert pane.retry_button.isVisible()
    assert not pane.table.isVisible()

    source.fail_table = False
    qtbot.mouseClick(pane.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.model.rowCount() == 300, timeout=15_000)
    assert pane.table.isVisible()
    assert pane.message == ""
    assert not pane.retry_button.isVisible()
    qtbot.waitUntil(lambda: window.detail_pane.detail is not None, timeout=15_000)


def test_a_search_without_match_says_so_and_clears_the_detail(
    qtbot, window: MainWindow, source: FlakySource, jobs: JobRunner
) -> None:
    open_source(qtbot, window, source, jobs)
    pane, detail = window.customers_pane, window.detail_pane
    shown_id = detail.detail.id if detail.detail is not None else None
    pane.set_search_text("zzqx-nobody")
    qtbot.waitUntil(lambda: not pane.model.pending)
    assert pane.count_label.text() == "0 of 300 customers"
    assert pane.message == "No customers match “zzqx-nobody”."
    assert pane.empty_label.isVisible()
    assert not pane.table.isVisible()
    # No stale customer next to "0 of 300".
    assert detail.detail is None
    assert not detail.name_label.isVisible()
    assert detail.empty_label.isVisible()
    # Clearing the search brings the table, and the same customer, back.
    with qtbot.waitSignal(detail.detail_shown, timeout=10_000) as shown:
        pane.set_search_text("")
    assert shown.args == [shown_id]
    assert pane.table.isVisible()
    assert pane.message == ""


@pytest.mark.presents_errors
def test_a_failed_detail_load_clears_the_previous_customer(
    qtbot,
    window: MainWindow,
    source: FlakySource,
    jobs: JobRunner,
    presenter: RecordingPresenter,
) -> None:
    open_source(qtbot, window, source, jobs)
    detail = window.detail_pane
    source.fail_detail = True
    second = window.customers_pane.model.customer_id(1)
    assert second is not None
    window.customers_pane.select_customer(second)
    qtbot.waitUntil(lambda: bool(presenter.errors) and jobs.is_idle(), timeout=10_000)
    assert [type(e) for e in presenter.take()] == [WorkspaceError]
    assert detail.detail is None
    assert detail.empty_label.isVisible()
    assert detail.empty_label.text() == "Could not load this customer."


def test_a_deleted_customer_is_explained_and_the_list_refreshed(
    qtbot, window: MainWindow, source: FlakySource, jobs: JobRunner, demo_copy: Path
) -> None:
    open_source(qtbot, window, source, jobs)
    pane = window.customers_pane
    victim = pane.model.customer_id(5)
    assert victim is not None
    with sqlite3.connect(demo_copy) as con:  # another program deletes the customer
        con.execute("PRAGMA foreign_keys=OFF")
        con.execute("DELETE FROM customers WHERE id=?", (victim,))
    with qtbot.waitSignal(pane.table_loaded, timeout=15_000) as loaded:
        pane.select_customer(victim)
    # Plain words, not "Something went wrong" (the jobs fixture fails on any presented
    # error), and the list no longer holds the customer.
    assert "no longer in the workspace" in window.statusBar().currentMessage()
    assert loaded.args == [299]
    assert pane.model.row_of_customer(victim) is None
    qtbot.waitUntil(
        lambda: window.detail_pane.detail is not None and jobs.is_idle(), timeout=15_000
    )
    assert window.detail_pane.detail.id != victim


def test_name_sort_and_search_are_ready_when_the_table_appears(
    qtbot,
    window: MainWindow,
    source: FlakySource,
    jobs: JobRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Prepared with the table on the worker: the first sort by name and the first search
    # apply at once, with no wait for the background preparation of the other columns.
    monkeypatch.setattr(customers_pane, "PREPARE_DELAY_MS", 600_000)
    pane = window.customers_pane
    window.set_source(source)
    qtbot.waitUntil(lambda: pane.model.rowCount() == 300, timeout=15_000)
    data = pane.model.table
    assert not data.prepared
    assert data.sort_key_ready("name")
    assert data.search_ready
    assert not data.sort_key_ready("owner")
    pane.table.sortByColumn(COLUMN_INDEX["name"], Qt.SortOrder.AscendingOrder)
    assert not pane.model.pending
    names = [str(n).casefold() for n in pane.model.column_values("name")]
    assert names == sorted(names)
    first = names[0]
    pane.set_search_text(first.split()[0])
    assert not pane.model.pending
    assert 0 < pane.model.rowCount() < 300
    # Found in the account's name or its person's (a company's champion is searched too).
    shown = zip(pane.model.column_values("name"), pane.model.column_values("person"), strict=True)
    assert all(first.split()[0] in f"{n} {p}".casefold() for n, p in shown)
    pane.set_search_text("")
    qtbot.waitUntil(
        lambda: window.detail_pane.detail is not None and jobs.is_idle(), timeout=15_000
    )


def test_first_sort_by_a_text_column_waits_for_the_worker_not_the_ui_thread(
    qtbot,
    window: MainWindow,
    source: FlakySource,
    jobs: JobRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # However slow the machine, the click comes before the background preparation.
    monkeypatch.setattr(customers_pane, "PREPARE_DELAY_MS", 600_000)
    # Where each text column is ranked, recorded from the start (a worker may have begun
    # one before the click, so the thread is what tells, not whether the key is ready).
    ranked_on: list[threading.Thread] = []
    text_rank = customer_table_data._text_rank

    def recording(values: object) -> object:
        ranked_on.append(threading.current_thread())
        return text_rank(values)

    monkeypatch.setattr(customer_table_data, "_text_rank", recording)
    pane = window.customers_pane
    window.set_source(source)
    qtbot.waitUntil(lambda: pane.model.rowCount() == 300, timeout=15_000)
    data = pane.model.table
    assert not data.prepared
    name = COLUMN_INDEX["owner"]
    pane.table.sortByColumn(name, Qt.SortOrder.AscendingOrder)
    # Not ranked on the UI thread: the request waits, and the pane says so.
    assert threading.main_thread() not in ranked_on
    if pane.model.pending:  # as a rule: the key is being ranked on a worker
        assert pane.count_label.text() == "Sorting…"
        assert pane.table.viewport().cursor().shape() == Qt.CursorShape.BusyCursor
    else:  # a worker had ranked it just before the click
        assert data.sort_key_ready("owner")
    qtbot.waitUntil(lambda: not pane.model.pending, timeout=10_000)
    assert ranked_on
    assert threading.main_thread() not in ranked_on
    names = [str(n).casefold() for n in pane.model.column_values("owner") if n]
    assert pane.model.sort_column == name
    assert names == sorted(names)
    # The count says so once the worker's answer is in (Qt may apply the sort first).
    qtbot.waitUntil(lambda: pane.count_label.text() == "300 customers", timeout=10_000)
    assert pane.table.viewport().cursor().shape() != Qt.CursorShape.BusyCursor
    qtbot.waitUntil(
        lambda: window.detail_pane.detail is not None and jobs.is_idle(), timeout=15_000
    )


@pytest.fixture
def wide_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1920x1080 screen (the offscreen platform's is 800x800): a window of 1400 px is
    on a screen that holds it, where the panes need not share a narrow one's width."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QScreen

    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: QRect(0, 0, 1920, 1040))


def test_the_churn_columns_fit_the_default_window(
    wide_screen: None, qtbot, window: MainWindow, source: FlakySource, jobs: JobRunner
) -> None:
    window.resize(1400, 860)
    qtbot.waitUntil(lambda: window.width() == 1400)
    open_source(qtbot, window, source, jobs)
    table = window.customers_pane.table
    header = table.horizontalHeader()
    titles = [
        window.customers_pane.model.headerData(header.logicalIndex(i), Qt.Orientation.Horizontal)
        for i in range(header.count())
    ]
    assert titles[:8] == [
        "Name", "Owner", "Orders", "Revenue", "Last order", "Days quiet", "Tickets", "Opps"
    ]  # fmt: skip
    assert titles[8:] == ["Person", "Email", "Tier", "Region", "Customer since"]
    opps = header.logicalIndex(7)
    right_edge = header.sectionViewportPosition(opps) + header.sectionSize(opps)
    assert right_edge <= table.viewport().width()
    assert header.sectionSize(header.logicalIndex(0)) >= 110  # names stay readable

"""The window names an account by its company, with its person under it, on a real SQLite
workspace (tests/support/accounts_book.py: Willow Creek Clinic, whose row names Henry
Müller, who left; Dana Cole, its decision maker, remains): the customer header, the
Customers table's Name and Person columns and its search, and the status bar's tasks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace, open_workspace, to_url
from services.alerts.work import my_work
from tests.support.accounts_book import NOW, TASK, fill_accounts_book
from views.item_models.customer_table_data import COLUMN_INDEX
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.my_work.columns import due_tooltip
from views.shell.main_window import MainWindow

WILLOW = "Willow Creek Clinic"


@pytest.fixture
def book(tmp_path: Path) -> Iterator[tuple[Workspace, dict[str, int]]]:
    ws = open_workspace(to_url(str(tmp_path / "accounts.radar.sqlite")), backup=False)
    ids = fill_accounts_book(ws.engine)
    yield ws, ids
    ws.close()


@pytest.fixture
def window(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings
) -> Iterator[MainWindow]:
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    yield w
    qtbot.waitUntil(jobs.is_idle)


def _cell(window: MainWindow, row: int, key: str) -> str:
    model = window.customers_pane.model
    return str(model.index(row, COLUMN_INDEX[key]).data(Qt.ItemDataRole.DisplayRole) or "")


def test_the_header_and_the_table_name_the_company_with_its_person(
    qtbot, window: MainWindow, jobs: JobRunner, book: tuple[Workspace, dict[str, int]]
) -> None:
    ws, ids = book
    window.set_source(WorkspaceCustomerSource(ws))
    pane, detail = window.customers_pane, window.detail_pane
    qtbot.waitUntil(lambda: pane.model.rowCount() == 3 and jobs.is_idle(), timeout=15_000)
    # The table: the company in Name, Dana in Person; Ada is her own account.
    names = {_cell(window, r, "name"): _cell(window, r, "person") for r in range(3)}
    assert names[WILLOW] == "Dana Cole"
    assert names["Ada Lovelace"] == ""
    assert names[f"Customer {ids['N']}"] == ""
    assert not any("Henry" in f"{k} {v}" for k, v in names.items())
    # The header: the company, Dana and her role under it.
    assert pane.select_customer(ids["W"])
    qtbot.waitUntil(
        lambda: detail.detail is not None and detail.detail.id == ids["W"] and jobs.is_idle(),
        timeout=15_000,
    )
    assert detail.name_label.text() == WILLOW
    assert detail.contact_label.text().startswith("Dana Cole (decision maker)")
    assert "Henry" not in detail.contact_label.text()
    assert "henry@" not in detail.contact_label.text()
    # The search box finds the account by its company, and by its person.
    for words in ("willow creek", "dana"):
        pane.set_search_text(words)
        qtbot.waitUntil(lambda: not pane.model.pending, timeout=10_000)
        assert pane.model.rowCount() == 1
        assert _cell(window, 0, "name") == WILLOW
    pane.set_search_text("")


def test_the_status_bar_names_the_tasks_account(book: tuple[Workspace, dict[str, int]]) -> None:
    ws, _ids = book
    words = due_tooltip(my_work(ws.engine, user="Maya", owner="Maya", now=NOW))
    assert f"{TASK} ({WILLOW})" in words
    assert "Henry" not in words

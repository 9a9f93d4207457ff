"""An alert card opens its customer in the Customers tab, on the real window over the
scored demo workspace: a double click on a card, Enter on the card shown, and the card
menu's Open customer (for the card right-clicked) each show that card's customer there;
Enter with no card shown does nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMenu

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace
from views.item_models.alert_list_model import CustomerIdRole
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import TAB_ALERTS, TAB_CUSTOMERS, MainWindow

TIMEOUT_MS = 60_000


@pytest.fixture
def window(
    qtbot, jobs: JobRunner, workspace: Workspace, theme: ThemeManager, ui_settings: QSettings
) -> MainWindow:
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.set_source(WorkspaceCustomerSource(workspace))
    w.set_alert_source(WorkspaceAlertSource(workspace, user="dana.tester"))
    pane = w.alerts_view.alerts_pane
    qtbot.waitUntil(
        lambda: pane.model.rowCount() > 2 and pane.current_alert_id is not None and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    return w


def customer_of(window: MainWindow, row: int) -> int:
    return int(window.alerts_view.alerts_pane.model.index(row, 0).data(CustomerIdRole))


def shown_in_customers(qtbot, window: MainWindow, customer_id: int) -> None:  # type: ignore[no-untyped-def]
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    qtbot.waitUntil(
        lambda: (
            window.detail_pane.detail is not None and window.detail_pane.detail.id == customer_id
        ),
        timeout=TIMEOUT_MS,
    )


def test_a_double_click_on_a_card_opens_its_customer(qtbot, window: MainWindow) -> None:
    pane = window.alerts_view.alerts_pane
    row = 2  # not the card selected at start
    assert customer_of(window, row) != customer_of(window, 0)
    where = pane.list.visualRect(pane.model.index(row, 0)).center()
    qtbot.mouseClick(pane.list.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert window.tabs.currentIndex() == TAB_ALERTS  # a single click only selects
    qtbot.mouseDClick(pane.list.viewport(), Qt.MouseButton.LeftButton, pos=where)
    shown_in_customers(qtbot, window, customer_of(window, row))


def test_enter_opens_the_customer_of_the_card_shown(qtbot, window: MainWindow) -> None:
    pane = window.alerts_view.alerts_pane
    pane.focus_list()
    qtbot.keyClick(pane.list, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: pane.list.currentIndex().row() == 1, timeout=TIMEOUT_MS)
    qtbot.keyClick(pane.list, Qt.Key.Key_Return)
    shown_in_customers(qtbot, window, customer_of(window, 1))


def test_enter_with_no_card_shown_does_nothing(qtbot, window: MainWindow, jobs: JobRunner) -> None:
    pane = window.alerts_view.alerts_pane
    pane.search_box.setText("no customer is called this zzqx")
    qtbot.waitUntil(lambda: pane.model.rowCount() == 0 and jobs.is_idle(), timeout=TIMEOUT_MS)
    pane.list.setFocus()
    qtbot.keyClick(pane.list, Qt.Key.Key_Return)
    assert window.tabs.currentIndex() == TAB_ALERTS


def test_the_card_menus_open_customer_opens_the_card_right_clicked(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda menu, *_args: shown.append(menu))
    pane = window.alerts_view.alerts_pane
    row = 1
    pane._on_list_context_menu_requested(pane.list.visualRect(pane.model.index(row, 0)).center())
    action = next(a for a in shown[-1].actions() if a.text() == "Open customer")
    action.trigger()
    shown_in_customers(qtbot, window, customer_of(window, row))

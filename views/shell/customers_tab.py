"""The Customers tab in the main window: the table and the selected customer side by side,
with View ▸ Customers (Ctrl+2). Kept out of views/shell/main_window.py, which lists its
``screen`` among the window's tabs and speaks to its two panes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMainWindow, QSplitter

from views.customers.detail_pane import MISSING_CUSTOMER_MESSAGE, CustomerDetailPane
from views.customers.pane import CustomersPane
from views.kit.geometry import fit_panes
from views.shell.tab_screen import Screen

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner


class CustomersTab:
    """The customers table, the customer pane beside it, and what one does to the other."""

    def __init__(self, window: QMainWindow, jobs: JobRunner, settings: QSettings) -> None:
        self._window = window
        self.customers_pane = CustomersPane(jobs, window, settings=settings)
        self.detail_pane = CustomerDetailPane(jobs, window)
        self.customers_pane.customer_selected.connect(self._on_customers_pane_customer_selected)
        self.customers_pane.selection_cleared.connect(self._on_customers_pane_selection_cleared)
        self.detail_pane.customer_missing.connect(self._on_detail_pane_customer_missing)
        # A customer read anew (a mark, an owner, an undo): the table follows.
        self.detail_pane.detail_shown.connect(self._on_detail_pane_detail_shown)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, window)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.customers_pane)
        self.splitter.addWidget(self.detail_pane)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.customers_pane.setMinimumWidth(380)
        self.detail_pane.setMinimumWidth(560)
        fit_panes(self.splitter, keep=1)  # a scaled desktop's narrow screen: they share it
        # The customers get the wider half: their eight churn columns must fit in view.
        self.splitter.setSizes([750, 650])

    @property
    def screen(self) -> Screen:
        """Its tab after Alerts, with View ▸ Customers (Ctrl+2)."""
        return Screen("Customers", "&Customers", "Ctrl+2", self.splitter)

    def _on_customers_pane_customer_selected(self, customer_id: int) -> None:
        self.detail_pane.show_customer(customer_id, at_once=self.customers_pane.reading_rest)

    def _on_detail_pane_detail_shown(self, customer_id: int) -> None:
        detail = self.detail_pane.detail
        if detail is not None and detail.id == customer_id:
            self.customers_pane.follow_detail(detail)  # its mark and owner

    def _on_customers_pane_selection_cleared(self) -> None:
        self.detail_pane.clear("No customer selected.")

    def _on_detail_pane_customer_missing(self, _customer_id: int) -> None:
        self._window.statusBar().showMessage(MISSING_CUSTOMER_MESSAGE, 15_000)
        self.customers_pane.reload()

"""For everyone: the window as a screen reader reads it. Every tab and the main dialogs
(Settings, Import, the composer, the review queue) are walked through Qt's accessibility
tree, and any interactive element without a name fails the test, all listed; alert cards
and table rows read as sentences; charts carry a text summary that follows their data."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QApplication, QWidget

from app.gui.application import GuiController, make_controller
from app.workspace import to_url
from services.alerts.records import SEVERITY_LABELS
from tests.support.accessibility import Element, report, unnamed
from tests.support.paths import DATA
from views.shell.main_window import TAB_ALERTS, TAB_CUSTOMERS, TAB_DASHBOARD, TAB_KEYS

TIMEOUT_MS = 60_000
SHOPIFY = DATA / "samples" / "shopify" / "orders_export_1.csv"


@pytest.fixture
def controller(
    qapp: QApplication, ui_settings: QSettings, tmp_path: Path, alerts_file: Path,
    presented_errors: list[str],
) -> Iterator[GuiController]:  # fmt: skip
    path = tmp_path / "book.radar.sqlite"
    shutil.copy(alerts_file, path)
    made = make_controller(qapp, ui_settings, show_dialogs=False)
    made.presenter.error_presented.connect(
        lambda title, text: presented_errors.append(f"{title}: {text}")
    )
    made.window.resize(1366, 768)
    made.window.show()
    made.open_url(to_url(str(path)))
    yield made
    made.composer.close()
    made.batches.close()
    made.shutdown()
    made.window.close()
    made.window.deleteLater()
    made.deleteLater()


def settle(qtbot, controller: GuiController) -> None:
    window, jobs = controller.window, controller.jobs
    qtbot.waitUntil(
        lambda: (
            controller.workspace is not None
            and window.detail_pane.detail is not None
            and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )


def offenders_of(widget: QWidget) -> dict[str, Element]:
    return {str(e): e for e in unnamed(widget)}


def test_every_tab_names_its_controls(qtbot, controller: GuiController) -> None:
    settle(qtbot, controller)
    window = controller.window
    found: dict[str, Element] = {}
    for index, _key in enumerate(TAB_KEYS):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(50)  # Results and Ask build their pane once the switch has painted
        qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
        found.update(offenders_of(window))
    assert window.results.built
    assert window.ask.built
    assert not found, report(list(found.values()))


def contactable_alerts(controller: GuiController, n: int) -> list[tuple[int, int]]:
    """(alert, customer) of the top open alert of n customers who may be emailed."""
    workspace = controller.workspace
    assert workspace is not None
    assert workspace.engine.url.database is not None
    with sqlite3.connect(workspace.engine.url.database) as con:
        found = con.execute(
            "SELECT MIN(a.id), c.id FROM alerts a JOIN customers c ON c.id = a.customer_id "
            "WHERE a.status = 'open' AND c.do_not_contact = 0 AND c.email IS NOT NULL "
            "GROUP BY c.id ORDER BY c.id LIMIT ?",
            (n,),
        ).fetchall()
    return [(int(r[0]), int(r[1])) for r in found]


def test_the_main_dialogs_name_their_controls(qtbot, controller: GuiController) -> None:
    """Settings (every page), Import (the preview of a real export), the composer with
    its draft, Draft for all's start dialog and the review queue, the template library."""
    settle(qtbot, controller)
    jobs = controller.jobs
    found: dict[str, Element] = {}
    walked: list[str] = []

    def walk_settings(dialog: QWidget) -> bool:
        for group in dialog.group_names:  # type: ignore[attr-defined]
            dialog.show_group_named(group)  # type: ignore[attr-defined]
            found.update(offenders_of(dialog))
        walked.append("settings")
        return False  # Cancel

    controller.settings._show = walk_settings
    controller.settings.open()
    qtbot.waitUntil(lambda: "settings" in walked, timeout=TIMEOUT_MS)

    controller.imports._confirm = lambda _title, _text: True  # into the demo: yes
    importing = controller.imports.open_import([str(SHOPIFY)])
    assert importing is not None
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    found.update(offenders_of(importing))
    importing.close()

    (first, customer), (second, _other) = contactable_alerts(controller, 2)
    controller.composer.open(first, customer)
    qtbot.waitUntil(
        lambda: (
            controller.composer.dialog is not None
            and not controller.composer.dialog.drafting
            and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )
    assert controller.composer.dialog is not None
    found.update(offenders_of(controller.composer.dialog))
    controller.composer.close()

    batches = controller.batches
    batches.draft_for_all((first, second), "the test's alerts")
    qtbot.waitUntil(lambda: batches.dialog is not None, timeout=TIMEOUT_MS)
    start = batches.dialog
    assert start is not None
    found.update(offenders_of(start))
    start.by_templates.setChecked(True)
    start.start_button.click()
    qtbot.waitUntil(
        lambda: batches.queue is not None and not batches.busy and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    assert batches.queue is not None
    found.update(offenders_of(batches.queue))

    controller.templates.open()
    qtbot.waitUntil(lambda: controller.templates.dialog is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert controller.templates.dialog is not None
    found.update(offenders_of(controller.templates.dialog))
    controller.templates.dialog.close()
    assert not found, report(list(found.values()))


def first_item(view: QWidget) -> QAccessibleInterface:
    """The first card or cell of a list or table, as a screen reader reaches it."""
    iface = QAccessible.queryAccessibleInterface(view)
    for i in range(iface.childCount()):
        child = iface.child(i)
        if child is not None and child.role() in (QAccessible.Role.Cell, QAccessible.Role.ListItem):
            return child
    raise AssertionError(f"no item in {view.objectName()}")


def test_cards_rows_and_charts_read_as_text(qtbot, controller: GuiController) -> None:
    """An alert card is one sentence (severity, customer, why, what is at stake), a row of
    the customers table reads column by column, and a chart's description says its
    figures and follows its data."""
    settle(qtbot, controller)
    window = controller.window
    window.tabs.setCurrentIndex(TAB_ALERTS)
    cards = window.alerts_view.alerts_pane
    qtbot.waitUntil(lambda: cards.model.rowCount() > 0, timeout=TIMEOUT_MS)
    rec = cards.model.record(0)
    card = first_item(cards.list)
    spoken = card.text(QAccessible.Text.Name)
    severity = SEVERITY_LABELS[str(rec["severity"])]
    assert spoken.startswith(f"{severity}: {rec['customer']}")
    assert rec["reasons"][0] in spoken
    assert "at risk" in spoken or "upside" in spoken or "at stake" in spoken
    assert "Raised " in card.text(QAccessible.Text.Description)

    window.tabs.setCurrentIndex(TAB_CUSTOMERS)
    model = window.customers_pane.model
    cell = first_item(window.customers_pane.table)
    header = model.headerData(0, Qt.Orientation.Horizontal)
    assert cell.text(QAccessible.Text.Name) == model.index(0, 0).data()
    row = cell.text(QAccessible.Text.Description)
    assert row.startswith(f"{header}: {model.index(0, 0).data()}, ")
    assert f"{model.headerData(2, Qt.Orientation.Horizontal)}: {model.index(0, 2).data()}" in row

    window.tabs.setCurrentIndex(TAB_DASHBOARD)
    dashboard = window.dashboard
    qtbot.waitUntil(
        lambda: (
            dashboard.severity_chart is not None
            and sum(dashboard.severity_chart.values().values()) > 0
        ),
        timeout=TIMEOUT_MS,
    )
    chart = dashboard.severity_chart
    assert chart is not None
    picture = QAccessible.queryAccessibleInterface(chart.plot_widget)
    assert picture.text(QAccessible.Text.Name) == "Open alert cards by severity (chart)"
    said = picture.text(QAccessible.Text.Description)
    for severity, count in chart.values().items():
        if count:
            assert f"{SEVERITY_LABELS[severity]}: {count:,} open card" in said
    chart.set_counts({"critical": 7})
    said = picture.text(QAccessible.Text.Description)
    assert "Critical: 7 open cards (100% of 7)" in said
    assert "Warning:" not in said
    assert chart._title.toolTip() == said  # the same words on hover
    chart.set_counts({})
    assert picture.text(QAccessible.Text.Description).endswith(": No open alerts")

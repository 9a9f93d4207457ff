"""The main window on a real demo workspace: loading, selection, detail and chart,
search, theme, remembered geometry, backup."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QStyleHints
from PySide6.QtWidgets import QApplication, QLabel, QMenu

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace, open_workspace, to_url
from views.kit.jobs import JobRunner
from views.kit.theme import DARK, LIGHT, ThemeManager, ThemeMode
from views.shell.main_window import MainWindow


@pytest.fixture
def theme(qapp: QApplication) -> Iterator[ThemeManager]:
    manager = ThemeManager(qapp, ThemeMode.LIGHT)
    yield manager
    manager.set_mode(ThemeMode.LIGHT)
    manager.deleteLater()


def make_window(qtbot, jobs: JobRunner, theme: ThemeManager, settings: QSettings) -> MainWindow:
    window = MainWindow(jobs, theme, settings)
    qtbot.addWidget(window)
    return window


@pytest.fixture
def window(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings, demo_workspace: Workspace
) -> Iterator[MainWindow]:
    w = make_window(qtbot, jobs, theme, ui_settings)
    w.set_source(WorkspaceCustomerSource(demo_workspace))
    w.show()
    qtbot.waitUntil(lambda: w.detail_pane.detail is not None and jobs.is_idle(), timeout=15_000)
    yield w
    qtbot.waitUntil(jobs.is_idle)


def order_counts(path: Path, customer_id: int) -> tuple[int, int]:
    with sqlite3.connect(path) as con:
        paid = con.execute(
            "SELECT COUNT(*) FROM orders WHERE customer_id=? AND status='paid'", (customer_id,)
        ).fetchone()[0]
        other = con.execute(
            "SELECT COUNT(*) FROM orders WHERE customer_id=? AND status<>'paid'", (customer_id,)
        ).fetchone()[0]
    return paid, other


def test_window_shows_the_workspace(window: MainWindow, demo_workspace: Workspace) -> None:
    pane = window.customers_pane
    assert pane.model.rowCount() == 300
    assert pane.count_label.text() == "300 customers"
    assert window.count_label.text() == "300 customers"
    assert window.workspace_label.text() == demo_workspace.display_name
    assert window.demo_banner.isVisible()
    assert window.demo_badge.isVisible()
    # The first customer (highest revenue) is selected and shown.
    first = pane.model.customer_id(0)
    assert window.detail_pane.detail is not None
    assert window.detail_pane.detail.id == first
    assert window.detail_pane.name_label.full_text() == window.detail_pane.detail.name


def test_selecting_a_customer_loads_detail_and_chart(
    qtbot, window: MainWindow, demo_frame: pd.DataFrame, demo_copy: Path
) -> None:
    row = demo_frame.sort_values("orders").iloc[len(demo_frame) // 2]
    customer_id = int(row["id"])
    paid, other = order_counts(demo_copy, customer_id)
    assert paid == row["orders"] > 0
    with qtbot.waitSignal(window.detail_pane.detail_shown, timeout=10_000) as shown:
        assert window.customers_pane.select_customer(customer_id)
    assert shown.args == [customer_id]
    pane = window.detail_pane
    assert pane.detail is not None
    assert pane.detail.id == customer_id
    # Whole once laid out (the name shortens only when the pane has no room for it).
    qtbot.waitUntil(lambda: pane.name_label.text() == row["name"], timeout=5_000)
    assert pane.chart is not None
    assert pane.chart.paid_point_count == paid
    assert pane.chart.other_point_count == other
    assert pane.orders_tile.value.full_text() == f"{paid:,}"
    assert pane.revenue_tile.value.full_text() == f"${row['revenue']:,.0f}"
    assert pane.timeline_model.rowCount() == len(pane.detail.timeline) > 0
    assert pane.tabs.tabText(0) == f"Timeline ({len(pane.detail.timeline)})"


def test_arrow_keys_move_through_customers(qtbot, window: MainWindow) -> None:
    table = window.customers_pane.table
    table.setFocus()
    second = window.customers_pane.model.customer_id(1)
    with qtbot.waitSignal(window.detail_pane.detail_shown, timeout=10_000) as shown:
        qtbot.keyClick(table, Qt.Key.Key_Down)
    assert shown.args == [second]


def test_quick_selection_changes_show_the_last_customer(
    qtbot, window: MainWindow, jobs: JobRunner
) -> None:
    model = window.customers_pane.model
    ids = [model.customer_id(row) for row in range(2, 12)]
    shown: list[int] = []
    window.detail_pane.detail_shown.connect(shown.append)
    for customer_id in ids:
        assert customer_id is not None
        window.customers_pane.select_customer(customer_id)
    qtbot.waitUntil(lambda: shown == [ids[-1]])
    qtbot.waitUntil(jobs.is_idle)
    assert shown == [ids[-1]]  # the customers passed on the way were never loaded
    assert window.detail_pane.detail is not None
    assert window.detail_pane.detail.id == ids[-1]


def test_search_box_filters_and_follows_with_the_detail(
    qtbot, window: MainWindow, demo_frame: pd.DataFrame
) -> None:
    target = demo_frame.iloc[123]
    query = target["email"].split("@")[0]
    window.customers_pane.set_search_text(query.upper())
    model = window.customers_pane.model
    qtbot.waitUntil(lambda: not model.pending)  # the search index is built on a worker
    expected = demo_frame[demo_frame["email"].str.contains(query, regex=False)]
    assert model.rowCount() == len(expected)
    assert window.customers_pane.count_label.text() == f"{len(expected)} of 300 customers"
    qtbot.waitUntil(
        lambda: (
            window.detail_pane.detail is not None
            and window.detail_pane.detail.id in set(expected["id"])
        )
    )
    window.customers_pane.set_search_text("")
    assert model.rowCount() == 300


def test_theme_switch_recolours_the_window_and_is_remembered(
    qtbot, window: MainWindow, ui_settings: QSettings
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert app.palette().color(QPalette.ColorRole.Window).name() == LIGHT.window
    with qtbot.waitSignal(window.theme_manager.theme_changed):  # once the menu is gone
        window.menus.theme_actions[ThemeMode.DARK].trigger()
    assert app.palette().color(QPalette.ColorRole.Window).name() == DARK.window
    assert app.palette().color(QPalette.ColorRole.Base).name() == DARK.surface
    assert DARK.surface in app.styleSheet()
    chart = window.detail_pane.chart
    assert chart is not None
    assert chart.plot_widget.backgroundBrush().color().name() == DARK.chart_bg
    assert window.menus.theme_actions[ThemeMode.DARK].isChecked()
    assert ui_settings.value("ui/theme") == "dark"
    image = window.grab().toImage()
    # The window really is dark now: sample the middle of the detail pane's background.
    assert image.pixelColor(image.width() - 5, image.height() // 2).lightness() < 90
    with qtbot.waitSignal(window.theme_manager.theme_changed):
        window.menus.theme_actions[ThemeMode.LIGHT].trigger()
    assert app.palette().color(QPalette.ColorRole.Window).name() == LIGHT.window
    assert chart.plot_widget.backgroundBrush().color().name() == LIGHT.chart_bg


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")  # the menu
def test_the_theme_changes_after_its_menu_closes_under_a_busy_cursor(
    qtbot, window: MainWindow
) -> None:
    """Restyling every widget takes seconds: the menu closes first (the click returns at
    once), a busy cursor says the window is at work, and the restyle follows."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    action = window.menus.theme_actions[ThemeMode.DARK]
    menu = action.associatedObjects()[-1]
    assert isinstance(menu, QMenu)
    window.menus.view_menu.popup(window.mapToGlobal(window.rect().center()))
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitUntil(lambda: app.activePopupWidget() is not None)
    seen: list[object] = []

    def on_theme_changed(_theme: object) -> None:
        cursor = app.overrideCursor()
        seen.append((app.activePopupWidget(), cursor.shape() if cursor else None))

    window.theme_manager.theme_changed.connect(on_theme_changed)
    started = time.perf_counter()
    action.trigger()
    assert time.perf_counter() - started < 0.2  # the menu's click returned at once
    assert window.theme_manager.theme is LIGHT  # not yet: the menu is still open
    assert app.overrideCursor() is not None
    assert app.overrideCursor().shape() == Qt.CursorShape.WaitCursor
    qtbot.wait(120)
    assert seen == []  # it waits for the menu
    menu.close()
    window.menus.view_menu.close()
    qtbot.waitUntil(lambda: window.theme_manager.theme is DARK, timeout=10_000)
    assert seen == [(None, Qt.CursorShape.WaitCursor)]  # menus closed, the cursor busy
    assert app.overrideCursor() is None  # and back to the arrow
    window.theme_manager.theme_changed.disconnect(on_theme_changed)


def test_system_theme_follows_the_os(
    qtbot, theme: ThemeManager, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The offscreen platform has no colour scheme of its own: stand in for the OS by
    # answering the style hints' colorScheme() question, and emit the OS's own signal.
    os_scheme = [Qt.ColorScheme.Light]
    monkeypatch.setattr(QStyleHints, "colorScheme", lambda _self: os_scheme[0])
    hints = QGuiApplication.styleHints()
    changes: list[object] = []
    theme.theme_changed.connect(changes.append)
    theme.set_mode(ThemeMode.SYSTEM)
    assert theme.theme is LIGHT

    os_scheme[0] = Qt.ColorScheme.Dark
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # the OS went dark
    assert theme.theme is DARK
    assert changes[-1] is DARK
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == DARK.window

    os_scheme[0] = Qt.ColorScheme.Light
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)  # ...and light again
    assert theme.theme is LIGHT
    assert changes[-1] is LIGHT
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == LIGHT.window

    # An explicit choice ignores the OS.
    theme.set_mode(ThemeMode.DARK)
    os_scheme[0] = Qt.ColorScheme.Light
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert theme.theme is DARK


def test_links_take_the_new_themes_colour(qtbot, theme: ThemeManager) -> None:
    # A label's rich text keeps the link colour it was set with: the status bar's
    # "Nothing due" link set in the light theme stayed dark blue on the dark bar.
    label = QLabel('<a href="my-work">Nothing due</a>')
    plain = QLabel("<b>not a link</b>")
    plain.setTextFormat(Qt.TextFormat.PlainText)
    for widget in (label, plain):
        qtbot.addWidget(widget)
        widget.show()

    def link_pixels(colour: str) -> int:
        image = label.grab().toImage()
        return sum(
            image.pixelColor(x, y).name() == colour
            for x in range(image.width())
            for y in range(image.height())
        )

    assert link_pixels(LIGHT.accent) > 0
    theme.set_mode(ThemeMode.DARK)
    assert link_pixels(DARK.accent) > 0
    assert link_pixels(LIGHT.accent) == 0
    assert plain.text() == "<b>not a link</b>"
    theme.set_mode(ThemeMode.LIGHT)
    assert link_pixels(LIGHT.accent) > 0
    assert link_pixels(DARK.accent) == 0


def test_geometry_and_splitters_are_restored(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings
) -> None:
    # The offscreen screen is 800x800 and a restored window is fitted to it, so the test
    # uses a size that fits (the panes share the screen's width: the window's minimum).
    first = make_window(qtbot, jobs, theme, ui_settings)
    first.show()
    first.move(23, 31)
    first.resize(760, 640)
    first.splitter.setSizes([400, 700])
    first.detail_pane.splitter.setSizes([150, 350])
    first.customers_pane.table.setColumnWidth(0, 222)
    qtbot.waitUntil(lambda: first.height() == 640)
    size = (first.width(), first.height())
    pos = first.pos()
    sizes = first.splitter.sizes()
    detail_sizes = first.detail_pane.splitter.sizes()
    first.close()  # saves

    second = make_window(qtbot, jobs, theme, ui_settings)
    second.show()
    qtbot.waitExposed(second)
    assert (second.width(), second.height()) == size
    assert second.pos().y() == pos.y()  # x may be pushed back on screen
    assert second.splitter.sizes() == sizes
    assert second.detail_pane.splitter.sizes() == detail_sizes
    assert second.customers_pane.table.columnWidth(0) == 222
    second.close()


def test_back_up_copies_the_workspace(qtbot, window: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "copy.radar.sqlite"
    window.back_up_to(target)
    qtbot.waitUntil(lambda: "Backed up to" in window.statusBar().currentMessage())
    with sqlite3.connect(target) as con:
        assert con.execute("SELECT COUNT(*) FROM customers").fetchone()[0] == 300


def test_empty_real_workspace_shows_no_demo_marker(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings, tmp_path: Path
) -> None:
    workspace = open_workspace(to_url(str(tmp_path / "mine.radar.sqlite")))
    try:
        w = make_window(qtbot, jobs, theme, ui_settings)
        w.set_source(WorkspaceCustomerSource(workspace))
        w.show()
        qtbot.waitUntil(lambda: w.summary is not None and not w.customers_pane.loading)
        assert not w.demo_banner.isVisible()
        assert not w.demo_badge.isVisible()
        assert w.customers_pane.empty_label.isVisible()
        message = w.customers_pane.empty_label.text()
        assert "no customers yet" in message
        # How to fill it: import the customers (not make a demo).
        assert "Import your customers (File ▸ Import…, Ctrl+I)" in message
        assert "demo" not in message
        assert w.count_label.text() == "0 customers"
        qtbot.waitUntil(jobs.is_idle)
    finally:
        workspace.close()


def test_ctrl_f_jumps_to_search_and_down_goes_back_to_the_table(qtbot, window: MainWindow) -> None:
    pane = window.customers_pane
    window.activateWindow()
    pane.table.setFocus()
    qtbot.keyClick(pane.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(pane.search_box.hasFocus)
    qtbot.keyClicks(pane.search_box, "a")
    qtbot.keyClick(pane.search_box, Qt.Key.Key_Down)
    qtbot.waitUntil(pane.table.hasFocus)
    pane.set_search_text("")


def test_new_demo_workspace_confirms_before_replacing_a_file(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings, tmp_path: Path
) -> None:
    asked: list[str] = []
    answer = [False]

    def confirm(_title: str, text: str) -> bool:
        asked.append(text)
        return answer[0]

    w = MainWindow(jobs, theme, ui_settings, confirm=confirm)
    qtbot.addWidget(w)
    requested: list[str] = []
    w.demo_workspace_requested.connect(requested.append)
    new = tmp_path / "new.radar.sqlite"
    assert w.request_demo_workspace(str(new))
    assert requested == [str(new)]
    assert asked == []  # nothing to replace, nothing to ask
    existing = tmp_path / "old.radar.sqlite"
    existing.write_bytes(b"")
    assert not w.request_demo_workspace(str(existing))
    assert requested == [str(new)]
    assert "old.radar.sqlite already exists" in asked[0]
    answer[0] = True
    assert w.request_demo_workspace(str(existing))
    assert requested[-1] == str(existing)


def test_tiles_and_legend_fit_a_narrow_window(
    qtbot, window: MainWindow, demo_frame: pd.DataFrame, demo_copy: Path
) -> None:
    window.resize(1100, 860)
    qtbot.waitUntil(lambda: window.width() == 1100)
    # A customer with refunded or cancelled orders: the longest tile note (not the one
    # shown already: selecting it again would show nothing new).
    shown = window.detail_pane.detail
    assert shown is not None
    with sqlite3.connect(demo_copy) as con:
        (customer_id,) = con.execute(
            "SELECT customer_id FROM orders WHERE status<>'paid' AND customer_id<>? "
            "GROUP BY customer_id ORDER BY COUNT(*) DESC LIMIT 1",
            (shown.id,),
        ).fetchone()
    with qtbot.waitSignal(window.detail_pane.detail_shown, timeout=10_000):
        assert window.customers_pane.select_customer(customer_id)
    pane = window.detail_pane
    qtbot.waitUntil(lambda: pane.orders_tile.note.width() > 0)
    assert "refunded/cancelled" in pane.orders_tile.note.full_text()
    for tile in (pane.orders_tile, pane.revenue_tile, pane.last_order_tile, pane.gap_tile):
        for label in (tile.caption, tile.value, tile.note):
            # Whatever is drawn fits the label: a shorter wording or "…", never clipped;
            # the whole text is then in the tooltip.
            drawn = label.fontMetrics().horizontalAdvance(label.text())
            assert drawn <= label.contentsRect().width(), (label.full_text(), label.text())
            if label.text() != label.full_text():
                assert label.toolTip() == label.full_text()
    chart = pane.chart
    assert chart is not None
    legend = chart._legend
    assert chart.legend_text.endswith("Today")
    shown = tuple(part.split("&nbsp;")[-1] for part in legend.text().split("&nbsp;&nbsp;&nbsp;"))
    assert chart._legend_width(shown) <= legend.width()
    assert legend.geometry().left() >= chart._title.geometry().right()


@pytest.mark.parametrize("theme_value", [LIGHT, DARK], ids=["light", "dark"])
def test_check_boxes_have_a_visible_edge_and_a_check_mark_in_both_themes(
    qtbot, theme_value
) -> None:
    """The style sheet fills every placeholder, and its check mark is a file that loads
    (a missing one would leave checked boxes blank)."""
    import re

    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QCheckBox

    from views.kit.theme import stylesheet

    sheet = stylesheet(theme_value)
    assert "$" not in sheet
    found = re.search(r'image: url\("([^"]+check\.svg)"\)', sheet)
    assert found is not None
    assert not QImage(found.group(1)).isNull()

    # Drawn: an unchecked box's edge stands out from the window around it.
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    old_sheet, old_palette = app.styleSheet(), app.palette()
    from views.kit.theme import palette

    app.setPalette(palette(theme_value))
    app.setStyleSheet(sheet)
    try:
        box = QCheckBox("Phone")
        qtbot.addWidget(box)
        box.show()
        image = box.grab().toImage()
        window = QColor(theme_value.window)
        edge = max(
            abs(image.pixelColor(x, image.height() // 2).lightness() - window.lightness())
            for x in range(0, 6)
        )
        assert edge > 60  # Fusion's own edge on the dark theme measured 11
    finally:
        app.setStyleSheet(old_sheet)
        app.setPalette(old_palette)


def test_the_tabs_and_their_view_entries_keep_their_order_and_keys(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings
) -> None:
    # Each screen places its tab and its View ▸ entry (views/shell/tab_screen.py): the six in
    # order, Ctrl+1 to Ctrl+6, Ask's Ctrl+K after them, then Find.
    window = make_window(qtbot, jobs, theme, ui_settings)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Alerts", "Customers", "Dashboard", "My work", "Results", "Ask"]
    assert window.tabs.currentIndex() == 1  # the customers, until a workspace has alerts
    entries = [
        (a.text(), a.shortcut().toString())
        for a in window.menus.view_menu.actions()
        if not a.isSeparator() and a.menu() is None
    ]
    assert entries[:8] == [
        ("&Alerts", "Ctrl+1"),
        ("&Customers", "Ctrl+2"),
        ("&Dashboard", "Ctrl+3"),
        ("&My work", "Ctrl+4"),
        ("&Results", "Ctrl+5"),
        ("As&k", "Ctrl+6"),
        ("Ask a &question", "Ctrl+K"),
        ("&Find", "Ctrl+F"),
    ]
    assert window.menus.tab_actions == window.menus.view_menu.actions()[2:8]
    window.menus.tab_actions[5].trigger()
    assert window.tabs.currentIndex() == 5
    assert window.results.index == 4
    assert window.ask.index == 5

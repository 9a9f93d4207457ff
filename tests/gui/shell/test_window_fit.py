"""The window fits the screen it opens on: a short laptop screen never hides the status
bar or the action buttons, and a size remembered on a large screen is fitted."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSettings, QSize
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import open_workspace, to_url
from views.kit.geometry import fit_rect
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import KEY_GEOMETRY, TAB_CUSTOMERS, MainWindow


def test_fit_rect_shrinks_and_moves_into_the_screen() -> None:
    laptop = QRect(0, 0, 1366, 728)  # 1366x768 less a 40 px taskbar
    minimum = QSize(1000, 300)
    assert fit_rect(QRect(200, 100, 1920, 1040), laptop, minimum) == QRect(0, 0, 1366, 728)
    assert fit_rect(QRect(600, 500, 1100, 600), laptop, minimum) == QRect(266, 128, 1100, 600)
    assert fit_rect(QRect(-50, -20, 1100, 600), laptop, minimum) == QRect(0, 0, 1100, 600)
    # Never below the minimum, even where the screen is smaller: kept at its top left.
    assert fit_rect(QRect(100, 100, 1200, 700), QRect(0, 0, 800, 600), minimum) == QRect(
        0, 0, 1000, 600
    )
    second = QRect(1920, 0, 1280, 680)  # a second screen to the right
    assert fit_rect(QRect(1900, 50, 1400, 800), second, minimum) == second


def test_the_window_is_not_taller_than_a_720_pixel_screen(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings
) -> None:
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    window.show()
    # 720 px less a taskbar and the title bar: what a 1280x720 laptop gives the window.
    assert window.minimumSizeHint().height() <= 620
    assert window.minimumSizeHint().width() <= 1280


def test_a_remembered_size_larger_than_the_screen_is_fitted(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings, qapp: QApplication
) -> None:
    big = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(big)
    big.setGeometry(400, 300, 2400, 1600)  # as on a large screen
    ui_settings.setValue(KEY_GEOMETRY, big.saveGeometry())
    window = MainWindow(jobs, theme, ui_settings)  # restores the geometry
    qtbot.addWidget(window)
    window.show()
    screen = qapp.primaryScreen().availableGeometry()

    def inside() -> bool:
        frame = window.frameGeometry()
        return (
            frame.height() <= screen.height()
            and frame.top() >= screen.top()
            and frame.bottom() <= screen.bottom()
            and frame.left() >= screen.left()
        )

    qtbot.waitUntil(inside, timeout=5000)


def test_the_first_window_fits_the_screens_free_area(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings, qapp: QApplication
) -> None:
    """No size remembered yet (the first launch): the window's default size is fitted to
    the screen's free area, as a remembered one is (the test screen is 800 px high)."""
    assert ui_settings.value(KEY_GEOMETRY) is None
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    window.show()
    screen = qapp.primaryScreen().availableGeometry()
    assert screen.height() < 860

    def inside() -> bool:
        frame = window.frameGeometry()
        return frame.height() <= screen.height() and frame.bottom() <= screen.bottom()

    qtbot.waitUntil(inside, timeout=5000)


def test_a_long_name_and_many_chips_fit_a_1280_wide_window(
    qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings: QSettings, demo_copy: Path
) -> None:
    """The header wraps its chips under the name, and the buttons beside the contact facts
    stay in view: nothing is cut ("Do not cor") on a 1280-wide laptop."""
    con = sqlite3.connect(demo_copy)
    customer = con.execute(
        "SELECT id FROM customers WHERE tier IS NOT NULL AND region IS NOT NULL LIMIT 1"
    ).fetchone()[0]
    con.execute(
        # A person's own account (no company): the header names it after them.
        "UPDATE customers SET do_not_contact = 1, name = ?, email = ?, company = NULL WHERE id = ?",
        (
            "Maximiliana Rodríguez-Castellanos de la Vega",
            "maximiliana.rodriguez-castellanos.delavega@example.com",
            customer,
        ),
    )
    con.commit()
    con.close()
    workspace = open_workspace(to_url(str(demo_copy)), backup=False)
    try:
        window = MainWindow(jobs, theme, ui_settings)
        qtbot.addWidget(window)
        window.resize(1280, 680)
        window.show()
        window.set_source(WorkspaceCustomerSource(workspace))
        window.detail_pane.set_drafting_available(True)
        window.tabs.setCurrentIndex(TAB_CUSTOMERS)
        qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() > 0, timeout=15_000)
        assert window.customers_pane.select_customer(customer)
        pane = window.detail_pane
        qtbot.waitUntil(
            lambda: pane.detail is not None and pane.detail.id == customer and jobs.is_idle(),
            timeout=15_000,
        )
        qtbot.wait(50)  # one turn of layout
        viewport = pane.scroll_area.viewport()
        seen = QRect(viewport.mapToGlobal(QPoint(0, 0)), viewport.size())

        def whole(widget: QWidget) -> bool:
            box = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
            return seen.contains(box) and widget.width() >= widget.sizeHint().width()

        chips = [c for c in pane.chips_box.findChildren(QLabel) if c.property("chip")]
        assert "Do not contact" in [c.text() for c in chips]
        for chip in chips:
            assert whole(chip), chip.text()
        for button in (pane.draft_button, pane.lift_button):
            assert button.isVisible()
            assert whole(button), button.text()
        # The name shortens, whole in its tooltip, rather than push the pane wider.
        assert pane.name_label.full_text().startswith("Maximiliana")
        assert seen.contains(
            QRect(pane.name_label.mapToGlobal(QPoint(0, 0)), pane.name_label.size())
        )
        qtbot.waitUntil(jobs.is_idle, timeout=15_000)
    finally:
        workspace.close()


class _FramedLater(QWidget):
    """A window whose window manager frames it around where it already is, as openbox
    may: its frame (a title bar above, borders) comes with no move or resize."""

    def __init__(self) -> None:
        super().__init__()
        self.margins: tuple[int, int, int, int] | None = None  # left, top, right, bottom

    def frameGeometry(self) -> QRect:  # noqa: N802  (Qt's name; what the fit reads)
        inner = self.geometry()
        if self.margins is None:
            return inner
        left, top, right, bottom = self.margins
        return inner.adjusted(-left, -top, right, bottom)


def test_a_window_framed_where_it_already_is_is_fitted_when_its_frame_comes(
    qtbot, qapp: QApplication
) -> None:
    from views.kit.geometry import FitsScreen

    screen = qapp.primaryScreen().availableGeometry()
    window = _FramedLater()
    qtbot.addWidget(window)
    fits = FitsScreen(window)
    window.setGeometry(screen)  # as large as the screen: once framed, the title bar is off
    window.show()
    qtbot.wait(FitsScreen.FOLLOW_MS + 100)  # past the moment moves are followed
    assert window.geometry() == screen  # nothing to fit yet: no frame
    window.margins = (1, 20, 1, 4)  # framed, and no event says so
    qtbot.waitUntil(lambda: window.frameGeometry().top() >= screen.top(), timeout=2000)
    frame = window.frameGeometry()
    # Title bar and bottom border on the screen (the offscreen platform's own placement
    # of a window's left edge is its own: the width is what is checked across).
    assert (frame.top(), frame.bottom()) == (screen.top(), screen.bottom()), (frame, screen)
    assert frame.width() <= screen.width()
    del fits

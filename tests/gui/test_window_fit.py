"""The window fits the screen it opens on: a short laptop screen never hides the status
bar or the action buttons, and a size remembered on a large screen is fitted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect, QSettings, QSize
from PySide6.QtWidgets import QApplication

from app.gui.jobs import JobRunner
from views.main_window import KEY_GEOMETRY, MainWindow
from views.theme import ThemeManager, ThemeMode
from views.widgets.geometry import fit_rect


@pytest.fixture
def theme(qapp: QApplication) -> Iterator[ThemeManager]:
    manager = ThemeManager(qapp, ThemeMode.LIGHT)
    yield manager
    manager.deleteLater()


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

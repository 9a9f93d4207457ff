"""Windows that fit the screen they are on (a size remembered on a large screen must
not put the status bar or the buttons off a laptop's screen)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QWidget


def fit_rect(rect: QRect, available: QRect, minimum: QSize) -> QRect:
    """``rect`` made to fit ``available`` (a screen's free area): no larger than it (but
    not below ``minimum``), and moved inside it, so that a size remembered on a large
    screen never puts the status bar or the buttons off a laptop's screen."""
    width = max(min(rect.width(), available.width()), minimum.width())
    height = max(min(rect.height(), available.height()), minimum.height())
    left = min(max(rect.left(), available.left()), available.right() + 1 - width)
    top = min(max(rect.top(), available.top()), available.bottom() + 1 - height)
    return QRect(max(left, available.left()), max(top, available.top()), width, height)


def fit_window_to_screen(window: QWidget) -> None:
    """Shrink and move a shown top-level window, frame and all, into its screen's free
    area (the taskbar excluded); a maximised or full-screen window is left alone."""
    screen = window.screen()
    if screen is None or window.isMaximized() or window.isFullScreen():
        return
    frame, inner = window.frameGeometry(), window.geometry()
    # The frame (title bar, borders) is around the inner geometry: fit the frame.
    extra = QSize(frame.width() - inner.width(), frame.height() - inner.height())
    fitted = fit_rect(frame, screen.availableGeometry(), window.minimumSizeHint() + extra)
    if fitted != frame:
        # setGeometry places the inside; the frame keeps its margins around it.
        window.setGeometry(
            QRect(fitted.topLeft() + (inner.topLeft() - frame.topLeft()), fitted.size() - extra)
        )

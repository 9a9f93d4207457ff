"""A 1366x768 laptop with its text made larger (150 %, 200 %), for tests on the offscreen
platform, whose one screen is 800x800.

Larger text reaches the application in two ways, and both are tried:
- "dpi": the desktop's scale (Windows' 150 %, QT_FONT_DPI=144 or QT_SCALE_FACTOR on
  X11): Qt scales every pixel, so the application sees a screen of 1366/1.5 x 768/1.5
  (911x512) with text of its usual size in those pixels;
- "font": the application's own font made larger (QApplication.setFont) on a screen of
  1366x768.

``laptop()`` makes every screen report that free area (what the window's fitting and the
splitters' room read) and grows the font for "font"; ``fits()`` says what of a top-level
window, title bar included, is outside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QFont, QScreen
from PySide6.QtWidgets import QApplication, QWidget

SCREEN_W, SCREEN_H = 1366, 768
TITLE_BAR = 30  # a window manager's title bar, in the screen's own pixels
SCALES = [("dpi", 1.5), ("dpi", 2.0), ("font", 1.5), ("font", 2.0)]
SCALE_IDS = ["dpi-150%", "dpi-200%", "font-150%", "font-200%"]


@contextmanager
def laptop(monkeypatch: pytest.MonkeyPatch, how: str, scale: float) -> Iterator[QRect]:
    """The free area of a 1366x768 screen at ``scale`` (see the module docstring), in the
    application's pixels, as every screen's availableGeometry() while it lasts."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    if how == "dpi":
        area = QRect(0, 0, round(SCREEN_W / scale), round(SCREEN_H / scale))
    else:
        area = QRect(0, 0, SCREEN_W, SCREEN_H)
    before = QFont(app.font())
    if how == "font":
        font = QFont(before)
        font.setPointSizeF(before.pointSizeF() * scale)
        app.setFont(font)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: QRect(area))
    try:
        yield area
    finally:
        app.setFont(before)


def title_bar(area: QRect) -> int:
    """The title bar's height in the application's pixels on that screen."""
    return round(TITLE_BAR * area.width() / SCREEN_W)


def outside(window: QWidget, area: QRect) -> list[str]:
    """What of a top-level window does not fit ``area``: its minimum size with a title
    bar above it, or its frame as placed ([] when all of it fits)."""
    found = []
    hint = window.minimumSizeHint()
    if hint.width() > area.width() or hint.height() + title_bar(area) > area.height():
        found.append(f"minimum {hint.width()}x{hint.height()} + title bar")
    if not area.contains(frame := window.frameGeometry()):
        found.append(f"frame {frame.width()}x{frame.height()} at {frame.x()},{frame.y()}")
    return found


def cut_sideways(widget: QWidget) -> str:
    """What hides part of a widget's width ("" if nothing): its window's edge (off the
    screen when the window fills it) or a parent it sticks out of, a scroll area's view
    included (a button to scroll sideways to is not in view)."""
    child = widget
    left, right = 0, widget.width()
    while not child.isWindow() and (parent := child.parentWidget()) is not None:
        left, right = left + child.x(), right + child.x()
        if left < 0 or right > parent.width():
            return f"{left}..{right} outside {type(parent).__name__} {parent.objectName()!r}"
        child = parent
    return ""

"""Windows that fit the screen they are on (a size remembered on a large screen must
not put the status bar or the buttons off a laptop's screen)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QScrollArea, QSizePolicy, QSplitter, QWidget


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


class VerticalScrollArea(QScrollArea):
    """Scrolls its widget up and down: as wide as the widget needs (its minimum width is
    the widget's, so a layout gives it room as before), any height (a short screen
    scrolls instead of pushing the window past the screen's bottom). Squeezed below that
    width all the same (very large text on a small screen), it scrolls sideways too
    rather than cut its widget's right edge off."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

    def setWidget(self, widget: QWidget) -> None:  # noqa: N802  (Qt's name)
        super().setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the widget's minimum width may have changed
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        widget = self.widget()
        if widget is None:
            return super().minimumSizeHint()
        bar = self.verticalScrollBar().sizeHint().width()
        width = widget.minimumSizeHint().width() + bar + 2 * self.frameWidth()
        return QSize(width, super().minimumSizeHint().height())


# What a window needs around its splitter (margins, a frame): kept free of the screen.
WINDOW_MARGINS = 40


def uncut_panes(splitter: QSplitter, room: int | None = None, *, keep: int = -1) -> bool:
    """Let a splitter's panes (all but the ``keep``-th, which elides its text and keeps
    its minimum) be no narrower than their controls need, when side by side they fit
    ``room`` (the screen's free width less WINDOW_MARGINS by default).

    A pane's minimum width set in pixels lets the splitter cut its row of buttons once the
    text is made larger (150 %): the splitter then holds to the pane's layout instead.
    Returns whether it did."""
    if room is None:
        screen = splitter.screen()
        room = screen.availableGeometry().width() - WINDOW_MARGINS if screen is not None else 0
    panes = [p for p in (splitter.widget(i) for i in range(splitter.count())) if p is not None]
    need = [
        p.minimumWidth() if i == keep else p.minimumSizeHint().width() for i, p in enumerate(panes)
    ]
    if sum(need) + splitter.handleWidth() * (len(panes) - 1) > room:
        return False
    for i, pane in enumerate(panes):
        if i != keep:
            pane.setMinimumWidth(0)  # no minimum of its own: the layout's holds
    return True


class FittedScrollArea(VerticalScrollArea):
    """A vertical scroll area as tall as its widget needs at its width, and no taller
    (controls above a list: the list takes the rest), that scrolls only when the pane is
    too short for them (larger text on a laptop's screen)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._width = -1

    def sizeHint(self) -> QSize:  # noqa: N802
        widget = self.widget()
        hint = super().sizeHint()
        if widget is None:
            return hint
        width = max(self.viewport().width(), widget.minimumSizeHint().width())
        if widget.hasHeightForWidth():
            height = widget.heightForWidth(width)
        else:
            height = widget.sizeHint().height()
        return QSize(hint.width(), height + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        # At least one line of controls (the scroll bar's arrows fit beside it).
        size = super().minimumSizeHint()
        return QSize(size.width(), min(self.sizeHint().height(), 3 * self.fontMetrics().height()))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if event.size().width() != self._width:
            self._width = event.size().width()
            self.updateGeometry()  # the controls wrap anew: another height

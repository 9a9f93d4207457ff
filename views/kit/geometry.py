"""Windows that fit the screen they are on (a size remembered on a large screen must
not put the status bar or the buttons off a laptop's screen)."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QScrollArea, QSizePolicy, QSplitter, QWidget

# The text size the windows' first sizes are chosen for: 9 points at 96 dots an inch
# (views/kit/theme.py SHEET_POINTS), 12 pixels.
BASE_POINTS = 9.0
BASE_DPI = 96.0


def text_scale(widget: QWidget) -> float:
    """How many times larger than the base size the widget's text is drawn: 1.5 with
    150 % text (a larger system font, or a font DPI of 144), never below 1. A display
    scaled to 150 % is not larger text: its pixels are counted at 96 DPI already."""
    font = widget.font()
    points = font.pointSizeF()
    pixels = points * widget.logicalDpiY() / 72.0 if points > 0 else float(font.pixelSize())
    return max(1.0, pixels / (BASE_POINTS * BASE_DPI / 72.0))


def resize_for_text(widget: QWidget, width: int, height: int | None = None) -> None:
    """Give a window its first size, chosen for 100 % text, grown with its text (at 150 %
    text the labels and columns of an 820x560 dialog need 1230x840); ``height`` None: the
    height the window asks for. FitsScreen then keeps it within the screen."""
    scale = text_scale(widget)
    tall = widget.sizeHint().height() if height is None else round(height * scale)
    widget.resize(round(width * scale), tall)


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
    available = screen.availableGeometry()
    ratio = screen.devicePixelRatio()
    if ratio != int(ratio):
        # A fractional scale (150 %: 1366 px are 910.67 of ours) rounds the screen up to a
        # whole pixel and a position to the nearest one: a pixel less keeps the frame's
        # last row and column on the screen.
        available = available.adjusted(0, 0, -1, -1)
    fitted = fit_rect(frame, available, window.minimumSizeHint() + extra)
    if fitted != frame:
        # setGeometry places the inside; the frame keeps its margins around it.
        window.setGeometry(
            QRect(fitted.topLeft() + (inner.topLeft() - frame.topLeft()), fitted.size() - extra)
        )


class FitsScreen(QObject):
    """Fits its window into the screen's free area each time it is shown: a dialog's size
    chosen for a large screen does not put its buttons off a small one, nor off a
    1366x768 screen scaled to 150 % or 200 % (911x512 or 683x384 in the application's
    pixels). Fitted on the next turn of the event loop, again as the window manager
    frames and places it (the title bar is known only then) for a moment after, and once
    more when its frame is first seen: a window manager may frame a window around where
    it already is, which moves and resizes nothing (no event says so), and on a busy
    machine it may do so seconds after the window was shown. The frame is looked for a
    few times a second until it comes, for FRAMED_WAIT_MS at most."""

    FOLLOW_MS = 1000  # how long after showing a move or resize is the window manager's
    FRAMED_WAIT_MS = 30_000  # how long after showing the frame is looked for
    LOOK_MS = 200  # how often

    def __init__(self, window: QWidget, *, on_show: bool = True) -> None:
        """``on_show``: fit each time the window is shown (else only after follow())."""
        super().__init__(window)
        self._window = window
        self._on_show = on_show
        self._shown = QElapsedTimer()
        self._framed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._fit)
        self._look = QTimer(self)
        self._look.setInterval(self.LOOK_MS)
        self._look.timeout.connect(self._look_for_frame)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # A window being torn down may still send events through here after Python's
        # garbage collector has cleared this object's attributes (a dialog collected
        # as a cycle): nothing is fitted then.
        if "_look" not in self.__dict__:
            return False
        if watched is self._window:
            kind = event.type()
            if kind == QEvent.Type.Show and self._on_show:
                self.follow()
            elif kind in (QEvent.Type.Move, QEvent.Type.Resize):
                if self._following():
                    self._timer.start()
                self._look_for_frame()
        return super().eventFilter(watched, event)

    def follow(self) -> None:
        """Fit the window on the next turn of the event loop, and again as it is framed."""
        self._shown.start()
        self._framed = False
        self._timer.start()
        self._look.start()

    def _look_for_frame(self) -> None:
        """Fit the window once when its frame is first seen (within FRAMED_WAIT_MS)."""
        if self._framed or not self._waiting():
            self._look.stop()
            return
        window = self._window
        if window.isVisible() and window.frameGeometry() != window.geometry():
            self._framed = True
            self._look.stop()
            self._timer.start()

    def _waiting(self) -> bool:
        return self._shown.isValid() and self._shown.elapsed() < self.FRAMED_WAIT_MS

    def _following(self) -> bool:
        return self._shown.isValid() and self._shown.elapsed() < self.FOLLOW_MS

    def _fit(self) -> None:
        if self._window.isVisible():
            fit_window_to_screen(self._window)


class VerticalScrollArea(QScrollArea):
    """Scrolls its widget up and down: as wide as the widget needs (its minimum width is
    the widget's, so a layout gives it room as before), any height (a short screen
    scrolls instead of pushing the window past the screen's bottom). Squeezed below that
    width all the same (very large text on a small screen), it scrolls sideways too
    rather than cut its widget's right edge off.

    A Tab stop of its own (its text scrolls with the arrow keys) only once it has an
    accessible name, which a screen reader says there; unnamed, Tab goes to the controls
    inside, which it scrolls into view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def setAccessibleName(self, name: str) -> None:  # noqa: N802  (Qt's name)
        super().setAccessibleName(name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if name else Qt.FocusPolicy.NoFocus)

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
    Where they do not fit (a desktop scaled to 200 % leaves a 1366-pixel screen 683 wide),
    the panes share the room instead (see share_room), so that the window is never wider
    than the screen. Returns whether every pane is whole."""
    room = _room(splitter) if room is None else room
    panes = _panes(splitter)
    need = [_own(p) if i == keep else p.minimumSizeHint().width() for i, p in enumerate(panes)]
    if sum(need) + splitter.handleWidth() * (len(panes) - 1) > room:
        share_room(splitter, room, keep=keep, need=need)
        return False
    for i, pane in enumerate(panes):
        if i != keep:
            pane.setMinimumWidth(0)  # no minimum of its own: the layout's holds
    if 0 <= keep < len(panes):
        # Where there is room for it, the kept pane whole too (its content not scrolled
        # sideways for a few pixels), never below its own minimum.
        whole = max(need[keep], panes[keep].minimumSizeHint().width())
        spare = room - sum(need) - splitter.handleWidth() * (len(panes) - 1)
        panes[keep].setMinimumWidth(min(whole, need[keep] + spare))
    return True


class UncutPanes(QObject):
    """Keeps a splitter's panes uncut (uncut_panes) as their controls change: an alert
    shown gives the action pane its buttons, and so another minimum width."""

    def __init__(self, splitter: QSplitter, *, keep: int = -1) -> None:
        super().__init__(splitter)
        self._splitter = splitter
        self._keep = keep
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)  # one fit for a turn's many layout requests
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        for pane in _panes(splitter):
            pane.installEventFilter(self)
        self.fit()

    def fit(self) -> bool:
        """Fit the panes now; returns whether every pane is whole."""
        return uncut_panes(self._splitter, keep=self._keep)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.LayoutRequest:
            self._timer.start()
        return super().eventFilter(watched, event)


def fit_panes(splitter: QSplitter, room: int | None = None, *, keep: int = -1) -> bool:
    """Leave a splitter's panes their minimum widths where side by side they fit ``room``
    (the screen's free width less WINDOW_MARGINS by default); else let them share it (see
    share_room). Returns whether they fitted."""
    room = _room(splitter) if room is None else room
    need = [_least(p) for p in _panes(splitter)]
    if sum(need) + splitter.handleWidth() * (len(need) - 1) <= room:
        return True
    share_room(splitter, room, keep=keep)
    return False


def share_room(
    splitter: QSplitter, room: int, *, keep: int = -1, need: list[int] | None = None
) -> None:
    """Minimum widths for a splitter's panes that add up to ``room``: each pane gets what
    it needs up to an equal share, and the ``keep``-th (a pane that scrolls sideways,
    such as a customer's details) what is left; without one, what is left goes to the
    panes that need more, in proportion. A pane squeezed below its layout's minimum must
    scroll (VerticalScrollArea does) or elide. ``need``: each pane's width to be whole
    (its minimum by default)."""
    panes = _panes(splitter)
    if not panes:
        return
    room = max(room - splitter.handleWidth() * (len(panes) - 1), 0)
    need = [_least(p) for p in panes] if need is None else need
    fair = room // len(panes)
    widths = [min(w, fair) for w in need]
    if 0 <= keep < len(panes):
        widths[keep] = 0
        widths[keep] = room - sum(widths)
    else:
        short = [n - w for n, w in zip(need, widths, strict=True)]
        left = room - sum(widths)
        if sum(short) > 0:
            widths = [w + left * s // sum(short) for w, s in zip(widths, short, strict=True)]
    for pane, width in zip(panes, widths, strict=True):
        pane.setMinimumWidth(max(width, 0))


def _room(splitter: QSplitter) -> int:
    screen = splitter.screen()
    return screen.availableGeometry().width() - WINDOW_MARGINS if screen is not None else 0


def _panes(splitter: QSplitter) -> list[QWidget]:
    return [p for p in (splitter.widget(i) for i in range(splitter.count())) if p is not None]


def _own(pane: QWidget) -> int:
    """The minimum width a pane was given before any room was shared (share_room changes
    it; it is kept in a property so that the room can be shared anew)."""
    own = pane.property(_OWN_MINIMUM)
    if not isinstance(own, int):
        own = pane.minimumWidth()
        pane.setProperty(_OWN_MINIMUM, own)
    return own


def _least(pane: QWidget) -> int:
    """The width a splitter gives a pane at least: its own minimum, or its layout's."""
    return _own(pane) or pane.minimumSizeHint().width()


_OWN_MINIMUM = "ownMinimumWidth"


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

"""Widgets shared by the panes: a label that shortens instead of clipping, a KPI tile, and
a tile's trend (the move since the previous snapshot, with its arrow)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

# A move's arrow: up or down.
UP = "▲"
DOWN = "▼"


@dataclass(frozen=True)
class Trend:
    """A move since the previous snapshot: direction, how much, good or bad."""

    direction: str  # "up", "down" or "flat"
    text: str  # "▲ 8 pts"
    tone: str  # "critical" (bad move), "positive" (good move) or "" (flat)


def trend(
    current: float | None,
    previous: float | None,
    *,
    higher_is_better: bool,
    fmt: Callable[[float], str],
    threshold: float,
) -> Trend | None:
    """The move from previous to current (None when either is missing)."""
    if current is None or previous is None:
        return None
    delta = current - previous
    if abs(delta) < threshold:
        return Trend("flat", "no change", "")
    up = delta > 0
    good = up == higher_is_better
    arrow = UP if up else DOWN
    return Trend(
        "up" if up else "down", f"{arrow} {fmt(abs(delta))}", "positive" if good else "critical"
    )


class LineLabel(QLabel):
    """A label on one line where there is room for it, that wraps rather than widen its
    window where there is not (larger text, a small screen): a word-wrapped QLabel asks
    for a width of its own choosing and wraps a line that would have fitted."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # Plain text: its one line's width (and that line's height).
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self.text()) + 2
        width += margins.left() + margins.right()
        return QSize(width, self.heightForWidth(width))


class ElidingLabel(QLabel):
    """A one-line label that never clips: when narrow it shows the first of its shorter
    wordings that fits, else shortens the shortest with "…" (the whole text is then in
    the tooltip). It never forces its parent wider, unless it is ``whole``: then its
    shortest wording is its minimum width, and it is never cut (a figure: "62 d…" would
    be a different number)."""

    def __init__(
        self, text: str = "", parent: QWidget | None = None, *, whole: bool = False
    ) -> None:
        super().__init__(parent)
        self._full = ""
        self._tip = ""
        self._shorter: tuple[str, ...] = ()
        self._whole = whole
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str, *shorter: str) -> None:  # noqa: N802 - Qt override
        self._full = text
        self._shorter = shorter
        self._elide()
        self.updateGeometry()  # the size it asks for follows the text

    def full_text(self) -> str:
        return self._full

    def set_tip(self, tip: str) -> None:
        """A tooltip of its own, shown after the whole text when that is shortened."""
        self._tip = tip
        self._elide()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(0, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 2, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._elide()
            self.updateGeometry()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        metrics = self.fontMetrics()
        wordings = (self._full, *self._shorter)
        if self._whole:
            margins = self.contentsMargins()
            shortest = min(metrics.horizontalAdvance(w) for w in wordings)
            self.setMinimumWidth(shortest + 2 + margins.left() + margins.right())
        shown = next((w for w in wordings if metrics.horizontalAdvance(w) <= width), None)
        if shown is None:
            shown = metrics.elidedText(wordings[-1], Qt.TextElideMode.ElideRight, width)
        super().setText(shown)
        whole = self._full if shown != self._full else ""
        self.setToolTip("\n".join(t for t in (whole, self._tip) if t))


class KpiTile(QFrame):
    """A caption, a big value and a one-line note (both shortened, not clipped, when
    the tile is narrow); a clickable tile opens what its figure counts.

    Signals:
        clicked(): a clickable tile was clicked, or activated with Enter or Space.
    """

    clicked = Signal()

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpiTile")
        self.setProperty("clickable", False)
        self._pressed = False
        self._caption = caption  # as written: the capitals are the style's, not a name's
        self.caption = ElidingLabel(caption.upper(), self)
        self.caption.setObjectName("kpiCaption")
        # The figure is never cut: its shortest wording sets the tile's minimum width.
        self.value = ElidingLabel("—", self, whole=True)
        self.value.setObjectName("kpiValue")
        self.note = ElidingLabel("", self)
        self.note.setObjectName("kpiNote")
        # Set before it is ever read: PySide6 6.12 returns None for an unset dynamic
        # property without taking a reference, and enough such reads crash the
        # interpreter ("deallocating None").
        self.note.setProperty("tone", "")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 9)
        layout.setSpacing(1)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)
        self._name()

    @property
    def clickable(self) -> bool:
        return bool(self.property("clickable"))

    def set_clickable(self, clickable: bool) -> None:
        """Make the tile a button: a pointing hand, a place in the tab order, a hover
        border (the style sheet's ``[clickable="true"]``)."""
        self.setProperty("clickable", clickable)
        if clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.unsetCursor()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if clickable else Qt.FocusPolicy.NoFocus)
        self.style().unpolish(self)
        self.style().polish(self)
        self._name()

    def _name(self) -> None:
        """What a screen reader says: the tile's caption and figure ("Open alerts: 42"),
        then its note, and that Enter opens what it counts."""
        shown = self.caption.full_text()
        caption = self._caption if shown == self._caption.upper() else shown
        self.setAccessibleName(f"{caption}: {self.value.full_text()}")
        opens = "Press Enter to open what it counts." if self.clickable else ""
        self.setAccessibleDescription(" ".join(t for t in (self.note.full_text(), opens) if t))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._pressed = self.clickable and event.button() == Qt.MouseButton.LeftButton
        if not self._pressed:
            super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pressed, self._pressed = self._pressed, False
        if pressed and event.button() == Qt.MouseButton.LeftButton:
            # A click is a press and a release on the tile (slipping off cancels it).
            if self.rect().contains(event.position().toPoint()):
                self.clicked.emit()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        keys = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
        if self.clickable and event.key() in keys:
            self.clicked.emit()
            return
        super().keyPressEvent(event)

    def set(
        self,
        value: str,
        note: str = "",
        tone: str = "",
        *,
        short_value: tuple[str, ...] = (),
        short_note: tuple[str, ...] = (),
    ) -> None:
        """Show a value and note; the short wordings are used, in order, when narrow."""
        self.value.setText(value, *short_value)
        self.note.setText(note, *short_note)
        self._name()
        if self.note.property("tone") != tone:
            self.note.setProperty("tone", tone)
            # Property selectors in the style sheet only re-apply after a re-polish.
            self.note.style().unpolish(self.note)
            self.note.style().polish(self.note)

"""Widgets shared by the panes: a label that shortens instead of clipping, and a KPI tile."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget


class ElidingLabel(QLabel):
    """A one-line label that never clips: when narrow it shows the first of its shorter
    wordings that fits, else shortens the shortest with "…" (the whole text is then in
    the tooltip). It never forces its parent wider."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._tip = ""
        self._shorter: tuple[str, ...] = ()
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
        shown = next((w for w in wordings if metrics.horizontalAdvance(w) <= width), None)
        if shown is None:
            shown = metrics.elidedText(wordings[-1], Qt.TextElideMode.ElideRight, width)
        super().setText(shown)
        whole = self._full if shown != self._full else ""
        self.setToolTip("\n".join(t for t in (whole, self._tip) if t))


class KpiTile(QFrame):
    """A caption, a big value and a one-line note (both shortened, not clipped, when
    the tile is narrow)."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpiTile")
        self.caption = ElidingLabel(caption.upper(), self)
        self.caption.setObjectName("kpiCaption")
        self.value = ElidingLabel("—", self)
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
        if self.note.property("tone") != tone:
            self.note.setProperty("tone", tone)
            # Property selectors in the style sheet only re-apply after a re-polish.
            self.note.style().unpolish(self.note)
            self.note.style().polish(self.note)

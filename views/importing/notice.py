"""Non-modal notices of the watched folder, stacked at the top of the window: a sentence,
an action button ("View report", "Set up the import…") and a close button."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout

MAX_NOTICES = 4


class ImportNotice(QFrame):
    """One notice.

    Signals:
        dismissed(): the notice was closed (by its close button or its action).
    """

    dismissed = Signal()

    def __init__(
        self,
        text: str,
        *,
        tone: str = "positive",
        action_text: str | None = None,
        action: Callable[[], object] | None = None,
        parent: QFrame | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importNotice")
        self.setProperty("tone", tone)
        self.label = QLabel(text, self)
        self.label.setObjectName("importNoticeText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # file names, subjects: never markup
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button: QPushButton | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 6, 4)
        layout.setSpacing(8)
        layout.addWidget(self.label, 1)
        if action_text and action is not None:
            self.action_button = QPushButton(action_text, self)
            self.action_button.setObjectName("importNoticeAction")
            callback = action
            self.action_button.clicked.connect(lambda: self._run(callback))
            layout.addWidget(self.action_button)
        close = QToolButton(self)
        close.setObjectName("importNoticeClose")
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        layout.addWidget(close)

    @property
    def text(self) -> str:
        return self.label.text()

    def _run(self, action: Callable[[], object]) -> None:
        self.dismiss()
        action()

    def dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
        self.deleteLater()


class ImportNoticeArea(QFrame):
    """The stack of notices (hidden when empty); the newest is on top."""

    def __init__(self, parent: QFrame | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importNoticeArea")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._notices: list[ImportNotice] = []
        self.hide()

    @property
    def notices(self) -> list[ImportNotice]:
        return list(self._notices)

    def add(
        self,
        text: str,
        *,
        tone: str = "positive",
        action_text: str | None = None,
        action: Callable[[], object] | None = None,
    ) -> ImportNotice:
        """Show a notice; the oldest goes when there are too many."""
        notice = ImportNotice(text, tone=tone, action_text=action_text, action=action, parent=self)
        notice.dismissed.connect(lambda n=notice: self._forget(n))
        self._notices.insert(0, notice)
        self._layout.insertWidget(0, notice)
        while len(self._notices) > MAX_NOTICES:
            self._notices[-1].dismiss()
        self.show()
        return notice

    def clear(self) -> None:
        for notice in list(self._notices):
            notice.dismiss()

    def _forget(self, notice: ImportNotice) -> None:
        if notice in self._notices:
            self._notices.remove(notice)
            self._layout.removeWidget(notice)
        self.setVisible(bool(self._notices))

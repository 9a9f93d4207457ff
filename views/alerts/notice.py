"""The notice above a card whose action was refused because someone else changed it
meanwhile ("Maya Lopez changed this alert 2 minutes ago: it is now resolved..."): it
belongs to that card's alerts, and goes when another card is shown or the user acts."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class ChangedNotice(QLabel):
    """Why the last action on a card was refused, said beside the card in its new state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("changedNotice")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._alert_ids: frozenset[int] = frozenset()
        self.hide()

    def show_for(self, alert_ids: Sequence[int], text: str) -> None:
        """Say ``text`` about the card of these alerts."""
        self._alert_ids = frozenset(int(i) for i in alert_ids)
        self.setText(text)
        self.setVisible(bool(text))

    def covers(self, alert_id: int) -> bool:
        """Whether the notice is about the card of this alert."""
        return alert_id in self._alert_ids

    def dismiss(self) -> None:
        self._alert_ids = frozenset()
        self.clear()
        self.hide()

"""The dashboard's notice of data that is not current: above the tiles, a sentence for each
source that is late or stale (services/freshness), hidden while every source is current."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from services.core.formatting import plural

HEADING = "The figures below may be missing recent data"


class FreshnessNotice(QFrame):
    """A warning band: its heading, then the late or stale sources, a line each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("freshnessNotice")
        self.setProperty("tone", "warning")
        self.heading = QLabel(self)
        self.heading.setObjectName("freshnessNoticeHeading")
        self.body = QLabel(self)
        self.body.setObjectName("freshnessNoticeText")
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 10, 6)
        layout.setSpacing(2)
        layout.addWidget(self.heading)
        layout.addWidget(self.body)
        self.lines: tuple[str, ...] = ()
        self.hide()

    def set_lines(self, lines: Sequence[str]) -> None:
        """Show these sources' sentences; none hides the notice."""
        self.lines = tuple(lines)
        self.setVisible(bool(self.lines))
        count = plural(len(self.lines), "source is", "sources are")
        self.heading.setText(f"⚠ {HEADING}: {count} late or stale.")
        self.body.setText("\n".join(self.lines))
        self.setAccessibleName(f"{HEADING}. " + " ".join(self.lines))

"""Since yesterday (``SinceDialog``): what changed in the workspace, a line each; a line
with something in it opens what it counts (its customers, or My work for tasks); a source
that is late or stale is a warning above them.

Shown at start-up once a day (unless "Show this at start-up" is unticked) and from View ▸
Since yesterday…. Ticket subjects under a line are the customers' own words: plain text.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.listen.records import Digest, DigestLine
from views.kit.dialog_parts import set_tone


class SinceDialog(QDialog):
    """The digest's lines as buttons that open what they count.

    Signals:
        line_clicked(DigestLine): a line was clicked (Enter on it works too).
        startup_changed(bool): "Show this at start-up" was ticked or unticked.
    """

    line_clicked = Signal(object)
    startup_changed = Signal(bool)

    def __init__(self, digest: Digest, *, at_startup: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(digest.window_title)
        self.setMinimumWidth(460)
        self.digest = digest
        self.heading = QLabel(f"What changed {digest.title[0].lower()}{digest.title[1:]}", self)
        self.heading.setObjectName("paneTitle")
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        self.buttons: list[QPushButton] = []
        self.notices: list[QLabel] = []
        for line in digest.lines:
            layout.addWidget(self._line(line))
            for said in line.examples:
                quote = QLabel(self)
                quote.setTextFormat(Qt.TextFormat.PlainText)  # the customer's words
                quote.setText(f"      “{said}”")
                quote.setObjectName("kpiNote")
                layout.addWidget(quote)
        if digest.quiet:
            layout.addWidget(QLabel("Nothing new: a quiet day.", self))
        layout.addSpacing(8)
        self.startup_box = QCheckBox("Show this at start-up", self)
        self.startup_box.setChecked(at_startup)
        self.startup_box.toggled.connect(self.startup_changed)
        layout.addWidget(self.startup_box)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        box.rejected.connect(self.reject)
        layout.addWidget(box)

    def _line(self, line: DigestLine) -> QWidget:
        if line.opens == "notice":
            # A source that is late or stale: a warning in words, nothing to open.
            notice = QLabel(f"⚠ {line.text}", self)
            notice.setTextFormat(Qt.TextFormat.PlainText)
            notice.setWordWrap(True)
            notice.setObjectName("digestNotice")
            notice.setContentsMargins(6, 2, 6, 2)  # its words in line with the lines' below
            set_tone(notice, "warning")
            self.notices.append(notice)
            return notice
        button = QPushButton(line.text, self)
        button.setFlat(True)
        # Link-coloured: a line opens what it counts; one that counts nothing is muted
        # text, still readable (app.qss, QPushButton#digestLine).
        button.setObjectName("digestLine")
        button.setEnabled(line.count > 0)
        where = "My work" if line.opens == "my_work" else "these customers"
        button.setToolTip(f"Open {where}" if line.count else "")
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(lambda _c=False, chosen=line: self._on_line_clicked(chosen))
        self.buttons.append(button)
        return button

    def _on_line_clicked(self, line: DigestLine) -> None:
        self.line_clicked.emit(line)
        self.accept()

    def button_for(self, key: str) -> QPushButton:
        """The button of a line by key (tests)."""
        keys: Sequence[str] = [line.key for line in self.digest.lines if line.opens != "notice"]
        return self.buttons[keys.index(key)]

"""The getting-started checklist: a card above the tabs of a workspace of one's own that
lists, side by side, what to do before the app is useful (import customers and orders,
score, say who I am, set up email drafting), each step with a button that does it. It
stays until every step is done; "Hide for now" puts it away until Help ▸ Getting started.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

# What each step's button says (the step's keys are the services' checklist keys).
BUTTON_WORDS = {
    "customers": "Import…",
    "orders": "Import…",
    "score": "Score now",
    "identity": "Who I am…",
    "drafting": "Set up…",
}
DONE_MARK = "✓"


class ChecklistItem(Protocol):
    """One step as app/ hands it over (services.usecases.checklist.ChecklistStep)."""

    @property
    def key(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def hint(self) -> str: ...

    @property
    def done(self) -> bool: ...


class ChecklistCard(QFrame):
    """The steps, their marks and buttons, and Hide for now.

    Signals:
        step_requested(key): the button of a step was clicked (do that step).
        hide_requested(): Hide for now was clicked.
    """

    step_requested = Signal(str)
    hide_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklistCard")
        self.title = QLabel("Get started with your workspace", self)
        self.title.setObjectName("checklistTitle")
        self.progress = QLabel("", self)
        self.progress.setObjectName("checklistProgress")
        self.hide_button = QPushButton("Hide for now", self)
        self.hide_button.setObjectName("checklistHide")
        self.hide_button.setFlat(True)
        self.hide_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.hide_button.setToolTip("Help ▸ Getting started shows it again")
        self.hide_button.clicked.connect(self.hide_requested)
        header = QHBoxLayout()
        header.setSpacing(10)
        header.addWidget(self.title)
        header.addWidget(self.progress)
        header.addStretch(1)
        header.addWidget(self.hide_button)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(4)
        outer = QGridLayout(self)
        outer.setContentsMargins(14, 10, 14, 10)
        outer.setVerticalSpacing(6)
        outer.addLayout(header, 0, 0)
        outer.addLayout(self._grid, 1, 0)
        self.buttons: dict[str, QPushButton] = {}
        self.marks: dict[str, QLabel] = {}
        self._steps: list[tuple[str, bool]] = []

    def set_steps(self, steps: Sequence[ChecklistItem]) -> None:
        """Show these steps side by side (the done ones ticked, their buttons gone)."""
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons, self.marks = {}, {}
        self._steps = [(step.key, step.done) for step in steps]
        done = sum(1 for step in steps if step.done)
        self.progress.setText(f"{done} of {len(steps)} done")
        for column, step in enumerate(steps):
            tile = QFrame(self)
            tile.setObjectName("checklistStep")
            tile.setProperty("done", step.done)
            tile.setToolTip(step.hint)
            mark = QLabel(DONE_MARK if step.done else str(column + 1), tile)
            mark.setObjectName("checklistMark")
            mark.setProperty("done", step.done)
            mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
            mark.setFixedSize(22, 22)
            title = QLabel(step.title, tile)
            title.setObjectName("checklistStepTitle")
            title.setProperty("done", step.done)
            title.setWordWrap(True)
            row = QHBoxLayout(tile)
            row.setContentsMargins(8, 6, 8, 6)
            row.setSpacing(8)
            row.addWidget(mark)
            row.addWidget(title, 1)
            if not step.done:
                button = QPushButton(BUTTON_WORDS.get(step.key, "Do it…"), tile)
                button.setObjectName("checklistButton")
                button.setToolTip(step.hint)
                button.clicked.connect(lambda _c=False, k=step.key: self.step_requested.emit(k))
                row.addWidget(button)
                self.buttons[step.key] = button
            self._grid.addWidget(tile, 0, column)
            self._grid.setColumnStretch(column, 1)
            self.marks[step.key] = mark

    def done_keys(self) -> list[str]:
        """The keys of the steps shown as done."""
        return [key for key, done in self._steps if done]

    def pending_keys(self) -> list[str]:
        """The keys of the steps still to do."""
        return [key for key, done in self._steps if not done]

"""The cards a pane's charts and tables sit on, and the grid of six the Dashboard and the
Results tab share: four equal columns, two equal rows, the third and sixth card two columns
wide."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QVBoxLayout, QWidget

Card = tuple[QFrame, QVBoxLayout]

# (row, column, column span) of each card of the grid, in the order they are filled.
GRID_CARDS = ((0, 0, 1), (0, 1, 1), (0, 2, 2), (1, 0, 1), (1, 1, 1), (1, 2, 2))
GRID_COLUMNS = 4


def card(parent: QWidget) -> Card:
    """A card (the theme's framed "card" box) and the column its content goes in."""
    frame = QFrame(parent)
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(6, 6, 6, 6)
    return frame, layout


def card_grid(parent: QWidget) -> tuple[QGridLayout, list[Card]]:
    """The grid of six cards (GRID_CARDS) on equal columns and rows, and its cards."""
    grid = QGridLayout()
    grid.setSpacing(8)
    for column in range(GRID_COLUMNS):
        grid.setColumnStretch(column, 1)
    cards = []
    for row, column, span in GRID_CARDS:
        made = card(parent)
        grid.addWidget(made[0], row, column, 1, span)
        grid.setRowStretch(row, 1)
        cards.append(made)
    return grid, cards

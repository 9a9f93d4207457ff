"""A layout of buttons in rows of two (or more) that fill the width, as many to a row as
fit whole: with larger text or in a narrow pane a long one takes a row of its own,
"Schedule a meeting…  (M)" is never cut to "dule a meeting"."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class ColumnsLayout(QLayout):
    """Widgets left to right, top to bottom, up to ``columns`` to a row: in cells of equal
    width where each fits its cell whole (a grid), else as many as fit whole, widened to
    fill the row. A hidden widget takes no room. The height follows the width
    (heightForWidth)."""

    def __init__(self, parent: QWidget | None = None, *, columns: int = 2, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._columns = columns
        self._spacing = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        if 0 <= index < len(self._items):
            return self._items.pop(index)
        return None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # As many columns as asked for, each as wide as the widest widget wants.
        shown = self._visible()
        columns = max(1, min(self._columns, len(shown)))
        width = columns * _want(shown).width() + (columns - 1) * self._spacing
        m = self.contentsMargins()
        height = self._arrange(QRect(0, 0, width + m.left() + m.right(), 0), move=False)
        return QSize(width + m.left() + m.right(), height)

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        # One column, as wide as the widest widget needs: anything narrower is cut.
        m = self.contentsMargins()
        return QSize(self._cell().width() + m.left() + m.right(), m.top() + m.bottom())

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if (w := i.widget()) is None or not w.isHidden()]

    def _cell(self) -> QSize:
        """The least a cell needs: the widest widget's minimum."""
        size = QSize(0, 0)
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        return size

    def rows_for(self, width: int) -> list[list[QLayoutItem]]:
        """The shown widgets in rows: up to ``columns`` to a row, as many as fit whole in
        ``width`` (the layout's), in order."""
        m = self.contentsMargins()
        room = width - m.left() - m.right()
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            need = item.minimumSize().width()
            row = rows[-1]
            if row and (len(row) >= self._columns or used + self._spacing + need > room):
                rows.append([])
                used = 0
            used += (self._spacing if rows[-1] else 0) + need
            rows[-1].append(item)
        return [row for row in rows if row]

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the shown widgets, each row filling the width (equal cells where every
        widget fits one); returns the height used."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        y = area.y()
        rows = self.rows_for(rect.width())
        for row in rows:
            line = max(item.sizeHint().height() for item in row)
            if move:
                x = area.x()
                for item, width in zip(row, _widths(row, area.width(), self._spacing), strict=True):
                    item.setGeometry(QRect(x, y, width, line))
                    x += width + self._spacing
            y += line + self._spacing
        return max(0, y - self._spacing - rect.y()) + m.bottom() if rows else 0


def _widths(row: list[QLayoutItem], room: int, spacing: int) -> list[int]:
    """The widths of a row's widgets filling ``room``: equal when each fits its share,
    else each its minimum and an equal share of what is left."""
    free = room - spacing * (len(row) - 1)
    needs = [item.minimumSize().width() for item in row]
    if all(need <= free // len(row) for need in needs):
        widths = [free // len(row)] * len(row)
    else:
        extra = max(0, free - sum(needs))
        widths = [need + extra // len(row) for need in needs]
    widths[-1] += max(0, free - sum(widths))  # the last one takes the rounding
    return widths


def _want(items: list[QLayoutItem]) -> QSize:
    """The widest size hint of these items."""
    size = QSize(0, 0)
    for item in items:
        size = size.expandedTo(item.sizeHint())
    return size

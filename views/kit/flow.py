"""A layout that places its widgets left to right and wraps them onto the next line when
the row is full (Qt's "Flow Layout" example): chips beside a customer's name wrap under
it on a narrow pane instead of being cut ("Do not cor")."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem


class FlowLayout(QLayout):
    """Widgets in rows that wrap; the height follows the width (heightForWidth)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._right: set[int] = set()  # ids of the widgets kept at the right of their row
        self._spacing = spacing
        # The last height asked for a width, until the layout is invalidated (Qt invalidates
        # it when an item is added or taken, shown or hidden, or its size hint changes).
        self._height_for: tuple[int, int] | None = None
        # The rows for a width, kept as long as the height (a restyle of the window asks
        # for the height and then places the items, both at the same width).
        self._rows_for: tuple[int, list[list[tuple[QLayoutItem, QSize]]]] | None = None
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)
        self._forget()

    def insertWidget(self, index: int, widget: QWidget) -> None:  # noqa: N802 - as QBoxLayout
        """Put a widget at a position (0: first), as QBoxLayout.insertWidget does."""
        self.addChildWidget(widget)
        self._items.insert(max(0, min(index, len(self._items))), QWidgetItem(widget))
        self._forget()
        self.invalidate()

    def add_right(self, widget: QWidget) -> None:
        """Add a widget that goes to the right end of its row (a sort order beside a
        title), or of the next row when it does not fit: as a box layout's stretch."""
        self.addWidget(widget)
        self._right.add(id(widget))

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        if 0 <= index < len(self._items):
            self._forget()
            return self._items.pop(index)
        return None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        if self._height_for is not None and self._height_for[0] == width:
            return self._height_for[1]
        height = self._arrange(QRect(0, 0, width, 0), move=False)
        self._height_for = (width, height)
        return height

    def invalidate(self) -> None:  # Qt override
        self._forget()
        super().invalidate()

    def _forget(self) -> None:
        self._height_for = None
        self._rows_for = None

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # One row: every shown widget side by side (what the layout asks for when it can).
        shown = self._visible()
        width = sum(_hint(i).width() for i in shown) + self._spacing * max(0, len(shown) - 1)
        height = max((_hint(i).height() for i in shown), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        # The widest single widget: anything narrower wraps.
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _visible(self) -> list[QLayoutItem]:
        """The items shown (a hidden widget takes no room)."""
        shown = []
        for item in self._items:
            widget = item.widget()
            if widget is None or not widget.isHidden():
                shown.append(item)
        return shown

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Lay the items out in rows (each centred on its tallest item), no item wider
        than the row; returns the height used."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        width = max(1, area.width())
        y = area.y()
        for row in self._rows_at(width):
            line = max(size.height() for _item, size in row)
            x = area.x()
            free = width + self._spacing - sum(s.width() + self._spacing for _i, s in row)
            right = len(row)  # the row's trailing items kept at the right
            while right and id(row[right - 1][0].widget()) in self._right:
                right -= 1
            for index, (item, size) in enumerate(row):
                if index == right:
                    x += max(0, free)
                if move:
                    top = y + (line - size.height()) // 2
                    item.setGeometry(QRect(QPoint(x, top), size))
                x += size.width() + self._spacing
            y += line + self._spacing
        return max(0, y - self._spacing - rect.y()) + m.bottom()

    def _rows_at(self, width: int) -> list[list[tuple[QLayoutItem, QSize]]]:
        if self._rows_for is None or self._rows_for[0] != width:
            self._rows_for = (width, self._rows(width))
        return self._rows_for[1]

    def _rows(self, width: int) -> list[list[tuple[QLayoutItem, QSize]]]:
        """The shown items in rows no wider than ``width``, each with its size: as many
        to a row as fit at their minimum, given their liking where the row has room."""
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            need = min(_least(item), width)
            if rows[-1] and used + self._spacing + need > width:
                rows.append([])
                used = 0
            used += (self._spacing if rows[-1] else 0) + need
            rows[-1].append(item)
        return [self._sized(row, width) for row in rows if row]

    def _sized(self, row: list[QLayoutItem], width: int) -> list[tuple[QLayoutItem, QSize]]:
        """A row's items each at its size hint, or between its minimum and its hint (in
        proportion) when the row is too narrow for their hints."""
        hints = [_hint(item) for item in row]
        least = [min(_least(item), width) for item in row]
        room = width - self._spacing * (len(row) - 1)
        want = sum(min(h.width(), width) for h in hints)
        give = sum(min(h.width(), width) - m for h, m in zip(hints, least, strict=True))
        ratio = 1.0 if want <= room or give <= 0 else max(0.0, (room - sum(least)) / give)
        return [
            (item, QSize(m + int((min(h.width(), width) - m) * ratio), h.height()))
            for item, h, m in zip(row, hints, least, strict=True)
        ]


def _least(item: QLayoutItem) -> int:
    """The least width an item takes in a row: its minimum, or its hint when it has none
    (a label that shortens itself is not squeezed to nothing beside others)."""
    least = item.minimumSize().width()
    return least if least > 0 else _hint(item).width()


def _hint(item: QLayoutItem) -> QSize:
    """A widget's own size hint: the item's is 0 wide for an Ignored size policy (a label
    that shortens itself), which then gets the row's width at most."""
    widget = item.widget()
    return widget.sizeHint() if widget is not None else item.sizeHint()


class FlowTail:
    """The items of a flow layout after its first ``after`` (a name, then its chips): a
    view with the calls a box layout of chips is used with."""

    def __init__(self, flow: FlowLayout, *, after: int) -> None:
        self._flow = flow
        self._after = after

    def count(self) -> int:
        return self._flow.count() - self._after

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - as QLayout
        return self._flow.takeAt(index + self._after)

    def addWidget(self, widget: QWidget) -> None:  # noqa: N802 - as QLayout
        self._flow.addWidget(widget)

    def insertWidget(self, index: int, widget: QWidget) -> None:  # noqa: N802 - as QBoxLayout
        self._flow.insertWidget(index + self._after, widget)

"""A customer's timeline: a list model over TimelineEvent rows and a delegate that draws them.

Each row shows a coloured round badge with a glyph for its kind, a title, a muted
detail line, the date on the right and, for money events, the amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from services.core.formatting import days_ago, format_date, format_date_time
from services.core.money import currency_symbol
from services.core.records import TimelineEvent
from views.kit.accessibility import ACCESSIBLE_ROLES, item_data
from views.kit.formatting import as_utc, days_between, format_money, utc_date, utc_now
from views.kit.theme import LIGHT, Theme

Index = QModelIndex | QPersistentModelIndex

EventRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class KindStyle:
    glyph: str
    color: str  # a Theme attribute name, so the badge follows the theme
    label: str


KIND_STYLES: dict[str, KindStyle] = {
    "order": KindStyle("$", "positive", "Order"),
    "refund": KindStyle("↩", "critical", "Refund or cancellation"),
    "ticket": KindStyle("?", "warning", "Support ticket"),
    "bad_ticket": KindStyle("!", "critical", "Support ticket rated bad"),
    "review": KindStyle("★", "opportunity", "Review"),
    "bad_review": KindStyle("★", "critical", "Low review"),
    "nps": KindStyle("#", "opportunity", "NPS answer"),
    "email": KindStyle("@", "accent", "Email"),
    "email_unopened": KindStyle("@", "muted", "Email, not opened"),
    "call": KindStyle("☎", "accent", "Call"),
    "meeting": KindStyle("◆", "accent", "Meeting"),
    "chat": KindStyle("…", "accent", "Chat"),
    "social": KindStyle("#", "muted", "Social mention"),
    "risk_raised": KindStyle("!", "critical", "A risk raised in a conversation"),
    "relationship": KindStyle("⚑", "warning", "A relationship signal"),
    "note": KindStyle("✎", "muted", "Note"),
    "unsubscribe": KindStyle("✕", "critical", "Unsubscribe or cancellation"),
    "opportunity": KindStyle("◎", "opportunity", "Opportunity"),
    "subscription": KindStyle("↻", "primary", "Subscription"),
}
FALLBACK_STYLE = KindStyle("•", "muted", "Event")


def kind_style(kind: str) -> KindStyle:
    return KIND_STYLES.get(kind, FALLBACK_STYLE)


class TimelineModel(QAbstractListModel):
    """Timeline events of one customer, newest first (as the service returns them)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._events: tuple[TimelineEvent, ...] = ()

    def set_events(self, events: Sequence[TimelineEvent]) -> None:
        self.beginResetModel()
        self._events = tuple(events)
        self.endResetModel()

    def event_at(self, row: int) -> TimelineEvent:
        return self._events[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in ACCESSIBLE_ROLES:
            return item_data(self, index, role)
        if role == Qt.ItemDataRole.DisplayRole:
            if not index.isValid():
                return None
            event = self._events[index.row()]
            return f"{event.title} — {event.detail}" if event.detail else event.title
        if role == Qt.ItemDataRole.ToolTipRole:
            if not index.isValid():
                return None
            event = self._events[index.row()]
            when = as_utc(event.when)
            label = kind_style(event.kind).label
            tip = f"{label}\n{format_date_time(when)} UTC\n{event.detail}".strip()
            if event.conversation_id is not None:
                tip += "\nDouble-click or press Enter to open it."
            return tip
        if role == EventRole:
            return self._events[index.row()] if index.isValid() else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


def relative_day(when: dt.datetime, now: dt.datetime | None = None) -> str:
    """'today', 'yesterday', '12 days ago', else the (UTC) date.

    Days are UTC calendar days, as in the table's "Days quiet" and the "Last order"
    tile (views.kit.formatting), so the three never disagree by one.
    """
    now = now or utc_now()
    delta = days_between(when, now)
    day = utc_date(when)
    if delta < 31:
        return days_ago(delta)
    return format_date(day)


class TimelineDelegate(QStyledItemDelegate):
    """Draws one event: kind badge, title, detail, date and amount."""

    ROW_HEIGHT = 46
    BADGE = 26

    def __init__(
        self, parent: QWidget | None = None, *, clock: Callable[[], dt.datetime] = utc_now
    ) -> None:
        super().__init__(parent)
        self._theme: Theme = LIGHT
        self._clock = clock

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(200, self.ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        event = index.data(EventRole)
        if not isinstance(event, TimelineEvent):
            super().paint(painter, option, index)
            return
        theme = self._theme
        rect: QRect = option.rect
        state = option.state
        palette: QPalette = option.palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, QColor(theme.hover))

        style = kind_style(event.kind)
        color = QColor(getattr(theme, style.color))
        badge = QRect(
            rect.left() + 10, rect.top() + (rect.height() - self.BADGE) // 2, self.BADGE, self.BADGE
        )
        fill = QColor(color)
        fill.setAlpha(48 if theme.is_dark else 36)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawEllipse(badge)
        glyph_font = QFont(option.font)
        glyph_font.setBold(True)
        painter.setFont(glyph_font)
        painter.setPen(color)
        glyph = style.glyph
        if event.kind == "order" and event.currency:
            # The order's own currency sign ("€", "£"); a code alone keeps the default.
            sign = currency_symbol(event.currency)
            glyph = sign[-1] if not sign.endswith(" ") else glyph
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, glyph)

        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = QColor(theme.muted) if not selected else text_color
        base_font = QFont(option.font)
        title_font = QFont(base_font)
        title_font.setWeight(QFont.Weight.DemiBold)
        left = badge.right() + 10
        right_w = 120
        text_w = max(rect.right() - left - right_w - 10, 40)
        top_line = QRect(left, rect.top() + 5, text_w, rect.height() // 2 - 3)
        bottom_line = QRect(left, rect.top() + rect.height() // 2, text_w, rect.height() // 2 - 5)

        painter.setFont(title_font)
        painter.setPen(text_color)
        fm = QFontMetrics(title_font)
        painter.drawText(
            top_line,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(event.title, Qt.TextElideMode.ElideRight, top_line.width()),
        )
        painter.setFont(base_font)
        painter.setPen(muted)
        fm = QFontMetrics(base_font)
        painter.drawText(
            bottom_line,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(event.detail, Qt.TextElideMode.ElideRight, bottom_line.width()),
        )

        right = QRect(rect.right() - right_w - 10, rect.top() + 5, right_w, rect.height() // 2 - 3)
        painter.drawText(
            right,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            relative_day(event.when, self._clock()),
        )
        if event.amount is not None and event.kind in ("order", "refund", "opportunity"):
            amount_rect = QRect(
                right.left(), rect.top() + rect.height() // 2, right_w, right.height()
            )
            painter.setPen(color if event.kind != "order" else text_color)
            painter.setFont(title_font)
            painter.drawText(
                amount_rect,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                format_money(event.amount, event.currency or ""),
            )
        # A hairline between rows, lighter than the border.
        painter.setPen(QColor(theme.border))
        painter.drawLine(left, rect.bottom(), rect.right() - 10, rect.bottom())
        painter.restore()

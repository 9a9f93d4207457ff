"""The alerts list: a QAbstractListModel over the cards of views.item_models.alert_list_data
(one customer's alerts of one queue on one card), and the card delegate.

The model keeps the visible cards (``_cards``); a filter, a search or a sort recomputes
them with numpy, milliseconds on 100,000 alerts, on the UI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from services.alerts.records import (
    ALERT_COLUMNS,
    ALERT_QUEUES,
    HOLDOUT_LABEL,
    HOLDOUT_NOTE,
    SEVERITIES,
    SEVERITY_LABELS,
    STAKE_NAMES,
    STAKE_SHORT,
    STATUS_LABELS,
)
from services.core.formatting import format_date, format_percent
from views.item_models.alert_list_data import AlertFilter, AlertListData, Cards
from views.kit.formatting import format_money, utc_now
from views.kit.theme import LIGHT, Theme

Index = QModelIndex | QPersistentModelIndex

AlertIdRole = Qt.ItemDataRole.UserRole + 1
CustomerIdRole = Qt.ItemDataRole.UserRole + 2
SeverityRole = Qt.ItemDataRole.UserRole + 3

CardIdsRole = Qt.ItemDataRole.UserRole + 4

# The order the counts are taken in (any order counts the same cards).
URGENCY = "urgency"
# The badge of a card whose customer has a draft waiting in the review queue.
DRAFT_WAITING = "Draft waiting"
DRAFT_WAITING_NOTE = "A draft for this customer waits in the review queue (Email ▸ Review drafts…)."


class AlertListModel(QAbstractListModel):
    """Alert cards, filtered and in the chosen order.

    Signals:
        counts_changed(dict): cards per severity (a card's most urgent alert) under the
            other filters.
    """

    counts_changed = Signal(dict)

    def __init__(self, parent: Any = None, *, clock: Callable[[], dt.datetime] = utc_now) -> None:
        super().__init__(parent)
        self._data: AlertListData | None = None
        self._cards = Cards.empty()
        self._filter = AlertFilter()
        self._clock = clock

    # ------------------------------------------------------------------ data in
    def set_data(self, data: AlertListData | None) -> None:
        self.beginResetModel()
        self._data = data
        self._cards = self._visible()
        self.endResetModel()
        self._emit_counts()

    def set_filter(self, flt: AlertFilter) -> None:
        if flt == self._filter:
            return
        self._filter = flt
        cards = self._visible()
        if np.array_equal(cards.rows, self._cards.rows) and np.array_equal(
            cards.members, self._cards.members
        ):
            self._cards = cards
            self._emit_counts()
            return
        self.beginResetModel()
        self._cards = cards
        self.endResetModel()
        self._emit_counts()

    @property
    def filter(self) -> AlertFilter:
        return self._filter

    @property
    def data_set(self) -> AlertListData | None:
        return self._data

    def _visible(self) -> Cards:
        if self._data is None or self._data.n == 0:
            return Cards.empty()
        return self._data.cards(self._filter)

    def severity_counts(self) -> dict[str, int]:
        """Cards per severity that the other filters keep (the chips' numbers)."""
        if self._data is None:
            return {s: 0 for s in SEVERITIES}
        # Counted in one order whatever the list's: the same cards (and kept for the next).
        # A pinned card (kept in view after a change) is listed, not counted.
        flt = replace(self._filter, sort=URGENCY, pinned=frozenset())
        cards = self._data.cards(flt, with_severity=False)
        known = cards.severity[cards.severity < len(SEVERITIES)]
        counts = np.bincount(known, minlength=len(SEVERITIES))
        return {s: int(counts[i]) for i, s in enumerate(SEVERITIES)}

    def _emit_counts(self) -> None:
        self.counts_changed.emit(self.severity_counts())

    # ------------------------------------------------------------------ lookups
    def row_of(self, alert_id: int) -> int:
        """The visible row of the card that holds an alert, or -1."""
        if self._data is None or len(self._cards) == 0:
            return -1
        ids = self._data.columns["id"]
        hits = np.flatnonzero(ids[self._cards.members] == alert_id)
        if not len(hits):
            return -1
        card = int(np.searchsorted(self._cards.starts, hits[0], side="right") - 1)
        return card

    def alert_id(self, row: int) -> int:
        """The id of the card's most urgent alert."""
        assert self._data is not None
        return int(self._data.columns["id"][self._cards.rows[row]])

    def card_ids(self, row: int) -> tuple[int, ...]:
        """The ids of the card's alerts, most urgent first."""
        assert self._data is not None
        rows = self._cards.member_rows(row)
        return tuple(int(i) for i in self._data.columns["id"][rows])

    def record(self, row: int) -> dict[str, Any]:
        """The card as a dict (what the delegate draws): its most urgent alert's fields,
        with the card's ``count``, its biggest ``stake`` and every alert's ``rules``,
        ``reasons`` and ``statuses``."""
        assert self._data is not None
        i = int(self._cards.rows[row])
        c = self._data.columns
        rec = {name: c[name][i] for name in ALERT_COLUMNS}
        members = self._cards.member_rows(row)
        rec["count"] = int(self._cards.count[row])
        rec["stake"] = int(self._cards.stake[row])
        rec["rules"] = [str(c["rule"][k]) for k in members]
        # A cleared alert's reason holds old figures: the latest churn risk comes first.
        rec["reasons"] = [
            reason_text(
                str(c["reason"][k]),
                cleared=bool(c["condition_cleared"][k]),
                queue=str(c["queue"][k]),
                churn_now=float(c["churn_now"][k]),
            )
            for k in members
        ]
        rec["reason"] = rec["reasons"][0]
        rec["statuses"] = [str(c["status"][k]) for k in members]
        # False when the latest scoring no longer meets any of the card's rules.
        rec["live"] = bool(self._cards.live[row])
        # The holdout is of customers: one alert of the card in it puts the card in it.
        rec["holdout"] = any(bool(c["holdout"][k]) for k in members)
        rec["draft_waiting"] = bool(self._data.draft_waiting[members].any())
        rec["due"] = card_due(self._data.due_text[members], self._data.overdue[members])
        rec["overdue"] = bool(self._data.overdue[members].any())
        rec["uplift_text"] = str(self._data.uplift_text[members[0]])  # one customer: one
        return rec

    def total(self) -> int:
        """The cards of this queue (or of every queue) in the chosen status, whatever the
        other filters: the "of N cards" of the pane. Closed alerts count only when the
        status filter lists them; held-back ones only under "Held back"."""
        if self._data is None:
            return 0
        flt = AlertFilter(
            status=self._filter.status, queue=self._filter.queue, pinned=self._filter.pinned
        )
        return len(self._data.cards(flt, with_severity=False))

    def raised(self) -> int:
        """The cards of every raised alert in this queue, whatever its status (held-back
        ones are not raised): none means the queue is empty, not filtered empty."""
        if self._data is None:
            return 0
        flt = AlertFilter(status="all", queue=self._filter.queue)
        return len(self._data.cards(flt, with_severity=False))

    def alert_count(self) -> int:
        """The alerts on the cards shown (a card holds one customer's alerts of a queue)."""
        return int(self._cards.count.sum()) if len(self._cards) else 0

    def queue_counts(self) -> dict[str, int]:
        """Cards per queue under the other filters (the queue tabs' numbers)."""
        if self._data is None:
            return {}
        flt = replace(self._filter, sort=URGENCY, pinned=frozenset())
        return {
            q: len(self._data.cards(replace(flt, queue=q), with_severity=False))
            for q in ALERT_QUEUES
        }

    def held_back_count(self) -> int:
        """Cards of alerts held back by the daily cap that the other filters (queue,
        owner, mine, segment, search) keep: the "N more held back" of the pane."""
        if self._data is None or self._data.held_back == 0:
            return 0
        flt = replace(self._filter, status="held_back", sort=URGENCY, pinned=frozenset())
        return len(self._data.cards(flt, with_severity=False))

    @property
    def currency(self) -> str:
        """The currency of the priorities (the workspace's home currency)."""
        return "USD" if self._data is None else self._data.currency

    # ------------------------------------------------------------------ Qt API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.AccessibleDescriptionRole,
            AlertIdRole,
            CustomerIdRole,
            SeverityRole,
            CardIdsRole,
        ):
            return None
        if not index.isValid() or self._data is None or index.row() >= len(self._cards):
            return None
        row = index.row()
        i = int(self._cards.rows[row])
        c = self._data.columns
        if role == AlertIdRole:
            return int(c["id"][i])
        if role == CustomerIdRole:
            return int(c["customer_id"][i])
        if role == SeverityRole:
            return SEVERITIES[min(int(self._cards.severity[row]), len(SEVERITIES) - 1)]
        if role == CardIdsRole:
            return list(self.card_ids(row))
        rec = self.record(row)
        stake = stake_text(str(rec["queue"]), rec["stake"], self._data.currency)
        reasons = "; ".join(rec["reasons"])
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return card_sentence(rec, stake)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            lines = [f"{r}: {why}" for r, why in zip(rec["rules"], rec["reasons"], strict=True)]
            full = stake_text(str(rec["queue"]), rec["stake"], self._data.currency, full=True)
            raised = f"Raised {raised_date(rec['created_at'])}"
            notes = [HOLDOUT_NOTE] if rec["holdout"] else []
            notes += [DRAFT_WAITING_NOTE] if rec["draft_waiting"] else []
            notes += [str(rec["due"])] if rec.get("due") else []
            notes += [str(rec["uplift_text"])] if rec.get("uplift_text") else []
            lines = [*lines, full, raised, *notes]
            screen_reader = role == Qt.ItemDataRole.AccessibleDescriptionRole
            return ". ".join(lines) if screen_reader else "\n".join(lines)
        held = f" {HOLDOUT_LABEL}." if rec["holdout"] else ""
        held += f" {DRAFT_WAITING}." if rec["draft_waiting"] else ""
        return f"{c['customer'][i]}: {reasons} ({stake}).{held}"

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def clock(self) -> dt.datetime:
        return self._clock()


def card_sentence(rec: dict[str, Any], stake: str) -> str:
    """A card as a screen reader reads it, one sentence: "Critical: Acme (Ana Ortiz),
    churn risk 72% · last order 3 Mar, $1,200 at risk, in progress"."""
    severity = SEVERITY_LABELS.get(str(rec["severity"]), str(rec["severity"]).capitalize())
    person = f" ({rec['person']})" if isinstance(rec.get("person"), str) else ""
    more = f", {rec['count']} alerts" if rec["count"] > 1 else ""
    status = str(rec["status"])
    state = "" if status == "open" else f", {STATUS_LABELS.get(status, status).lower()}"
    held = f". {HOLDOUT_LABEL}" if rec["holdout"] else ""
    held += f". {DRAFT_WAITING}." if rec.get("draft_waiting") else ""
    reasons = "; ".join(rec["reasons"])
    return f"{severity}: {rec['customer']}{person}{more}, {reasons}, {stake}{state}{held}"


def stake_text(queue: str, cents: int, currency: str, *, full: bool = False) -> str:
    """What is at stake on a card: revenue at risk (risk), upside (growth) or deal value
    at stake (pipeline); the short form fits a card, ``full`` names it in full."""
    amount = format_money(cents / 100.0, currency, cents=False)
    words = STAKE_NAMES if full else STAKE_SHORT
    return f"{amount} {words.get(queue, words['risk'])}"


def reason_text(reason: str, cleared: bool, queue: str, churn_now: float | None) -> str:
    """An alert's reason as a card says it. A reason holds the figures of the scoring that
    raised it (refreshed while its condition holds); once the condition cleared they are
    old, so the card gives a risk alert's churn risk by the latest scoring (the customer's
    tile) and labels the rest: "churn risk now 57% · when raised: churn risk 66% and
    12-month value $805"."""
    if not cleared:
        return reason
    known = queue == "risk" and churn_now is not None and np.isfinite(churn_now)
    now = f"churn risk now {format_percent(float(churn_now or 0))} · " if known else ""
    return f"{now}when raised: {reason}"


def assignee_text(owner: str | None) -> str:
    """Whose the card is, on its third line: "→ Priya Shah", or "no owner"."""
    return f"→ {owner}" if owner else "no owner"


def raised_date(created: np.datetime64) -> str:
    """The (UTC) day an alert was raised, as every date is written: 'Mar 7, 2026'."""
    if np.isnat(created):
        return "at an unknown date"
    return format_date(created.astype("datetime64[D]").item())


def age_text(created: np.datetime64, now: dt.datetime) -> str:
    """'new today', '3d', '5w' — how long the alert has been raised."""
    if np.isnat(created):
        return ""
    start = dt.datetime.fromtimestamp(int(created.astype("datetime64[s]").astype(np.int64)), dt.UTC)
    days = max((now.date() - start.date()).days, 0)
    if days == 0:
        return "today"
    if days < 14:
        return f"{days}d old"
    if days < 70:
        return f"{days // 7}w old"
    return f"{days // 30}mo old"


def draft_badge(rec: dict[str, Any], theme: Theme) -> list[tuple[str, QColor]]:
    """The card's "Draft waiting" badge (a draft for the customer waits in the review
    queue), as a tag of its third line; none otherwise."""
    return [(DRAFT_WAITING, QColor(theme.primary))] if rec.get("draft_waiting") else []


def card_due(texts: np.ndarray, overdue: np.ndarray) -> str:
    """A card's SLA mark: its most overdue alert's ("Overdue 3 d"), else "Due today"."""
    marks = [str(t) for t in texts if t]
    late = [str(t) for t, o in zip(texts, overdue, strict=True) if o and t]
    if late:
        return max(late, key=lambda t: int("".join(ch for ch in t if ch.isdigit()) or 0))
    return marks[0] if marks else ""


def due_badge(rec: dict[str, Any], theme: Theme) -> list[tuple[str, QColor]]:
    """The card's SLA tag on its third line: red when overdue, muted when due today."""
    due = str(rec.get("due") or "")
    if not due:
        return []
    return [(due, QColor(theme.critical if rec.get("overdue") else theme.muted))]


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


class AlertCardDelegate(QStyledItemDelegate):
    """Draws an alert as a card: severity bar, customer, stake, reason, rule, age, owner."""

    CARD_HEIGHT = 84
    BAR = 5
    PAD = 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme: Theme = LIGHT
        self._font_cache: (
            tuple[str, tuple[QFont, QFont, QFont, QFontMetrics, QFontMetrics, QFontMetrics]] | None
        ) = None

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme

    def _fonts(
        self, font: QFont
    ) -> tuple[QFont, QFont, QFont, QFontMetrics, QFontMetrics, QFontMetrics]:
        # Made once per font, not once per card painted (a list repaint draws ten cards).
        key = font.key()
        if self._font_cache is None or self._font_cache[0] != key:
            base = QFont(font)
            bold = QFont(base)
            bold.setBold(True)
            small = QFont(base)
            small.setPointSizeF(max(base.pointSizeF() - 1.0, 7.0))
            fonts = (base, bold, small, QFontMetrics(base), QFontMetrics(bold), QFontMetrics(small))
            self._font_cache = (key, fonts)
        return self._font_cache[1]

    def card_height(self, font: QFont) -> int:
        """Tall enough for the card's three lines in ``font``: CARD_HEIGHT at the window's
        usual size, more when the text is made larger (150 %, 200 %)."""
        *_fonts, fm, fm_bold, fm_small = self._fonts(font)
        lines = fm_bold.height() + 4 + fm.height() + 4 + fm_small.height() + 2
        return max(self.CARD_HEIGHT, 3 + 8 + lines + 8 + 3)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        # The width is the view's (the list never scrolls sideways); only the height counts.
        return QSize(0, self.card_height(option.font))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: PLR0915
        model = index.model()
        if not isinstance(model, AlertListModel) or not index.isValid():
            return
        rec = model.record(index.row())
        severity = str(index.data(SeverityRole))
        theme = self._theme
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = option.rect.adjusted(4, 3, -4, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        bg = QColor(theme.selection if selected else theme.hover if hovered else theme.surface)
        # With several cards picked, the one the panes show (the current) has a heavier edge.
        view = option.widget
        edge = 1
        if selected and isinstance(view, QAbstractItemView) and view.currentIndex() == index:
            edge = 2 if len(view.selectionModel().selectedRows()) > 1 else 1
        painter.setPen(QPen(QColor(theme.primary if selected else theme.border), edge))
        painter.setBrush(bg)
        painter.drawRoundedRect(card, 6, 6)
        bar_colour = QColor(
            getattr(theme, severity, theme.muted) if severity != "info" else theme.muted
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bar_colour)
        painter.drawRoundedRect(QRect(card.left(), card.top(), self.BAR + 3, card.height()), 3, 3)
        painter.setBrush(bg)
        painter.drawRect(QRect(card.left() + self.BAR, card.top() + 1, 4, card.height() - 2))

        text_colour = QColor(theme.selection_text if selected else theme.text)
        muted = QColor(theme.muted)
        left = card.left() + self.BAR + self.PAD
        right = card.right() - self.PAD
        width = right - left
        base, bold, small, fm, fm_bold, fm_small = self._fonts(option.font)

        # Line 1: the account (bold) and its person, stake on the right.
        y = card.top() + 8
        queue = str(rec["queue"])
        stake = stake_text(queue, int(rec["stake"]), model.currency)
        painter.setFont(bold)
        stake_w = fm_bold.horizontalAdvance(stake)
        stake_colour = QColor(text_colour)
        if severity == "critical":
            stake_colour = QColor(theme.critical)
        elif queue == "growth":
            stake_colour = QColor(theme.positive)
        painter.setPen(stake_colour)
        painter.drawText(
            QRect(right - stake_w, y, stake_w, fm_bold.height()),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            stake,
        )
        name_room = max(width - stake_w - 12, 40)
        name = fm_bold.elidedText(_text(rec["customer"]), Qt.TextElideMode.ElideRight, name_room)
        painter.setPen(text_colour)
        painter.drawText(
            QRect(left, y, name_room, fm_bold.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            name,
        )
        used = fm_bold.horizontalAdvance(name)
        # Beside the account's name, muted: who stands for it.
        person = _text(rec["person"])
        if person and used + 40 < name_room:
            painter.setFont(small)
            painter.setPen(muted)
            room = name_room - used - 8
            painter.drawText(
                QRect(left + used + 8, y, room, fm_bold.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                fm_small.elidedText(person, Qt.TextElideMode.ElideRight, room),
            )

        # Line 2: the most urgent reason, and how many more the card holds.
        y += fm_bold.height() + 4
        painter.setFont(base)
        more = int(rec["count"]) - 1
        more_text = f"+{more} more" if more > 0 else ""
        more_w = fm_small.horizontalAdvance(more_text) + 8 if more_text else 0
        painter.setPen(text_colour)
        painter.drawText(
            QRect(left, y, width - more_w, fm.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            fm.elidedText(_text(rec["reason"]), Qt.TextElideMode.ElideRight, width - more_w),
        )
        if more_text:
            painter.setFont(small)
            painter.setPen(QColor(theme.accent) if not selected else text_colour)
            painter.drawText(
                QRect(right - more_w + 8, y, more_w - 8, fm.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                more_text,
            )

        # Line 3: rule · age · owner, status and do-not-contact on the right.
        y += fm.height() + 4
        painter.setFont(small)
        tags: list[tuple[str, QColor]] = []
        statuses = [str(v) for v in rec["statuses"]]
        status = next((v for v in statuses if v != "open"), "open")
        if status != "open":
            tags.append((STATUS_LABELS.get(status, status), QColor(theme.accent)))
        if bool(rec["do_not_contact"]):
            tags.append(("Do not contact", QColor(theme.critical)))
        if not rec["live"]:
            tags.append(("Condition cleared", QColor(theme.muted)))
        if rec["holdout"]:
            tags.append((HOLDOUT_LABEL, QColor(theme.muted)))
        tags += draft_badge(rec, theme)
        tags += due_badge(rec, theme)
        x_right = right
        for label, colour in tags:
            w = fm_small.horizontalAdvance(label) + 12
            chip = QRect(x_right - w, y, w, fm_small.height() + 2)
            painter.setPen(QPen(colour, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(chip, 4, 4)
            painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), label)
            x_right -= w + 6
        owner = assignee_text(_text(rec["owner"]))
        rules = " + ".join(dict.fromkeys(str(r) for r in rec["rules"]))
        age = age_text(rec["created_at"], model.clock())
        meta = " · ".join(p for p in (rules, age, owner) if p)
        painter.setPen(muted if not selected else text_colour)
        room = max(x_right - left - 6, 20)
        painter.drawText(
            QRect(left, y, room, fm_small.height() + 2),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            fm_small.elidedText(meta, Qt.TextElideMode.ElideRight, room),
        )
        if option.state & QStyle.StateFlag.State_HasFocus and selected:
            painter.setPen(QPen(option.palette.color(QPalette.ColorRole.Highlight), 1))
        painter.restore()

"""The alerts list: a QAbstractListModel over numpy columns, and the card delegate.

Filtering, searching and the priority order are numpy work over the columns: the model
keeps one array of visible row positions (``_rows``). ``AlertListData.prepare`` does the
costly part once per load (the lower-case search text, the sort order), on a worker;
a filter or a search is then a few boolean masks, milliseconds on 100,000 alerts, and
runs on the UI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
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
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from views.alerts.source import ALERT_COLUMNS, SEVERITIES, STATUS_LABELS
from views.formatting import format_money, utc_now
from views.theme import LIGHT, Theme

Index = QModelIndex | QPersistentModelIndex

AlertIdRole = Qt.ItemDataRole.UserRole + 1
CustomerIdRole = Qt.ItemDataRole.UserRole + 2
SeverityRole = Qt.ItemDataRole.UserRole + 3

# Status filter choices: key -> (label, statuses shown).
STATUS_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "active": ("Active", ("open", "in_progress")),
    "open": ("Open", ("open",)),
    "in_progress": ("In progress", ("in_progress",)),
    "snoozed": ("Snoozed", ("snoozed",)),
    "resolved": ("Resolved", ("resolved",)),
    "dismissed": ("Dismissed", ("dismissed",)),
    "all": ("All statuses", ("open", "in_progress", "snoozed", "resolved", "dismissed")),
    # Not raised: left out of today's queue by the daily cap per owner (see the pane's note).
    "held_back": ("Held back", ("held_back",)),
}
SEARCH_ROW_CHARS = 240  # bytes of UTF-8
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class AlertFilter:
    """What the list shows: every field narrows it; empty means no narrowing."""

    severities: frozenset[str] = frozenset()
    status: str = "active"
    owner: str | None = None
    segment: str | None = None
    mine_owner: str | None = None  # set to the user's owner name for "mine"
    search: str = ""


class AlertListData:
    """The alerts as columns, with the search text and the priority order prepared."""

    def __init__(self, columns: Mapping[str, Any]) -> None:
        missing = [c for c in ALERT_COLUMNS if c not in columns]
        if missing:
            raise ValueError(f"alert columns missing: {', '.join(missing)}")
        n = len(columns["id"])
        self.n = n
        # Priorities are in this currency (the workspace's home currency).
        self.currency = str(columns.get("currency") or "USD")
        self.columns: dict[str, np.ndarray] = {}
        for name in ALERT_COLUMNS:
            values = np.asarray(columns[name])
            if len(values) != n:
                raise ValueError(f"alert column {name} has {len(values)} rows, not {n}")
            self.columns[name] = values
        c = self.columns
        c["created_at"] = c["created_at"].astype("datetime64[s]")
        c["snoozed_until"] = c["snoozed_until"].astype("datetime64[s]")
        c["priority_cents"] = c["priority_cents"].astype(np.int64)
        for name in ("customer", "company", "severity", "status", "rule", "reason", "owner"):
            c[name] = c[name].astype(object)
        c["segment"] = c["segment"].astype(object)
        # Priority first (biggest stake on top), then severity, then the newest.
        severity_rank = np.array([_SEVERITY_RANK.get(s, 9) for s in c["severity"]], np.int64)
        created = c["created_at"].astype(np.int64)
        self.order = np.lexsort((-created, severity_rank, -c["priority_cents"]))
        # The filtered columns as integer codes: a filter compares small ints, not strings.
        self._codes: dict[str, tuple[dict[str, int], np.ndarray]] = {}
        for name in ("severity", "status", "owner", "segment"):
            text = np.array(["" if v is None or v != v else str(v) for v in c[name]], dtype=object)
            uniques, codes = np.unique(text, return_inverse=True)
            self._codes[name] = ({str(u): i for i, u in enumerate(uniques)}, codes)
        self._search: np.ndarray | None = None
        self._hits: tuple[str, np.ndarray] | None = None

    def prepare_search(self) -> None:
        """The lower-case text a search looks in (customer, company, owner, rule, reason)."""
        if self._search is not None:
            return
        c = self.columns
        fields = ("customer", "company", "owner", "rule", "reason")
        # UTF-8 bytes, not str: a scan reads a quarter of the memory of UCS-4 text (the
        # first keystroke scans every row), and a UTF-8 substring match is a text match.
        rows = [
            "\x1f".join("" if v is None or v != v else str(v) for v in values).lower().encode()
            for values in zip(*(c[k] for k in fields), strict=True)
        ]
        width = min(max((len(r) for r in rows), default=1), SEARCH_ROW_CHARS)
        self._search = np.array(rows, dtype=f"S{max(width, 1)}")

    def _is(self, name: str, values: tuple[str, ...] | frozenset[str] | list[str]) -> np.ndarray:
        lookup, codes = self._codes[name]
        wanted = [lookup[v] for v in values if v in lookup]
        if len(wanted) == 1:
            return np.asarray(codes == wanted[0])
        return np.isin(codes, wanted)

    def search_hits(self, needle: str) -> np.ndarray:
        """Rows whose text holds every word of the (lower-case) needle.

        Typing narrows a search: when the new needle extends the previous one, every row
        it matches matched the previous one, so only those rows are scanned again.
        """
        self.prepare_search()
        assert self._search is not None
        previous = self._hits
        if previous is not None and previous[0] == needle:
            return previous[1]
        words = needle.split()
        rows: np.ndarray | None = None
        text = self._search
        if previous is not None and previous[0] and needle.startswith(previous[0]):
            # Every row the new needle matches matched the previous one: only the words it
            # changed or added need checking, and only over the previous hits.
            before = previous[0].split()
            changed = len(before) - 1 if words[len(before) - 1] != before[-1] else len(before)
            words = words[changed:]
            hits = previous[1].copy()
            if np.count_nonzero(hits) * 4 < self.n:
                # Few previous hits: copying them out costs less than scanning every row.
                rows = np.flatnonzero(hits)
                text = self._search[rows]
        else:
            hits = np.ones(self.n, dtype=bool)
        if rows is None:
            for word in words:
                hits &= np.strings.find(text, word.encode()) >= 0
        else:
            keep = np.ones(len(rows), dtype=bool)
            for word in words:
                keep &= np.strings.find(text, word.encode()) >= 0
            hits[rows[~keep]] = False
        self._hits = (needle, hits)
        return hits

    def mask(self, flt: AlertFilter, *, with_severity: bool = True) -> np.ndarray:
        """Which rows the filter keeps (over all rows, in storage order)."""
        keep = self._is("status", STATUS_FILTERS.get(flt.status, STATUS_FILTERS["all"])[1])
        if with_severity and flt.severities:
            keep &= self._is("severity", flt.severities)
        if flt.owner is not None:
            keep &= self._is("owner", [flt.owner])
        if flt.mine_owner is not None:
            keep &= self._is("owner", [flt.mine_owner])
        if flt.segment is not None:
            keep &= self._is("segment", [flt.segment])
        needle = flt.search.strip().lower()
        if needle:
            keep &= self.search_hits(needle)
        return keep

    @property
    def held_back(self) -> int:
        """How many alerts the daily cap held back (not raised: not in ``total``)."""
        lookup, codes = self._codes["status"]
        code = lookup.get("held_back")
        return 0 if code is None else int(np.count_nonzero(codes == code))

    def values(self, name: str) -> list[str]:
        """The distinct non-empty values of a text column, sorted (for the filter menus)."""
        if name in self._codes:
            return sorted(v for v in self._codes[name][0] if v)
        col = self.columns[name]
        return sorted({str(v) for v in col if v is not None and v == v and str(v)})


class AlertListModel(QAbstractListModel):
    """Alerts as cards, filtered and in priority order.

    Signals:
        counts_changed(dict): open alerts per severity under the other filters.
    """

    counts_changed = Signal(dict)

    def __init__(self, parent: Any = None, *, clock: Callable[[], dt.datetime] = utc_now) -> None:
        super().__init__(parent)
        self._data: AlertListData | None = None
        self._rows = np.zeros(0, dtype=np.int64)
        self._filter = AlertFilter()
        self._clock = clock

    # ------------------------------------------------------------------ data in
    def set_data(self, data: AlertListData | None) -> None:
        self.beginResetModel()
        self._data = data
        self._rows = self._visible()
        self.endResetModel()
        self._emit_counts()

    def set_filter(self, flt: AlertFilter) -> None:
        if flt == self._filter:
            return
        self._filter = flt
        rows = self._visible()
        if np.array_equal(rows, self._rows):
            self._emit_counts()
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()
        self._emit_counts()

    @property
    def filter(self) -> AlertFilter:
        return self._filter

    @property
    def data_set(self) -> AlertListData | None:
        return self._data

    def _visible(self) -> np.ndarray:
        if self._data is None or self._data.n == 0:
            return np.zeros(0, dtype=np.int64)
        keep = self._data.mask(self._filter)
        order = self._data.order
        rows: np.ndarray = order[keep[order]]
        return rows

    def severity_counts(self) -> dict[str, int]:
        """Alerts per severity that the other filters keep (the chips' numbers)."""
        if self._data is None:
            return {s: 0 for s in SEVERITIES}
        keep = self._data.mask(self._filter, with_severity=False)
        lookup, codes = self._data._codes["severity"]
        counts = np.bincount(codes[keep], minlength=len(lookup))
        return {s: int(counts[lookup[s]]) if s in lookup else 0 for s in SEVERITIES}

    def _emit_counts(self) -> None:
        self.counts_changed.emit(self.severity_counts())

    # ------------------------------------------------------------------ lookups
    def row_of(self, alert_id: int) -> int:
        """The visible row of an alert, or -1."""
        if self._data is None:
            return -1
        hits = np.flatnonzero(self._data.columns["id"][self._rows] == alert_id)
        return int(hits[0]) if len(hits) else -1

    def alert_id(self, row: int) -> int:
        assert self._data is not None
        return int(self._data.columns["id"][self._rows[row]])

    def record(self, row: int) -> dict[str, Any]:
        """The visible row's fields as a dict (what the delegate draws)."""
        assert self._data is not None
        i = int(self._rows[row])
        return {name: self._data.columns[name][i] for name in ALERT_COLUMNS}

    def total(self) -> int:
        """The alerts raised (those held back by the daily cap are not counted)."""
        return 0 if self._data is None else self._data.n - self._data.held_back

    def held_back_count(self) -> int:
        """Alerts held back by the daily cap that the other filters (owner, mine, segment,
        search) keep: the "N more held back" of the pane."""
        if self._data is None or self._data.held_back == 0:
            return 0
        flt = replace(self._filter, status="held_back")
        return int(np.count_nonzero(self._data.mask(flt, with_severity=False)))

    @property
    def currency(self) -> str:
        """The currency of the priorities (the workspace's home currency)."""
        return "USD" if self._data is None else self._data.currency

    # ------------------------------------------------------------------ Qt API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
            AlertIdRole,
            CustomerIdRole,
            SeverityRole,
        ):
            return None
        if not index.isValid() or self._data is None or index.row() >= len(self._rows):
            return None
        i = int(self._rows[index.row()])
        c = self._data.columns
        if role == AlertIdRole:
            return int(c["id"][i])
        if role == CustomerIdRole:
            return int(c["customer_id"][i])
        if role == SeverityRole:
            return str(c["severity"][i])
        stake = stake_text(str(c["severity"][i]), int(c["priority_cents"][i]), self._data.currency)
        text = f"{c['customer'][i]}: {c['reason'][i]} ({stake})"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{c['rule'][i]}\n{c['reason'][i]}\n{stake}"
        return text

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


def stake_text(severity: str, cents: int, currency: str) -> str:
    """What is at stake: revenue at risk, or the upside of an opportunity."""
    amount = format_money(cents / 100.0, currency, cents=False)
    return f"{amount} upside" if severity == "opportunity" else f"{amount} at risk"


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

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        # The width is the view's (the list never scrolls sideways); only the height counts.
        return QSize(0, self.CARD_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        model = index.model()
        if not isinstance(model, AlertListModel) or not index.isValid():
            return
        rec = model.record(index.row())
        theme = self._theme
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = option.rect.adjusted(4, 3, -4, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        bg = QColor(theme.selection if selected else theme.hover if hovered else theme.surface)
        painter.setPen(QPen(QColor(theme.primary if selected else theme.border), 1))
        painter.setBrush(bg)
        painter.drawRoundedRect(card, 6, 6)
        severity = str(rec["severity"])
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

        # Line 1: customer (bold) and company, stake on the right.
        y = card.top() + 8
        stake = stake_text(severity, int(rec["priority_cents"]), model.currency)
        painter.setFont(bold)
        stake_w = fm_bold.horizontalAdvance(stake)
        stake_colour = QColor(text_colour)
        if severity == "critical":
            stake_colour = QColor(theme.critical)
        elif severity == "opportunity":
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
        company = _text(rec["company"])
        if company and used + 40 < name_room:
            painter.setFont(small)
            painter.setPen(muted)
            room = name_room - used - 8
            painter.drawText(
                QRect(left + used + 8, y, room, fm_bold.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                fm_small.elidedText(company, Qt.TextElideMode.ElideRight, room),
            )

        # Line 2: the reason.
        y += fm_bold.height() + 4
        painter.setFont(base)
        painter.setPen(text_colour)
        painter.drawText(
            QRect(left, y, width, fm.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            fm.elidedText(_text(rec["reason"]), Qt.TextElideMode.ElideRight, width),
        )

        # Line 3: rule · age · owner, status and do-not-contact on the right.
        y += fm.height() + 4
        painter.setFont(small)
        tags: list[tuple[str, QColor]] = []
        status = str(rec["status"])
        if status != "open":
            tags.append((STATUS_LABELS.get(status, status), QColor(theme.accent)))
        if bool(rec["do_not_contact"]):
            tags.append(("Do not contact", QColor(theme.critical)))
        x_right = right
        for label, colour in tags:
            w = fm_small.horizontalAdvance(label) + 12
            chip = QRect(x_right - w, y, w, fm_small.height() + 2)
            painter.setPen(QPen(colour, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(chip, 4, 4)
            painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), label)
            x_right -= w + 6
        owner = _text(rec["owner"]) or "no owner"
        meta = " · ".join(
            p for p in (_text(rec["rule"]), age_text(rec["created_at"], model.clock()), owner) if p
        )
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

"""The dashboard's top reasons for complaints (``ReasonsPanel``): the reasons learned from
the workspace's negative tickets and reviews, the most common first, each with how many
texts and customers it holds, a mark when it is rising sharply, and an example quote.

A reason's name opens its customers (``reason_clicked`` with the ReasonSummary). Quotes
are the customers' own words: shown as plain text (escaped), never as markup.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from services.core.formatting import format_short_date, plural
from services.listen.records import ReasonSummary

SHOWN = 6
EMPTY_TEXT = (
    "No reasons yet: they are learned once the workspace holds enough negative tickets "
    "and reviews (20 or more)."
)


def spike_words(reason: ReasonSummary) -> str:
    """ "Rising: 30 in the last 30 days (about 4 a month before)"."""
    return (
        f"Rising: {reason.last_30:,} in the last 30 days "
        f"(about {reason.before_monthly:.0f} a month before)"
    )


def _counts(counter: Mapping[str, int], limit: int = 6) -> str:
    ranked = sorted(counter.items(), key=lambda kv: -kv[1])[:limit]
    return ", ".join(f"{k} {n:,}" for k, n in ranked)


def breakdown(reason: ReasonSummary) -> str:
    """The reason's words and its counts by month, kind and channel, in words."""
    months = sorted(reason.by_month.items())[-6:]
    lines = [
        f"Words: {', '.join(reason.terms)}",
        "By month: " + ", ".join(f"{m} {n:,}" for m, n in months),
        "By kind: " + _counts(reason.by_kind),
        "By channel: " + _counts(reason.by_channel),
    ]
    return "\n".join(lines)


class ReasonsPanel(QWidget):
    """The top reasons, a row each."""

    reason_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Top reasons for complaints", self)
        self.title.setObjectName("sectionTitle")
        self.period = QLabel("", self)
        self.period.setObjectName("kpiNote")
        self.period.setWordWrap(True)  # never wider than its card (larger text)
        self._rows = QVBoxLayout()
        self._rows.setSpacing(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.period)
        layout.addLayout(self._rows)
        layout.addStretch(1)
        self._reasons: list[ReasonSummary] = []
        self.row_labels: list[QLabel] = []

    def set_reasons(
        self, reasons: Sequence[ReasonSummary], negative_texts: int, period: str
    ) -> None:
        """Show the top reasons of ``period`` (in words: "Dec 1, 2025 – Nov 24, 2026")."""
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._reasons = list(reasons[:SHOWN])
        self.row_labels = []
        with_reason = sum(r.texts for r in reasons)
        texts = "text" if negative_texts == 1 else "tickets and reviews"
        sorted_into = f"; {with_reason:,} sorted into {plural(len(reasons), 'reason')}"
        self.period.setText(
            f"{negative_texts:,} negative {texts}, {period}" + (sorted_into if reasons else "")
        )
        if not self._reasons:
            empty = QLabel(EMPTY_TEXT, self)
            empty.setWordWrap(True)
            empty.setObjectName("kpiNote")
            self._rows.addWidget(empty)
            return
        for index, reason in enumerate(self._reasons):
            self._rows.addWidget(self._row(index, reason))

    def _row(self, index: int, reason: ReasonSummary) -> QWidget:
        row = QFrame(self)
        row.setObjectName("reasonRow")
        layout = QVBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        customers = len(reason.customer_ids)
        head = (
            f'<a href="{index}"><b>{html.escape(reason.label)}</b></a>'
            f" &nbsp;{plural(reason.texts, 'text')} · {plural(customers, 'customer')}"
        )
        if reason.spike:
            head += (
                f' &nbsp;<span style="font-weight:600">▲ {html.escape(spike_words(reason))}</span>'
            )
        label = QLabel(head, row)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        label.setToolTip(
            f"{breakdown(reason)}\nClick the name to list its {customers:,} customers."
        )
        label.linkActivated.connect(self._on_link_activated)
        layout.addWidget(label)
        self.row_labels.append(label)
        if reason.quotes:
            quote = reason.quotes[0]
            said = QLabel(row)
            said.setTextFormat(Qt.TextFormat.PlainText)  # the customer's words: only text
            said.setText(f"“{quote.words}” — {quote.kind}, {format_short_date(quote.day)}")
            said.setObjectName("kpiNote")
            said.setWordWrap(True)
            layout.addWidget(said)
        return row

    @property
    def reasons(self) -> list[ReasonSummary]:
        return list(self._reasons)

    def _on_link_activated(self, link: str) -> None:
        index = int(link)
        if 0 <= index < len(self._reasons):
            self.reason_clicked.emit(self._reasons[index])

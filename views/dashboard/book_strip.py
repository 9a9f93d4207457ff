"""The dashboard's renewals and retention, below the tiles: the renewals ahead in a sentence
with their customers a click away (those due, those at risk, those with a call due), and
retention over the last 12 complete months (customers kept, NRR, GRR). The figures are
their reports' own (services/usecases/book_lines.py)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from services.core.customer_filter import CustomerFilter
from services.core.formatting import plural
from services.usecases.book_records import AHEAD_DAYS, BookLines

RENEWALS = "Renewals"
RETENTION = "Retention"


class BookStrip(QFrame):
    """Two lines: the renewals ahead, and retention; each figure with customers opens them."""

    customers_requested = Signal(object)  # a CustomerFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bookStrip")
        self.renewals = QLabel(self)
        self.retention = QLabel(self)
        for label in (self.renewals, self.retention):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextBrowserInteraction
                | Qt.TextInteractionFlag.TextSelectableByMouse
            )
            label.setOpenExternalLinks(False)
        self.renewals.setAccessibleName(RENEWALS)
        self.retention.setAccessibleName(RETENTION)
        self.renewals.linkActivated.connect(self._on_renewals_link_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 10, 6)
        layout.setSpacing(2)
        layout.addWidget(self.renewals)
        layout.addWidget(self.retention)
        self.lines: BookLines | None = None
        self.hide()

    def set_lines(self, lines: BookLines | None) -> None:
        """Show the book's renewals and retention; None hides the strip."""
        self.lines = lines
        self.setVisible(lines is not None)
        if lines is None:
            return
        self.renewals.setText(_renewals_html(lines))
        self.retention.setText(f"<b>{RETENTION}</b>: {escape(lines.retention_words)}")
        # Focusable (their links, their text to select): each says what it holds.
        self.renewals.setAccessibleName(f"{RENEWALS}: {lines.renewals_words}")
        self.retention.setAccessibleName(f"{RETENTION}: {lines.retention_words}")
        self.setAccessibleName(
            f"{RENEWALS}: {lines.renewals_words} {RETENTION}: {lines.retention_words}"
        )

    def filter_for(self, link: str) -> CustomerFilter | None:
        """The customers a link of the renewals line opens (None: an unknown link)."""
        lines = self.lines
        if lines is None:
            return None
        chosen = {
            "due": (lines.due, f"Renewals in the next {AHEAD_DAYS} days"),
            "at_risk": (lines.at_risk, f"Renewals at risk in the next {AHEAD_DAYS} days"),
            "calls": (lines.calls_due, "Renewal calls due"),
        }.get(link)
        if chosen is None:
            return None
        return CustomerFilter(customer_ids=chosen[0], title=chosen[1])

    def _on_renewals_link_activated(self, link: str) -> None:
        chosen = self.filter_for(link)
        if chosen is not None:
            self.customers_requested.emit(chosen)


def _renewals_html(lines: BookLines) -> str:
    """The renewals headline, then its customers as links (those the figures count)."""
    words = f"<b>{RENEWALS}</b>: {escape(lines.renewals_words)}"
    if not lines.contracts:
        return words
    links = []
    if lines.due:
        links.append(f'<a href="due">{plural(len(lines.due), "customer")} due</a>')
    if lines.at_risk:
        links.append(f'<a href="at_risk">{len(lines.at_risk):,} at risk</a>')
    calls = plural(lines.calls, "renewal call")
    links.append(f'<a href="calls">{calls} due</a>' if lines.calls else f"{calls} due")
    return f"{words} Open: {' · '.join(links)}."

"""Why a customer is in the review queue, beside their draft: the reasons of their alert
card (most urgent first), their last paid order and their churn risk, in the words the
card and the customer's pane use (services/outreach/waiting.py reads them)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from services.core.formatting import format_date, format_percent
from services.outreach.batch_records import WhyInQueue

# How many of the card's reasons are listed (the rest are counted).
SHOWN_REASONS = 3


def why_text(why: WhyInQueue | None) -> str:
    """The reasons, the last order and the churn risk as rich text ("" when unknown)."""
    if why is None:
        return ""
    lines = [f"• {html.escape(r)}" for r in why.reasons[:SHOWN_REASONS]]
    more = len(why.reasons) - SHOWN_REASONS
    if more > 0:
        lines.append(f"+{more} more reason{'s' if more > 1 else ''}")
    if not why.reasons:
        lines.append("No active alert any more.")
    facts = []
    if why.last_order is not None:
        ago = why.last_order_days
        days = f" ({ago:,} day{'s' if ago != 1 else ''} ago)" if ago is not None else ""
        facts.append(f"Last order {format_date(why.last_order)}{days}")
    else:
        facts.append("No paid order yet")
    if why.churn_risk is not None:
        facts.append(f"Churn risk {format_percent(why.churn_risk)}")
    lines.append(html.escape(" · ".join(facts)))
    return "<b>Why they are here</b><br>" + "<br>".join(lines)


class QueueWhy(QLabel):
    """The box beside the draft that says why the customer is in the queue."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewWhy")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

    def show_why(self, why: WhyInQueue | None) -> None:
        """Show why (None: the box empties and hides)."""
        text = why_text(why)
        self.setText(text)
        self.setAccessibleName("Why they are here")
        self.setAccessibleDescription(self.text())
        self.setVisible(bool(text))

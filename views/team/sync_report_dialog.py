"""The report of a Sync back: a headline, then what was sent, what was not applied because
someone changed it on the server meanwhile (and who), what could not be sent (still in
the copy), and what became of the copy."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from views.kit.dialog_parts import set_tone
from views.kit.geometry import FitsScreen, resize_for_text

# A section's tone colours its heading: "positive", "warning", "critical" or "muted".
TONES = ("positive", "warning", "critical", "muted")


@dataclass(frozen=True)
class ReportSection:
    """One part of the report: a heading, its tone, and its lines (may be none)."""

    heading: str
    tone: str
    lines: tuple[str, ...] = ()


_TONE_COLOURS = {
    # Severity colours of the design (docs/design.md section 8); readable on light and dark.
    "positive": "#3f9d5a",
    "warning": "#e0822b",
    "critical": "#d6453d",
    "muted": "#8792a2",
}


def report_html(sections: Sequence[ReportSection]) -> str:
    """The sections as simple HTML (every text escaped: names come from customer data)."""
    parts = []
    for section in sections:
        colour = _TONE_COLOURS.get(section.tone, _TONE_COLOURS["muted"])
        parts.append(
            f'<p style="margin-top:10px; margin-bottom:4px"><b style="color:{colour}">'
            f"{html.escape(section.heading)}</b></p>"
        )
        if section.lines:
            items = "".join(
                f'<li style="margin-bottom:3px">{html.escape(line)}</li>' for line in section.lines
            )
            parts.append(f'<ul style="margin-top:0; margin-left:-20px">{items}</ul>')
    return "".join(parts)


class SyncReportDialog(QDialog):
    """The report of one Sync back (non-modal: the window stays usable)."""

    def __init__(
        self,
        headline: str,
        tone: str,
        sections: Sequence[ReportSection],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("syncReportDialog")
        self.setWindowTitle("Sync back")
        self.sections = tuple(sections)
        self.headline = QLabel(headline, self)
        self.headline.setObjectName("syncReportHeadline")
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setWordWrap(True)
        set_tone(self.headline, tone if tone in TONES else "muted")
        self.details = QTextBrowser(self)
        self.details.setObjectName("syncReportDetails")
        self.details.setOpenLinks(False)
        self.details.setHtml(report_html(self.sections))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self.headline)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        resize_for_text(self, 640, 420)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %

    def text(self) -> str:
        """Everything the dialog says, as plain text (for the tests and for copying)."""
        lines = [self.headline.text()]
        for section in self.sections:
            lines.append(section.heading)
            lines += [f"  {line}" for line in section.lines]
        return "\n".join(lines)

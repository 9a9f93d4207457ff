"""Draft for all's first question: the goal, the tone, who writes (the provider or the
templates), how many customers will be drafted and who is left out, with the reasons,
before anything starts. Opened with ``open()`` (never ``exec()``).

Signals:
    start_requested(goal, tone, offline): goal "" is each alert's own goal, tone "" the
        workspace's default.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from services.outreach.batch_records import BatchPlan
from services.outreach.records import GOAL_LABELS, TONE_LABELS
from views.kit.accessibility import name
from views.kit.combo import ComboBox

SKIPS_LISTED = 12  # customers named under their reason; the rest counted


class BatchStartDialog(QDialog):
    """Goal, tone, provider or templates; the count and the skipped; Start."""

    start_requested = Signal(str, str, bool)

    def __init__(self, plan: BatchPlan, what: str, parent: QWidget | None = None) -> None:  # noqa: PLR0915
        super().__init__(parent)
        self.setObjectName("batchStart")
        self.setWindowTitle("Draft for all")
        self.setMinimumWidth(560)
        self.plan = plan
        count = len(plan.to_draft)
        headline = QLabel(
            f"<b>{count:,} email{'s' if count != 1 else ''}</b> will be drafted, one per "
            f"customer, for {html.escape(what)}. You review each before anything is sent.",
            self,
        )
        headline.setObjectName("batchHeadline")
        headline.setWordWrap(True)

        self.goal = ComboBox(self)
        self.goal.addItem("Each alert's own goal", "")
        for key, label in GOAL_LABELS.items():
            self.goal.addItem(label, key)
        self.tone = ComboBox(self)
        self.tone.addItem("Each customer's tone (by segment, else the default)", "")
        for key, label in TONE_LABELS.items():
            self.tone.addItem(label, key)
        self.by_provider = QRadioButton(
            f"Your provider ({plan.provider})" if plan.provider else "Your provider", self
        )
        self.by_templates = QRadioButton("The templates (nothing leaves this computer)", self)
        if plan.provider is None:
            self.by_provider.setEnabled(False)
            self.by_provider.setToolTip(plan.provider_problem or "No provider is set up")
            self.by_templates.setChecked(True)
        else:
            self.by_provider.setChecked(True)
        form = QFormLayout()
        form.addRow("Goal", self.goal)
        form.addRow("Tone", self.tone)
        form.addRow("Written by", self.by_provider)
        form.addRow("", self.by_templates)
        if plan.provider_problem:
            problem = plan.provider_problem
            note = QLabel(problem[:1].upper() + problem[1:] + ".", self)
            note.setWordWrap(True)
            note.setObjectName("rowCount")
            form.addRow("", note)

        self.skipped = QLabel(self._skipped_text(), self)
        self.skipped.setObjectName("batchSkipped")
        self.skipped.setWordWrap(True)
        self.skipped.setTextFormat(Qt.TextFormat.RichText)

        layout = QVBoxLayout(self)
        layout.addWidget(headline)
        layout.addLayout(form)
        layout.addWidget(self.skipped)

        # A provider off this computer: its request is read before the first one goes.
        self.reviewed = QCheckBox("I have read what will be sent to this provider", self)
        self.request = QPlainTextEdit(plan.request_text, self)
        name(self.request, "What will be sent")
        self.request.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.request.setFont(mono)
        self.request.setMinimumHeight(160)
        if plan.needs_review:
            review = QLabel(
                "Each draft sends a request like this one (the first customer's) to your "
                "provider, off this computer. Read it before the batch starts.",
                self,
            )
            review.setWordWrap(True)
            layout.addWidget(review)
            layout.addWidget(self.request, 1)
            layout.addWidget(self.reviewed)
        else:
            self.request.hide()
            self.reviewed.hide()

        self.buttons = QDialogButtonBox(self)
        self.start_button = self.buttons.addButton(
            f"Draft {count:,}", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.start_button.setObjectName("primaryButton")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for widget in (self.by_provider, self.by_templates, self.reviewed):
            widget.toggled.connect(self._refresh)
        self._refresh()

    def _skipped_text(self) -> str:
        if not self.plan.skipped:
            return "Nobody is left out."
        lines = [f"Left out, with the reason: {len(self.plan.skipped):,}"]
        by_reason: dict[str, list[str]] = {}
        for skip in self.plan.skipped:
            by_reason.setdefault(skip.reason, []).append(skip.customer)
        for reason, names in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
            shown = ", ".join(html.escape(n) for n in names[:SKIPS_LISTED])
            more = f" and {len(names) - SKIPS_LISTED:,} more" if len(names) > SKIPS_LISTED else ""
            lines.append(f"<b>{html.escape(reason)}</b> ({len(names):,}): {shown}{more}")
        return "<br>".join(lines)

    def _refresh(self, *_args: object) -> None:
        needs = self.plan.needs_review and self.by_provider.isChecked()
        self.request.setEnabled(needs)
        self.reviewed.setEnabled(needs)
        ready = bool(self.plan.to_draft) and (not needs or self.reviewed.isChecked())
        self.start_button.setEnabled(ready)

    @property
    def offline(self) -> bool:
        return not self.by_provider.isChecked()

    def _on_buttons_accepted(self) -> None:
        self.start_requested.emit(
            str(self.goal.currentData() or ""), str(self.tone.currentData() or ""), self.offline
        )
        self.accept()

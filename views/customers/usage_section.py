"""The customer pane's "Product usage" section: the last 30 days (active users, sessions or
logins, minutes, documents viewed, each against the 30 days before), when the customer was
last active, which of the workspace's features they used, and their weeks as a chart.

It is handed a services.usage.records.CustomerUsage and shows its figures as they are.
A workspace with no usage at all shows no section; a customer with none, one line. The
chart module pulls in pyqtgraph: the chart is made with the first customer who has usage.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import days_ago, format_date
from services.usage.records import CustomerUsage, UsagePeriod, UsageSummary, WorkspaceFeatures
from views.customers.usage_words import (
    adoption_words,
    change,
    chart_series,
    feature_name,
    figure,
    session_count,
)
from views.kit.accessibility import describe, name
from views.kit.flow import FlowLayout
from views.kit.theme import LIGHT, Theme
from views.kit.tiles import ElidingLabel

if TYPE_CHECKING:
    from views.charts.usage_chart import UsageChart

NO_USAGE = "No product usage recorded for this customer."
# While the workspace's features are read (seconds at a million customers): no count yet.
READING_FEATURES = "Reading which features are in use…"
FEATURES_FAILED = "Could not read which features are in use."
# Chips shown at most; the rest are counted in a "+N more" chip (whole list in its tip).
MAX_CHIPS = 14


# The figures of the last 30 days, in order: the period's field and its noun ("sessions"
# is the source's sessions, else its logins: usage_words.session_count).
FIGURES = {
    "active_users": "active users",
    "sessions": "sessions",
    "minutes": "minutes",
    "documents_viewed": "documents viewed",
}


def _count(value: float) -> str:
    return f"{value:,.0f}"


class FigureRow:
    """One figure of the last 30 days in the section's grid: the value, what it counts and
    its change against the 30 days before."""

    def __init__(self, parent: QWidget, grid: QGridLayout, row: int) -> None:
        self.value = QLabel("", parent)
        self.value.setObjectName("usageValue")
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        font = self.value.font()
        font.setBold(True)
        self.value.setFont(font)
        self.noun = QLabel("", parent)
        self.change = ElidingLabel("", parent)
        self.change.setObjectName("usageChange")
        self.change.setProperty("tone", "")
        grid.addWidget(self.value, row, 0)
        grid.addWidget(self.noun, row, 1)
        grid.addWidget(self.change, row, 2)

    def show(self, recent: float, previous: float, noun: str) -> None:
        moved = change(recent, previous)
        self.value.setText(_count(recent))
        self.noun.setText(noun)
        self.change.setText(moved.words, moved.short)
        if self.change.property("tone") != (moved.tone or "muted"):
            self.change.setProperty("tone", moved.tone or "muted")
            self.change.style().unpolish(self.change)
            self.change.style().polish(self.change)
        words = f"{_count(recent)} {noun} in the last 30 days, {moved.words} ({_count(previous)})"
        name(self.value, f"{noun[:1].upper()}{noun[1:]}, last 30 days", words)
        self.change.set_tip(words)

    @property
    def text(self) -> tuple[str, str, str]:
        """(value, noun, change) as shown in full (tests)."""
        return self.value.text(), self.noun.text(), self.change.full_text()


class UsageSection(QWidget):
    """Product usage of the customer on screen (hidden when the workspace has none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usageSection")
        self._theme: Theme = LIGHT
        self._usage: CustomerUsage | None = None
        self.chart: UsageChart | None = None

        self.title_label = QLabel("Product usage · last 30 days")
        self.title_label.setObjectName("sectionTitle")
        self.last_active_label = QLabel("")
        self.last_active_label.setProperty("tone", "muted")
        self.none_label = QLabel(NO_USAGE, self)
        self.none_label.setProperty("tone", "muted")
        self.none_label.setWordWrap(True)

        # A row a figure: "4  active users  down 20% on the 30 days before" (whole words,
        # which a KPI tile's width would cut).
        self.figures = QFrame(self)
        self.figures.setObjectName("card")
        grid = QGridLayout(self.figures)
        grid.setContentsMargins(12, 8, 12, 8)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        self.rows: dict[str, FigureRow] = {}
        for row, key in enumerate(FIGURES):
            self.rows[key] = FigureRow(self.figures, grid, row)
        grid.setColumnStretch(2, 1)

        # "Uses 3 of 9 features", then a chip a feature: used ones first, unused greyed.
        self.features_box = name(QWidget(self), "Feature adoption")
        self._features = FlowLayout(self.features_box, spacing=6)
        self.adoption_label = QLabel("", self.features_box)
        self.adoption_label.setObjectName("usageAdoption")

        self.chart_card = QFrame(self)
        self.chart_card.setObjectName("card")
        self._chart_layout = QVBoxLayout(self.chart_card)
        self._chart_layout.setContentsMargins(6, 6, 6, 6)

        # When last active goes at the right of the title, or under it on a narrow pane.
        header = QWidget(self)
        header_flow = FlowLayout(header, spacing=10)
        header_flow.addWidget(self.title_label)
        header_flow.add_right(self.last_active_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(header)
        layout.addWidget(self.none_label)
        layout.addWidget(self.figures)
        layout.addWidget(self.features_box)
        layout.addWidget(self.chart_card)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.hide()

    @property
    def usage(self) -> CustomerUsage | None:
        """What the section shows (None before any customer)."""
        return self._usage

    # -- showing ---------------------------------------------------------------------------

    def show_usage(self, usage: CustomerUsage | None) -> None:
        """Show a customer's usage; hidden when the workspace holds none."""
        self._usage = usage
        if usage is None or not usage.workspace_has_usage:
            self.hide()
            return
        summary = usage.summary
        has = summary is not None
        self.none_label.setVisible(not has)
        for part in (self.figures, self.features_box, self.chart_card, self.last_active_label):
            part.setVisible(has)
        if summary is not None:
            self._show_last_active(summary)
            self._show_figures(summary)
            self._show_features(summary)
            self._show_chart(summary)
        self.show()
        self._fit_height()

    def show_features_seen(self, seen: WorkspaceFeatures | None) -> None:
        """The workspace's features, read after the customer's usage: the adoption row
        shows once they are in (for the day the usage is of)."""
        usage = self._usage
        summary = usage.summary if usage is not None else None
        if usage is None or summary is None or not usage.features_pending or seen is None:
            return
        if seen.as_of != summary.as_of:
            return  # read for another day: the next load reads both anew
        summary = replace(summary, features_seen=seen.names)
        self._usage = replace(usage, summary=summary, features_pending=False)
        self._show_features(summary)
        self._fit_height()

    def show_features_failed(self) -> None:
        """The workspace's features could not be read: say so where the count would be."""
        if self._usage is not None and self._usage.features_pending:
            self._clear_features()
            self.adoption_label.setText(FEATURES_FAILED)
            self._features.addWidget(self.adoption_label)
            self.features_box.show()
            self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """Ask for the height the section needs at its width: the feature chips wrap onto
        more rows on a narrow pane, and the pane scrolls rather than squeeze the chart."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        need = layout.totalHeightForWidth(self.width())
        if need > 0 and need != self.minimumHeight():
            self.setMinimumHeight(need)

    def _show_last_active(self, summary: UsageSummary) -> None:
        last = summary.last_active
        if last is None:
            self.last_active_label.setText("Never active")
            return
        ago = days_ago((summary.as_of - last).days)
        self.last_active_label.setText(f"Last active {ago} ({format_date(last)})")

    def _show_figures(self, summary: UsageSummary) -> None:
        visits, caption = session_count(summary)
        nouns = {"sessions": caption.lower()}
        for key, row in self.rows.items():
            field = visits if key == "sessions" else key
            recent = figure(summary.recent, field)
            previous = figure(summary.previous, field)
            row.show(recent, previous, nouns.get(key, FIGURES[key]))

    def _clear_features(self) -> None:
        while self._features.count():
            item = self._features.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self.adoption_label:
                widget.deleteLater()

    def _show_features(self, summary: UsageSummary) -> None:
        self._clear_features()
        if self._usage is not None and self._usage.features_pending:
            self.adoption_label.setText(READING_FEATURES)
            self._features.addWidget(self.adoption_label)
            describe(self.features_box, READING_FEATURES)
            self.features_box.show()
            return
        seen = summary.features_seen
        if not seen:
            # The source counts no features: nothing to adopt, no row.
            self.features_box.hide()
            return
        used = [f for f in summary.features_used if f in seen]
        unused = [f for f in seen if f not in used]
        self.adoption_label.setText(adoption_words(len(used), len(seen)))
        self._features.addWidget(self.adoption_label)
        chips = [(f, "info") for f in sorted(used, key=feature_name)]
        chips += [(f, "unused") for f in sorted(unused, key=feature_name)]
        for key, kind in chips[:MAX_CHIPS]:
            self._features.addWidget(self._chip(key, kind, summary))
        rest = chips[MAX_CHIPS:]
        if rest:
            more = QLabel(f"+{len(rest)} more", self.features_box)
            more.setProperty("chip", "muted")
            more.setToolTip(", ".join(feature_name(f) for f, _kind in rest))
            self._features.addWidget(more)
        names_used = ", ".join(feature_name(f) for f in used) or "none"
        names_unused = ", ".join(feature_name(f) for f in unused) or "none"
        describe(
            self.features_box,
            f"{self.adoption_label.text()} in the last 30 days. Used: {names_used}. "
            f"Not used: {names_unused}.",
        )
        self.features_box.show()

    def _chip(self, key: str, kind: str, summary: UsageSummary) -> QLabel:
        chip = QLabel(feature_name(key), self.features_box)
        chip.setProperty("chip", kind)
        uses = summary.recent.features.get(key, 0)
        chip.setToolTip(
            f"Used {uses:,} times in the last 30 days"
            if kind == "info"
            else "Not used in the last 30 days (others in the workspace use it)"
        )
        return chip

    def _show_chart(self, summary: UsageSummary) -> None:
        chart = self._ensure_chart()
        key, title, unit = chart_series(summary)
        weeks: tuple[UsagePeriod, ...] = summary.weeks
        chart.set_weeks(weeks, [figure(w, key) for w in weeks], unit=unit, title=title)

    def _ensure_chart(self) -> UsageChart:
        if self.chart is None:
            from views.charts.usage_chart import UsageChart

            self.chart = UsageChart(self.chart_card)
            self.chart.set_theme(self._theme)
            self._chart_layout.addWidget(self.chart)
        return self.chart

    # -- look ------------------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self.chart is not None:
            self.chart.set_theme(theme)

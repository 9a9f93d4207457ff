"""Results ▸ Who to contact: whom outreach is likely to change (services.learn.uplift).

A headline in words (the Qini coefficients of the uplift ranking and of the churn-risk
ranking, or "Not enough data yet: …" with the threshold), whether the estimates are
ranked and why (services.learn.uplift_wording.ranking_words: only once the ranking has
beaten a random order, ``UpliftReport.ranks``), the Qini curve on the past exposures
(cross-fitted: each past customer scored by models that never saw them), the
distribution of today's estimates for the customers with an active alert (a bar opens
its customers; empty, saying why, while they are not ranked) and how the estimate is
made. The model is fitted on the job runner each
time the section is shown or the workspace changes (about a second on a large book)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from services.learn.uplift_records import METHOD_WORDS, UpliftReport
from services.learn.uplift_wording import NOT_RANKED, lift_words, qini_headline, ranking_words
from views.charts.uplift_charts import QiniChart, UpliftDistributionChart
from views.item_models.customer_filters import CustomerFilter
from views.kit.accessibility import name
from views.kit.theme import Theme
from views.results.section_base import ResultsSection

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState

LOADING_TEXT = "Estimating who outreach is likely to change…"
NOT_RANKED_CHART = f"Not ranked: {NOT_RANKED[0].lower()}{NOT_RANKED[1:]}"


def headline(report: UpliftReport) -> str:
    """The section's verdict in a sentence or two (services.learn.uplift_wording)."""
    return qini_headline(report)


def counts_text(report: UpliftReport) -> str:
    """Who the estimate learnt from, and what the cards in Alerts show."""
    learnt = (
        f"Learnt from {report.contacted:,} contacted customers ({report.contacted_returns:,} "
        f"returned) and {report.held_out:,} held out ({report.held_out_returns:,} returned), "
        f"each counted over {report.window_days} days after the alert or the email. "
    )
    if report.ranks:
        return learnt + (
            f"{len(report.estimates):,} customers with an active alert have an estimate; "
            f"each card in Alerts shows its own, with a 90% band."
        )
    return learnt + f"Each card in Alerts shows the average instead: {lift_words(report)}"


class UpliftSection(ResultsSection):
    """Who to contact: the Qini curve and today's uplift estimates."""

    TITLE = "Who to contact"

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(jobs, parent)
        self.report: UpliftReport | None = None
        self._build()

    def _build(self) -> None:
        self.headline_label = QLabel(LOADING_TEXT, self)
        self.headline_label.setObjectName("resultsHeadline")
        self.headline_label.setWordWrap(True)
        self.ranking_label = QLabel("", self)
        self.ranking_label.setWordWrap(True)
        self.counts_label = QLabel("", self)
        self.counts_label.setObjectName("kpiNote")
        self.counts_label.setWordWrap(True)
        self.qini_chart = QiniChart(self)
        self.qini_chart.setMinimumHeight(260)
        self.distribution_chart = UpliftDistributionChart(self)
        self.distribution_chart.setMinimumHeight(260)
        self.distribution_chart.bar_clicked.connect(self._on_distribution_chart_bar_clicked)
        self.method_label = QLabel(METHOD_WORDS, self)
        self.method_label.setObjectName("kpiNote")
        self.method_label.setWordWrap(True)
        charts = QHBoxLayout()
        charts.addWidget(self.qini_chart, 1)
        charts.addWidget(self.distribution_chart, 1)
        body = QWidget(self)
        inner = QVBoxLayout(body)
        inner.addWidget(self.headline_label)
        inner.addWidget(self.ranking_label)
        inner.addWidget(self.counts_label)
        inner.addLayout(charts, 1)
        inner.addWidget(self.method_label)
        scroll = name(QScrollArea(self), self.TITLE)  # what a screen reader says
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def reload(self, since: dt.date | None, until: dt.date | None) -> None:
        """Fit the model again (the period does not apply: every closed window teaches)."""
        source = self._source
        if source is None:
            return
        self.headline_label.setText(LOADING_TEXT)

        def task(state: TaskState) -> UpliftReport:
            return source.load_uplift(state.cancelled)

        (
            self._jobs.operation(task, parent=self, key=("results.uplift", id(self)))
            .success(self.show_report)
            .failure(self._jobs.present_error)
            .run()
        )

    def show_report(self, report: UpliftReport) -> None:
        """Show a report (the loader's result; tests hand one directly)."""
        self.report = report
        self.headline_label.setText(headline(report))
        self.ranking_label.setText(ranking_words(report))
        self.ranking_label.setVisible(report.enough)
        self.counts_label.setText(counts_text(report) if report.enough else "")
        self.qini_chart.set_curves(report.model_curve, report.risk_curve)
        # Today's estimates as a distribution only while they may be ranked.
        ranked = report.bars if report.ranks else ()
        if report.enough:
            self.distribution_chart.set_bars(ranked, NOT_RANKED_CHART)
        else:
            self.distribution_chart.set_bars(ranked)

    def _on_distribution_chart_bar_clicked(self, key: object) -> None:
        if not isinstance(key, int):
            return
        customers = self.distribution_chart.customers_of(key)
        label = self.distribution_chart.label_of(key)
        title = f"Estimated uplift {label} points ({len(customers):,})"
        self.customers_requested.emit(
            CustomerFilter(customer_ids=frozenset(customers), title=title)
        )

    def set_theme(self, theme: Theme) -> None:
        super().set_theme(theme)
        self.qini_chart.set_theme(theme)
        self.distribution_chart.set_theme(theme)

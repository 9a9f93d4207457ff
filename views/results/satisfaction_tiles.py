"""The Results tab's "Satisfaction" part: NPS and CSAT by month (a chart and its figures,
for everyone or one owner's customers) and their change after outreach against the
holdout, as tiles (the numbers of services.learn.satisfaction). The after-outreach tiles
open the customers whose answers they compare."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from services.core.formatting import plural
from services.learn.satisfaction_records import (
    ALL_OWNERS,
    NPS,
    ChangeAfterOutreach,
    MonthScore,
    SatisfactionReport,
    change_value_text,
    csat_text,
    month_label,
    nps_text,
)
from views.charts.satisfaction_chart import SatisfactionChart
from views.item_models.customer_filters import CustomerFilter
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.combo import ComboBox
from views.kit.lists import PeopleTableView
from views.kit.tiles import KpiTile
from views.results.breakdown_table import set_up_breakdown_table

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState
    from views.kit.theme import Theme
    from views.results.source import ResultsSource

CHART_HEIGHT = 250
COLUMNS = (
    WorkColumn("Month", lambda s: month_label(s.month)),
    WorkColumn("NPS", lambda s: nps_text(s.nps),
               tooltip=lambda s: f"{s.promoters:,} promoters, {s.passives:,} passives, "
               f"{s.detractors:,} detractors"),
    WorkColumn("Answers", lambda s: f"{s.nps_responses:,}",
               tooltip=lambda s: "Customers who answered the NPS survey (latest answer)"),
    WorkColumn("CSAT", lambda s: csat_text(s.csat)),
    WorkColumn("Rated", lambda s: f"{s.csat_responses:,}",
               tooltip=lambda s: "Support tickets rated good or bad"),
)  # fmt: skip
TILES = (
    ("nps", "NPS"),
    ("csat", "CSAT"),
    ("nps_change", "NPS after outreach"),
    ("csat_change", "CSAT after outreach"),
)


def change_tile_text(change: ChangeAfterOutreach) -> tuple[str, str, str]:
    """(value, note, tone) of an after-outreach tile."""
    if not change.enough or change.difference is None:
        return (
            "Not enough data",
            f"{plural(change.fewest_paired, 'paired answer')}, "
            f"at least {change.min_paired:,} needed",
            "",
        )
    unit = " points" if change.measure == NPS else ""
    ci = round(change.confidence * 100)
    low = change_value_text(change.measure, change.low).replace(" pts", "")
    high = change_value_text(change.measure, change.high)
    tone = ""
    if change.low is not None and change.low > 0:
        tone = "positive"
    elif change.high is not None and change.high < 0:
        tone = "critical"
    value = change_value_text(change.measure, change.difference) + unit
    return value, f"against the holdout ({ci}% CI {low} to {high})", tone


def rates_text(change: ChangeAfterOutreach) -> str:
    """How many alerts of each arm had an answer before and after."""

    def rate(paired: int, alerts: int) -> str:
        share = f"{round(100 * paired / alerts)}%" if alerts else "–"
        return f"{share} ({paired:,} of {alerts:,})"

    c, h = change.contacted, change.holdout
    return f"contacted {rate(c.paired, c.alerts)}, held out {rate(h.paired, h.alerts)}"


class SatisfactionTiles(QWidget):
    """NPS and CSAT of the period and after outreach (tiles), by month (chart, table).

    Signals:
        customers_requested(CustomerFilter): an after-outreach tile was clicked; the
            filter holds the customers whose answers it compares.
    """

    customers_requested = Signal(object)

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.report: SatisfactionReport | None = None
        self.title = QLabel("Satisfaction", self)
        self.title.setObjectName("sectionTitle")
        self.summary_label = QLabel("", self)
        self.summary_label.setObjectName("kpiNote")
        self.summary_label.setWordWrap(True)
        self.owner_combo = ComboBox(self)
        self.owner_combo.addItem("All owners", ALL_OWNERS)
        self.owner_combo.currentIndexChanged.connect(self._show_months)
        owner_label = QLabel("Owner", self)
        owner_label.setBuddy(self.owner_combo)
        words = QHBoxLayout()
        words.addWidget(self.title)
        words.addWidget(self.summary_label, 1)
        words.addWidget(owner_label)
        words.addWidget(self.owner_combo)
        self.tiles: dict[str, KpiTile] = {}
        row = QHBoxLayout()
        row.setSpacing(8)
        for key, caption in TILES:
            tile = KpiTile(caption, self)
            if key.endswith("_change"):
                tile.set_clickable(True)
                tile.clicked.connect(lambda k=key: self._on_tile_clicked(k))
            self.tiles[key] = tile
            row.addWidget(tile, 1)
        self.chart = SatisfactionChart(self)
        self.model = WorkListModel(COLUMNS, self)
        self.table = name(PeopleTableView(self), "NPS and CSAT by month")
        self.table.setModel(self.model)
        set_up_breakdown_table(self.table)
        self.table.setToolTip("")
        self.table.unsetCursor()
        self.method_label = QLabel("", self)
        self.method_label.setObjectName("kpiNote")
        self.method_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(words)
        layout.addLayout(row)
        layout.addWidget(self._months_card())
        layout.addWidget(self.method_label)
        # Never squeezed by the Results grid above it: the part keeps the height it needs.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _months_card(self) -> QFrame:
        card = QFrame(self)
        card.setObjectName("card")
        card.setFixedHeight(CHART_HEIGHT)
        inside = QHBoxLayout(card)
        inside.setContentsMargins(6, 6, 6, 6)
        inside.addWidget(self.chart, 3)
        inside.addWidget(self.table, 2)
        return card

    def reload(self, source: ResultsSource, since: dt.date | None, until: dt.date | None) -> None:
        """Read the figures of the period on the job runner."""

        def task(_state: TaskState) -> SatisfactionReport:
            return source.load_satisfaction(since, until)

        (
            self._jobs.operation(task, parent=self, key=("results.satisfaction", id(self)))
            .success(self.show_report)
            .failure(self._jobs.present_error)
            .run()
        )

    def set_theme(self, theme: Theme) -> None:
        """Recolour the chart and the table."""
        self.chart.set_theme(theme)
        self.model.set_theme(theme)

    def show_report(self, report: SatisfactionReport) -> None:
        """Show these figures."""
        self.report = report
        self._fill_owners(report.owners)
        for key, change in (("nps_change", report.nps_change), ("csat_change", report.csat_change)):
            value, note, tone = change_tile_text(change)
            self.tiles[key].set(value, note, tone)
            self.tiles[key].setToolTip(f"Answered before and after: {rates_text(change)}")
        first, last = month_label(report.months[0]), month_label(report.months[-1])
        self.summary_label.setText(
            f"NPS and CSAT from {first} to {last}; after outreach, answered before and "
            f"after: {rates_text(report.nps_change)}."
        )
        change = report.nps_change
        self.method_label.setText(
            "NPS: % promoters (9-10) minus % detractors (0-6), each customer's latest answer "
            "counted once. CSAT: the share of rated support tickets rated good. After "
            f"outreach: each alert's latest answer in the {change.before_days} days before it "
            f"against the first in the {change.after_days} days after the contact (held out: "
            "after the alert); the contacted's mean change minus the held out's."
        )
        self._show_months()

    def _show_period(self, period: MonthScore) -> None:
        """The NPS and CSAT tiles: the whole period, of everyone or the owner chosen."""
        self.tiles["nps"].set(
            nps_text(period.nps),
            f"{period.nps_responses:,} customers answered · {period.promoters:,} promoters, "
            f"{period.detractors:,} detractors",
            short_note=(f"{period.nps_responses:,} customers answered",),
        )
        self.tiles["csat"].set(
            csat_text(period.csat),
            f"{period.satisfied:,} of {period.csat_responses:,} rated tickets rated good",
            short_note=(f"of {period.csat_responses:,} rated tickets",),
        )

    def owner(self) -> str:
        """Whose customers the months show (``ALL_OWNERS``: everyone)."""
        return str(self.owner_combo.currentData())

    def months(self) -> tuple[MonthScore, ...]:
        """The months shown, as the chart and the table have them."""
        return self.report.series(self.owner()) if self.report else ()

    def _fill_owners(self, owners: tuple[str, ...]) -> None:
        chosen = self.owner()
        self.owner_combo.blockSignals(True)
        self.owner_combo.clear()
        self.owner_combo.addItem("All owners", ALL_OWNERS)
        for owner in owners:
            self.owner_combo.addItem(owner, owner)
        self.owner_combo.setCurrentIndex(max(0, self.owner_combo.findData(chosen)))
        self.owner_combo.blockSignals(False)

    def _show_months(self, *_args: object) -> None:
        months = self.months()
        self.chart.set_scores(months)
        self.model.set_rows(list(reversed(months)))  # the latest month first
        if self.report is not None:
            owner = self.owner()
            mine = self.report.owner_period.get(owner)
            self._show_period(self.report.period if owner == ALL_OWNERS or mine is None else mine)

    def _on_tile_clicked(self, key: str) -> None:
        report = self.report
        if report is None:
            return
        change = report.nps_change if key == "nps_change" else report.csat_change
        customers = sorted({*change.contacted.customer_ids, *change.holdout.customer_ids})
        title = f"{'NPS' if change.measure == NPS else 'CSAT'} answered before and after an alert"
        self.customers_requested.emit(
            CustomerFilter(customer_ids=frozenset(customers), title=f"{title} ({len(customers):,})")
        )

"""The Results tab: did outreach work.

A headline in words ("Outreach raised re-engagement by +7.9 points (95% CI +2.1 to
+13.6), 412 contacted vs 48 held out", or "Not enough data yet: ..."), a period and a
"Break down by" choice; tiles (the lift, each group's rate, won-back revenue, alert
quality, the at-risk share); charts of the lift with its interval, the two rates,
re-engagement by month, the time it took and the warning alerts gave; the breakdown
table; and what was set aside, in words.

Every figure opens the customers behind it: a tile, a bar, a point or a table row asks
for them with ``customers_requested`` (a :class:`CustomerFilter` of their ids, with a
title in words), which the window shows in the Customers tab, as the dashboard's do.

The report is read through the job runner (a newer request cancels the one in flight)
and only while the tab is shown: ``mark_stale`` after scoring or outreach reads it again
now if the tab is on screen, else when it is next shown. Only the page on screen reads
(the headline first), each other when shown; a report kept for the same data is instant.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import format_date
from services.learn.records import (
    BREAKDOWN_LABELS,
    BREAKDOWNS,
    EMAIL_BREAKDOWNS,
    Customers,
    EffectivenessReport,
    Slice,
)
from services.learn.wording import (
    incremental_clear,
    incremental_shorter,
    incremental_words,
    interval,
    lift_note,
    money,
    notes_words,
    period_words,
    points,
    rate,
    report_headline,
    verdict,
)
from views.charts.in_cards import place_charts
from views.item_models.customer_filters import CustomerFilter
from views.item_models.work_list_model import WorkListModel
from views.kit.accessibility import name
from views.kit.cards import card_grid
from views.kit.combo import ComboBox
from views.kit.flow import FlowLayout
from views.kit.geometry import VerticalScrollArea
from views.kit.lists import PeopleTableView
from views.kit.theme import LIGHT, Theme
from views.kit.tiles import KpiTile
from views.results.breakdown_table import AT_RISK_HEADER, breakdown_columns, set_up_breakdown_table
from views.results.early_warning import EarlyWarningSection
from views.results.response_tiles import ResponseTiles
from views.results.satisfaction_tiles import SatisfactionTiles
from views.results.sections import ResultsSection, section_classes
from views.results.source import ResultsSource

if TYPE_CHECKING:
    from views.charts.results_charts import (
        LiftChart,
        MonthsChart,
        RatesChart,
        WarningChart,
        WeeksChart,
    )
    from views.kit.jobs import JobRunner, TaskState
    from views.results.early_warning_source import EarlyWarningSource

NO_SOURCE_TEXT = "Open a workspace to see whether outreach works."
LOADING_TEXT = "Loading…"
ANY_DATE = QDate(2000, 1, 1)  # the date pickers' "any" (no bound)
RELOAD_DELAY_MS = 300
GROUP_WORDS = {"contacted": "Contacted", "holdout": "Held-out"}


class ResultsPane(QWidget):
    """The effectiveness report of a workspace, every figure opening its customers.

    Signals:
        customers_requested(CustomerFilter): a figure was clicked; the filter holds
            exactly the customers it counts.
        review_pack_requested(): Review pack… was clicked (the book's or a segment's).
    """

    customers_requested = Signal(object)
    review_pack_requested = Signal()

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsPane")
        self._jobs = jobs
        self._source: ResultsSource | None = None
        self._theme: Theme = LIGHT
        self._stale = True
        self.report: EffectivenessReport | None = None
        self.lift_chart: LiftChart | None = None
        self.rates_chart: RatesChart | None = None
        self.months_chart: MonthsChart | None = None
        self.weeks_chart: WeeksChart | None = None
        self.warning_chart: WarningChart | None = None
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)

        self._stack = QStackedWidget(self)
        self.message_label = QLabel(NO_SOURCE_TEXT, self)
        self.message_label.setObjectName("emptyState")
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._stack.addWidget(self.message_label)
        self.sections: list[ResultsSection] = []  # the further tabs (views/results/sections.py)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("resultsTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabBarAutoHide(True)  # one tab: no bar
        self.tabs.addTab(self._build_content(), "Outreach")
        for section_class in section_classes():
            section = section_class(jobs, self.tabs)
            section.customers_requested.connect(self.customers_requested)
            self.sections.append(section)
            # Taller than a short screen (a desktop scaled to 200 %): it scrolls.
            scroll = name(VerticalScrollArea(self.tabs), section_class.TITLE)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(section)
            self.tabs.addTab(scroll, section_class.TITLE)
        self._stack.addWidget(self.tabs)
        self._unread: set[int] = set()  # tabs whose figures are to be read when shown
        self._early: EarlyWarningSource | None = None  # given once the page first reads
        self.tabs.currentChanged.connect(self._on_tab_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

    # -- construction ---------------------------------------------------------------------

    def _build_content(self) -> QWidget:  # noqa: PLR0915
        scroll = name(QScrollArea(self), "Outreach results")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget(scroll)
        content.setObjectName("dashboardContent")
        content.setAutoFillBackground(True)
        content.setBackgroundRole(QPalette.ColorRole.Window)
        content.setMinimumHeight(640)

        self.headline_label = QLabel("", content)
        self.headline_label.setObjectName("paneTitle")
        self.headline_label.setWordWrap(True)
        self.subtitle_label = QLabel("", content)
        self.subtitle_label.setObjectName("kpiNote")
        self.subtitle_label.setWordWrap(True)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.headline_label)
        words.addWidget(self.subtitle_label)

        self.since_edit = self._date_edit(content, "Exposures from this date (Any: no bound)")
        self.until_edit = self._date_edit(content, "Exposures up to this date (Any: no bound)")
        self.by_combo = ComboBox(content)
        self.by_combo.addItem("Nothing", None)
        for key in BREAKDOWNS:
            self.by_combo.addItem(BREAKDOWN_LABELS[key], key)
        self.by_combo.setCurrentIndex(BREAKDOWNS.index("rule") + 1)
        self.by_combo.currentIndexChanged.connect(self._on_controls_changed)
        controls = FlowLayout(spacing=6)  # a pair a line when narrow (larger text)
        for text, widget in (
            ("From", self.since_edit),
            ("to", self.until_edit),
            ("Break down by", self.by_combo),
        ):
            pair = QWidget(content)
            both = QHBoxLayout(pair)
            both.setContentsMargins(0, 0, 0, 0)
            both.setSpacing(6)
            label = QLabel(text, pair)
            label.setBuddy(widget)
            both.addWidget(label)
            both.addWidget(widget)
            controls.addWidget(pair)
        top = QHBoxLayout()
        top.addLayout(words, 1)
        top.addLayout(controls)
        # The book's or a segment's review as a PDF or slides (app/gui/packs_controller.py).
        self.pack_button = QPushButton("Review pack…", content)
        self.pack_button.setObjectName("resultsReviewPack")
        self.pack_button.setToolTip("The book's or a segment's review as a PDF or slides")
        self.pack_button.clicked.connect(self.review_pack_requested)
        top.addWidget(self.pack_button, 0, Qt.AlignmentFlag.AlignTop)

        self.tiles: dict[str, KpiTile] = {}
        tiles = QHBoxLayout()
        tiles.setSpacing(8)
        for key, caption in (
            ("lift", "Lift"),
            ("contacted", "Contacted"),
            ("holdout", "Held out"),
            ("won_back", "Won back"),
            ("quality", "Alerted, held out: churned"),
            ("at_risk", "At risk now"),
        ):
            tile = KpiTile(caption, content)
            tile.set_clickable(True)
            tile.clicked.connect(lambda k=key: self._on_tile_clicked(k))
            self.tiles[key] = tile
            tiles.addWidget(tile, 1)
        self.tiles["quality"].caption.setText("HELD OUT, CHURNED", "CHURNED")
        # Made in the order they show, top to bottom: the order Tab walks (a later
        # section first would take the focus, and the page's scroll, down to it).
        self.response_tiles = ResponseTiles(self._jobs, content)  # time to action, own job
        self.response_tiles.customers_requested.connect(self.customers_requested)

        self._grid, self._cards = card_grid(content)

        table_card, table_layout = self._cards[5]
        self.breakdown_title = QLabel("Breakdown", table_card)
        self.breakdown_title.setObjectName("sectionTitle")
        self.breakdown_model = WorkListModel(breakdown_columns(None), self)
        self.breakdown_table = name(PeopleTableView(table_card), "Breakdown")
        self.breakdown_table.setModel(self.breakdown_model)
        set_up_breakdown_table(self.breakdown_table)
        self.breakdown_table.clicked.connect(self._on_breakdown_table_clicked)
        self.breakdown_note = QLabel("", table_card)
        self.breakdown_note.setObjectName("kpiNote")
        self.breakdown_note.setWordWrap(True)
        table_layout.addWidget(self.breakdown_title)
        table_layout.addWidget(self.breakdown_table, 1)
        table_layout.addWidget(self.breakdown_note)

        self.notes_label = QLabel("", content)
        self.notes_label.setObjectName("kpiNote")
        self.notes_label.setWordWrap(True)
        self.satisfaction_tiles = SatisfactionTiles(self._jobs, content)  # NPS and CSAT
        self.satisfaction_tiles.customers_requested.connect(self.customers_requested)
        self.early_warning = EarlyWarningSection(self._jobs, content)  # the alert replay

        layout = QVBoxLayout(content)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(tiles)
        layout.addWidget(self.response_tiles)
        layout.addLayout(self._grid, 1)
        layout.addWidget(self.notes_label)  # the notes of the figures above
        layout.addWidget(self.satisfaction_tiles)
        layout.addWidget(self.early_warning)
        scroll.setWidget(content)
        return scroll

    def _date_edit(self, parent: QWidget, tip: str) -> QDateEdit:
        edit = QDateEdit(parent)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("MMM d, yyyy")
        edit.setMinimumDate(ANY_DATE)
        edit.setSpecialValueText("Any")
        edit.setDate(ANY_DATE)
        edit.setToolTip(tip)
        edit.dateChanged.connect(self._on_controls_changed)
        return edit

    def _ensure_charts(self) -> None:
        if self.lift_chart is not None:
            return
        from views.charts.results_charts import (
            LiftChart,
            MonthsChart,
            RatesChart,
            WarningChart,
            WeeksChart,
        )

        self.lift_chart = LiftChart()
        self.rates_chart = RatesChart()
        self.months_chart = MonthsChart()
        self.weeks_chart = WeeksChart()
        self.warning_chart = WarningChart()
        charts = (
            (self.lift_chart, self._on_lift_chart_bar_clicked),
            (self.rates_chart, self._on_rates_chart_bar_clicked),
            (self.months_chart, self._on_months_chart_bar_clicked),
            (self.weeks_chart, self._on_weeks_chart_bar_clicked),
            (self.warning_chart, self._on_warning_chart_bar_clicked),
        )
        place_charts(self._cards, charts, self._theme)

    # -- state ----------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """ "empty" (no workspace), "loading" (nothing shown yet) or "data"."""
        if self._stack.currentIndex() == 1:
            return "data"
        return "loading" if self.message_label.text() == LOADING_TEXT else "empty"

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        """The period chosen (None: no bound)."""

        def day(edit: QDateEdit) -> dt.date | None:
            value = edit.date()
            return None if value == ANY_DATE else dt.date(value.year(), value.month(), value.day())

        return day(self.since_edit), day(self.until_edit)

    def set_period(self, since: dt.date | None, until: dt.date | None) -> None:
        """Choose the period (None: no bound); the report is read again."""
        for edit, value in ((self.since_edit, since), (self.until_edit, until)):
            edit.setDate(ANY_DATE if value is None else QDate(value.year, value.month, value.day))

    def breakdown(self) -> str | None:
        """What the table breaks the report down by (None: nothing)."""
        value = self.by_combo.currentData()
        return str(value) if value else None

    def set_breakdown(self, by: str | None) -> None:
        self.by_combo.setCurrentIndex(0 if by is None else BREAKDOWNS.index(by) + 1)

    def set_source(self, source: ResultsSource | None) -> None:
        """Show a workspace's results (None: no workspace open)."""
        self._source = source
        self.report = None
        self._stale = True
        early = getattr(source, "early_warning", None)
        # The replay's section reads after the headline (one database worker, in turn).
        self._early = early() if early is not None else None
        if self._early is None:
            self.early_warning.set_source(None)
        for section in self.sections:
            section.set_source(source)
        self.message_label.setText(NO_SOURCE_TEXT if source is None else LOADING_TEXT)
        self._stack.setCurrentIndex(0)
        if source is not None and self.isVisible():
            self.reload()

    def mark_stale(self) -> None:
        """The workspace changed (a scoring, an email recorded): read the report again,
        now when the tab is on screen, else when it is next shown."""
        self._stale = True
        if self.isVisible() and self._source is not None:
            self._reload_timer.start()

    def reload(self) -> None:
        """Read the figures for the period and breakdown chosen: the page on screen now,
        the other tabs when next shown (reports kept per data: app/gui/results_source.py)."""
        if self._source is None:
            return
        self._stale = False
        self._reload_timer.stop()
        self._unread = set(range(self.tabs.count()))
        current = max(0, self.tabs.currentIndex())
        if self.report is None and current:
            self._read_page(0)  # the tabs show once the headline report is in
        self._read_page(current)

    def _on_tab_changed(self, index: int) -> None:
        if index in self._unread and self._source is not None and not self._stale:
            self._read_page(index)

    def _read_page(self, index: int) -> None:
        self._unread.discard(index)
        since, until = self.period()
        if index > 0:
            self.sections[index - 1].reload(since, until)
            return
        source = self._source
        assert source is not None
        self._read_report(source, since, until)  # the headline first
        self.response_tiles.reload(source, since, until)
        self.satisfaction_tiles.reload(source, since, until)
        if self._early is not None:
            self.early_warning.set_source(self._early)
            self._early = None

    def _read_report(
        self, source: ResultsSource, since: dt.date | None, until: dt.date | None
    ) -> None:
        by = self.breakdown()
        if self.report is None:
            self.message_label.setText(LOADING_TEXT)
        else:
            self.subtitle_label.setText("Updating…")

        def task(_state: TaskState) -> EffectivenessReport:
            return source.load_report(since, until, by)

        (
            self._jobs.operation(task, parent=self, key=("results.load", id(self)))
            .success(self._on_report_loaded)
            .failure(self._on_report_failed)
            .run()
        )

    def _on_report_failed(self, error: BaseException) -> None:
        self._stale = True
        if self.report is None:
            self.message_label.setText("The results could not be read.")
        self._jobs.present_error(error)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale and self._source is not None:
            self.reload()

    def set_theme(self, theme: Theme) -> None:
        """Recolour the charts and the table."""
        self._theme = theme
        self.breakdown_model.set_theme(theme)
        self.satisfaction_tiles.set_theme(theme)
        self.early_warning.set_theme(theme)
        for section in self.sections:
            section.set_theme(theme)
        for chart in (
            self.lift_chart,
            self.rates_chart,
            self.months_chart,
            self.weeks_chart,
            self.warning_chart,
        ):
            if chart is not None:
                chart.set_theme(theme)

    # -- showing a report -----------------------------------------------------------------

    def _on_report_loaded(self, report: EffectivenessReport) -> None:
        if self._source is None:
            return
        self.report = report
        self._ensure_charts()
        self._stack.setCurrentIndex(1)
        self.headline_label.setText(report_headline(report))
        self.subtitle_label.setText(
            f"Customers alerted with the holdout on, {period_words(report)}: re-engaged means "
            f"a paid order within {report.window_days} days of the email (held out: of the "
            "alert). Click any figure for its customers."
        )
        self._set_tiles(report)
        self._set_charts(report)
        self._set_breakdown(report)
        self.notes_label.setText(notes_words(report))

    def _set_tiles(self, report: EffectivenessReport) -> None:
        lift = report.overall.lift
        tile = self.tiles["lift"]
        pts = points(lift.lift).replace(" points", " pts")
        if lift.lift is None:
            tile.set("—", "Not enough data yet", "")
        elif not lift.enough:  # the figure is not the headline: too few say nothing yet
            tile.set("Too few yet", f"{pts} so far: not enough data", "warning",
                     short_note=(f"{pts} so far",))  # fmt: skip
        elif verdict(lift) == "no clear effect":  # said first, the figure after it
            tile.set("No clear effect", f"{pts} · {interval(lift)}", "warning",
                     short_value=("Unclear",), short_note=(pts,))  # fmt: skip
        else:
            tile.set(pts, lift_note(lift), "")
        for key, group in (("contacted", lift.contacted), ("holdout", lift.holdout)):
            self.tiles[key].set(
                rate(group.rate) if group.rate is not None else "—",
                f"{group.reengaged.count:,} of {group.customers.count:,} re-engaged",
            )
        revenue = report.overall.revenue
        self.tiles["won_back"].set(
            money(report, revenue.won_back_cents),
            incremental_words(report, revenue),
            "" if revenue.incremental_cents is None or incremental_clear(revenue) else "warning",
            short_note=incremental_shorter(report, revenue),
        )
        quality = report.alert_quality
        self.tiles["quality"].set(
            rate(quality.churn_share) if quality.churn_share is not None else "—",
            f"{quality.churned.count:,} of {quality.decided.count:,} within "
            f"{quality.horizon_days} days",
        )
        risk = report.at_risk
        if risk is None:
            self.tiles["at_risk"].set("—", "Not scored yet")
        else:
            self.tiles["at_risk"].set(
                rate(risk.at_risk_share),
                f"{risk.at_risk.count:,} of {risk.scored:,}; engagement <50: "
                f"{rate(risk.low_engagement_share)}",
                short_note=(f"{risk.at_risk.count:,} of {risk.scored:,} scored",),
            )
            self.tiles["at_risk"].setToolTip(
                f"Churn risk {risk.threshold * 100:.0f}% or more (not counting Lost) in the "
                f"scoring of {format_date(risk.as_of)}; {rate(risk.low_engagement_share)} "
                f"({risk.low_engagement.count:,}) have an engagement below 50."
            )

    def _set_charts(self, report: EffectivenessReport) -> None:
        assert self.lift_chart is not None
        assert self.rates_chart is not None
        assert self.months_chart is not None
        assert self.weeks_chart is not None
        assert self.warning_chart is not None
        rows = [("All", report.overall)] + [(p.label or p.key, p) for p in report.breakdown]
        self.lift_chart.set_rows(
            [(key, p.lift.lift, p.lift.low, p.lift.high, p.lift.enough) for key, p in rows]
        )
        lift = report.overall.lift
        self.rates_chart.set_rates(
            {
                "contacted": (
                    lift.contacted.rate,
                    lift.contacted.reengaged.count,
                    lift.contacted.customers.count,
                ),
                "holdout": (
                    lift.holdout.rate,
                    lift.holdout.reengaged.count,
                    lift.holdout.customers.count,
                ),
            }
        )
        months = [f"{p.month:%b %Y}" for p in report.over_time]
        self.months_chart.set_months(
            months,
            {
                group: [
                    (getattr(p, group).rate, getattr(p, group).customers.count)
                    for p in report.over_time
                ]
                for group in ("contacted", "holdout")
            },
        )
        time = report.overall.time_contacted
        labels = [f"{first}-{min(first + 6, report.window_days)}" for first in time.week_first_days]
        self.weeks_chart.set_weeks(
            labels,
            {
                "contacted": list(report.overall.time_contacted.week_counts),
                "holdout": list(report.overall.time_holdout.week_counts),
            },
        )
        self.warning_chart.set_buckets(
            [(b.label, b.alerts.count) for b in report.alert_quality.warning_buckets]
        )

    def _set_breakdown(self, report: EffectivenessReport) -> None:
        by = report.by
        self.breakdown_model.set_columns(breakdown_columns(report))
        self.breakdown_model.set_rows(report.breakdown)
        self.breakdown_title.setText(
            f"By {BREAKDOWN_LABELS[by].lower()}" if by else "Breakdown: choose above"
        )
        note = report.breakdown_note
        if by and not report.breakdown:
            note = "Nothing to break down yet."
        self.breakdown_note.setText(note)
        self.breakdown_note.setVisible(bool(note))

    # -- opening customers ------------------------------------------------------------------

    def _open(self, customers: Customers, title: str) -> None:
        self.customers_requested.emit(
            CustomerFilter(
                customer_ids=frozenset(customers.customer_ids),
                title=f"{title} ({customers.count:,})",
            )
        )

    def _both(self, part: Slice) -> Customers:
        ids = sorted(
            set(part.lift.contacted.customers.customer_ids)
            | set(part.lift.holdout.customers.customer_ids)
        )
        return Customers(len(ids), tuple(ids))

    def _slice_title(self, part: Slice) -> str:
        report = self.report
        if not part.key or report is None or report.by is None:
            return "Contacted and held-out customers"
        return (
            f"{BREAKDOWN_LABELS[report.by]} {part.label or part.key}: contacted and held-out "
            "customers"
        )

    def _on_tile_clicked(self, key: str) -> None:
        report = self.report
        if report is None:
            return
        lift = report.overall.lift
        if key == "lift":
            self._open(self._both(report.overall), "Contacted and held-out customers")
        elif key in ("contacted", "holdout"):
            group = lift.contacted if key == "contacted" else lift.holdout
            self._open(group.customers, f"{GROUP_WORDS[key]} customers")
        elif key == "won_back":
            self._open(report.overall.revenue.reengaged, "Contacted customers who re-engaged")
        elif key == "quality":
            self._open(report.alert_quality.churned, "Held-out customers who churned")
        elif key == "at_risk" and report.at_risk is not None:
            self._open(report.at_risk.at_risk, "Customers at risk")

    def _on_lift_chart_bar_clicked(self, key: object) -> None:
        report = self.report
        if report is None:
            return
        parts = [report.overall, *report.breakdown]
        drawn = [p for p in parts if p.lift.lift is not None and p.lift.low is not None]
        part = drawn[int(key)]  # type: ignore[call-overload]
        self._open(self._both(part), self._slice_title(part))

    def _on_rates_chart_bar_clicked(self, key: object) -> None:
        if self.report is None:
            return
        lift = self.report.overall.lift
        group = lift.contacted if key == "contacted" else lift.holdout
        self._open(group.reengaged, f"{GROUP_WORDS[str(key)]} customers who re-engaged")

    def _on_months_chart_bar_clicked(self, key: object) -> None:
        if self.report is None:
            return
        group, month = cast(tuple[str, int], key)
        point = self.report.over_time[month]
        self._open(
            getattr(point, group).customers,
            f"{GROUP_WORDS[group]} customers, {point.month:%B %Y}",
        )

    def _on_weeks_chart_bar_clicked(self, key: object) -> None:
        if self.report is None:
            return
        group, week = cast(tuple[str, int], key)
        time = (
            self.report.overall.time_contacted
            if group == "contacted"
            else self.report.overall.time_holdout
        )
        ids = time.week_customer_ids[week]
        first = time.week_first_days[week]
        last = min(first + 6, self.report.window_days)
        self._open(
            Customers(len(ids), ids),
            f"{GROUP_WORDS[group]} customers who re-engaged on days {first}-{last}",
        )

    def _on_warning_chart_bar_clicked(self, key: object) -> None:
        if self.report is None:
            return
        bucket = self.report.alert_quality.warning_buckets[int(key)]  # type: ignore[call-overload]
        self._open(bucket.alerts, f"Churned held-out customers warned {bucket.label} ahead")

    def _on_breakdown_table_clicked(self, index: QModelIndex) -> None:
        report = self.report
        part = self.breakdown_model.record(index.row())
        if report is None or part is None or report.by is None:
            return
        column = self.breakdown_model.headerData(index.column(), Qt.Orientation.Horizontal)
        found = report.at_risk.by.get(part.key) if report.at_risk is not None else None
        if column == AT_RISK_HEADER and found is not None:
            self._open(
                found.at_risk,
                f"{BREAKDOWN_LABELS[report.by]} {part.label or part.key}: at risk",
            )
        elif report.by in EMAIL_BREAKDOWNS:
            self._open(
                part.lift.contacted.customers,
                f"{BREAKDOWN_LABELS[report.by]} {part.label or part.key}: contacted customers",
            )
        else:
            self._open(self._both(part), self._slice_title(part))

    def _on_controls_changed(self, *_args: object) -> None:
        if self._source is not None:
            self._reload_timer.start()

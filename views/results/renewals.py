"""Results ▸ Renewals: the renewals ahead and how they are forecast (services.renewals, the
same figures as ``report renewals``). First, in words, which forecast the likelihoods are
(the model, when its backtest beats its baselines, or the cold-start fallback) and why;
then tiles for the next 90 days, the pipeline by month, the upcoming renewals with their
likelihood, call and drivers (a row opens its customer), and forecast against actual for
the model and each owner. Every figure opens the customers behind it; filters by owner
and segment. A workspace without contracts says how to import them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from services.renewals.records import (
    AT_RISK_BELOW,
    Checked,
    PipelineMonth,
    RenewalsReport,
    Upcoming,
)
from services.renewals.wording import (
    AMOUNTS_WORDS,
    DISAGREES,
    EMPTY_WORDS,
    call_disagrees,
    call_words,
    chance,
    disagreement_tip,
    headline,
    likelihood_words,
    model_unchecked_words,
    model_words,
    money,
)
from views.charts.in_cards import place_charts
from views.item_models.customer_filters import CustomerFilter
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.cards import card
from views.kit.combo import ComboBox
from views.kit.lists import PeopleTableView
from views.kit.theme import Theme
from views.kit.tiles import KpiTile
from views.results.breakdown_table import set_up_breakdown_table
from views.results.section_base import ResultsSection

if TYPE_CHECKING:
    from views.charts.renewals_chart import PipelineChart
    from views.kit.jobs import JobRunner, TaskState
    from views.results.source import ResultsSource

NO_WORKSPACE = "Open a workspace to see its renewals."
ALL = ""  # the filters' "All owners" / "All segments"
TILES = (
    ("up", "Renewals in 90 days"),
    ("expected", "Expected"),
    ("committed", "Committed"),
    ("at_risk", "At risk"),
    ("decided", "Won · lost, 3 months"),
)
AHEAD_DAYS = 90
DRIVERS_COLUMN = 6  # the upcoming list's last column
NAME_MIN_WIDTH = 140  # pixels: the customer column never narrower


def upcoming_columns(report: RenewalsReport | None) -> list[WorkColumn]:
    """The upcoming list's columns. A likelihood below AT_RISK_BELOW is red; a call the
    model disagrees with says so in words ("Commit · disagrees", in the warning colour),
    so that red means one thing and colour is never the only sign. Every cell's tooltip
    holds its whole text (a long name or driver list is elided)."""

    def cash(u: Upcoming) -> str:
        return money(report, u.annual_cents) if report is not None else ""

    def low(u: Upcoming) -> str | None:
        return "alarm" if u.likelihood is not None and u.likelihood < AT_RISK_BELOW else None

    def odd(u: Upcoming) -> bool:
        return report is not None and call_disagrees(report, u)

    def call(u: Upcoming) -> str:
        return f"{call_words(u)} · {DISAGREES}" if odd(u) else call_words(u)

    def call_tip(u: Upcoming) -> str:
        return disagreement_tip(u) if u.call else "No call recorded yet"

    def likelihood_tip(u: Upcoming) -> str:
        below = f"; below {AT_RISK_BELOW:.0%}: at risk" if low(u) else ""
        return f"Likelihood to renew {likelihood_words(u)}{below}"

    def drivers(u: Upcoming) -> str:
        return "; ".join(u.drivers)

    return [
        WorkColumn("Customer", lambda u: u.name, tooltip=lambda u: u.name),
        WorkColumn("Renews", lambda u: f"{u.end:%b} {u.end.day}, {u.end.year}"),
        WorkColumn("Owner", lambda u: u.owner, tooltip=lambda u: u.owner),
        WorkColumn("A year", cash),
        WorkColumn("Likelihood", likelihood_words, tooltip=likelihood_tip, tone=low),
        WorkColumn("Call", call, tooltip=call_tip, tone=lambda u: "note" if odd(u) else None),
        WorkColumn("Drivers", drivers, tooltip=lambda u: drivers(u) or "No drivers"),
    ]


def legend_words(report: RenewalsReport) -> str:
    """What the upcoming list's marks mean."""
    gap = report.disagreement_gap
    apart = f"{gap * 100:.0f} points or more" if gap is not None else "far"
    return (
        f"Upcoming renewals: a likelihood in red is below {AT_RISK_BELOW:.0%}; "
        f"“{DISAGREES}” marks an owner's call {apart} from the model's likelihood."
    )


def actual_columns() -> list[WorkColumn]:
    """Forecast against actual's columns."""
    return [
        WorkColumn("Forecaster", lambda c: c.who),
        WorkColumn("Months before", lambda c: f"{c.checkpoint_months}"),
        WorkColumn("Renewals", lambda c: f"{c.count:,}"),
        WorkColumn("Hit rate", lambda c: chance(c.hit_rate)),
        WorkColumn(
            "Brier",
            lambda c: "–" if c.brier is None else f"{c.brier:.3f}",
            tooltip=lambda c: "Lower is better: 0 is a perfect forecast",
        ),  # fmt: skip
        WorkColumn("Forecast", lambda c: chance(c.mean_forecast)),
        WorkColumn("Renewed", lambda c: chance(c.renewed_share)),
    ]


class RenewalsSection(ResultsSection):
    """The renewals ahead, their pipeline, and how well they were forecast."""

    TITLE = "Renewals"

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(jobs, parent)
        self.report: RenewalsReport | None = None
        self.chart: PipelineChart | None = None
        self._period: tuple[dt.date | None, dt.date | None] = (None, None)
        self._build()

    def _build(self) -> None:
        scroll = name(QScrollArea(self), self.TITLE)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget(scroll)
        content.setObjectName("dashboardContent")
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        self.verdict_label = self._words(content, "resultsHeadline", NO_WORKSPACE)
        self.subtitle_label = self._words(content, "kpiNote", "")
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.subtitle_label)
        self.body = QWidget(content)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(8)
        body.addLayout(self._build_filters(self.body))
        body.addLayout(self._build_tiles(self.body))
        self.chart_card, self._chart_layout = card(self.body)
        self.chart_card.setMinimumHeight(230)
        body.addWidget(self.chart_card)
        self.upcoming_model = WorkListModel(upcoming_columns(None), self)
        self.upcoming_table = self._table(body, "Upcoming renewals", self.upcoming_model)
        # The names get the room they need up to a cap; the drivers take the rest, elided
        # (each cell's tooltip holds its whole text).
        header = self.upcoming_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DRIVERS_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.upcoming_table.clicked.connect(self._on_upcoming_clicked)
        self.actual_model = WorkListModel(actual_columns(), self)
        self.actual_table = self._table(body, "Forecast against actual", self.actual_model)
        self.actual_table.clicked.connect(self._on_actual_clicked)
        self.actual_note = self._words(self.body, "kpiNote", "")
        body.addWidget(self.actual_note)
        self.notes_label = self._words(self.body, "kpiNote", AMOUNTS_WORDS)
        body.addWidget(self.notes_label)
        layout.addWidget(self.body)
        layout.addStretch(1)
        self.body.hide()

    @staticmethod
    def _words(parent: QWidget, style: str, text: str) -> QLabel:
        label = QLabel(text, parent)
        label.setObjectName(style)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _build_filters(self, parent: QWidget) -> QHBoxLayout:
        self.owner_combo = ComboBox(parent)
        self.segment_combo = ComboBox(parent)
        row = QHBoxLayout()
        for text, combo in (("Owner", self.owner_combo), ("Segment", self.segment_combo)):
            combo.addItem(f"All {text.lower()}s", ALL)
            combo.activated.connect(lambda _i: self.reload(*self._period))
            label = QLabel(text, parent)
            label.setBuddy(combo)
            row.addWidget(label)
            row.addWidget(combo)
            row.addSpacing(12)
        row.addStretch(1)
        return row

    def _build_tiles(self, parent: QWidget) -> QHBoxLayout:
        self.tiles: dict[str, KpiTile] = {}
        row = QHBoxLayout()
        row.setSpacing(8)
        for key, caption in TILES:
            tile = KpiTile(caption, parent)
            tile.set_clickable(True)
            tile.clicked.connect(lambda k=key: self._open_tile(k))
            self.tiles[key] = tile
            row.addWidget(tile, 1)
        self.tiles["decided"].setToolTip(
            "Renewals won and lost in the last 3 months; net change: what renewed contracts "
            "gained at renewal less what they lost (expansion less contraction), a year"
        )
        return row

    def _table(self, layout: QVBoxLayout, title: str, model: WorkListModel) -> PeopleTableView:
        frame, column = card(self.body)
        heading = QLabel(title, frame)
        heading.setObjectName("sectionTitle")
        table = name(PeopleTableView(frame), title)
        table.setModel(model)
        set_up_breakdown_table(table)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setToolTip("Click a row for its customers")
        column.addWidget(heading)
        column.addWidget(table)
        layout.addWidget(frame)
        self._fit(table, 0)
        return table

    @staticmethod
    def _fit(table: PeopleTableView, rows: int) -> None:
        """As tall as its rows (the page scrolls, never the table)."""
        row = table.verticalHeader().defaultSectionSize()
        top = table.horizontalHeader().sizeHint().height()
        table.setFixedHeight(top + row * max(rows, 1) + 4)

    # -- reading ----------------------------------------------------------------------------

    def set_source(self, source: ResultsSource | None) -> None:
        super().set_source(source)
        self.report = None
        if source is None:
            self.verdict_label.setText(NO_WORKSPACE)
            self.body.hide()

    def owner(self) -> str | None:
        """The owner picked; None: all."""
        return cast(str, self.owner_combo.currentData()) or None

    def segment(self) -> str | None:
        """The segment picked; None: all."""
        return cast(str, self.segment_combo.currentData()) or None

    def reload(self, since: dt.date | None, until: dt.date | None) -> None:
        """Read the renewals for the period (its months) and the filters picked."""
        self._period = (since, until)
        source, owner, segment = self._source, self.owner(), self.segment()
        if source is None:
            return
        self.subtitle_label.setText("Updating…")

        def task(_state: TaskState) -> RenewalsReport:
            return source.load_renewals(since, until, owner, segment)

        # Mostly the model's backtest (seconds on a few thousand renewals): on the work
        # pool, its short reads on their own connections, so no other screen waits.
        (
            self._jobs.operation(task, parent=self, pool="work", key=("results.renewals", id(self)))
            .success(self.show_report)
            .failure(self._jobs.present_error)
            .run()
        )

    # -- showing ----------------------------------------------------------------------------

    def show_report(self, report: RenewalsReport) -> None:
        """Show a renewals report."""
        self.report = report
        if not report.contracts:
            self.verdict_label.setText(EMPTY_WORDS)
            self.subtitle_label.setText("")
            self.body.hide()
            return
        self.verdict_label.setText(model_words(report))
        self.subtitle_label.setText(f"{headline(report)} Click any figure for its customers.")
        self._fill(self.owner_combo, report.owners)
        self._fill(self.segment_combo, report.segments)
        self._set_tiles(report)
        self._show_chart(report)
        self.upcoming_model.set_columns(upcoming_columns(report))
        self.upcoming_model.set_rows(report.upcoming)
        self._fit(self.upcoming_table, len(report.upcoming))
        self._size_names()
        self.notes_label.setText(f"{legend_words(report)} {AMOUNTS_WORDS}")
        checks = (*report.model_checks, *report.owner_checks)
        self.actual_model.set_rows(checks)
        self._fit(self.actual_table, len(checks))
        unchecked = model_unchecked_words(report)
        self.actual_note.setText(
            (f"{unchecked} " if unchecked else "")
            + "Each forecast 6 and 3 months before the renewal date set against what happened. "
            "Hit: 50% or more and renewed, or below and churned; an owner's call counts as "
            "commit 95%, likely 75%, at risk 35%, lost 5%."
            if checks
            else "No renewal date has passed yet: forecast against actual shows once one has."
        )
        self.body.show()

    def _size_names(self) -> None:
        """The customer column as wide as its longest name, up to a third of the table."""
        table = self.upcoming_table
        # Measured from the names themselves, in the table's font: a report arrives while
        # the body is hidden, when Qt's own measure sees no row and the table no width.
        metrics = table.fontMetrics()
        names = [u.name for u in self.report.upcoming] if self.report is not None else []
        widest = max((metrics.horizontalAdvance(n) for n in names), default=0)
        wanted = widest + 2 * metrics.height()
        cap = max(NAME_MIN_WIDTH, max(table.viewport().width(), self.width() - 60) // 3)
        table.setColumnWidth(0, max(NAME_MIN_WIDTH, min(wanted, cap)))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.report is not None:
            self._size_names()

    @staticmethod
    def _fill(combo: ComboBox, names: Iterable[str]) -> None:
        picked = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for text in names:
            combo.addItem(text, text)
        combo.setCurrentIndex(max(combo.findData(picked), 0))
        combo.blockSignals(False)

    def _ahead(self) -> list[Upcoming]:
        report = self.report
        if report is None:
            return []
        last = report.as_of + dt.timedelta(days=AHEAD_DAYS)
        return [u for u in report.upcoming if u.end <= last]

    def _past(self) -> list[PipelineMonth]:
        report = self.report
        if report is None:
            return []
        first = report.as_of - dt.timedelta(days=AHEAD_DAYS)
        return [m for m in report.months if first.replace(day=1) <= m.month <= report.as_of]

    def _set_tiles(self, report: RenewalsReport) -> None:
        ahead = self._ahead()
        up = sum(u.annual_cents or 0.0 for u in ahead)
        expected = sum((u.annual_cents or 0.0) * (u.likelihood or 0.0) for u in ahead)
        committed = [u for u in ahead if u.call == "commit"]
        risky = [u for u in ahead if u.at_risk]
        share = f"{expected / up:.0%} of it" if up else "nothing up"
        self.tiles["up"].set(f"{len(ahead):,}", f"{money(report, up)} a year")
        self.tiles["expected"].set(money(report, expected), share)
        committed_cents = sum(u.annual_cents or 0.0 for u in committed)
        risky_cents = sum(u.annual_cents or 0.0 for u in risky)
        self.tiles["committed"].set(f"{len(committed):,}", money(report, committed_cents))
        self.tiles["at_risk"].set(f"{len(risky):,}", money(report, risky_cents),
                                  "critical" if risky else "")  # fmt: skip
        won = sum(len(m.won) for m in self._past())
        lost = sum(len(m.lost) for m in self._past())
        net = sum(m.expansion_cents - m.contraction_cents for m in self._past())
        # Expansion less contraction at renewal (the tile's tooltip says so), in words
        # short enough for the tile at 150 % text.
        sign = "+" if net > 0 else ""
        self.tiles["decided"].set(f"{won:,} · {lost:,}", f"{sign}{money(report, net)} net change")

    def _show_chart(self, report: RenewalsReport) -> None:
        if self.chart is None:
            from views.charts.renewals_chart import PipelineChart

            self.chart = PipelineChart()
            place_charts([(self.chart_card, self._chart_layout)],
                         [(self.chart, self._on_chart_bar_clicked)], self._theme)  # fmt: skip
        self.chart.currency = report.home
        self.chart.set_months(
            [f"{m.month:%b %Y}" for m in report.months],
            {
                "up": [m.up_cents for m in report.months],
                "expected": [m.expected_cents for m in report.months],
                "at_risk": [m.at_risk_cents for m in report.months],
            },
        )

    # -- opening customers ------------------------------------------------------------------

    def _customers_of(self, contracts: Iterable[int]) -> frozenset[int]:
        report = self.report
        if report is None:
            return frozenset()
        return frozenset(report.customers[c] for c in contracts if c in report.customers)

    def filter_words(self) -> str:
        """The filters in force, as the opened list's title names them: " · Owner: Dana
        Reyes · Segment: Loyal" ("" with none)."""
        picked = (("Owner", self.owner()), ("Segment", self.segment()))
        return "".join(f" · {what}: {value}" for what, value in picked if value)

    def _emit(self, customers: frozenset[int], title: str, *, filtered: bool = True) -> None:
        where = self.filter_words() if filtered else ""
        self.customers_requested.emit(
            CustomerFilter(customer_ids=customers, title=f"{title}{where} ({len(customers):,})")
        )

    def _open_tile(self, key: str) -> None:
        ahead = self._ahead()
        picks = {
            "up": (ahead, "Renewals in the next 90 days"),
            "expected": ([u for u in ahead if u.likelihood], "Renewals expected in 90 days"),
            "committed": ([u for u in ahead if u.call == "commit"], "Renewals committed"),
            "at_risk": ([u for u in ahead if u.at_risk], "Renewals at risk"),
        }
        if key == "decided":
            contracts = [c for m in self._past() for c in (*m.won, *m.lost)]
            self._emit(self._customers_of(contracts), "Renewals won and lost, 3 months")
            return
        rows, title = picks[key]
        self._emit(frozenset(u.customer_id for u in rows), title)

    def _on_chart_bar_clicked(self, key: object) -> None:
        report = self.report
        month_index, series = cast(tuple[int, str], key)
        if report is None or not 0 <= month_index < len(report.months):
            return
        m = report.months[month_index]
        contracts = {"up": m.contracts, "expected": m.contracts, "at_risk": m.at_risk}[series]
        words = {"up": "up for renewal", "expected": "up for renewal", "at_risk": "at risk"}
        self._emit(self._customers_of(contracts), f"Renewals {words[series]}, {m.month:%b %Y}")

    def _on_upcoming_clicked(self, index: QModelIndex) -> None:
        u: Upcoming = self.upcoming_model.record(index.row())
        title = f"{u.name}, renewing {u.end:%b} {u.end.day}"
        self._emit(frozenset({u.customer_id}), title, filtered=False)

    def _on_actual_clicked(self, index: QModelIndex) -> None:
        c: Checked = self.actual_model.record(index.row())
        title = f"Renewals forecast by {c.who}, {c.checkpoint_months} months before"
        self._emit(self._customers_of(c.contracts), title)

    def set_theme(self, theme: Theme) -> None:
        """Recolour the chart and the tables."""
        super().set_theme(theme)
        self.upcoming_model.set_theme(theme)
        self.actual_model.set_theme(theme)
        if self.chart is not None:
            self.chart.set_theme(theme)

"""The Dashboard tab: the workspace at a glance for an account manager.

A notice of the sources that are late or stale (none while the data is current), a row
of KPI tiles (at-risk share, revenue at risk, open alerts, scored customers, the date of
the scores) above a grid of charts: open alerts by severity and by age, the
churn-risk, health and engagement distributions, the segments and the trends over the
stored scoring runs.

Every figure opens what it counts: a tile or a bar asks for the list of customers
(a :class:`CustomerFilter`, ``customers_requested``) or of alerts (an
:class:`AlertQuery`, ``alerts_requested``) whose size is the figure, with a title in
words; pointing at one shows its exact figure. "At risk" has one meaning here: a churn
risk at or above the workspace's threshold, not counting the customers already Lost,
and the money figure is the revenue at risk (churn risk × last 12 months' revenue).

The pane is handed a :class:`DashboardData` (or None before the first scoring run) and
never queries. pyqtgraph, which costs a few hundred milliseconds to import, is loaded
with the first data shown, so an unscored workspace never pays for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from services.alerts.records import (
    BOOK_HEALTH_WORDS,
    REVENUE_AT_RISK_SHORT,
    REVENUE_AT_RISK_WORDS,
    SEVERITIES,
    STAKE_NAMES,
    book_health,
)
from services.core import money
from services.core.formatting import (
    days_ago,
    format_date,
    format_percent,
    format_short_date,
    plural,
)
from services.listen.records import ListenReport, ReasonSummary
from services.usecases.book_records import BookLines
from views.charts.in_cards import place_charts
from views.dashboard.book_strip import BookStrip
from views.dashboard.freshness_notice import FreshnessNotice
from views.dashboard.opens import (
    NOT_COUNTED,
    age_query,
    at_risk_filter,
    at_risk_wording,
    band_filter,
    negative_month_filter,
    open_alerts_query,
    reason_filter,
    revenue_at_risk_filter,
    scored_filter,
    segment_filter,
    severity_query,
)
from views.dashboard.reasons_panel import ReasonsPanel
from views.kit.accessibility import name
from views.kit.cards import card, card_grid
from views.kit.formatting import short_money, utc_now
from views.kit.theme import LIGHT, Theme
from views.kit.tiles import KpiTile, trend

if TYPE_CHECKING:
    from views.charts.alert_charts import AlertAgeChart, AlertSeverityChart
    from views.charts.distribution_charts import (
        ChurnRiskHistogram,
        ScoreDistributionChart,
        SegmentsChart,
    )
    from views.charts.sentiment_chart import SentimentChart
    from views.charts.trends_chart import TrendsChart

STALE_AFTER_DAYS = 7
# The content is this many times the pane's height: the tiles and two rows of score
# charts fill the view, the sentiment and reasons row follows below.
LISTEN_ROW_BELOW = 1.4
# The content's least height in lines of its text (880 px at 9 pt): with larger text
# (150 %, 200 %) the charts keep their room and the page scrolls instead of squashing them.
CONTENT_LINES = 63
# Each chart's plot: at least this many lines of its tick text above its bottom axis.
PLOT_LINES = 5
NOT_SCORED_TEXT = 'Not scored yet — <a href="score">Score now</a> (Ctrl+R)'
NOT_SCORED_HELP = (
    "Scoring fills this page: the customers at risk and the revenue at risk,\n"
    "open alerts, score distributions, segments and trends."
)
LOADING_TEXT = "Loading…"
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class DashboardData:
    """Everything the dashboard shows, computed off the UI thread."""

    as_of: dt.date | None  # date of the latest scoring run (None: never scored)
    scored_customers: int
    at_risk_customers: int  # churn risk >= at_risk_threshold, not counting segment Lost
    at_risk_threshold: float  # e.g. 0.6
    revenue_at_risk_cents: int  # sum of the customers' revenue at risk, in cents
    # Open alerts in cards, the Alerts tab's rows (a customer's alerts of one queue, by
    # their most urgent alert): each figure is the number of cards the list it opens
    # shows (views.dashboard.opens.open_cards). Critical, warning, opportunity, info.
    open_cards_by_severity: Mapping[str, int]
    # age bucket ("< 1 day", "1-7 days", "8-30 days", "> 30 days") -> severity -> cards
    open_cards_by_age: Mapping[str, Mapping[str, int]]
    churn_risk: np.ndarray  # 0..1 per scored customer (may be empty)
    health: np.ndarray  # 0..100 per scored customer
    engagement: np.ndarray  # 0..100 per scored customer
    segments: Sequence[tuple[str, int, int]]  # (segment, customers, revenue at risk cents)
    trend_dates: np.ndarray  # epoch seconds (UTC midnight) of each stored run, ascending
    trend_at_risk_share: np.ndarray  # 0..1 per run
    trend_revenue_at_risk_cents: np.ndarray
    trend_mean_health: np.ndarray
    config_change_dates: np.ndarray  # epoch seconds where scoring settings changed
    currency: str = "USD"  # of every money figure (the workspace's home currency)
    # Lost customers with a churn risk at or above the threshold (not in at_risk_customers).
    lost_at_risk_customers: int = 0
    # The open alerts on the open cards (a card holds one or more).
    open_alerts: int = 0
    # What customers' words say: sentiment by month and the reasons (None: not read).
    listen: ListenReport | None = None
    # The sources that are late or stale, a sentence each (services/freshness).
    stale_sources: tuple[str, ...] = ()
    # The renewals ahead, the calls due and retention over 12 months (None: not read).
    book: BookLines | None = None


def _day(seconds: float) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(seconds // 86_400))


def _previous_run(data: DashboardData) -> int | None:
    """Index of the run before the latest, when the latest stored run is this one."""
    dates = np.asarray(data.trend_dates, dtype=float)
    if data.as_of is None or len(dates) < 2 or _day(float(dates[-1])) != data.as_of:
        return None
    return len(dates) - 2


def _at(values: np.ndarray, i: int) -> float | None:
    v = np.asarray(values, dtype=float)
    return float(v[i]) if 0 <= i < len(v) and np.isfinite(v[i]) else None


class DashboardPane(QWidget):
    """KPI tiles and charts of the whole workspace.

    Signals:
        score_requested(): the user clicked "Score now" in the not-scored state.
        customers_requested(CustomerFilter): a figure counting customers was clicked;
            the filter finds exactly the customers it counts.
        alerts_requested(AlertQuery): a figure counting alerts was clicked; the query
            finds exactly the alerts it counts.
    """

    score_requested = Signal()
    customers_requested = Signal(object)
    alerts_requested = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPane")
        self._clock = clock
        self._theme: Theme = LIGHT
        self._data: DashboardData | None = None
        self._loading = False
        self.severity_chart: AlertSeverityChart | None = None
        self.age_chart: AlertAgeChart | None = None
        self.risk_chart: ChurnRiskHistogram | None = None
        self.scores_chart: ScoreDistributionChart | None = None
        self.segments_chart: SegmentsChart | None = None
        self.trends_chart: TrendsChart | None = None
        self.sentiment_chart: SentimentChart | None = None

        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._build_empty_page())
        self._stack.addWidget(self._build_loading_page())
        self._stack.addWidget(self._build_content_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self.set_data(None)

    # -- construction ---------------------------------------------------------------------

    def _build_empty_page(self) -> QWidget:
        page = QWidget(self)
        self.empty_label = QLabel(NOT_SCORED_TEXT, page)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setTextFormat(Qt.TextFormat.RichText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.empty_label.linkActivated.connect(self._on_empty_label_link_activated)
        help_label = QLabel(NOT_SCORED_HELP, page)
        help_label.setObjectName("kpiNote")
        help_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(page)
        layout.setSpacing(8)
        layout.addStretch(1)
        layout.addWidget(self.empty_label)
        layout.addWidget(help_label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    def _build_loading_page(self) -> QWidget:
        page = QWidget(self)
        self.loading_label = QLabel(LOADING_TEXT, page)
        self.loading_label.setObjectName("emptyState")
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(page)
        layout.addWidget(self.loading_label)
        return page

    def _build_content_page(self) -> QWidget:
        scroll = name(QScrollArea(self), "Dashboard")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget(scroll)
        # The window colour behind the cards (a tab page is `surface` like the cards).
        content.setObjectName("dashboardContent")
        content.setAutoFillBackground(True)
        content.setBackgroundRole(QPalette.ColorRole.Window)
        self._content = content
        content.setMinimumHeight(self.least_content_height())

        self.tiles: dict[str, KpiTile] = {}
        tiles = QHBoxLayout()
        tiles.setSpacing(8)
        for key, caption in (
            ("at_risk", "Customers at risk"),
            ("revenue_at_risk", "Revenue at risk"),
            ("open_alerts", "Open alerts"),
            ("scored", "Scored customers"),
            ("as_of", "Scores as of"),
        ):
            tile = KpiTile(caption, content)
            self.tiles[key] = tile
            # The at-risk tile says what it counts under its figure: a little more room.
            tiles.addWidget(tile, 4 if key == "at_risk" else 3)
        self.tiles["revenue_at_risk"].caption.setText(STAKE_NAMES["risk"].upper(), "AT RISK $")
        self.tiles["scored"].caption.setText("SCORED CUSTOMERS", "SCORED")
        self.tiles["at_risk"].caption.setText("CUSTOMERS AT RISK", "AT RISK")
        # In cards, the Alerts tab's rows: the figure is what its list shows.
        self.tiles["open_alerts"].caption.setText("OPEN ALERT CARDS", "OPEN CARDS")
        # Every tile that counts something opens it (the date counts nothing).
        for key, slot in (
            ("at_risk", self._on_at_risk_tile_clicked),
            ("revenue_at_risk", self._on_revenue_at_risk_tile_clicked),
            ("open_alerts", self._on_open_alerts_tile_clicked),
            ("scored", self._on_scored_tile_clicked),
        ):
            self.tiles[key].set_clickable(True)
            self.tiles[key].clicked.connect(slot)

        # Alerts first (what to act on), then who is at risk, segments, where it heads.
        self._grid, self._cards = card_grid(content)

        # What customers say: the sentiment trend and the top reasons, below the scores.
        self._grid.setRowStretch(2, 1)
        self._listen_cards = [card(content), card(content)]
        for column, (frame, _layout) in zip((0, 2), self._listen_cards, strict=True):
            self._grid.addWidget(frame, 2, column, 1, 2)
        self.reasons_panel = ReasonsPanel(self._listen_cards[1][0])
        self._listen_cards[1][1].addWidget(self.reasons_panel)
        self.reasons_panel.reason_clicked.connect(self._on_reasons_panel_reason_clicked)

        self.freshness_notice = FreshnessNotice(content)
        self.book_strip = BookStrip(content)
        self.book_strip.customers_requested.connect(self.customers_requested)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addWidget(self.freshness_notice)
        layout.addLayout(tiles)
        layout.addWidget(self.book_strip)
        layout.addLayout(self._grid, 1)
        scroll.setWidget(content)
        return scroll

    def _ensure_charts(self) -> None:
        if self.trends_chart is not None:
            return
        from views.charts.alert_charts import AlertAgeChart, AlertSeverityChart
        from views.charts.distribution_charts import (
            ChurnRiskHistogram,
            ScoreDistributionChart,
            SegmentsChart,
        )
        from views.charts.trends_chart import TrendsChart

        self.severity_chart = AlertSeverityChart()
        self.age_chart = AlertAgeChart()
        self.trends_chart = TrendsChart()
        self.risk_chart = ChurnRiskHistogram()
        self.scores_chart = ScoreDistributionChart()
        self.segments_chart = SegmentsChart()
        from views.charts.sentiment_chart import SentimentChart

        self.sentiment_chart = SentimentChart(self._listen_cards[0][0])
        self.sentiment_chart.set_theme(self._theme)
        self.sentiment_chart.keep_plot_lines(PLOT_LINES)
        self._listen_cards[0][1].addWidget(self.sentiment_chart)
        self.sentiment_chart.bar_clicked.connect(self._on_sentiment_chart_bar_clicked)
        charts = (
            (self.severity_chart, self._on_severity_chart_bar_clicked),
            (self.age_chart, self._on_age_chart_bar_clicked),
            (self.trends_chart, None),
            (self.risk_chart, self._on_risk_chart_bar_clicked),
            (self.scores_chart, self._on_scores_chart_bar_clicked),
            (self.segments_chart, self._on_segments_chart_bar_clicked),
        )
        place_charts(self._cards, charts, self._theme, plot_lines=PLOT_LINES)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """The scores (tiles and the six charts) fill the window; what customers say
        (sentiment and reasons) is the row below, a scroll away."""
        super().resizeEvent(event)
        least = self.least_content_height()
        self._content.setMinimumHeight(max(least, int(self.height() * LISTEN_ROW_BELOW)))

    def least_content_height(self) -> int:
        """The content's least height: CONTENT_LINES lines of the pane's text."""
        return CONTENT_LINES * self.fontMetrics().lineSpacing()

    # -- state ----------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """What the pane shows: "empty", "loading" or "data"."""
        return ("empty", "loading", "data")[self._stack.currentIndex()]

    @property
    def data(self) -> DashboardData | None:
        return self._data

    def set_loading(self) -> None:
        """Data is on its way. Figures already shown stay, with a quiet note in the date
        tile; otherwise a plain "Loading…" page."""
        self._loading = True
        if self._data is not None:
            tile = self.tiles["as_of"]
            tile.set(tile.value.full_text(), "Updating…", "")
            return
        self._stack.setCurrentIndex(1)

    def set_data(self, data: DashboardData | None) -> None:
        """Show a dashboard; None shows how to get one (score the workspace)."""
        self._loading = False
        self._data = data
        if data is None:
            self._stack.setCurrentIndex(0)
            return
        self._ensure_charts()
        self._set_tiles(data)
        assert self.severity_chart is not None
        assert self.age_chart is not None
        assert self.risk_chart is not None
        assert self.scores_chart is not None
        assert self.segments_chart is not None
        assert self.trends_chart is not None
        self.severity_chart.set_counts(data.open_cards_by_severity)
        self.age_chart.set_counts(data.open_cards_by_age)
        self.risk_chart.set_values(data.churn_risk, data.at_risk_threshold)
        self.scores_chart.set_values(data.health, data.engagement)
        self.segments_chart.currency = data.currency
        self.trends_chart.currency = data.currency
        self.segments_chart.set_segments(data.segments)
        self.trends_chart.set_trends(
            data.trend_dates,
            data.trend_at_risk_share,
            data.trend_revenue_at_risk_cents,
            data.trend_mean_health,
            data.config_change_dates,
        )
        self._set_listen(data.listen)
        self.freshness_notice.set_lines(data.stale_sources)
        self.book_strip.set_lines(data.book)
        self._stack.setCurrentIndex(2)

    def _set_listen(self, listen: ListenReport | None) -> None:
        assert self.sentiment_chart is not None
        if listen is None:
            self.sentiment_chart.set_months([])
            self.reasons_panel.set_reasons([], 0, "")
            return
        self.sentiment_chart.set_months(listen.trend)
        self.reasons_panel.set_reasons(listen.reasons, listen.negative_texts, self._period(listen))

    @staticmethod
    def _period(listen: ListenReport) -> str:
        return f"{format_date(listen.since)} – {format_date(listen.until)}"

    # -- tiles ----------------------------------------------------------------------------

    def _set_tiles(self, data: DashboardData) -> None:  # noqa: PLR0915
        previous = _previous_run(data)
        since = (
            f"since {format_short_date(_day(float(np.asarray(data.trend_dates)[previous])))}"
            if previous is not None
            else ""
        )

        # At risk: how many customers, and what that counts.
        scored = max(int(data.scored_customers), 0)
        at_risk = max(int(data.at_risk_customers), 0)
        lost = max(int(data.lost_at_risk_customers), 0)
        share = at_risk / scored if scored else None
        threshold = format_percent(data.at_risk_threshold)
        tile = self.tiles["at_risk"]
        if share is None:
            tile.set("—", "no customers scored")
            tile.setToolTip("")
        else:
            tile.set(
                f"{at_risk:,}",
                at_risk_wording(data.at_risk_threshold),
                short_note=(f"risk ≥ {threshold}, not {NOT_COUNTED}", f"risk ≥ {threshold}"),
            )
            have = "has" if at_risk == 1 else "have"
            tip = (
                f"{at_risk:,} of {scored:,} scored customers ({format_percent(share)}) {have} "
                f"a churn risk of {threshold} or more, not counting {NOT_COUNTED}."
            )
            if lost:
                are = "customer at that risk is" if lost == 1 else "customers at that risk are"
                tip += f" {lost:,} {NOT_COUNTED} {are} left out."
            before = _at(data.trend_at_risk_share, previous) if previous is not None else None
            if before is not None:
                tip += f" Share at risk {format_percent(before)} {since}."
            tile.setToolTip(tip + " Click to list them.")

        # Revenue at risk, and its move since the previous run.
        tile = self.tiles["revenue_at_risk"]
        cents = int(data.revenue_at_risk_cents)
        value = short_money(cents, data.currency)
        sign = money.currency_symbol(data.currency).strip()
        tile.caption.setText("REVENUE AT RISK", f"AT RISK {sign}")
        note, tone, short = REVENUE_AT_RISK_WORDS, "", (REVENUE_AT_RISK_SHORT,)
        before = _at(data.trend_revenue_at_risk_cents, previous) if previous is not None else None
        if before is not None:
            move = trend(
                cents / 100.0,
                before / 100.0,
                higher_is_better=False,
                fmt=lambda d: short_money(d * 100, data.currency),
                threshold=1.0,
            )
            if move is not None:
                note, tone, short = f"{move.text} {since}", move.tone, (move.text,)
        tile.set(value, note, tone, short_note=short)
        tile.setToolTip(
            f"{STAKE_NAMES['risk'].capitalize()}: "
            f"{money.format_money(cents, data.currency, decimals=2)}, the sum over the "
            f"{scored:,} scored customers of {REVENUE_AT_RISK_WORDS}. "
            "Click to list them, the most at risk first."
        )

        # Open alerts, in cards (the Alerts tab's rows), with the most severe named.
        by_severity = {str(k).lower(): int(v) for k, v in data.open_cards_by_severity.items()}
        total = sum(max(v, 0) for v in by_severity.values())
        named = [(s, by_severity.get(s, 0)) for s in SEVERITIES[:2] if by_severity.get(s, 0)]
        tile = self.tiles["open_alerts"]
        if named:
            note = " · ".join(f"{n:,} {s}" for s, n in named)
            tone = "critical" if named[0][0] == "critical" else "warning"
            tile.set(f"{total:,}", note, tone, short_note=(f"{named[0][1]:,} {named[0][0]}",))
        else:
            tile.set(f"{total:,}", "none critical" if total else "nothing to act on")
        parts = ", ".join(f"{by_severity.get(s, 0):,} {s}" for s in SEVERITIES)
        alerts = max(int(data.open_alerts), total)
        tile.setToolTip(
            f"{plural(total, 'card')} of open alerts (open or in progress), by their most "
            f"urgent alert: {parts}; {plural(alerts, 'alert')} on them. A card is one "
            "customer's alerts in one queue, as the Alerts tab lists them. Click to list them."
        )

        # Scored customers, with the book's health (its one definition).
        tile = self.tiles["scored"]
        health = book_health(np.asarray(data.health, dtype=float))
        if health is not None:
            tile.set(
                f"{scored:,}",
                f"mean health {health:.0f} / 100",
                short_note=(f"health {health:.0f}",),
            )
            mean = f", mean health {health:.1f} / 100 ({BOOK_HEALTH_WORDS})"
        else:
            tile.set(f"{scored:,}", "in the latest run")
            mean = ""
        tile.setToolTip(
            f"{scored:,} customer{'s' if scored != 1 else ''} scored in the latest run"
            f"{mean}. Click to list them."
        )

        # The date of the scores, and how old they are.
        tile = self.tiles["as_of"]
        if data.as_of is None:
            tile.set("—", "never scored", "warning")
            tile.setToolTip("")
        else:
            age = (self._clock().astimezone(dt.UTC).date() - data.as_of).days
            stale = age > STALE_AFTER_DAYS
            tile.set(
                format_date(data.as_of),
                days_ago(age) + (" — score again" if stale else ""),
                "warning" if stale else "",
                short_value=(format_short_date(data.as_of),),
                short_note=(days_ago(age),),
            )
            runs = len(np.asarray(data.trend_dates))
            tile.setToolTip(
                f"Latest scoring run: {format_date(data.as_of)}. "
                f"{runs:,} run{'s' if runs != 1 else ''} stored."
            )

    # -- look -----------------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        """Recolour the charts (the tiles follow the application style sheet)."""
        self._theme = theme
        for chart in (
            self.severity_chart,
            self.age_chart,
            self.risk_chart,
            self.scores_chart,
            self.segments_chart,
            self.trends_chart,
            self.sentiment_chart,
        ):
            if chart is not None:
                chart.set_theme(theme)

    # -- slots ----------------------------------------------------------------------------

    def _on_empty_label_link_activated(self, _link: str) -> None:
        self.score_requested.emit()

    def _on_at_risk_tile_clicked(self) -> None:
        if self._data is not None:
            self.customers_requested.emit(at_risk_filter(self._data.at_risk_threshold))

    def _on_revenue_at_risk_tile_clicked(self) -> None:
        if self._data is not None:
            self.customers_requested.emit(revenue_at_risk_filter())

    def _on_scored_tile_clicked(self) -> None:
        if self._data is not None:
            self.customers_requested.emit(scored_filter())

    def _on_open_alerts_tile_clicked(self) -> None:
        if self._data is not None:
            self.alerts_requested.emit(open_alerts_query())

    def _on_severity_chart_bar_clicked(self, severity: object) -> None:
        self.alerts_requested.emit(severity_query(str(severity)))

    def _on_age_chart_bar_clicked(self, key: object) -> None:
        from views.charts.alert_charts import AGE_BUCKETS

        bucket, severity = cast(tuple[str, str | None], key)
        if bucket in AGE_BUCKETS:  # the chart's labels, in ALERT_AGE_BUCKETS' order
            self.alerts_requested.emit(age_query(AGE_BUCKETS.index(bucket), severity))

    def _on_risk_chart_bar_clicked(self, band: object) -> None:
        self.customers_requested.emit(band_filter("churn_risk", cast(int, band)))

    def _on_scores_chart_bar_clicked(self, key: object) -> None:
        score, band = cast(tuple[str, int], key)
        self.customers_requested.emit(band_filter(f"{score}_score", int(band)))

    def _on_segments_chart_bar_clicked(self, segment: object) -> None:
        self.customers_requested.emit(segment_filter(str(segment)))

    def _on_sentiment_chart_bar_clicked(self, key: object) -> None:
        from views.charts.sentiment_chart import month_name

        if self.sentiment_chart is not None:
            month = self.sentiment_chart.month(key)
            self.customers_requested.emit(
                negative_month_filter(month_name(month.month), month.negative_customer_ids)
            )

    def _on_reasons_panel_reason_clicked(self, reason: object) -> None:
        if self._data is not None and self._data.listen is not None:
            r = cast(ReasonSummary, reason)
            self.customers_requested.emit(
                reason_filter(r.label, frozenset(r.customer_ids), self._period(self._data.listen))
            )

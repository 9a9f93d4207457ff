"""The Dashboard tab with hand-made data: what an account manager reads off the tiles
and charts, the not-scored and loading states, sparse data, themes and window sizes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from views.charts.alert_charts import AGE_BUCKETS, SHORT_AGE_BUCKETS, AlertAgeChart
from views.charts.dashboard_chart import INFO_DARK
from views.charts.distribution_charts import RISK_BINS, SCORE_BINS
from views.charts.trends_chart import TrendsChart
from views.dashboard.pane import LOADING_TEXT, DashboardData, DashboardPane
from views.kit.formatting import short_money
from views.kit.theme import CRITICAL, DARK, LIGHT, ThemeManager, ThemeMode

NOW = dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 3, 7)
CUSTOMERS = 2000
SEGMENTS = [
    ("Loyal", 312, 1_234_500),
    ("Champions", 180, 150_000),
    ("At Risk", 401, 8_400_000),
    ("Hibernating", 256, 2_200_000),
    ("Can't Lose Them", 97, 12_345_600),
    ("New", 754, 900_000),
]
BY_AGE = {
    "< 1 day": {"critical": 3, "warning": 4, "opportunity": 2, "info": 1},
    "1-7 days": {"critical": 4, "warning": 9, "opportunity": 7, "info": 4},
    "8-30 days": {"critical": 2, "warning": 6, "opportunity": 6, "info": 5},
    "> 30 days": {"warning": 2, "opportunity": 3, "info": 2},
}


def day_seconds(day: dt.date) -> float:
    return float((day - dt.date(1970, 1, 1)).days) * 86_400.0


RUNS = np.array([day_seconds(AS_OF - dt.timedelta(days=7 * k)) for k in range(5, -1, -1)])


def make_data(**changes: object) -> DashboardData:
    """2,000 customers, 60 open alerts, 6 weekly snapshots with one settings change."""
    rng = np.random.default_rng(3)
    risk = rng.beta(1.6, 3.2, CUSTOMERS)
    data = DashboardData(
        as_of=AS_OF,
        scored_customers=CUSTOMERS,
        at_risk_customers=int((risk >= 0.5).sum()),
        at_risk_threshold=0.5,
        revenue_at_risk_cents=45_520_512,
        open_cards_by_severity={"critical": 9, "warning": 21, "opportunity": 18, "info": 12},
        open_cards_by_age=BY_AGE,
        churn_risk=risk,
        health=np.clip(rng.normal(62, 16, CUSTOMERS), 0, 100),
        engagement=np.clip(rng.normal(48, 20, CUSTOMERS), 0, 100),
        segments=SEGMENTS,
        trend_dates=RUNS,
        trend_at_risk_share=np.array([0.19, 0.2, 0.22, 0.21, 0.24, 0.22]),
        trend_revenue_at_risk_cents=np.array(
            [38_000_000, 39_000_000, 41_000_000, 40_500_000, 43_244_512, 45_520_512]
        ),
        trend_mean_health=np.array([64.0, 63.5, 63.0, 62.8, 62.0, 62.1]),
        config_change_dates=RUNS[3:4],
    )
    return dataclasses.replace(data, **changes)  # type: ignore[arg-type]


@pytest.fixture
def pane(qtbot, theme: ThemeManager) -> DashboardPane:
    widget = DashboardPane(clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(1400, 860)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def tile_text(pane: DashboardPane, key: str) -> tuple[str, str]:
    tile = pane.tiles[key]
    return tile.value.text(), tile.note.text()


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "$0"),
        (1_234_500, "$12,345"),
        (99_999_900, "$999,999"),
        (123_000_000, "$1.2M"),
        (-45_000_000, "-$450,000"),
        (25_000_000_000, "$250M"),
    ],
)
def test_tile_money_is_whole_dollars_then_millions(cents: int, text: str) -> None:
    assert short_money(cents, "USD") == text


def test_tiles_show_the_headline_figures(pane: DashboardPane) -> None:
    data = make_data()
    pane.set_data(data)
    assert pane.state == "data"
    # How many customers, and what that counts, under the figure.
    assert tile_text(pane, "at_risk") == (
        f"{data.at_risk_customers:,}",
        "churn risk 50% or more, not counting Lost",
    )
    # Revenue at risk rose since the run before: red, with the amount and the date.
    assert tile_text(pane, "revenue_at_risk") == ("$455,205", "▲ $22,760 since Feb 28")
    assert pane.tiles["revenue_at_risk"].note.property("tone") == "critical"
    assert tile_text(pane, "open_alerts") == ("60", "9 critical · 21 warning")
    assert pane.tiles["open_alerts"].note.property("tone") == "critical"
    assert tile_text(pane, "scored")[0] == "2,000"
    assert tile_text(pane, "scored")[1] == f"mean health {data.health.mean():.0f} / 100"
    assert tile_text(pane, "as_of") == ("Mar 7, 2026", "2 days ago")


def test_falling_revenue_at_risk_reads_as_good_news(pane: DashboardPane) -> None:
    revenue = np.array([38e6, 39e6, 41e6, 40.5e6, 43_000_000, 40_000_000])
    pane.set_data(make_data(revenue_at_risk_cents=40_000_000, trend_revenue_at_risk_cents=revenue))
    assert tile_text(pane, "revenue_at_risk") == ("$400,000", "▼ $30,000 since Feb 28")
    assert pane.tiles["revenue_at_risk"].note.property("tone") == "positive"


def test_millions_at_risk_and_stale_scores(pane: DashboardPane) -> None:
    pane.set_data(
        make_data(
            revenue_at_risk_cents=123_456_789,
            as_of=AS_OF - dt.timedelta(days=12),
            trend_dates=RUNS - 12 * 86_400.0,
            open_cards_by_severity={"warning": 2, "info": 1},
        )
    )
    assert tile_text(pane, "revenue_at_risk")[0] == "$1.2M"
    assert tile_text(pane, "as_of") == ("Feb 23, 2026", "14 days ago — score again")
    assert pane.tiles["as_of"].note.property("tone") == "warning"
    assert tile_text(pane, "open_alerts") == ("3", "2 warning")


def test_severity_bars_are_as_long_as_the_counts(pane: DashboardPane) -> None:
    pane.set_data(make_data())
    chart = pane.severity_chart
    assert chart is not None
    assert chart.values() == {"critical": 9, "warning": 21, "opportunity": 18, "info": 12}
    assert chart.value_labels == ["9", "21", "18", "12"]
    assert chart.empty_text == ""
    # Each bar in its severity's colour (the brand colour in the light theme).
    brushes = chart._bars.opts["brushes"]
    assert QColor(brushes[0].color()).name() == CRITICAL


def test_alerts_by_age_stack_every_severity(pane: DashboardPane) -> None:
    pane.set_data(make_data())
    chart = pane.age_chart
    assert chart is not None
    drawn = chart.values()
    assert list(drawn) == list(AGE_BUCKETS)
    for bucket, severities in BY_AGE.items():
        for severity in ("critical", "warning", "opportunity", "info"):
            assert drawn[bucket][severity] == severities.get(severity, 0), (bucket, severity)
    # Totals above the stacks, and each part starts where the one below ends.
    assert chart.value_labels == ["10", "24", "19", "7"]
    warning = chart._stacks["warning"].opts
    assert list(warning["y0"]) == [3, 4, 2, 0]


def test_age_labels_shorten_when_the_chart_is_narrow(qtbot) -> None:
    chart = AlertAgeChart()
    qtbot.addWidget(chart)
    chart.set_counts(BY_AGE)
    chart.resize(700, 300)
    chart.show()
    qtbot.waitUntil(lambda: chart.bucket_labels == list(AGE_BUCKETS))
    chart.resize(200, 300)
    qtbot.waitUntil(lambda: chart.bucket_labels == [SHORT_AGE_BUCKETS[b] for b in AGE_BUCKETS])


def test_churn_histogram_counts_every_scored_customer(pane: DashboardPane) -> None:
    data = make_data()
    pane.set_data(data)
    chart = pane.risk_chart
    assert chart is not None
    counts = chart.counts()
    assert len(counts) == RISK_BINS
    assert counts.sum() == CUSTOMERS
    expected, _ = np.histogram(data.churn_risk, bins=RISK_BINS, range=(0, 1))
    assert counts.tolist() == expected.tolist()
    # Bands at or above the threshold are red (make_data counts no Lost customers apart,
    # so the red customers are the tile's).
    brushes = chart._bars.opts["brushes"]
    red = [i for i, b in enumerate(brushes) if QColor(b.color()).name() == CRITICAL]
    assert red == list(range(5, 10))
    assert counts[red].sum() == data.at_risk_customers


def test_risk_of_exactly_one_and_missing_scores(pane: DashboardPane) -> None:
    risk = np.array([0.0, 0.5, 1.0, 1.0, np.nan])
    pane.set_data(make_data(churn_risk=risk, health=np.array([0.0, 100.0, np.nan])))
    assert pane.risk_chart is not None
    assert pane.scores_chart is not None
    counts = pane.risk_chart.counts()
    assert counts.sum() == 4
    assert counts[-1] == 2
    assert counts[0] == 1
    assert counts[5] == 1  # 0.5 opens the band 50-60%
    assert pane.scores_chart.counts()["health"].sum() == 2


def test_health_and_engagement_histograms_sum_to_the_customers(pane: DashboardPane) -> None:
    data = make_data()
    pane.set_data(data)
    assert pane.scores_chart is not None
    counts = pane.scores_chart.counts()
    for key, values in (("health", data.health), ("engagement", data.engagement)):
        assert len(counts[key]) == SCORE_BINS
        assert counts[key].sum() == CUSTOMERS
        expected, _ = np.histogram(values, bins=SCORE_BINS, range=(0, 100))
        assert counts[key].tolist() == expected.tolist()


def test_segments_are_sorted_with_revenue_at_risk(pane: DashboardPane) -> None:
    pane.set_data(make_data())
    chart = pane.segments_chart
    assert chart is not None
    assert chart.rows() == [
        ("New", 754, "$9k"),
        ("At Risk", 401, "$84k"),
        ("Loyal", 312, "$12k"),
        ("Hibernating", 256, "$22k"),
        ("Champions", 180, "$1.5k"),
        ("Can't Lose Them", 97, "$123k"),
    ]
    assert chart.value_labels == ["754", "401", "312", "256", "180", "97"]
    left = chart.plot.getAxis("left")._tickLevels[0]
    assert [text for _y, text in left] == [
        "New",
        "At Risk",
        "Loyal",
        "Hibernating",
        "Champions",
        "Can't Lose Them",
    ]


def test_trends_show_every_run_and_the_settings_change(pane: DashboardPane) -> None:
    pane.set_data(make_data())
    chart = pane.trends_chart
    assert chart is not None
    assert chart.point_counts == {"at_risk_share": 6, "mean_health": 6, "revenue_at_risk": 6}
    assert chart.config_mark_count == 1
    assert chart.empty_text == ""
    # Each run's date on the axis, read in UTC.
    ticks = chart.plot.getAxis("bottom")._tickLevels[0]
    assert [text for _x, text in ticks] == [
        "Jan 31",
        "Feb 7",
        "Feb 14",
        "Feb 21",
        "Feb 28",
        "Mar 7",
    ]
    # The share is drawn in percent on the left scale.
    _x, share = chart._share.getData()
    assert share[-1] == pytest.approx(22.0)


def test_a_single_snapshot_shows_a_point_and_a_note(pane: DashboardPane) -> None:
    pane.set_data(
        make_data(
            trend_dates=RUNS[-1:],
            trend_at_risk_share=np.array([0.22]),
            trend_revenue_at_risk_cents=np.array([45_520_512]),
            trend_mean_health=np.array([62.1]),
            config_change_dates=np.array([]),
        )
    )
    chart = pane.trends_chart
    assert chart is not None
    assert chart.point_counts == {"at_risk_share": 1, "mean_health": 1, "revenue_at_risk": 1}
    assert chart.empty_text == TrendsChart.SINGLE_RUN_NOTE
    assert chart.config_mark_count == 0
    # Nothing to compare against: the tile explains the figure instead of a move.
    assert tile_text(pane, "revenue_at_risk")[1] == "churn risk × last 12 months' revenue"


def test_not_scored_state_links_to_scoring(qtbot, pane: DashboardPane) -> None:
    pane.set_data(None)
    assert pane.state == "empty"
    label = pane.empty_label
    assert label.isVisible()
    assert "Not scored yet" in label.text()
    assert "Ctrl+R" in label.text()
    # Clicking the words before the link does nothing; clicking "Score now" asks to score.
    metrics = label.fontMetrics()
    plain = "Not scored yet — Score now (Ctrl+R)"
    left = (label.width() - metrics.horizontalAdvance(plain)) // 2
    middle_y = label.height() // 2
    with qtbot.assertNotEmitted(pane.score_requested):
        qtbot.mouseClick(label, Qt.MouseButton.LeftButton, pos=QPoint(left + 10, middle_y))
    link_x = left + metrics.horizontalAdvance("Not scored yet — ")
    link_x += metrics.horizontalAdvance("Score now") // 2
    with qtbot.waitSignal(pane.score_requested, timeout=1000):
        qtbot.mouseClick(label, Qt.MouseButton.LeftButton, pos=QPoint(link_x, middle_y))


def test_not_scored_link_works_from_the_keyboard(qtbot, pane: DashboardPane) -> None:
    pane.set_data(None)
    pane.empty_label.setFocus()
    qtbot.keyClick(pane.empty_label, Qt.Key.Key_Tab)
    with qtbot.waitSignal(pane.score_requested, timeout=1000):
        qtbot.keyClick(pane.empty_label, Qt.Key.Key_Return)


def test_loading_is_quiet(pane: DashboardPane) -> None:
    pane.set_loading()
    assert pane.state == "loading"
    assert pane.loading_label.text() == LOADING_TEXT
    assert pane.loading_label.isVisible()
    pane.set_data(make_data())
    assert pane.state == "data"
    # A refresh keeps the figures on screen and says so in the date tile.
    pane.set_loading()
    assert pane.state == "data"
    assert tile_text(pane, "as_of") == ("Mar 7, 2026", "Updating…")
    pane.set_data(make_data())
    assert tile_text(pane, "as_of") == ("Mar 7, 2026", "2 days ago")


def test_empty_arrays_and_no_alerts_show_plain_messages(pane: DashboardPane) -> None:
    empty = np.array([])
    pane.set_data(
        make_data(
            as_of=None,
            scored_customers=0,
            at_risk_customers=0,
            revenue_at_risk_cents=0,
            open_cards_by_severity={},
            open_cards_by_age={},
            churn_risk=empty,
            health=empty,
            engagement=empty,
            segments=[],
            trend_dates=empty,
            trend_at_risk_share=empty,
            trend_revenue_at_risk_cents=empty,
            trend_mean_health=empty,
            config_change_dates=empty,
        )
    )
    assert pane.state == "data"
    assert tile_text(pane, "at_risk") == ("—", "no customers scored")
    assert tile_text(pane, "open_alerts") == ("0", "nothing to act on")
    assert tile_text(pane, "as_of") == ("—", "never scored")
    assert pane.severity_chart is not None
    assert pane.age_chart is not None
    assert pane.risk_chart is not None
    assert pane.scores_chart is not None
    assert pane.segments_chart is not None
    assert pane.trends_chart is not None
    assert pane.severity_chart.empty_text == "No open alerts"
    assert pane.age_chart.empty_text == "No open alerts"
    assert pane.risk_chart.empty_text == "No customers scored"
    assert pane.risk_chart.counts().sum() == 0
    assert pane.scores_chart.empty_text == "No customers scored"
    assert pane.segments_chart.empty_text == "No segments yet"
    assert pane.segments_chart.rows() == []
    assert pane.trends_chart.empty_text == "No scoring runs stored"
    assert pane.trends_chart.point_counts["at_risk_share"] == 0
    # Data coming back fills every chart again.
    pane.set_data(make_data())
    assert pane.severity_chart.empty_text == ""
    assert pane.segments_chart.empty_text == ""
    assert pane.trends_chart.point_counts["at_risk_share"] == 6


def test_dark_theme_recolours_the_charts(pane: DashboardPane, theme: ThemeManager) -> None:
    pane.set_data(make_data())
    theme.set_mode(ThemeMode.DARK)
    pane.set_theme(DARK)
    assert pane.severity_chart is not None
    assert pane.trends_chart is not None
    brushes = pane.severity_chart._bars.opts["brushes"]
    assert [QColor(b.color()).name() for b in brushes] == [
        DARK.critical,
        DARK.warning,
        DARK.opportunity,
        INFO_DARK,
    ]
    background = pane.trends_chart.plot_widget.backgroundBrush().color().name()
    assert background == DARK.chart_bg
    assert pane.trends_chart._share.opts["pen"].color().name() == DARK.critical
    pane.set_theme(LIGHT)
    assert pane.trends_chart.plot_widget.backgroundBrush().color().name() == LIGHT.chart_bg


@pytest.mark.parametrize("size", [(1400, 860), (1100, 700)])
def test_everything_fits_at_common_window_sizes(qtbot, pane: DashboardPane, size) -> None:
    pane.resize(*size)
    pane.set_data(make_data(revenue_at_risk_cents=123_456_789))
    qtbot.waitUntil(lambda: pane.trends_chart is not None and pane.trends_chart.height() > 0)
    # No tile value is shortened or cut, and every chart gets a readable plot.
    for key, tile in pane.tiles.items():
        assert tile.value.text() == tile.value.full_text(), key
    charts = (
        pane.severity_chart,
        pane.age_chart,
        pane.risk_chart,
        pane.scores_chart,
        pane.segments_chart,
        pane.trends_chart,
    )
    for chart in charts:
        assert chart is not None
        assert chart.plot_widget.height() >= 200, chart.title
        assert chart.plot_widget.width() >= 220, chart.title
        # The legend is shown, beside or under the title, not dropped.
        if chart._legend_variants()[0]:
            assert chart.legend_text, chart.title
    # The tiles and the six score charts are in view without scrolling; what customers
    # say (the sentiment trend and the reasons) is the row below, a scroll away.
    scroll = pane._stack.widget(2)
    viewport = scroll.viewport()
    for chart in charts:
        bottom = chart.mapTo(viewport, chart.rect().bottomLeft()).y()
        assert 0 < bottom <= viewport.height(), chart.title
    assert pane.sentiment_chart is not None
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0, timeout=2000)
    scroll.ensureWidgetVisible(pane.reasons_panel)
    assert pane.sentiment_chart.plot_widget.height() >= 150
    top = pane.sentiment_chart.mapTo(viewport, pane.sentiment_chart.rect().topLeft()).y()
    assert 0 <= top < viewport.height()

"""The dashboard's charts: open alerts by severity and by age, the distributions of
churn risk, health and engagement, the segments, and the workspace's trends over the
stored scoring runs.

Each chart is a title and legend row above a pyqtgraph plot, like the detail pane's
charts. They are handed arrays and never query; their plot items are created once and
updated with ``setData`` / ``setOpts`` (value labels and settings marks come from a
pool that only grows).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QWidget

from services import money
from services.alerts.records import SEVERITIES
from views.charts.calibration_chart import PercentAxisItem
from views.charts.frame import ChartFrame
from views.charts.orders_chart import MoneyAxisItem
from views.customers.score_tiles import SEGMENT_TONES
from views.formatting import compact_money
from views.theme import CRITICAL, OPPORTUNITY, WARNING, Theme

_DAY_S = 86_400.0
AGE_BUCKETS = ("< 1 day", "1-7 days", "8-30 days", "> 30 days")
# Narrow charts label the buckets like this rather than let the labels collide.
SHORT_AGE_BUCKETS = {
    "< 1 day": "< 1 d",
    "1-7 days": "1-7 d",
    "8-30 days": "8-30 d",
    "> 30 days": "> 30 d",
}
RISK_BINS = 20
SCORE_BINS = 20
MAX_LABELLED_RUNS = 8
# "Info" has no brand colour: a quiet blue-grey that reads on both backgrounds.
INFO_LIGHT = "#7d8ca3"
INFO_DARK = "#8d9bb1"


def severity_colours(theme: Theme) -> dict[str, str]:
    """Bar fills per severity. The light theme uses the brand colours (its `warning` is
    a darker shade meant for text); the dark theme its brighter variants."""
    if theme.is_dark:
        return {
            "critical": theme.critical,
            "warning": theme.warning,
            "opportunity": theme.opportunity,
            "info": INFO_DARK,
        }
    return {
        "critical": CRITICAL,
        "warning": WARNING,
        "opportunity": OPPORTUNITY,
        "info": INFO_LIGHT,
    }


def segment_colour(segment: str, theme: Theme) -> str:
    """Good segments green, promising blue, slipping orange, at risk red, gone grey
    (the segment chips' tones)."""
    tone = SEGMENT_TONES.get(segment, "info")
    return {
        "positive": theme.positive,
        "info": theme.accent,
        "warning": severity_colours(theme)["warning"],
        "danger": theme.critical,
        "muted": theme.muted,
    }.get(tone, theme.accent)


def histogram(
    values: np.ndarray, bins: int, low: float, high: float
) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges and counts over [low, high]; values outside are put in the end bins and
    missing ones (NaN) left out, so the counts add up to the customers with a score."""
    v = np.asarray(values, dtype=float).ravel()
    v = np.clip(v[np.isfinite(v)], low, high)
    counts, edges = np.histogram(v, bins=bins, range=(low, high))
    return edges, counts.astype(int)


class IntegerAxisItem(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no types
    """Counts: ticks on whole numbers only (never "0.5 alerts"), thousands separators."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        # Major and middle ticks only: fewer grid lines behind the bars.
        self.setStyle(maxTickLevel=1)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:  # noqa: N802,N803
        levels = [
            (spacing, [v for v in values if float(v).is_integer()])
            for spacing, values in super().tickValues(minVal, maxVal, size)
            if spacing >= 1
        ]
        if levels:
            return levels
        return [(1.0, [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        return [f"{v * scale:,.0f}" if v >= 0 else "" for v in values]


class DashboardChart(ChartFrame):
    """A title and a legend (shortened to fit, or on a line of its own) above a themed
    pyqtgraph plot, with value labels on the plot."""

    LEGEND_WRAPS = True
    # The currency of the chart's money (the workspace's home currency); set before data.
    currency = "USD"

    def __init__(self, axis_items: dict[str, pg.AxisItem], parent: QWidget | None = None) -> None:
        super().__init__(axis_items, parent, top_margin=2)
        self.plot_widget.setMinimumSize(180, 110)
        plot = self.plot
        plot.setMouseEnabled(x=False, y=False)
        plot.layout.setContentsMargins(4, 4, 10, 2)
        self._labels: list[pg.TextItem] = []
        self._label_count = 0

    # -- text on the plot ------------------------------------------------------------------

    def _show_labels(self, labels: Sequence[tuple[float, float, str, tuple[float, float]]]) -> None:
        """Value labels (x, y, text, anchor), from a pool of text items."""
        while len(self._labels) < len(labels):
            item = pg.TextItem("", anchor=(0, 0.5))
            item.setFont(self._small_font())
            item.setColor(self._theme.text)
            self.plot.addItem(item, ignoreBounds=True)
            self._labels.append(item)
        for i, item in enumerate(self._labels):
            if i < len(labels):
                x, y, text, anchor = labels[i]
                item.setText(text)
                item.setAnchor(anchor)
                item.setPos(x, y)
                item.show()
            else:
                item.hide()
        self._label_count = len(labels)

    @property
    def value_labels(self) -> list[str]:
        """The value labels shown on the plot (tests)."""
        return [item.textItem.toPlainText() for item in self._labels[: self._label_count]]

    def _show_empty(self, text: str, x: float, y: float) -> None:
        self._empty.setText(text)
        self._empty.setPos(x, y)
        self._empty.show()

    @property
    def empty_text(self) -> str:
        """The message shown in place of data ("" when there is data)."""
        return self._empty.textItem.toPlainText() if self._empty.isVisible() else ""

    # -- look ------------------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        """Recolour every item for the theme (no data is recomputed)."""
        # The grid is drawn by the axes: behind the bars, not across them.
        self._style_axes(theme, behind=True)
        for item in self._labels:
            item.setColor(theme.text)
        self._restyle(theme)
        self._fit_legend()

    def _restyle(self, theme: Theme) -> None:
        """Chart-specific colours."""

    def _legend_variants(self) -> tuple[tuple[str, ...], ...]:
        # "$" in a short legend stands for money: the chart's currency sign.
        sign = money.currency_symbol(self.currency).strip()
        return tuple(
            tuple(name.replace("$", sign) for name in names) for names in self.LEGEND_VARIANTS
        )

    def _fit_axis_width(self, name: str, texts: Sequence[str]) -> None:
        """Make a vertical axis wide enough for its widest tick label (pyqtgraph only
        widens it after a first paint, hiding the labels that did not fit until then)."""
        metrics = QFontMetrics(self._small_font())
        widest = max((metrics.horizontalAdvance(t) for t in texts), default=0)
        axis = self.plot.getAxis(name)
        label = metrics.height() + 4 if axis.label.isVisible() else 0
        axis.setWidth(widest + 12 + label)


def _pen_none() -> Any:
    return pg.mkPen(None)


class AlertSeverityChart(DashboardChart):
    """Open alerts per severity: one horizontal bar each, most severe on top."""

    TITLE = "Open alerts by severity"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({"bottom": IntegerAxisItem("bottom")}, parent)
        plot = self.plot
        plot.invertY(True)
        plot.showGrid(x=True, y=False, alpha=1.0)
        plot.setLabel("bottom", "Open alerts")
        plot.getAxis("left").setTicks([[(i, s.capitalize()) for i, s in enumerate(SEVERITIES)], []])
        plot.setYRange(-0.6, len(SEVERITIES) - 0.4, padding=0)
        n = len(SEVERITIES)
        self._bars = pg.BarGraphItem(
            x0=np.zeros(n), y=np.arange(n, dtype=float), height=0.62, width=np.zeros(n)
        )
        plot.addItem(self._bars)
        self.set_theme(self._theme)
        self.set_counts({})

    def set_counts(self, counts: Mapping[str, int]) -> None:
        """Show the open alerts per severity (missing severities count as none)."""
        lowered = {str(k).lower(): int(v) for k, v in counts.items()}
        values = np.array([max(lowered.get(s, 0), 0) for s in SEVERITIES], dtype=float)
        self._bars.setOpts(width=values)
        top = float(values.max()) if values.any() else 0.0
        # Room on the right for the count at the end of the longest bar.
        self.plot.setXRange(0, max(top * 1.22, 4.0), padding=0)
        self._show_labels(
            [(v, float(i), f"{int(v):,}", (-0.15, 0.5)) for i, v in enumerate(values) if v > 0]
        )
        if top == 0:
            self._show_empty("No open alerts", 2.0, 1.5)
        else:
            self._empty.hide()

    def values(self) -> dict[str, int]:
        """The bar lengths as drawn, per severity."""
        widths = self._bars.opts["width"]
        return {s: int(w) for s, w in zip(SEVERITIES, widths, strict=True)}

    def _restyle(self, theme: Theme) -> None:
        colours = severity_colours(theme)
        self._bars.setOpts(brushes=[pg.mkBrush(colours[s]) for s in SEVERITIES], pen=_pen_none())
        self._fit_axis_width("left", [s.capitalize() for s in SEVERITIES])


class AlertAgeChart(DashboardChart):
    """Open alerts by how long they have been open, stacked by severity (most severe at
    the bottom), with the total above each bar."""

    TITLE = "Open alerts by age"
    LEGEND_VARIANTS = (
        ("Critical", "Warning", "Opportunity", "Info"),
        ("Crit.", "Warn.", "Opp.", "Info"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({"left": IntegerAxisItem("left")}, parent)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setLabel("left", "Open alerts")
        self._buckets: tuple[str, ...] = AGE_BUCKETS
        self._short_buckets = False
        plot.getViewBox().sigResized.connect(self._fit_bucket_labels)
        self._stacks = {
            s: pg.BarGraphItem(
                x=np.arange(4, dtype=float), y0=np.zeros(4), height=np.zeros(4), width=0.62
            )
            for s in SEVERITIES
        }
        for bars in self._stacks.values():
            plot.addItem(bars)
        self.set_theme(self._theme)
        self.set_counts({})

    def set_counts(self, counts: Mapping[str, Mapping[str, int]]) -> None:
        """Show age bucket -> severity -> open alerts. The four standard buckets are
        always shown, youngest first; any other bucket follows them."""
        buckets = list(AGE_BUCKETS) + [b for b in counts if b not in AGE_BUCKETS]
        self._buckets = tuple(buckets)
        x = np.arange(len(buckets), dtype=float)
        by_bucket = {
            b: {str(k).lower(): int(v) for k, v in counts.get(b, {}).items()} for b in buckets
        }
        bottom = np.zeros(len(buckets))
        for severity in SEVERITIES:
            heights = np.array(
                [max(by_bucket[b].get(severity, 0), 0) for b in buckets], dtype=float
            )
            self._stacks[severity].setOpts(x=x, y0=bottom.copy(), height=heights, width=0.62)
            bottom += heights
        self._fit_bucket_labels()
        self.plot.setXRange(-0.55, len(buckets) - 0.45, padding=0)
        top = float(bottom.max()) if len(bottom) else 0.0
        self.plot.setYRange(0, max(top * 1.18, 4.0), padding=0)
        self._show_labels(
            [(float(i), t, f"{int(t):,}", (0.5, 1.0)) for i, t in enumerate(bottom) if t > 0]
        )
        if top == 0:
            self._show_empty("No open alerts", (len(buckets) - 1) / 2, 2.0)
        else:
            self._empty.hide()

    def _fit_bucket_labels(self) -> None:
        """Full bucket names under the bars when they fit, else the short ones."""
        metrics = QFontMetrics(self._small_font())
        room = self.plot.getViewBox().width() / max(len(self._buckets), 1)
        widest = max(metrics.horizontalAdvance(b) for b in self._buckets)
        self._short_buckets = widest + 10 > room
        names = [SHORT_AGE_BUCKETS.get(b, b) if self._short_buckets else b for b in self._buckets]
        self.plot.getAxis("bottom").setTicks([list(enumerate(names)), []])

    @property
    def bucket_labels(self) -> list[str]:
        """The bucket names as written under the bars."""
        return [SHORT_AGE_BUCKETS.get(b, b) if self._short_buckets else b for b in self._buckets]

    def values(self) -> dict[str, dict[str, int]]:
        """The segment heights as drawn: bucket -> severity -> alerts."""
        return {
            bucket: {s: int(self._stacks[s].opts["height"][i]) for s in SEVERITIES}
            for i, bucket in enumerate(self._buckets)
        }

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        colours = severity_colours(self._theme)
        return tuple((colours[s], "■") for s in SEVERITIES)

    def _restyle(self, theme: Theme) -> None:
        colours = severity_colours(theme)
        # A thin line of background between the stacked parts keeps orange and amber apart.
        for severity, bars in self._stacks.items():
            bars.setOpts(brush=pg.mkBrush(colours[severity]), pen=pg.mkPen(theme.chart_bg, width=1))


class ChurnRiskHistogram(DashboardChart):
    """Customers per 5-point band of churn risk; the bands at or above the at-risk
    threshold in red, with a dashed line at the threshold."""

    TITLE = "Customers by churn risk"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            {"bottom": PercentAxisItem("bottom"), "left": IntegerAxisItem("left")}, parent
        )
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setLabel("bottom", "Churn risk")
        plot.setLabel("left", "Customers")
        plot.setXRange(0, 1, padding=0.02)
        edges = np.linspace(0, 1, RISK_BINS + 1)
        self._edges = edges
        self._bars = pg.BarGraphItem(
            x0=edges[:-1], width=1.0 / RISK_BINS, height=np.zeros(RISK_BINS)
        )
        plot.addItem(self._bars)
        self._threshold = 0.5
        self._line = pg.InfiniteLine(pos=0.5, angle=90, movable=False)
        plot.addItem(self._line, ignoreBounds=True)
        self.set_theme(self._theme)
        self.set_values(np.array([]), 0.5)

    def _legend_variants(self) -> tuple[tuple[str, ...], ...]:
        pct = f"{self._threshold * 100:.0f}%"
        return (
            (f"Below {pct}", f"At risk (≥ {pct})"),
            (f"< {pct}", f"≥ {pct}"),
        )

    def set_values(self, churn_risk: np.ndarray, threshold: float) -> None:
        """Show the distribution of churn risks (0..1) against the at-risk threshold."""
        self._threshold = float(threshold)
        _edges, counts = histogram(churn_risk, RISK_BINS, 0.0, 1.0)
        self._bars.setOpts(height=counts.astype(float))
        self._line.setPos(self._threshold)
        top = float(counts.max()) if counts.sum() else 0.0
        self.plot.setYRange(0, max(top * 1.08, 4.0), padding=0)
        if top == 0:
            self._show_empty("No customers scored", 0.5, 2.0)
        else:
            self._empty.hide()
        self._restyle(self._theme)
        self._fit_legend()

    def counts(self) -> np.ndarray:
        """Customers per band, as drawn."""
        return np.asarray(self._bars.opts["height"], dtype=int)

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        return ((self._theme.accent, "■"), (self._theme.critical, "■"))

    def _restyle(self, theme: Theme) -> None:
        centres = (self._edges[:-1] + self._edges[1:]) / 2
        calm = pg.mkBrush(theme.accent)
        risky = pg.mkBrush(severity_colours(theme)["critical"])
        self._bars.setOpts(
            brushes=[risky if c >= self._threshold else calm for c in centres],
            pen=pg.mkPen(theme.chart_bg, width=1),
        )
        self._line.setPen(pg.mkPen(theme.muted, width=1, style=Qt.PenStyle.DashLine))


class ScoreDistributionChart(DashboardChart):
    """Health and engagement (0-100) as two overlaid histograms of 5-point bands."""

    TITLE = "Health and engagement"
    LEGEND_VARIANTS = (("Health", "Engagement"),)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({"left": IntegerAxisItem("left")}, parent)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setLabel("bottom", "Score (out of 100)")
        plot.setLabel("left", "Customers")
        plot.getAxis("bottom").setTicks([[(v, str(v)) for v in (0, 25, 50, 75, 100)], []])
        plot.setXRange(0, 100, padding=0.02)
        self._edges = np.linspace(0, 100, SCORE_BINS + 1)
        zeros = np.zeros(SCORE_BINS)
        self._health = pg.PlotDataItem(self._edges, zeros, stepMode="center", fillLevel=0)
        self._engagement = pg.PlotDataItem(self._edges, zeros, stepMode="center", fillLevel=0)
        plot.addItem(self._health)
        plot.addItem(self._engagement)
        self.set_theme(self._theme)
        self.set_values(np.array([]), np.array([]))

    def set_values(self, health: np.ndarray, engagement: np.ndarray) -> None:
        """Show the distributions of the health and engagement scores."""
        _e, h = histogram(health, SCORE_BINS, 0.0, 100.0)
        _e, g = histogram(engagement, SCORE_BINS, 0.0, 100.0)
        self._health.setData(self._edges, h.astype(float))
        self._engagement.setData(self._edges, g.astype(float))
        self._health.setVisible(bool(h.sum()))
        self._engagement.setVisible(bool(g.sum()))
        top = float(max(h.max(), g.max()))
        self.plot.setYRange(0, max(top * 1.08, 4.0), padding=0)
        if top == 0:
            self._show_empty("No customers scored", 50.0, 2.0)
        else:
            self._empty.hide()

    def counts(self) -> dict[str, np.ndarray]:
        """Customers per band, as drawn, for each score."""
        return {
            "health": np.asarray(self._health.getData()[1], dtype=int),
            "engagement": np.asarray(self._engagement.getData()[1], dtype=int),
        }

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        return ((self._theme.positive, "■"), (self._theme.accent, "■"))

    def _restyle(self, theme: Theme) -> None:
        for item, colour in ((self._health, theme.positive), (self._engagement, theme.accent)):
            fill = QColor(colour)
            fill.setAlpha(70 if theme.is_dark else 60)
            item.setPen(pg.mkPen(colour, width=2))
            item.setBrush(pg.mkBrush(fill))


class SegmentsChart(DashboardChart):
    """Customers per segment, largest first, the segment's revenue at risk on the right."""

    TITLE = "Segments"
    LEGEND_VARIANTS = (
        ("Customers", "Revenue at risk (right)"),
        ("Customers", "At risk $"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            {"bottom": IntegerAxisItem("bottom"), "right": pg.AxisItem("right")}, parent
        )
        plot = self.plot
        plot.showAxis("right")
        plot.invertY(True)
        plot.showGrid(x=True, y=False, alpha=1.0)
        plot.setLabel("bottom", "Customers")
        self._bars = pg.BarGraphItem(x0=[], y=[], height=0.66, width=[])
        plot.addItem(self._bars)
        self._segments: list[tuple[str, int, int]] = []
        self.set_theme(self._theme)
        self.set_segments(())

    def set_segments(self, segments: Sequence[tuple[str, int, int]]) -> None:
        """Show (segment, customers, revenue at risk in cents), in any order."""
        rows = sorted(
            ((str(name), int(n), int(cents)) for name, n, cents in segments),
            key=lambda r: (-r[1], -r[2], r[0]),
        )
        self._segments = rows
        n = len(rows)
        y = np.arange(n, dtype=float)
        customers = np.array([r[1] for r in rows], dtype=float)
        self._bars.setOpts(x0=np.zeros(n), y=y, width=customers, height=0.66)
        self.plot.getAxis("left").setTicks([[(float(i), r[0]) for i, r in enumerate(rows)], []])
        self.plot.getAxis("right").setTicks(
            [
                [
                    (float(i), compact_money(r[2] / 100.0, self.currency))
                    for i, r in enumerate(rows)
                ],
                [],
            ]
        )
        self.plot.setYRange(-0.6, max(n, 1) - 0.4, padding=0)
        top = float(customers.max()) if n else 0.0
        self.plot.setXRange(0, max(top * 1.16, 4.0), padding=0)
        self._show_labels(
            [(r[1], float(i), f"{r[1]:,}", (-0.1, 0.5)) for i, r in enumerate(rows) if r[1] > 0]
        )
        if n == 0:
            self._show_empty("No segments yet", 2.0, 0.0)
        else:
            self._empty.hide()
        self._restyle(self._theme)

    def rows(self) -> list[tuple[str, int, str]]:
        """(segment, customers as drawn, revenue at risk as labelled), top to bottom."""
        widths = self._bars.opts["width"]
        return [
            (name, int(w), compact_money(cents / 100.0, self.currency))
            for (name, _n, cents), w in zip(self._segments, widths, strict=True)
        ]

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        return ((self._theme.muted, "■"), (self._theme.muted, money.currency_symbol(self.currency)))

    def _restyle(self, theme: Theme) -> None:
        self._bars.setOpts(
            brushes=[pg.mkBrush(segment_colour(r[0], theme)) for r in self._segments],
            pen=_pen_none(),
        )
        self._fit_axis_width("left", [r[0] for r in self._segments] or ["Champions"])
        self._fit_axis_width(
            "right", [compact_money(r[2] / 100.0, self.currency) for r in self._segments]
        )


class TrendsChart(DashboardChart):
    """The workspace over its scoring runs: the at-risk share and the mean health on a
    0-100 scale (left), revenue at risk in dollars (right), a dashed line where the
    scoring settings changed."""

    TITLE = "Trends"
    LEGEND_VARIANTS = (
        ("At-risk share %", "Mean health", "Revenue at risk (right axis)", "Settings changed"),
        ("At-risk %", "Mean health", "Revenue at risk", "Settings"),
        ("At risk %", "Health", "$ at risk", "Settings"),
    )
    SINGLE_RUN_NOTE = "Trends appear after the next scoring run"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            {
                "bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0),
                "right": MoneyAxisItem("right"),
            },
            parent,
        )
        plot = self.plot
        plot.showAxis("right")
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setYRange(0, 100, padding=0.04)
        plot.getAxis("left").setTicks([[(v, str(v)) for v in (0, 25, 50, 75, 100)], []])
        plot.setLabel("left", "At risk % · health")
        # Gridlines follow the left scale only; the money scale has ticks without lines.
        plot.getAxis("right").setGrid(False)
        # Revenue in its own view box for its own scale (pyqtgraph's multiple-axes recipe).
        self._money_view = pg.ViewBox(enableMenu=False)
        self._money_view.setMouseEnabled(x=False, y=False)
        plot.scene().addItem(self._money_view)
        # Above the plot item (whose axes draw the grid), so no gridline crosses its points.
        self._money_view.setZValue(5)
        plot.getAxis("right").linkToView(self._money_view)
        self._money_view.setXLink(plot)
        self._revenue = pg.PlotDataItem([], [], symbol="s", symbolSize=6)
        self._money_view.addItem(self._revenue)
        plot.getViewBox().sigResized.connect(self._on_main_view_resized)
        self._share = plot.plot([], [], symbol="o", symbolSize=7)
        self._health = plot.plot([], [], symbol="o", symbolSize=5)
        self._marks: list[pg.InfiniteLine] = []
        self._mark_count = 0
        self.set_theme(self._theme)
        self.set_trends(np.array([]), np.array([]), np.array([]), np.array([]), np.array([]))

    def set_trends(
        self,
        dates: np.ndarray,
        at_risk_share: np.ndarray,
        revenue_at_risk_cents: np.ndarray,
        mean_health: np.ndarray,
        config_change_dates: np.ndarray,
    ) -> None:
        """Show the runs (epoch seconds, ascending) and the settings changes."""
        axis = self.plot.getAxis("right")
        if isinstance(axis, MoneyAxisItem):
            axis.currency = self.currency
        xs = np.asarray(dates, dtype=float).ravel()
        n = len(xs)

        def series(values: np.ndarray, scale: float) -> np.ndarray:
            v = np.asarray(values, dtype=float).ravel()[:n] * scale
            return np.concatenate([v, np.full(n - len(v), np.nan)])

        share = series(at_risk_share, 100.0)
        health = series(mean_health, 1.0)
        revenue = series(revenue_at_risk_cents, 0.01)
        self._share.setData(xs, share, connect="finite")
        self._health.setData(xs, health, connect="finite")
        self._revenue.setData(xs, revenue, connect="finite")
        # A lone run is a point with nothing to connect to: draw it big enough to see.
        lone = n == 1
        self._share.setSymbolSize(11 if lone else 7)
        self._health.setSymbolSize(10 if lone else 5)
        self._revenue.setSymbolSize(10 if lone else 6)
        changes = np.asarray(config_change_dates, dtype=float).ravel()
        self._show_marks(changes)
        plot = self.plot
        bottom = plot.getAxis("bottom")
        if n == 0:
            bottom.setTicks(None)
            plot.setXRange(0, 1, padding=0)
            bottom.setStyle(showValues=False)
            self._money_view.setYRange(0, 1, padding=0)
            plot.getAxis("right").setStyle(showValues=False)
            self._show_empty("No scoring runs stored", 0.5, 62.5)
            return
        bottom.setStyle(showValues=True)
        plot.getAxis("right").setStyle(showValues=True)
        first, last = float(xs.min()), float(xs.max())
        span = max(last - first, 28 * _DAY_S)
        gaps = np.diff(xs)
        if n <= MAX_LABELLED_RUNS and (len(gaps) == 0 or gaps.min() >= span / 7):
            # A few runs far enough apart: each run's date ("Mar 7") on the axis.
            ticks = []
            for x in xs:
                day = np.datetime64(int(x), "s").astype("datetime64[D]").item()
                ticks.append((float(x), f"{day:%b} {day.day}"))
            bottom.setTicks([ticks, []])
        else:
            bottom.setTicks(None)
        middle = (first + last) / 2
        plot.setXRange(middle - span / 2, middle + span / 2, padding=0.06)
        plot.setYRange(0, 100, padding=0.04)
        finite = revenue[np.isfinite(revenue)]
        top = float(finite.max()) if len(finite) else 0.0
        # n == 1: the lone revenue point sits mid-height, clear of the note above it.
        money_top = (top * (2.0 if n == 1 else 1.15)) or 1.0
        self._money_view.setYRange(0, money_top, padding=0.04)
        self._fit_axis_width(
            "right",
            [compact_money(money_top, self.currency), compact_money(money_top / 3, self.currency)],
        )
        if n == 1:
            self._show_empty(self.SINGLE_RUN_NOTE, middle, 90.0)
        else:
            self._empty.hide()

    def _show_marks(self, changes: np.ndarray) -> None:
        while len(self._marks) < len(changes):
            line = pg.InfiniteLine(angle=90, movable=False)
            line.setPen(pg.mkPen(self._theme.muted, width=1, style=Qt.PenStyle.DashLine))
            self.plot.addItem(line, ignoreBounds=True)
            self._marks.append(line)
        for i, line in enumerate(self._marks):
            if i < len(changes):
                line.setPos(float(changes[i]))
                line.show()
            else:
                line.hide()
        self._mark_count = len(changes)

    @property
    def point_counts(self) -> dict[str, int]:
        """Points drawn per series (missing values not counted)."""
        out = {}
        for key, item in (
            ("at_risk_share", self._share),
            ("mean_health", self._health),
            ("revenue_at_risk", self._revenue),
        ):
            _x, y = item.getData()
            out[key] = 0 if y is None else int(np.isfinite(y).sum())
        return out

    @property
    def config_mark_count(self) -> int:
        return self._mark_count

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        t = self._theme
        return ((t.critical, "●"), (t.positive, "●"), (t.accent, "■"), (t.muted, "┆"))

    def _restyle(self, theme: Theme) -> None:
        for item, colour, width in (
            (self._share, theme.critical, 2.5),
            (self._health, theme.positive, 1.5),
            (self._revenue, theme.accent, 2.0),
        ):
            item.setPen(pg.mkPen(colour, width=width))
            item.setSymbolBrush(pg.mkBrush(colour))
            item.setSymbolPen(pg.mkPen(theme.chart_bg, width=1))
        for line in self._marks:
            line.setPen(pg.mkPen(theme.muted, width=1, style=Qt.PenStyle.DashLine))

    def _on_main_view_resized(self) -> None:
        main = self.plot.getViewBox()
        self._money_view.setGeometry(main.sceneBoundingRect())
        self._money_view.linkedViewChanged(main, self._money_view.XAxis)

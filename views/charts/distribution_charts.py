"""The dashboard's charts of the scored customers: how many at each churn risk
(``ChurnRiskHistogram``), at each health and engagement score
(``ScoreDistributionChart``) and in each segment, with the segment's revenue at risk
(``SegmentsChart``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from services import money
from views.charts.calibration_chart import PercentAxisItem
from views.charts.dashboard_chart import (
    DashboardChart,
    IntegerAxisItem,
    pen_none,
    severity_colours,
)
from views.customers.score_tiles import SEGMENT_TONES
from views.formatting import compact_money
from views.theme import Theme

RISK_BINS = 20
SCORE_BINS = 20


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
            pen=pen_none(),
        )
        self._fit_axis_width("left", [r[0] for r in self._segments] or ["Champions"])
        self._fit_axis_width(
            "right", [compact_money(r[2] / 100.0, self.currency) for r in self._segments]
        )

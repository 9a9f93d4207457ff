"""The dashboard's charts of the scored customers: how many at each churn risk
(``ChurnRiskHistogram``), at each health and engagement score
(``ScoreDistributionChart``) and in each segment, with the segment's revenue at risk
(``SegmentsChart``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from services.alerts.records import HISTOGRAM_EDGES
from services.core import money
from services.core.formatting import format_percent
from views.charts.calibration_chart import PercentAxisItem
from views.charts.dashboard_chart import (
    DashboardChart,
    IntegerAxisItem,
    pen_none,
    severity_colours,
)
from views.charts.frame import summarised
from views.kit.colours import SEGMENT_TONES
from views.kit.formatting import compact_money, format_money
from views.kit.theme import Theme

# The bands the service counts (services.alerts.records.HISTOGRAM_EDGES): a click on a
# bar opens the customers of exactly that band.
RISK_EDGES = np.asarray(HISTOGRAM_EDGES["churn_risk"])
SCORE_EDGES = np.asarray(HISTOGRAM_EDGES["health_score"])
RISK_BINS = len(RISK_EDGES) - 1
SCORE_BINS = len(SCORE_EDGES) - 1
# Health and engagement side by side in each band: health on the left half.
_SCORE_BAR = 0.38


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


def histogram(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per band of ``edges``: each band [low, high), the last with its top value;
    missing values (NaN) and values outside the edges are left out, so that each count
    is exactly the customers a filter on the band's range finds."""
    v = np.asarray(values, dtype=float).ravel()
    counts, _ = np.histogram(v[np.isfinite(v)], bins=np.asarray(edges, dtype=float))
    return counts.astype(int)


def band_text(edges: np.ndarray, band: int, scale: float = 1.0, unit: str = "") -> str:
    """A band in words: "60-70%", "40-50"."""
    low, high = float(edges[band]) * scale, float(edges[band + 1]) * scale
    return f"{low:.0f}-{high:.0f}{unit}"


def _customers(n: int) -> str:
    return f"{n:,} customer{'' if n == 1 else 's'}"


def _share(n: int, total: int) -> str:
    return f" ({format_percent(n / total)} of {total:,} scored)" if total else ""


def _column_at(x: float, y: float, edges: np.ndarray, counts: np.ndarray, top: float) -> int:
    """The band whose bar (or the room just above it) holds the point; -1 for none."""
    if not float(edges[0]) <= x <= float(edges[-1]):
        return -1
    band = min(int(np.searchsorted(edges, x, side="right")) - 1, len(counts) - 1)
    count = int(counts[band])
    # A short bar is hard to hit: the room above it, up to a tenth of the plot, counts.
    return band if count > 0 and 0 <= y <= count + top * 0.1 else -1


class ChurnRiskHistogram(DashboardChart):
    """Customers per 10-point band of churn risk; the bands at or above the at-risk
    threshold in red, with a dashed line at the threshold. A bar's key is its band."""

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
        plot.getAxis("bottom").setTicks([[(v / 10, f"{v * 10}%") for v in range(0, 11, 2)], []])
        self._edges = RISK_EDGES
        self._bars = pg.BarGraphItem(
            x0=RISK_EDGES[:-1], width=np.diff(RISK_EDGES), height=np.zeros(RISK_BINS)
        )
        plot.addItem(self._bars)
        self._threshold = 0.5
        self._line = pg.InfiniteLine(pos=0.5, angle=90, movable=False)
        plot.addItem(self._line, ignoreBounds=True)
        self.set_theme(self._theme)
        self.set_values(np.array([]), 0.5)

    def _legend_variants(self) -> tuple[tuple[str, ...], ...]:
        pct = f"{self._threshold * 100:.0f}%"
        # "At risk" is the headline's (not counting Lost); a bar counts every customer.
        return (
            (f"Below {pct}", f"Churn risk ≥ {pct}"),
            (f"< {pct}", f"≥ {pct}"),
        )

    @summarised
    def set_values(self, churn_risk: np.ndarray, threshold: float) -> None:
        """Show the distribution of churn risks (0..1) against the at-risk threshold."""
        self._threshold = float(threshold)
        counts = histogram(churn_risk, RISK_EDGES)
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

    @property
    def edges(self) -> np.ndarray:
        return self._edges

    def bar_keys(self) -> list[object]:
        return [int(i) for i in np.flatnonzero(self.counts())]

    def bar_at(self, x: float, y: float) -> object | None:
        top = self.plot.getViewBox().viewRange()[1][1]
        band = _column_at(x, y, self._edges, self.counts(), top)
        return band if band >= 0 else None

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        band = cast(int, key)
        count = int(self.counts()[band])
        centre = float(self._edges[band] + self._edges[band + 1]) / 2
        return (centre, count / 2) if count else None

    def bar_tip(self, key: object) -> str:
        band = cast(int, key)
        counts = self.counts()
        n = int(counts[band])
        return (
            f"Churn risk {band_text(self._edges, band, 100, '%')}: "
            f"{_customers(n)}{_share(n, int(counts.sum()))}"
        )

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        return ((self._theme.accent, "■"), (self._theme.critical, "■"))

    def _restyle(self, theme: Theme) -> None:
        calm = pg.mkBrush(theme.accent)
        risky = pg.mkBrush(severity_colours(theme)["critical"])
        # A band is red when its customers all count as at risk by their churn risk.
        self._bars.setOpts(
            brushes=[risky if low >= self._threshold else calm for low in self._edges[:-1]],
            pen=pg.mkPen(theme.chart_bg, width=1),
        )
        self._line.setPen(pg.mkPen(theme.muted, width=1, style=Qt.PenStyle.DashLine))


class ScoreDistributionChart(DashboardChart):
    """Health and engagement (0-100): customers per 10-point band, a bar for each score
    side by side. A bar's key is (score, band), score "health" or "engagement"."""

    TITLE = "Health and engagement"
    LEGEND_VARIANTS = (("Health", "Engagement"),)
    SCORES = ("health", "engagement")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({"left": IntegerAxisItem("left")}, parent)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setLabel("bottom", "Score (out of 100)")
        plot.setLabel("left", "Customers")
        plot.getAxis("bottom").setTicks([[(v, str(v)) for v in range(0, 101, 20)], []])
        plot.setXRange(0, 100, padding=0.02)
        self._edges = SCORE_EDGES
        width = np.diff(SCORE_EDGES)
        zeros = np.zeros(SCORE_BINS)
        self._bars = {
            "health": pg.BarGraphItem(
                x0=SCORE_EDGES[:-1] + width * (0.5 - _SCORE_BAR),
                width=width * _SCORE_BAR,
                height=zeros,
            ),
            "engagement": pg.BarGraphItem(
                x0=SCORE_EDGES[:-1] + width * 0.5, width=width * _SCORE_BAR, height=zeros
            ),
        }
        for bars in self._bars.values():
            plot.addItem(bars)
        self.set_theme(self._theme)
        self.set_values(np.array([]), np.array([]))

    @summarised
    def set_values(self, health: np.ndarray, engagement: np.ndarray) -> None:
        """Show the distributions of the health and engagement scores."""
        h = histogram(health, SCORE_EDGES)
        g = histogram(engagement, SCORE_EDGES)
        self._bars["health"].setOpts(height=h.astype(float))
        self._bars["engagement"].setOpts(height=g.astype(float))
        top = float(max(h.max(), g.max()))
        self.plot.setYRange(0, max(top * 1.08, 4.0), padding=0)
        if top == 0:
            self._show_empty("No customers scored", 50.0, 2.0)
        else:
            self._empty.hide()

    def counts(self) -> dict[str, np.ndarray]:
        """Customers per band, as drawn, for each score."""
        return {k: np.asarray(b.opts["height"], dtype=int) for k, b in self._bars.items()}

    @property
    def edges(self) -> np.ndarray:
        return self._edges

    def bar_keys(self) -> list[object]:
        return [(k, int(i)) for k, c in self.counts().items() for i in np.flatnonzero(c)]

    def bar_at(self, x: float, y: float) -> object | None:
        if not float(self._edges[0]) <= x <= float(self._edges[-1]):
            return None
        band = min(int(np.searchsorted(self._edges, x, side="right")) - 1, SCORE_BINS - 1)
        low, high = float(self._edges[band]), float(self._edges[band + 1])
        score = "health" if x < (low + high) / 2 else "engagement"
        top = self.plot.getViewBox().viewRange()[1][1]
        count = int(self.counts()[score][band])
        return (score, band) if count > 0 and 0 <= y <= count + top * 0.1 else None

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        score, band = cast(tuple[str, int], key)
        count = int(self.counts()[score][band])
        bars = self._bars[score].opts
        centre = float(bars["x0"][band]) + float(np.ravel(bars["width"])[band]) / 2
        return (centre, count / 2) if count else None

    def bar_tip(self, key: object) -> str:
        score, band = cast(tuple[str, int], key)
        counts = self.counts()[score]
        n = int(counts[band])
        return (
            f"{score.capitalize()} {band_text(self._edges, band)}: "
            f"{_customers(n)}{_share(n, int(counts.sum()))}"
        )

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        return ((self._theme.positive, "■"), (self._theme.accent, "■"))

    def _restyle(self, theme: Theme) -> None:
        for key, colour in (("health", theme.positive), ("engagement", theme.accent)):
            self._bars[key].setOpts(brush=pg.mkBrush(colour), pen=pen_none())


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

    @summarised
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
        self._fit_plot_height()

    def _plot_lines(self) -> int:
        # A line of text a segment: their names and figures never overlap.
        return max(self._least_lines, len(self._segments))

    def rows(self) -> list[tuple[str, int, str]]:
        """(segment, customers as drawn, revenue at risk as labelled), top to bottom."""
        widths = self._bars.opts["width"]
        return [
            (name, int(w), compact_money(cents / 100.0, self.currency))
            for (name, _n, cents), w in zip(self._segments, widths, strict=True)
        ]

    # -- bars: a segment each -------------------------------------------------------------

    def bar_keys(self) -> list[object]:
        return [r[0] for r in self._segments if r[1] > 0]

    def bar_at(self, x: float, y: float) -> object | None:
        row = int(round(y))
        if not 0 <= row < len(self._segments) or abs(y - row) > 0.42:
            return None
        name, n, _cents = self._segments[row]
        room = self.plot.getViewBox().viewRange()[0][1] * 0.12
        return name if n > 0 and 0 <= x <= n + room else None

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        for row, (name, n, _cents) in enumerate(self._segments):
            if name == key and n > 0:
                return (n / 2, float(row))
        return None

    def bar_tip(self, key: object) -> str:
        total = sum(r[1] for r in self._segments)
        for name, n, cents in self._segments:
            if name == key:
                risk = format_money(cents / 100.0, self.currency)
                return f"{name}: {_customers(n)}{_share(n, total)}, revenue at risk {risk}"
        return ""

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

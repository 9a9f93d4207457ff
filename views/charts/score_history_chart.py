"""A customer's scores over the scoring runs: churn risk (as %), health and engagement on
one 0-100 scale, with a dashed mark where the scoring settings changed between two
snapshots (scores on either side of it were computed with different weights).

The chart is handed the snapshots and never queries; its plot items are created once
and updated with ``setData``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from services.core.formatting import format_date, format_short_date
from services.core.records import ScoreHistoryPoint
from views.charts.frame import ChartFrame, epoch_day, summarised
from views.kit.theme import Theme

_DAY_S = 86_400.0
MAX_LABELLED_SNAPSHOTS = 8
_EPOCH = dt.date(1970, 1, 1)

# (key, legend name, theme colour): the series, in legend order.
SERIES = (
    ("churn_risk", "Churn risk %", "critical"),
    ("health_score", "Health", "positive"),
    ("engagement_score", "Engagement", "accent"),
)


def day_seconds(day: dt.date) -> float:
    """Epoch seconds of a calendar day's UTC midnight (the chart's x)."""
    return float((day - _EPOCH).days) * _DAY_S


def history_arrays(
    points: Sequence[ScoreHistoryPoint],
) -> tuple[np.ndarray, dict[str, np.ndarray], list[tuple[float, int]]]:
    """x (epoch seconds), each series on the 0-100 scale (NaN when missing), and the
    (x, new config version) of each change of configuration between snapshots."""
    ordered = sorted(points, key=lambda p: p.as_of)
    xs = np.array([day_seconds(p.as_of) for p in ordered], dtype=float)

    def values(key: str, scale: float) -> np.ndarray:
        raw = [getattr(p, key) for p in ordered]
        return np.array([np.nan if v is None else float(v) * scale for v in raw], dtype=float)

    series = {
        "churn_risk": values("churn_risk", 100.0),
        "health_score": values("health_score", 1.0),
        "engagement_score": values("engagement_score", 1.0),
    }
    changes = [
        (day_seconds(cur.as_of), cur.config_version)
        for prev, cur in zip(ordered, ordered[1:], strict=False)
        if cur.config_version != prev.config_version
    ]
    return xs, series, changes


class ScoreHistoryChart(ChartFrame):
    """A legend row above a pyqtgraph plot of one customer's score snapshots."""

    TITLE = "Score history"
    LEGEND_VARIANTS = (
        ("Churn risk %", "Health", "Engagement", "Settings changed"),
        ("Risk %", "Health", "Engagement", "Settings"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0)}, parent)
        self.plot_widget.setMinimumHeight(90)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setMouseEnabled(x=False, y=False)
        plot.setYRange(0, 100, padding=0.04)
        plot.getAxis("left").setTicks([[(v, str(v)) for v in (0, 25, 50, 75, 100)]])
        plot.layout.setContentsMargins(4, 6, 10, 2)
        self._curves = {
            key: plot.plot([], [], connect="finite", symbol="o", symbolSize=6)
            for key, _name, _colour in SERIES
        }
        # Configuration marks: a pool of vertical lines, shown as many as needed.
        self._marks: list[pg.InfiniteLine] = []
        self._mark_count = 0
        self.set_theme(self._theme)
        self.set_history(())

    # -- data ---------------------------------------------------------------------------

    @summarised
    def set_history(
        self, points: Sequence[ScoreHistoryPoint], *, empty_text: str = "Not scored yet"
    ) -> None:
        """Show the snapshots (any order); empty_text when there are none."""
        xs, series, changes = history_arrays(points)
        for key, curve in self._curves.items():
            ys = np.asarray(series[key], dtype=float)
            # A score no snapshot has (engagement before usage was imported): no line, and
            # no all-NaN bounds for pyqtgraph to warn about.
            if np.isfinite(ys).any():
                curve.setData(xs, ys)
            else:
                curve.setData([], [])
        self._show_marks(changes)
        plot = self.plot_widget.getPlotItem()
        if len(xs) == 0:
            self._empty.setText(empty_text)
            self._empty.setPos(0.5, 62.5)  # between gridlines, not struck through
            self._empty.show()
            plot.setXRange(0, 1, padding=0)
            plot.getAxis("bottom").setStyle(showValues=False)
            return
        self._empty.hide()
        bottom = plot.getAxis("bottom")
        bottom.setStyle(showValues=True)
        first, last = float(xs.min()), float(xs.max())
        # A single snapshot (or two close ones) still gets a readable month of axis.
        span = max(last - first, 30 * _DAY_S)
        days = sorted({p.as_of for p in points})
        gaps = np.diff([day_seconds(d) for d in days])
        if len(days) <= MAX_LABELLED_SNAPSHOTS and (len(gaps) == 0 or gaps.min() >= span / 8):
            # A few runs far enough apart: label each run's date ("Oct 22") rather than
            # the axis' own day numbers.
            bottom.setTicks([[(day_seconds(d), format_short_date(d)) for d in days], []])
        else:
            bottom.setTicks(None)
        middle = (first + last) / 2
        plot.setXRange(middle - span / 2, middle + span / 2, padding=0.06)
        plot.setYRange(0, 100, padding=0.04)

    def summary(self) -> str:
        """How many scorings over which dates, and the latest figure of each score."""
        if self.empty_text:
            return self.empty_text
        latest = []
        xs: np.ndarray | None = None
        for key, legend, _colour in SERIES:
            x, y = self._curves[key].getData()
            known = np.isfinite(y) if y is not None else np.zeros(0, dtype=bool)
            if x is None or not known.any():
                continue
            xs = x if xs is None or len(x) > len(xs) else xs
            value = float(y[known][-1])
            latest.append(
                f"{legend.replace(' %', '').lower()} {value:.0f}{'%' if '%' in legend else ''}"
            )
        if xs is None or not len(xs):
            return ""
        first, last = (epoch_day(float(v)) for v in (xs.min(), xs.max()))
        runs = f"{len(xs)} scoring{'s' if len(xs) != 1 else ''}"
        span = (
            format_date(first) if first == last else f"{format_date(first)} to {format_date(last)}"
        )
        return f"{runs}, {span}; latest: {', '.join(latest)}."

    def _show_marks(self, changes: list[tuple[float, int]]) -> None:
        plot = self.plot_widget.getPlotItem()
        while len(self._marks) < len(changes):
            line = pg.InfiniteLine(angle=90, movable=False, label="", labelOpts={"position": 0.93})
            plot.addItem(line, ignoreBounds=True)
            self._marks.append(line)
            self._style_mark(line)
        for i, line in enumerate(self._marks):
            if i < len(changes):
                x, version = changes[i]
                line.setPos(x)
                line.label.setFormat(f"settings v{version}")
                line.show()
            else:
                line.hide()
        self._mark_count = len(changes)

    @property
    def point_counts(self) -> dict[str, int]:
        """Points drawn per series (NaN gaps not counted), for tests."""
        counts = {}
        for key, curve in self._curves.items():
            _x, y = curve.getData()
            counts[key] = 0 if y is None else int(np.isfinite(y).sum())
        return counts

    @property
    def config_mark_count(self) -> int:
        """Configuration-change marks shown."""
        return self._mark_count

    # -- look ---------------------------------------------------------------------------

    def _style_mark(self, line: pg.InfiniteLine) -> None:
        theme = self._theme
        line.setPen(pg.mkPen(theme.muted, width=1, style=Qt.PenStyle.DashLine))
        line.label.setColor(theme.muted)

    def set_theme(self, theme: Theme) -> None:
        """Recolour every item for the theme (no data is recomputed)."""
        self._style_axes(theme)
        for key, _name, colour in SERIES:
            curve = self._curves[key]
            c = QColor(getattr(theme, colour))
            curve.setPen(pg.mkPen(c, width=2))
            curve.setSymbolBrush(pg.mkBrush(c))
            curve.setSymbolPen(pg.mkPen(theme.chart_bg, width=1))
        for line in self._marks:
            self._style_mark(line)
        self._fit_legend()

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        theme = self._theme
        return (
            (theme.critical, "●"),
            (theme.positive, "●"),
            (theme.accent, "●"),
            (theme.muted, "┆"),
        )

    def _legend_tooltip(self, shown: tuple[str, ...], full: tuple[str, ...]) -> str:
        return (
            "Churn risk in %, health and engagement out of 100. A dashed line marks a "
            "change of the scoring settings."
            if shown != full
            else "Churn risk in %, health and engagement out of 100."
        )

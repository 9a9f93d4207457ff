"""Results ▸ Segments: one figure of every segment over the scoring runs (customers,
revenue, value or mean churn risk), a line a segment, with a dashed mark where the scoring
settings changed between two runs (as on a customer's score history).

The chart is handed its series and never queries; its curves are created once a segment
and updated with ``setData``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from services.core.formatting import format_date, format_short_date
from views.charts.frame import ChartFrame, summarised
from views.charts.score_history_chart import day_seconds
from views.kit.theme import Theme

# A colour a segment, best to worst (services.scoring.rfm.SEGMENTS' order), told apart
# in both themes; segments beyond them take the theme's muted grey.
PALETTE_LIGHT = (
    "#1b7f3b", "#5aa02c", "#2a9d8f", "#1f5fbf", "#7b5cc4", "#c96d17",
    "#d4a017", "#d0342c", "#a0185a", "#8c564b", "#9aa3af",
)  # fmt: skip
PALETTE_DARK = (
    "#4cc26d", "#9bd25a", "#48c9b8", "#6aa0f0", "#a78bfa", "#f0a050",
    "#f2cc4d", "#ff6b60", "#e0609a", "#c49a80", "#c7ced8",
)  # fmt: skip
_DAY_S = 86_400.0
MAX_LABELLED_RUNS = 8


def segment_colours(segments: Sequence[str], theme: Theme) -> dict[str, str]:
    """The colour of each segment (by its place in the segments' order)."""
    from services.scoring.rfm import SEGMENTS

    palette = PALETTE_DARK if theme.is_dark else PALETTE_LIGHT
    out = {}
    for name in segments:
        place = SEGMENTS.index(name) if name in SEGMENTS else -1
        out[name] = palette[place] if 0 <= place < len(palette) else theme.muted
    return out


class SegmentsChart(ChartFrame):
    """Lines of one figure per segment over the runs, with settings-change marks."""

    TITLE = "Segments over time"
    LEGEND_WRAPS = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0)}, parent)
        self.plot_widget.setMinimumHeight(150)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setMouseEnabled(x=False, y=False)
        plot.layout.setContentsMargins(4, 6, 10, 2)
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._segments: tuple[str, ...] = ()
        self._marks: list[pg.InfiniteLine] = []
        self._mark_count = 0
        self._what = ""
        self._format: Callable[[float], str] = lambda v: f"{v:,.0f}"
        self.set_theme(self._theme)
        self.set_series((), {}, ())

    # -- data ---------------------------------------------------------------------------

    @summarised
    def set_series(
        self,
        days: Sequence[dt.date],
        series: Mapping[str, Sequence[float | None]],
        changes: Sequence[tuple[dt.date, int]],
        *,
        what: str = "",
        tick: Callable[[float], str] | None = None,
        empty_text: str = "Not scored yet",
    ) -> None:
        """Each segment's figure on each run's date (None: no figure), and the settings
        changes (date of the first run under them, configuration version)."""
        self._what = what
        self._title.setText(f"{what} per segment" if what else self.TITLE)
        self._format = tick or (lambda v: f"{v:,.0f}")
        self._segments = tuple(series)
        xs = np.array([day_seconds(d) for d in days], dtype=float)
        plot = self.plot
        for name in self._segments:
            if name not in self._curves:
                self._curves[name] = plot.plot([], [], connect="finite", symbol="o", symbolSize=6)
        for name, curve in self._curves.items():
            values = series.get(name)
            if values is None:
                curve.setData([], [])
                curve.hide()
                continue
            ys = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
            curve.setData(xs, ys)
            curve.show()
        self._show_marks([(day_seconds(d), v) for d, v in changes])
        self.set_theme(self._theme)
        if len(xs) == 0 or not self._segments:
            self._empty.setText(empty_text)
            self._empty.setPos(0.5, 0.5)
            self._empty.show()
            plot.setXRange(0, 1, padding=0)
            plot.setYRange(0, 1, padding=0)
            plot.getAxis("bottom").setStyle(showValues=False)
            plot.getAxis("left").setStyle(showValues=False)
            return
        self._empty.hide()
        self._axes(xs, days, series)

    def _axes(
        self, xs: np.ndarray, days: Sequence[dt.date], series: Mapping[str, Sequence[float | None]]
    ) -> None:
        plot = self.plot
        bottom, left = plot.getAxis("bottom"), plot.getAxis("left")
        bottom.setStyle(showValues=True)
        left.setStyle(showValues=True)
        first, last = float(xs.min()), float(xs.max())
        span = max(last - first, 30 * _DAY_S)
        if len(days) <= MAX_LABELLED_RUNS:
            bottom.setTicks([[(day_seconds(d), format_short_date(d)) for d in days], []])
        else:
            bottom.setTicks(None)
        middle = (first + last) / 2
        plot.setXRange(middle - span / 2, middle + span / 2, padding=0.06)
        values = [float(v) for vs in series.values() for v in vs if v is not None]
        top = max(values, default=1.0) or 1.0
        plot.setYRange(0, top, padding=0.06)
        ticks = np.linspace(0, top, 5)
        left.setTicks([[(float(t), self._format(float(t))) for t in ticks]])

    def summary(self) -> str:
        """The figure of each segment in the first and the last run."""
        if self.empty_text:
            return self.empty_text
        parts = []
        span = ""
        for name in self._segments:
            x, y = self._curves[name].getData()
            if x is None or y is None or not len(x):
                continue
            known = np.isfinite(y)
            if not known.any():
                continue
            first, last = float(y[known][0]), float(y[known][-1])
            parts.append(f"{name} {self._format(first)} → {self._format(last)}")
            if not span:
                days = [dt.date(1970, 1, 1) + dt.timedelta(days=int(v // _DAY_S)) for v in x]
                span = f"{len(x)} scorings, {format_date(days[0])} to {format_date(days[-1])}"
        what = f"{self._what}: " if self._what else ""
        return f"{what}{span}; " + "; ".join(parts) + "."

    def _show_marks(self, changes: list[tuple[float, int]]) -> None:
        plot = self.plot
        while len(self._marks) < len(changes):
            line = pg.InfiniteLine(angle=90, movable=False, label="", labelOpts={"position": 0.93})
            plot.addItem(line, ignoreBounds=True)
            self._marks.append(line)
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
    def config_mark_count(self) -> int:
        """Settings-change marks shown."""
        return self._mark_count

    def points(self, segment: str) -> list[float]:
        """The figures drawn for a segment (NaN where none), for tests."""
        curve = self._curves.get(segment)
        if curve is None or not curve.isVisible():
            return []
        _x, y = curve.getData()
        return [] if y is None else [float(v) for v in y]

    # -- look ---------------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        """Recolour every item for the theme (no data is recomputed)."""
        self._style_axes(theme)
        colours = segment_colours(tuple(self._curves), theme)
        for name, curve in self._curves.items():
            c = QColor(colours[name])
            curve.setPen(pg.mkPen(c, width=2))
            curve.setSymbolBrush(pg.mkBrush(c))
            curve.setSymbolPen(pg.mkPen(theme.chart_bg, width=1))
        for line in self._marks:
            line.setPen(pg.mkPen(theme.muted, width=1, style=Qt.PenStyle.DashLine))
            line.label.setColor(theme.muted)
        self._fit_legend()

    def _legend_variants(self) -> tuple[tuple[str, ...], ...]:
        names = self._segments
        marks = ("Settings changed",) if self._mark_count else ()
        return ((*names, *marks),)

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        theme = self._theme
        colours = segment_colours(self._segments, theme)
        marks = ((theme.muted, "┆"),) if self._mark_count else ()
        return (*((colours[n], "●") for n in self._segments), *marks)

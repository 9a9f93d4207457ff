"""The dashboard's trends: the workspace over its stored scoring runs (``TrendsChart``),
the at-risk share and mean health on one scale, revenue at risk on its own.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from services.core import money
from services.core.formatting import format_date, format_percent, format_short_date
from views.charts.dashboard_chart import DashboardChart
from views.charts.frame import summarised
from views.charts.orders_chart import MoneyAxisItem
from views.kit.formatting import compact_money
from views.kit.theme import Theme

_DAY_S = 86_400.0
MAX_LABELLED_RUNS = 8


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
    # A point opens no list; pointing at a run shows its figures.
    CLICKABLE = False
    # How near (in pixels) the pointer must come to a run for its figures to show.
    HOVER_PIXELS = 14

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
        self._runs = np.zeros(0)
        self._run_values: dict[str, np.ndarray] = {}
        self.set_theme(self._theme)
        self.set_trends(np.array([]), np.array([]), np.array([]), np.array([]), np.array([]))

    @summarised
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
        self._runs = xs
        self._run_values = {
            "share": series(at_risk_share, 1.0),
            "health": health,
            "revenue_cents": series(revenue_at_risk_cents, 1.0),
        }
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
                ticks.append((float(x), format_short_date(day)))
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

    # -- points: a run each (its index), shown, never opened --------------------------------

    def bar_keys(self) -> list[object]:
        return list(range(len(self._runs)))

    def bar_at(self, x: float, y: float) -> object | None:
        if not len(self._runs):
            return None
        nearest = int(np.argmin(np.abs(self._runs - x)))
        pixel = self.plot.getViewBox().viewPixelSize()[0]
        return nearest if abs(self._runs[nearest] - x) <= self.HOVER_PIXELS * pixel else None

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        i = cast(int, key)
        share = self._run_values["share"][i]
        return (float(self._runs[i]), float(share) * 100 if np.isfinite(share) else 50.0)

    def bar_tip(self, key: object) -> str:
        i = cast(int, key)
        day = np.datetime64(int(self._runs[i]), "s").astype("datetime64[D]").item()
        share = self._run_values["share"][i]
        health = self._run_values["health"][i]
        cents = self._run_values["revenue_cents"][i]
        parts = [f"Scores of {format_date(day)}"]
        if np.isfinite(share):
            parts.append(f"at-risk share {format_percent(float(share))}")
        if np.isfinite(health):
            parts.append(f"mean health {float(health):.1f}")
        if np.isfinite(cents):
            parts.append(
                f"revenue at risk {money.format_money(int(cents), self.currency, decimals=2)}"
            )
        return " · ".join(parts)

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

"""Orders over time: each order as a dot (its value on the left axis) and the
customer's cumulative paid revenue as a staircase (right axis), with a marker for today.

A customer who is drifting away shows it at a glance: the dots thin out and the
staircase runs flat towards the "today" line. The chart is handed arrays and never
queries; its plot items are created once and updated with ``setData``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from services.core.formatting import format_date
from views.charts.date_axis import MonthAxisItem
from views.charts.frame import ChartFrame, epoch_day, summarised
from views.kit.formatting import as_utc, compact_money, format_money, utc_now
from views.kit.theme import Theme

_DAY_S = 86_400.0


class MoneyAxisItem(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no types
    """An axis with compact money tick labels ("$12k", "€1.2M") and no SI prefix scaling."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        self.currency = "USD"  # the chart sets the currency of its data

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [compact_money(v * scale, self.currency) for v in values]


def cumulative_steps(
    seconds: np.ndarray, amounts: np.ndarray, end: float
) -> tuple[np.ndarray, np.ndarray]:
    """A staircase of running totals: flat between orders, a step up at each, flat to end."""
    if len(seconds) == 0:
        return np.array([], dtype=float), np.array([], dtype=float)
    order = np.argsort(seconds, kind="stable")
    t = np.asarray(seconds, dtype=float)[order]
    total = np.cumsum(np.asarray(amounts, dtype=float)[order])
    xs = np.empty(2 * len(t), dtype=float)
    ys = np.empty(2 * len(t), dtype=float)
    xs[0::2] = t
    xs[1::2] = np.append(t[1:], max(end, t[-1]))
    ys[0::2] = total
    ys[1::2] = total
    return xs, ys


class OrdersChart(ChartFrame):
    """A legend row above a pyqtgraph plot of one customer's orders."""

    TITLE = "Orders over time"
    # Longest first; the first that fits the width is shown, so "Today" is never cut off.
    LEGEND_VARIANTS = (
        ("Paid order", "Refunded/cancelled", "Total spent (right axis)", "Today"),
        ("Paid", "Refunded/cancelled", "Total spent", "Today"),
        ("Paid", "Refunded", "Total", "Today"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            {
                # Dates in UTC, like the rest of the window (views.kit.formatting).
                # Months over a span of months, never the year alone (date_axis.py).
                "bottom": MonthAxisItem(),
                "left": MoneyAxisItem("left"),
                "right": MoneyAxisItem("right"),
            },
            parent,
        )
        self.plot_widget.setMinimumHeight(170)
        plot = self.plot
        plot.showAxis("right")
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        plot.setMouseEnabled(x=True, y=False)
        # The wheel scrolls the pane the chart sits in; Ctrl+wheel zooms the dates (a
        # plain wheel turned over the chart on the way down the pane zoomed it once).
        self.plot_widget.viewport().installEventFilter(self)
        plot.getViewBox().setDefaultPadding(0.02)
        plot.layout.setContentsMargins(4, 6, 4, 2)

        # The running total lives in its own view box so it gets its own y scale
        # (pyqtgraph's multiple-axes recipe), linked to the main x range.
        self._trend_view = pg.ViewBox(enableMenu=False)
        self._trend_view.setMouseEnabled(x=False, y=False)
        plot.scene().addItem(self._trend_view)
        plot.getAxis("right").linkToView(self._trend_view)
        self._trend_view.setXLink(plot)
        self._trend_view.setZValue(-10)  # behind the dots
        self._trend = pg.PlotDataItem([], [], fillLevel=0.0)
        self._trend.setDownsampling(auto=True, method="peak")
        self._trend.setClipToView(True)
        self._trend_view.addItem(self._trend)
        plot.getViewBox().sigResized.connect(self._on_main_view_resized)

        self._paid = plot.plot([], [], pen=None, symbol="o", symbolSize=7)
        self._other = plot.plot([], [], pen=None, symbol="x", symbolSize=9)
        self._today_line = pg.InfiniteLine(angle=90, movable=False)
        plot.addItem(self._today_line, ignoreBounds=True)
        self._empty.setText("No orders yet")
        self.set_theme(self._theme)

    # -- data ---------------------------------------------------------------------------

    @summarised
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(event, QWheelEvent)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            area = self.parentWidget()
            while area is not None and not isinstance(area, QAbstractScrollArea):
                area = area.parentWidget()
            if area is not None:
                QApplication.sendEvent(area.viewport(), event)
            return True  # never a zoom without Ctrl
        return bool(super().eventFilter(watched, event))

    def set_orders(
        self,
        dates: np.ndarray,
        amounts: np.ndarray,
        statuses: np.ndarray,
        *,
        today: dt.datetime | None = None,
    ) -> None:
        """Show orders: dates as datetime64, amounts in units of the chart's currency
        (``set_currency``; NaN amounts are not drawn), statuses (paid...)."""
        seconds = np.asarray(dates, dtype="datetime64[ns]").astype(np.int64) / 1e9
        amounts = np.asarray(amounts, dtype=float)
        known = np.isfinite(amounts)
        seconds, amounts = seconds[known], amounts[known]
        paid = np.asarray(statuses, dtype=object)[known] == "paid"
        now = as_utc(today or utc_now()).timestamp()
        self._paid.setData(seconds[paid], amounts[paid])
        self._other.setData(seconds[~paid], amounts[~paid])
        self._today_line.setPos(now)
        if len(seconds) == 0:
            self._trend.setData([], [])
            self._empty.show()
            self._empty.setPos(now - 180 * _DAY_S, 0.5)
            self.plot_widget.getPlotItem().setXRange(now - 365 * _DAY_S, now + 7 * _DAY_S)
            self.plot_widget.getPlotItem().setYRange(0, 1)
            return
        self._empty.hide()
        start = float(seconds.min()) - 14 * _DAY_S
        end = max(now, float(seconds.max()))
        xs, totals = cumulative_steps(seconds[paid], amounts[paid], end)
        self._trend.setData(xs, totals)
        plot = self.plot_widget.getPlotItem()
        plot.setXRange(start, end + 10 * _DAY_S, padding=0)
        top = float(amounts.max()) if len(amounts) else 1.0
        plot.setYRange(0, top * 1.1 or 1.0, padding=0)
        trend_top = float(totals.max()) if len(totals) else 1.0
        self._trend_view.setYRange(0, trend_top * 1.15 or 1.0, padding=0)

    @summarised
    def set_currency(self, currency: str) -> None:
        """The currency of the amounts: the money axes label their ticks in it."""
        plot = self.plot_widget.getPlotItem()
        for name in ("left", "right"):
            axis = plot.getAxis(name)
            if isinstance(axis, MoneyAxisItem):
                axis.currency = currency
                axis.picture = None  # redrawn with the new labels
                axis.update()

    def summary(self) -> str:
        """How many orders, over which dates, how much paid and the largest."""
        if self.empty_text:
            return self.empty_text
        paid_x, paid_y = self._paid.getData()
        other_x, _ = self._other.getData()
        xs = np.concatenate([a for a in (paid_x, other_x, np.zeros(0)) if a is not None])
        if not len(xs):
            return ""
        currency = getattr(self.plot.getAxis("left"), "currency", "USD")
        paid = np.asarray(paid_y if paid_y is not None else [], dtype=float)
        first, last = (epoch_day(float(x)) for x in (xs.min(), xs.max()))
        total = format_money(float(paid.sum()), currency, cents=False)
        largest = format_money(float(paid.max()) if len(paid) else 0.0, currency, cents=False)
        orders = f"{len(xs):,} order{'s' if len(xs) != 1 else ''}"
        return (
            f"{orders} from {format_date(first)} to {format_date(last)}; "
            f"{len(paid):,} paid, {total} in all, the largest {largest}."
        )

    @property
    def paid_point_count(self) -> int:
        """Dots drawn for paid orders (tests and the self-test check this)."""
        x, _ = self._paid.getData()
        return 0 if x is None else len(x)

    @property
    def other_point_count(self) -> int:
        x, _ = self._other.getData()
        return 0 if x is None else len(x)

    # -- look ---------------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        """Recolour every item for the theme (no data is recomputed)."""
        self._style_axes(theme)
        accent = QColor(theme.accent)
        self._paid.setSymbolBrush(pg.mkBrush(accent))
        self._paid.setSymbolPen(pg.mkPen(theme.chart_bg, width=1))
        self._other.setSymbolBrush(pg.mkBrush(theme.critical))
        self._other.setSymbolPen(pg.mkPen(theme.critical, width=1.5))
        fill = QColor(theme.positive)
        fill.setAlpha(34 if theme.is_dark else 28)
        self._trend.setPen(pg.mkPen(theme.positive, width=2))
        self._trend.setFillBrush(pg.mkBrush(fill))
        self._today_line.setPen(pg.mkPen(theme.muted, width=1, style=Qt.PenStyle.DashLine))
        self._fit_legend()

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        theme = self._theme
        return (
            (theme.accent, "●"),
            (theme.critical, "✕"),
            (theme.positive, "▬"),
            (theme.muted, "┆"),
        )

    def _on_main_view_resized(self) -> None:
        main = self.plot_widget.getPlotItem().getViewBox()
        self._trend_view.setGeometry(main.sceneBoundingRect())
        self._trend_view.linkedViewChanged(main, self._trend_view.XAxis)

"""The dashboard's sentiment trend (``SentimentChart``): tickets and reviews month by
month, the share whose words read negative as bars and the share that read positive as
a line, both in percent. A bar opens the customers who wrote that month's negative ones;
pointing at a month shows its figures, the mean sentiment among them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from services.core.formatting import format_percent
from services.listen.records import MonthSentiment
from views.charts.dashboard_chart import DashboardChart, pen_none
from views.charts.frame import summarised
from views.kit.theme import Theme

_BAR_WIDTH = 0.7


def month_name(month: str, *, short: bool = False) -> str:
    """ "2026-11" -> "November 2026" (short: "Nov")."""
    day = dt.date(int(month[:4]), int(month[5:7]), 1)
    return day.strftime("%b") if short else day.strftime("%B %Y")


class SentimentChart(DashboardChart):
    """Negative share (bars, clickable) and positive share (line) of each month's tickets
    and reviews."""

    TITLE = "Sentiment of tickets and reviews"
    LEGEND_VARIANTS = (
        ("Negative %", "Positive %"),
        ("Negative", "Positive"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({}, parent)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.getAxis("left").setTicks([[(v, f"{v}%") for v in (0, 25, 50, 75, 100)], []])
        self._bars = pg.BarGraphItem(x=[], height=[], width=_BAR_WIDTH, y0=0)
        plot.addItem(self._bars)
        self._positive = plot.plot([], [], symbol="o", symbolSize=6)
        self._months: list[MonthSentiment] = []
        self.set_theme(self._theme)
        self.set_months([])

    @summarised
    def set_months(self, months: Sequence[MonthSentiment]) -> None:
        """Show the months (oldest first)."""
        self._months = list(months)
        n = len(self._months)
        xs = np.arange(n, dtype=float)
        negative = np.array([m.negative_share * 100 for m in self._months], dtype=float)
        positive = np.array([m.positive_share * 100 for m in self._months], dtype=float)
        self._bars.setOpts(x=xs, height=negative, width=_BAR_WIDTH)
        self._positive.setData(xs, positive)
        bottom = self.plot.getAxis("bottom")
        step = 1 if n <= 12 else 2
        bottom.setTicks(
            [[(float(i), month_name(m.month, short=True)) for i, m in enumerate(self._months)
              if i % step == 0 or i == n - 1], []]
        )  # fmt: skip
        self.plot.setYRange(0, 100, padding=0.04)
        if n == 0:
            self.plot.setXRange(0, 1, padding=0)
            self._show_labels([])
            self._show_empty("No tickets or reviews with a sentiment yet", 0.5, 50.0)
            return
        self._empty.hide()
        self.plot.setXRange(-0.6, n - 0.4, padding=0)
        self._show_labels(
            [(float(i), float(h), f"{h:.0f}", (0.5, 1.0)) for i, h in enumerate(negative)]
            if n <= 8
            else []
        )

    # -- bars: a month each (its index) ----------------------------------------------------

    def bar_keys(self) -> list[object]:
        return list(range(len(self._months)))

    def bar_at(self, x: float, y: float) -> object | None:
        i = int(round(x))
        if not 0 <= i < len(self._months) or abs(x - i) > _BAR_WIDTH / 2:
            return None
        return i if 0 <= y <= max(self._months[i].negative_share * 100, 6.0) else None

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        i = cast(int, key)
        if not 0 <= i < len(self._months):
            return None
        return (float(i), max(self._months[i].negative_share * 100, 6.0) / 2)

    def bar_tip(self, key: object) -> str:
        m = self._months[cast(int, key)]
        sign = "+" if m.mean > 0 else ""
        return (
            f"{month_name(m.month)}: {m.texts:,} tickets and reviews, "
            f"{format_percent(m.negative_share)} negative, {format_percent(m.positive_share)} "
            f"positive, mean sentiment {sign}{m.mean:.2f} (-1 to 1). Click to list the "
            f"{len(m.negative_customer_ids):,} customers who wrote the negative ones."
        )

    def month(self, key: object) -> MonthSentiment:
        return self._months[cast(int, key)]

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        t = self._theme
        return ((t.critical, "■"), (t.positive, "●"))

    def _restyle(self, theme: Theme) -> None:
        self._bars.setOpts(brush=pg.mkBrush(theme.critical), pen=pen_none())
        self._positive.setPen(pg.mkPen(theme.positive, width=2))
        self._positive.setSymbolBrush(pg.mkBrush(theme.positive))
        self._positive.setSymbolPen(pg.mkPen(theme.chart_bg, width=1))

"""The renewal pipeline by month (Results ▸ Renewals): for each month of renewal dates,
three bars side by side, the annual recurring revenue up for renewal, expected (weighted by
the likelihood to renew, and what renewed) and at risk. Handed plain figures, never
queries; a click on a bar names it (month index, series) so the section opens its
customers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from views.charts.dashboard_chart import DashboardChart, pen_none
from views.charts.frame import summarised
from views.kit.formatting import compact_money
from views.kit.theme import Theme

UP, EXPECTED, AT_RISK = "up", "expected", "at_risk"
SERIES = (UP, EXPECTED, AT_RISK)
SERIES_NAMES = {UP: "Up for renewal", EXPECTED: "Expected", AT_RISK: "At risk"}
WIDTH = 0.26


class MoneyAxisItem(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no types
    """Ticks as compact money in the chart's currency ($12k)."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        self.currency = "USD"

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        return [compact_money(v * scale, self.currency) for v in values]


class PipelineChart(DashboardChart):
    """Renewals by month: up for renewal, expected and at risk, a year's recurring revenue."""

    TITLE = "Renewals by month (annual recurring revenue)"
    LEGEND_VARIANTS = (("Up for renewal", "Expected", "At risk"), ("Up", "Expected", "Risk"))

    def __init__(self, parent: QWidget | None = None) -> None:
        self._axis = MoneyAxisItem("left")
        super().__init__({"left": self._axis}, parent)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        self._bars = {s: pg.BarGraphItem(x=[], height=[], width=WIDTH) for s in SERIES}
        for bars in self._bars.values():
            plot.addItem(bars)
        self._months: list[str] = []
        self._values: dict[str, list[float]] = {s: [] for s in SERIES}  # units, not cents
        self.set_theme(self._theme)
        self.set_months([], {})

    @summarised
    def set_months(self, months: Sequence[str], cents: dict[str, Sequence[float]]) -> None:
        """Month labels ("Mar 2026") and, per series of SERIES, its amount per month in
        hundredths of the chart's currency."""
        self._axis.currency = self.currency
        self._months = list(months)
        self._values = {s: [c / 100.0 for c in cents.get(s, [0.0] * len(months))] for s in SERIES}
        x = np.arange(len(self._months), dtype=float)
        for i, series in enumerate(SERIES):
            self._bars[series].setOpts(x=x + (i - 1) * WIDTH, height=self._values[series],
                                       width=WIDTH * 0.92)  # fmt: skip
        every = max(1, (len(self._months) + 7) // 8)
        ticks = [(i, m) for i, m in enumerate(self._months) if i % every == 0]
        self.plot.getAxis("bottom").setTicks([ticks, []])
        self.plot.setXRange(-0.6, max(len(self._months) - 0.4, 0.6), padding=0)
        top = max((v for values in self._values.values() for v in values), default=0.0)
        self.plot.setYRange(0, max(top * 1.15, 1.0), padding=0)
        if top <= 0:
            self._show_empty("No renewals in these months", max(len(months) - 1, 0) / 2, 0.5)
        else:
            self._empty.hide()

    def _colours(self, theme: Theme) -> dict[str, str]:
        return {UP: theme.muted, EXPECTED: theme.accent, AT_RISK: theme.critical}

    def _restyle(self, theme: Theme) -> None:
        for series, colour in self._colours(theme).items():
            self._bars[series].setOpts(brush=pg.mkBrush(colour), pen=pen_none())

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        colours = self._colours(self._theme)
        return tuple((colours[s], "■") for s in SERIES)

    def bar_at(self, x: float, y: float) -> object | None:
        for i, series in enumerate(SERIES):
            month = int(round(x - (i - 1) * WIDTH))
            centre = month + (i - 1) * WIDTH
            values = self._values[series]
            if (
                0 <= month < len(values)
                and abs(x - centre) <= WIDTH / 2
                and 0 <= y <= max(values[month], self.plot.viewRange()[1][1] * 0.03)
            ):
                return (month, series)
        return None

    def bar_tip(self, key: object) -> str:
        month, series = cast(tuple[int, str], key)
        amount = compact_money(self._values[series][month], self.currency)
        where = f"{SERIES_NAMES[series]}, {self._months[month]}"
        return f"{where}: {amount} a year. Click for these customers."

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        month, series = cast(tuple[int, str], key)
        i = SERIES.index(series)
        return (month + (i - 1) * WIDTH, self._values[series][month] / 2)

    def bar_keys(self) -> list[object]:
        return [(m, s) for s in SERIES for m, v in enumerate(self._values[s]) if v > 0]

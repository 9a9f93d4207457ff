"""Results ▸ Who to contact's charts: the Qini curve (the uplift ranking, the churn-risk
ranking and a random order) and the distribution of today's uplift estimates, one bar per
range of points (services.learn.uplift)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from services.learn.uplift_records import QiniCurve, UpliftBar
from views.charts.dashboard_chart import DashboardChart, IntegerAxisItem, pen_none
from views.charts.frame import summarised
from views.kit.theme import Theme

_BAR = 0.7


def _customers(n: int) -> str:
    return f"{n:,} customer" if n == 1 else f"{n:,} customers"


class QiniChart(DashboardChart):
    """Extra returns (per 100 past customers) by the share contacted first, for three
    orders: by estimated uplift, by churn risk, at random."""

    TITLE = "Extra returns by the share contacted first"
    LEGEND_VARIANTS = (
        ("Most persuadable first", "Highest churn risk first", "Random order"),
        ("Persuadable", "Churn risk", "Random"),
    )
    CLICKABLE = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({}, parent)
        plot = self.plot
        plot.showGrid(x=True, y=True, alpha=1.0)
        plot.setLabel("bottom", "Share of past customers contacted, most likely first (%)")
        plot.setLabel("left", "Extra returns per 100")
        self._lines = {key: pg.PlotDataItem() for key in ("model", "risk", "random")}
        for item in self._lines.values():
            plot.addItem(item)
        self._curves: dict[str, QiniCurve | None] = {"model": None, "risk": None}
        self.set_theme(self._theme)

    @summarised
    def set_curves(self, model: QiniCurve | None, risk: QiniCurve | None) -> None:
        """The curves to draw (None: none; the random line follows the model's)."""
        self._curves = {"model": model, "risk": risk}
        for key, curve in (("model", model), ("risk", risk)):
            if curve is None:
                self._lines[key].setData([], [])
            else:
                x = np.asarray(curve.shares) * 100
                self._lines[key].setData(x, np.asarray(curve.gains) * 100)
        if model is None:
            self._lines["random"].setData([], [])
            self._show_empty("Not enough data yet", 50.0, 0.0)
            return
        self._empty.hide()
        end = model.gains[-1] * 100
        self._lines["random"].setData([0.0, 100.0], [0.0, end])
        self.plot.setXRange(0, 100, padding=0.02)

    def summary(self) -> str:
        model, risk = self._curves["model"], self._curves["risk"]
        if model is None:
            return self.empty_text
        parts = [f"Most persuadable first: Qini coefficient {model.coefficient * 100:+.2f}"]
        if risk is not None:
            parts.append(f"highest churn risk first: {risk.coefficient * 100:+.2f}")
        parts.append("random order: 0 (per 100 past customers)")
        return "; ".join(parts)

    def _colours(self, theme: Theme) -> dict[str, str]:
        return {"model": theme.accent, "risk": theme.warning, "random": theme.muted}

    def _restyle(self, theme: Theme) -> None:
        colours = self._colours(theme)
        for key, item in self._lines.items():
            style = Qt.PenStyle.DashLine if key == "random" else Qt.PenStyle.SolidLine
            item.setPen(pg.mkPen(colours[key], width=2, style=style))

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        colours = self._colours(self._theme)
        return tuple((colours[key], "■") for key in ("model", "risk", "random"))


class UpliftDistributionChart(DashboardChart):
    """Customers with an active alert by their estimated uplift: a bar per range of
    points; a click opens the bar's customers."""

    TITLE = "Customers in the queue by estimated uplift"
    LEGEND_VARIANTS = ((),)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({"left": IntegerAxisItem("left")}, parent)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setLabel("bottom", "Estimated uplift (points)")
        plot.getAxis("bottom").enableAutoSIPrefix(False)  # an empty chart: no "(x0.001)"
        self._bars = pg.BarGraphItem(x=np.zeros(0), height=np.zeros(0), width=_BAR)
        plot.addItem(self._bars)
        self._data: tuple[UpliftBar, ...] = ()
        self.set_theme(self._theme)

    @summarised
    def set_bars(self, bars: Sequence[UpliftBar], empty: str = "No estimate yet") -> None:
        """The distribution's bars (``empty``: what an empty chart says)."""
        self._data = tuple(bars)
        n = len(self._data)
        counts = self.counts()
        self._bars.setOpts(x=np.arange(n, dtype=float), height=np.asarray(counts, dtype=float))
        self.plot.getAxis("bottom").setTicks([[(i, b.label) for i, b in enumerate(bars)], []])
        top = max(counts, default=0)
        self.plot.setYRange(0, max(top * 1.2, 4.0), padding=0)
        self.plot.setXRange(-0.6, max(n - 0.4, 0.6), padding=0)
        self._show_labels(
            [(float(i), float(c), f"{c:,}", (0.5, 1.0)) for i, c in enumerate(counts) if c]
        )
        if top == 0:
            self._show_empty(empty, max(n - 1, 0) / 2, 2.0)
        else:
            self._empty.hide()

    def counts(self) -> list[int]:
        """Customers per bar (what the chart shows)."""
        return [len(b.customer_ids) for b in self._data]

    def customers_of(self, key: int) -> tuple[int, ...]:
        """The customers a bar counts."""
        return self._data[key].customer_ids

    def label_of(self, key: int) -> str:
        """A bar's range of points in words."""
        return self._data[key].label

    def bar_keys(self) -> list[object]:
        return [i for i, c in enumerate(self.counts()) if c]

    def bar_at(self, x: float, y: float) -> object | None:
        i = int(round(x))
        counts = self.counts()
        if not 0 <= i < len(counts) or abs(x - i) > _BAR / 2 or counts[i] == 0:
            return None
        top = self.plot.getViewBox().viewRange()[1][1]
        return i if 0 <= y <= counts[i] + top * 0.05 else None

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        i = cast(int, key)
        count = self.counts()[i]
        return (float(i), count / 2) if count else None

    def bar_tip(self, key: object) -> str:
        i = cast(int, key)
        bar = self._data[i]
        return f"Uplift {bar.label} points: {_customers(len(bar.customer_ids))}; click to list them"

    def _restyle(self, theme: Theme) -> None:
        self._bars.setOpts(brush=pg.mkBrush(theme.accent), pen=pen_none())

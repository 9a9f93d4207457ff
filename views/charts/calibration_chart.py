"""How well the churn risk is calibrated: for each bin of the backtest, the mean
predicted risk against the share that really placed no order, with the diagonal of
perfect calibration, and the number of customers per bin as light bars (right axis).

A well calibrated model keeps its dots on the diagonal: "70 % risk" then means that
seven customers in ten with that score really did not order again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from services.core.records import CalibrationBin
from views.charts.frame import ChartFrame, summarised
from views.kit.theme import Theme


class PercentAxisItem(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no types
    """Tick labels of a 0..1 axis as whole percentages."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [f"{v * scale * 100:.0f}%" for v in values]


class CountAxisItem(pg.AxisItem):  # type: ignore[misc]
    """Whole numbers with thousands separators."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [f"{v * scale:,.0f}" if v >= 0 else "" for v in values]


def bar_width(predicted: np.ndarray) -> float:
    """Bars as wide as the bins look (the smallest gap between bin centres), within limits."""
    if len(predicted) < 2:
        return 0.08
    gaps = np.diff(np.sort(predicted))
    gaps = gaps[gaps > 1e-6]
    return float(np.clip(gaps.min() * 0.8 if len(gaps) else 0.08, 0.02, 0.1))


class CalibrationChart(ChartFrame):
    """A legend row above the calibration plot (predicted vs observed churn per bin)."""

    TITLE = "Calibration"
    LEGEND_VARIANTS = (
        ("Observed", "Perfect calibration", "Customers per bin (right axis)"),
        ("Observed", "Perfect", "Customers"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            {
                "bottom": PercentAxisItem("bottom"),
                "left": PercentAxisItem("left"),
                "right": CountAxisItem("right"),
            },
            parent,
        )
        self.plot_widget.setMinimumSize(280, 220)
        plot = self.plot
        plot.showAxis("right")
        plot.showGrid(x=True, y=True, alpha=1.0)
        plot.setMouseEnabled(x=False, y=False)
        plot.setXRange(0, 1, padding=0.02)
        plot.setYRange(0, 1, padding=0.02)
        plot.setLabel("bottom", "Predicted churn risk")
        plot.setLabel("left", "Observed: no order")
        plot.layout.setContentsMargins(4, 6, 4, 2)

        # Counts in their own view box (pyqtgraph's multiple-axes recipe), behind.
        self._count_view = pg.ViewBox(enableMenu=False)
        self._count_view.setMouseEnabled(x=False, y=False)
        plot.scene().addItem(self._count_view)
        plot.getAxis("right").linkToView(self._count_view)
        self._count_view.setXLink(plot)
        self._count_view.setZValue(-10)
        self._bars = pg.BarGraphItem(x=[], height=[], width=0.08)
        self._count_view.addItem(self._bars)
        plot.getViewBox().sigResized.connect(self._on_main_view_resized)

        self._diagonal = plot.plot([0.0, 1.0], [0.0, 1.0])
        self._observed = plot.plot([], [], symbol="o", symbolSize=8)
        self._empty.setPos(0.5, 0.5)
        self._bin_count = 0
        self.set_theme(self._theme)
        self.set_bins(())

    # -- data ---------------------------------------------------------------------------

    @summarised
    def set_bins(self, bins: Sequence[CalibrationBin], *, empty_text: str = "No backtest") -> None:
        """Show the calibration table of a backtest."""
        ordered = sorted(bins, key=lambda b: b.predicted)
        predicted = np.array([b.predicted for b in ordered], dtype=float)
        observed = np.array([b.observed for b in ordered], dtype=float)
        counts = np.array([b.count for b in ordered], dtype=float)
        self._observed.setData(predicted, observed)
        self._bars.setOpts(x=predicted, height=counts, width=bar_width(predicted))
        self._bin_count = len(ordered)
        if len(ordered) == 0:
            self._empty.setText(empty_text)
            self._empty.show()
            self._count_view.setYRange(0, 1, padding=0)
            return
        self._empty.hide()
        # The bars stay in the lower part, under the dots they count.
        self._count_view.setYRange(0, float(counts.max()) * 2.2 or 1.0, padding=0)

    def summary(self) -> str:
        """Each band: the churn risk predicted, the share observed, and its customers."""
        if self.empty_text:
            return self.empty_text
        predicted, observed = self._observed.getData()
        counts = self._bars.opts.get("height")
        if predicted is None or counts is None:
            return ""
        bands = [
            f"predicted {p:.0%}, observed {o:.0%} ({int(n):,} customers)"
            for p, o, n in zip(predicted, observed, counts, strict=True)
        ]
        return "Per band of churn risk: " + "; ".join(bands) + "."

    @property
    def bin_count(self) -> int:
        """Bins drawn (tests)."""
        return self._bin_count

    # -- look ---------------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        """Recolour every item for the theme."""
        self._style_axes(theme)
        accent = QColor(theme.accent)
        self._observed.setPen(pg.mkPen(accent, width=2))
        self._observed.setSymbolBrush(pg.mkBrush(accent))
        self._observed.setSymbolPen(pg.mkPen(theme.chart_bg, width=1))
        self._diagonal.setPen(pg.mkPen(theme.muted, width=1, style=Qt.PenStyle.DashLine))
        bar = QColor(theme.muted)
        bar.setAlpha(70 if theme.is_dark else 55)
        self._bars.setOpts(brush=pg.mkBrush(bar), pen=pg.mkPen(None))
        self._fit_legend()

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        theme = self._theme
        return ((theme.accent, "●"), (theme.muted, "┄"), (theme.muted, "▮"))

    def _legend_tooltip(self, shown: tuple[str, ...], full: tuple[str, ...]) -> str:
        return ""

    def _on_main_view_resized(self) -> None:
        main = self.plot_widget.getPlotItem().getViewBox()
        self._count_view.setGeometry(main.sceneBoundingRect())
        self._count_view.linkedViewChanged(main, self._count_view.XAxis)

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
from PySide6.QtGui import QColor, QFont, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from services.records import CalibrationBin
from views.theme import LIGHT, Theme


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


class CalibrationChart(QWidget):
    """A legend row above the calibration plot (predicted vs observed churn per bin)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme: Theme = LIGHT
        self.plot_widget = pg.PlotWidget(
            self,
            axisItems={
                "bottom": PercentAxisItem("bottom"),
                "left": PercentAxisItem("left"),
                "right": CountAxisItem("right"),
            },
        )
        self.plot_widget.setMinimumSize(280, 220)
        plot = self.plot_widget.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
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
        self._empty = pg.TextItem("", anchor=(0.5, 0.5))
        plot.addItem(self._empty, ignoreBounds=True)
        self._empty.setPos(0.5, 0.5)
        self._empty.hide()
        self._bin_count = 0

        self._legend = QLabel(self)
        self._legend.setObjectName("chartLegend")
        self._legend.setTextFormat(Qt.TextFormat.RichText)
        self._legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._legend.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._title = QLabel("Calibration", self)
        self._title.setObjectName("sectionTitle")
        top = QHBoxLayout()
        top.setContentsMargins(6, 0, 6, 0)
        top.addWidget(self._title)
        top.addWidget(self._legend, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.plot_widget, 1)
        self.set_theme(self._theme)
        self.set_bins(())

    # -- data ---------------------------------------------------------------------------

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

    @property
    def bin_count(self) -> int:
        """Bins drawn (tests)."""
        return self._bin_count

    # -- look ---------------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        """Recolour every item for the theme."""
        self._theme = theme
        self.plot_widget.setBackground(theme.chart_bg)
        plot = self.plot_widget.getPlotItem()
        tick_font = QFont(self.font())
        tick_font.setPointSizeF(max(self.font().pointSizeF() - 1, 7.0))
        for name in ("left", "right", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(theme.chart_grid))
            axis.setTextPen(pg.mkPen(theme.muted))
            axis.setStyle(tickFont=tick_font, tickLength=0, tickTextOffset=6)
            axis.label.setDefaultTextColor(QColor(theme.muted))
        accent = QColor(theme.accent)
        self._observed.setPen(pg.mkPen(accent, width=2))
        self._observed.setSymbolBrush(pg.mkBrush(accent))
        self._observed.setSymbolPen(pg.mkPen(theme.chart_bg, width=1))
        self._diagonal.setPen(pg.mkPen(theme.muted, width=1, style=Qt.PenStyle.DashLine))
        bar = QColor(theme.muted)
        bar.setAlpha(70 if theme.is_dark else 55)
        self._bars.setOpts(brush=pg.mkBrush(bar), pen=pg.mkPen(None))
        self._empty.setColor(theme.muted)
        self._fit_legend()

    _LEGEND_VARIANTS = (
        ("Observed", "Perfect calibration", "Customers per bin (right axis)"),
        ("Observed", "Perfect", "Customers"),
    )

    def _legend_html(self, names: tuple[str, ...]) -> str:
        theme = self._theme
        marks = ((theme.accent, "●"), (theme.muted, "┄"), (theme.muted, "▮"))
        return "&nbsp;&nbsp;&nbsp;".join(
            f'<span style="color:{color}">{mark}</span>&nbsp;{name}'
            for (color, mark), name in zip(marks, names, strict=True)
        )

    def _fit_legend(self) -> None:
        room = self.width() - self._title.sizeHint().width() - 24
        metrics = self._legend.fontMetrics()
        names = next(
            (
                v
                for v in self._LEGEND_VARIANTS
                if metrics.horizontalAdvance("   ".join(f"● {n}" for n in v)) + 8 <= room
            ),
            self._LEGEND_VARIANTS[-1],
        )
        self._legend.setText(self._legend_html(names))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_legend()

    def _on_main_view_resized(self) -> None:
        main = self.plot_widget.getPlotItem().getViewBox()
        self._count_view.setGeometry(main.sceneBoundingRect())
        self._count_view.linkedViewChanged(main, self._count_view.XAxis)

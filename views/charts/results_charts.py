"""The Results tab's charts: the lift with its interval (``LiftChart``), re-engagement of
the contacted and the held out (``RatesChart``), by month (``MonthsChart``), the weeks
it took (``WeeksChart``) and the warning the risk alerts gave (``WarningChart``).

Contacted is drawn in the theme's accent colour, held out in its muted grey. Like the
dashboard's, the charts are handed plain values and never query; every bar or point
names its key (``bar_at``) so the pane can open the customers behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from views.charts.dashboard_chart import DashboardChart, IntegerAxisItem, pen_none
from views.charts.frame import summarised
from views.kit.theme import Theme

CONTACTED, HOLDOUT = "contacted", "holdout"
GROUP_NAMES = {CONTACTED: "Contacted", HOLDOUT: "Held out"}


def _group_colours(theme: Theme) -> dict[str, str]:
    return {CONTACTED: theme.accent, HOLDOUT: theme.muted}


def _points(value: float) -> str:
    return f"{value * 100:+.1f}"


def _short(label: str, width: int = 18) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


class LiftChart(DashboardChart):
    """The lift in points with its interval, one row each (the overall first): a point,
    an error bar and a line at zero. A row whose data is not enough yet is grey."""

    TITLE = "Lift in re-engagement (points, 95% CI)"
    LEGEND_VARIANTS = (
        ("Clearly above zero", "Lift", "Not enough data"),
        ("Above 0", "Lift", "Too few"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({}, parent)
        plot = self.plot
        plot.invertY(True)
        plot.showGrid(x=True, y=False, alpha=1.0)
        plot.setLabel("bottom", "Contacted minus held out, points")
        self._zero = pg.InfiniteLine(pos=0, angle=90, movable=False)
        plot.addItem(self._zero, ignoreBounds=True)
        self._bars = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), beam=0.22)
        plot.addItem(self._bars)
        self._dots = pg.ScatterPlotItem(size=11)
        plot.addItem(self._dots)
        self._rows: list[tuple[str, float, float, float, bool]] = []  # as drawn
        self.set_theme(self._theme)
        self.set_rows([])

    @summarised
    def set_rows(
        self, rows: Sequence[tuple[str, float | None, float | None, float | None, bool]]
    ) -> None:
        """(label, lift, low, high, enough) per row; rows without a lift are left out."""
        self._rows = [
            (label, float(lift), float(low), float(high), enough)
            for label, lift, low, high, enough in rows
            if lift is not None and low is not None and high is not None
        ]
        n = len(self._rows)
        y = np.arange(n, dtype=float)
        lift = np.array([r[1] for r in self._rows]) * 100
        low = np.array([r[2] for r in self._rows]) * 100
        high = np.array([r[3] for r in self._rows]) * 100
        self._bars.setData(x=lift, y=y, left=lift - low, right=high - lift, beam=0.22)
        self._restyle(self._theme)
        self.plot.getAxis("left").setTicks(
            [[(i, _short(r[0])) for i, r in enumerate(self._rows)], []]
        )
        self._fit_axis_width("left", [_short(r[0]) for r in self._rows])
        if n == 0:
            self.plot.setXRange(-10, 10, padding=0)
            self.plot.setYRange(-0.6, 0.6, padding=0)
            self._show_labels([])
            self._show_empty("No lift to show yet", 0.0, 0.0)
            return
        self._empty.hide()
        span_low = min(0.0, float(low.min()))
        span_high = max(0.0, float(high.max()))
        pad = max((span_high - span_low) * 0.45, 3.0)  # room for the value labels
        self.plot.setXRange(span_low - pad * 0.3, span_high + pad, padding=0)
        self.plot.setYRange(-0.6, n - 0.4, padding=0)
        self._show_labels(
            [(float(high[i]), float(i), f"  {lift[i]:+.1f}", (0.0, 0.5)) for i in range(n)]
        )

    def _restyle(self, theme: Theme) -> None:
        self._zero.setPen(pg.mkPen(theme.text, width=1, style=Qt.PenStyle.DashLine))
        self._bars.setOpts(pen=pg.mkPen(theme.accent, width=2))
        brushes = [
            pg.mkBrush(theme.muted if not r[4] else theme.positive if r[2] > 0 else theme.accent)
            for r in self._rows
        ]
        self._dots.setData(
            x=[r[1] * 100 for r in self._rows],
            y=list(range(len(self._rows))),
            brush=brushes,
            pen=pg.mkPen(theme.surface, width=1.5),
        )

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        theme = self._theme
        return ((theme.positive, "●"), (theme.accent, "●"), (theme.muted, "●"))

    def bar_at(self, x: float, y: float) -> object | None:
        row = int(round(y))
        if not 0 <= row < len(self._rows) or abs(y - row) > 0.4:
            return None
        _label, _lift, low, high, _enough = self._rows[row]
        pad = 0.08 * (self.plot.viewRange()[0][1] - self.plot.viewRange()[0][0])
        return row if low * 100 - pad <= x <= high * 100 + pad else None

    def bar_tip(self, key: object) -> str:
        label, lift, low, high, enough = self._rows[int(key)]  # type: ignore[call-overload]
        note = "" if enough else " (not enough data yet)"
        return (
            f"{label}: {_points(lift)} points (95% CI {_points(low)} to {_points(high)})"
            f"{note}. Click for these customers."
        )

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        row = int(key)  # type: ignore[call-overload]
        return (self._rows[row][1] * 100, float(row)) if 0 <= row < len(self._rows) else None

    def bar_keys(self) -> list[object]:
        return list(range(len(self._rows)))

    def row_labels(self) -> list[str]:
        """The rows drawn, top to bottom (tests)."""
        return [r[0] for r in self._rows]


class RatesChart(DashboardChart):
    """Re-engagement of the contacted and the held out: one horizontal bar each."""

    TITLE = "Re-engaged within the window"
    LEGEND_VARIANTS = (("Contacted", "Held out"),)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({}, parent)
        plot = self.plot
        plot.invertY(True)
        plot.showGrid(x=True, y=False, alpha=1.0)
        plot.setLabel("bottom", "Re-engaged, %")
        plot.getAxis("left").setTicks([[(0, "Contacted"), (1, "Held out")], []])
        self._fit_axis_width("left", ["Contacted", "Held out"])
        plot.setYRange(-0.6, 1.6, padding=0)
        self._bars = pg.BarGraphItem(
            x0=np.zeros(2), y=np.arange(2.0), height=0.6, width=np.zeros(2)
        )
        plot.addItem(self._bars)
        self._figures: dict[str, tuple[float, int, int]] = {}
        self.set_theme(self._theme)
        self.set_rates({})

    @summarised
    def set_rates(self, figures: dict[str, tuple[float | None, int, int]]) -> None:
        """Per group: (rate, re-engaged, customers)."""
        self._figures = {
            g: (float(f[0]), int(f[1]), int(f[2])) for g, f in figures.items() if f[0] is not None
        }
        widths = np.array(
            [self._figures.get(g, (0.0, 0, 0))[0] * 100 for g in (CONTACTED, HOLDOUT)]
        )
        self._bars.setOpts(width=widths)
        top = float(widths.max()) if len(widths) else 0.0
        self.plot.setXRange(0, max(top * 1.7, 5.0), padding=0)
        labels = []
        for i, group in enumerate((CONTACTED, HOLDOUT)):
            if group in self._figures:
                rate, back, n = self._figures[group]
                labels.append((rate * 100, float(i), f" {rate * 100:.1f}% of {n:,}", (0.0, 0.5)))
        self._show_labels(labels)
        if not self._figures:
            self._show_empty("No customers in either group yet", 2.5, 0.5)
        else:
            self._empty.hide()

    def _restyle(self, theme: Theme) -> None:
        colours = _group_colours(theme)
        self._bars.setOpts(
            brushes=[pg.mkBrush(colours[CONTACTED]), pg.mkBrush(colours[HOLDOUT])], pen=pen_none()
        )

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        colours = _group_colours(self._theme)
        return ((colours[CONTACTED], "■"), (colours[HOLDOUT], "■"))

    def bar_at(self, x: float, y: float) -> object | None:
        row = int(round(y))
        if row not in (0, 1) or abs(y - row) > 0.3:
            return None
        group = (CONTACTED, HOLDOUT)[row]
        if group not in self._figures or x < 0:
            return None
        return group if x <= max(self._figures[group][0] * 100, 1.0) else None

    def bar_tip(self, key: object) -> str:
        rate, back, n = self._figures[str(key)]
        return (
            f"{GROUP_NAMES[str(key)]}: {back:,} of {n:,} re-engaged ({rate * 100:.1f}%). "
            "Click for the re-engaged customers."
        )

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        if key not in self._figures:
            return None
        row = (CONTACTED, HOLDOUT).index(str(key))
        return (max(self._figures[str(key)][0] * 100, 1.0) / 2, float(row))

    def bar_keys(self) -> list[object]:
        return [g for g in (CONTACTED, HOLDOUT) if g in self._figures]

    def values(self) -> dict[str, float]:
        """The bar lengths as drawn, in percent (tests)."""
        widths = self._bars.opts["width"]
        return {g: float(widths[i]) for i, g in enumerate((CONTACTED, HOLDOUT))}


class MonthsChart(DashboardChart):
    """Re-engagement by month of the exposures' start: one line per group."""

    TITLE = "Re-engagement by month"
    LEGEND_VARIANTS = (("Contacted", "Held out"),)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({}, parent)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setLabel("left", "Re-engaged, %")
        self._lines = {g: plot.plot([], [], symbol="o", symbolSize=7) for g in (CONTACTED, HOLDOUT)}
        self._months: list[str] = []
        self._values: dict[str, list[tuple[float | None, int]]] = {}
        self.set_theme(self._theme)
        self.set_months([], {})

    @summarised
    def set_months(
        self, months: Sequence[str], values: dict[str, Sequence[tuple[float | None, int]]]
    ) -> None:
        """Month labels ("Mar 2026") and, per group, (rate, customers) per month."""
        self._months = list(months)
        self._values = {g: list(v) for g, v in values.items()}
        top = 0.0
        for group, line in self._lines.items():
            points = [
                (i, r * 100)
                for i, (r, _n) in enumerate(self._values.get(group, []))
                if r is not None
            ]
            line.setData([p[0] for p in points], [p[1] for p in points])
            top = max([top, *(p[1] for p in points)])
        every = max(1, (len(self._months) + 7) // 8)
        ticks = [(i, m.split()[0] if i % 12 and i else m) for i, m in enumerate(self._months)]
        self.plot.getAxis("bottom").setTicks([[t for t in ticks if t[0] % every == 0], []])
        self.plot.setXRange(-0.4, max(len(self._months) - 0.6, 0.6), padding=0)
        self.plot.setYRange(0, max(top * 1.2, 5.0), padding=0)
        if not self._months:
            self._show_empty("No months to show yet", 0.1, 2.5)
        else:
            self._empty.hide()

    def _restyle(self, theme: Theme) -> None:
        colours = _group_colours(theme)
        for group, line in self._lines.items():
            line.setPen(pg.mkPen(colours[group], width=2))
            line.setSymbolBrush(pg.mkBrush(colours[group]))
            line.setSymbolPen(pg.mkPen(theme.chart_bg, width=1))

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        colours = _group_colours(self._theme)
        return ((colours[CONTACTED], "●"), (colours[HOLDOUT], "●"))

    def bar_at(self, x: float, y: float) -> object | None:
        month = int(round(x))
        if not 0 <= month < len(self._months) or abs(x - month) > 0.3:
            return None
        y_span = self.plot.viewRange()[1][1] - self.plot.viewRange()[1][0]
        best = None
        for group in (CONTACTED, HOLDOUT):
            values = self._values.get(group, [])
            if month < len(values) and values[month][0] is not None:
                distance = abs(y - float(values[month][0]) * 100)  # type: ignore[arg-type]
                if distance <= y_span * 0.08 and (best is None or distance < best[0]):
                    best = (distance, group)
        return None if best is None else (best[1], month)

    def bar_tip(self, key: object) -> str:
        group, month = cast(tuple[str, int], key)
        rate, n = self._values[group][month]
        return (
            f"{GROUP_NAMES[group]}, {self._months[month]}: {(rate or 0) * 100:.1f}% of "
            f"{n:,} re-engaged. Click for these customers."
        )

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        group, month = cast(tuple[str, int], key)
        rate = self._values[group][month][0]
        return None if rate is None else (float(month), rate * 100)

    def bar_keys(self) -> list[object]:
        return [
            (g, i)
            for g in (CONTACTED, HOLDOUT)
            for i, (r, _n) in enumerate(self._values.get(g, []))
            if r is not None
        ]


class WeeksChart(DashboardChart):
    """When the re-engaged ordered: each group's share of its re-engaged per week of
    the window, side by side."""

    TITLE = "Time to re-engagement"
    LEGEND_VARIANTS = (("Contacted", "Held out"),)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({}, parent)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setLabel("left", "Share, %")
        plot.setLabel("bottom", "Days after the email (or the alert)")
        self._bars = {
            g: pg.BarGraphItem(x=np.zeros(0), height=np.zeros(0), width=0.38)
            for g in (CONTACTED, HOLDOUT)
        }
        for bars in self._bars.values():
            plot.addItem(bars)
        self._labels_text: list[str] = []
        self._counts: dict[str, list[int]] = {}
        self.set_theme(self._theme)
        self.set_weeks([], {})

    @summarised
    def set_weeks(self, labels: Sequence[str], counts: dict[str, Sequence[int]]) -> None:
        """Week labels ("0-6") and, per group, the re-engaged per week."""
        self._labels_text = list(labels)
        self._counts = {g: list(c) for g, c in counts.items()}
        top = 0.0
        for offset, group in ((-0.2, CONTACTED), (0.2, HOLDOUT)):
            values = np.array(self._counts.get(group, []), dtype=float)
            share = values / values.sum() * 100 if values.sum() else np.zeros(len(values))
            self._bars[group].setOpts(x=np.arange(len(values)) + offset, height=share, width=0.38)
            top = max(top, float(share.max()) if len(share) else 0.0)
        self.plot.getAxis("bottom").setTicks([list(enumerate(self._labels_text)), []])
        self.plot.setXRange(-0.6, max(len(self._labels_text) - 0.4, 0.6), padding=0)
        self.plot.setYRange(0, max(top * 1.15, 5.0), padding=0)
        if not any(sum(c) for c in self._counts.values()):
            self._show_empty("Nobody re-engaged yet", (len(self._labels_text) - 1) / 2, 2.5)
        else:
            self._empty.hide()

    def _restyle(self, theme: Theme) -> None:
        colours = _group_colours(theme)
        for group, bars in self._bars.items():
            bars.setOpts(brush=pg.mkBrush(colours[group]), pen=pen_none())

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        colours = _group_colours(self._theme)
        return ((colours[CONTACTED], "■"), (colours[HOLDOUT], "■"))

    def bar_at(self, x: float, y: float) -> object | None:
        week = int(round(x))
        if not 0 <= week < len(self._labels_text) or y < 0:
            return None
        group = CONTACTED if x < week else HOLDOUT
        counts = self._counts.get(group, [])
        if week >= len(counts) or not counts[week] or abs(x - week) > 0.4:
            return None
        share = counts[week] / sum(counts) * 100
        return (group, week) if y <= max(share, 1.0) else None

    def bar_tip(self, key: object) -> str:
        group, week = cast(tuple[str, int], key)
        counts = self._counts[group]
        return (
            f"{GROUP_NAMES[group]}, days {self._labels_text[week]}: {counts[week]:,} of "
            f"{sum(counts):,} re-engaged ({counts[week] / sum(counts) * 100:.0f}%). "
            "Click for these customers."
        )

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        group, week = cast(tuple[str, int], key)
        counts = self._counts.get(group, [])
        if week >= len(counts) or not counts[week]:
            return None
        share = counts[week] / sum(counts) * 100
        return (week + (-0.2 if group == CONTACTED else 0.2), max(share, 1.0) / 2)

    def bar_keys(self) -> list[object]:
        return [
            (g, i) for g in (CONTACTED, HOLDOUT) for i, c in enumerate(self._counts.get(g, [])) if c
        ]


class WarningChart(DashboardChart):
    """Days of warning the risk alerts of churned customers gave: one bar per range."""

    TITLE = "Warning before churn"
    LEGEND_VARIANTS = (("Risk alerts of held-out customers who churned",), ("Churned",))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({"bottom": IntegerAxisItem("bottom")}, parent)
        plot = self.plot
        plot.invertY(True)
        plot.showGrid(x=True, y=False, alpha=1.0)
        plot.setLabel("bottom", "Alerts")
        self._bars = pg.BarGraphItem(x0=np.zeros(0), y=np.zeros(0), height=0.6, width=np.zeros(0))
        plot.addItem(self._bars)
        self._buckets: list[tuple[str, int]] = []
        self.set_theme(self._theme)
        self.set_buckets([])

    @summarised
    def set_buckets(self, buckets: Sequence[tuple[str, int]]) -> None:
        """(label, alerts) per range of days."""
        self._buckets = list(buckets)
        n = len(self._buckets)
        values = np.array([b[1] for b in self._buckets], dtype=float)
        self._bars.setOpts(x0=np.zeros(n), y=np.arange(n, dtype=float), width=values)
        labels = [b[0] for b in self._buckets]
        self.plot.getAxis("left").setTicks([list(enumerate(labels)), []])
        self._fit_axis_width("left", labels)
        self.plot.setYRange(-0.6, max(n - 0.4, 0.6), padding=0)
        top = float(values.max()) if n else 0.0
        self.plot.setXRange(0, max(top * 1.25, 4.0), padding=0)
        self._show_labels(
            [(v, float(i), f" {int(v):,}", (0.0, 0.5)) for i, v in enumerate(values) if v > 0]
        )
        if top == 0:
            self._show_empty("No churned held-out customer yet", 2.0, (n - 1) / 2 if n else 0)
        else:
            self._empty.hide()

    def _restyle(self, theme: Theme) -> None:
        self._bars.setOpts(brush=pg.mkBrush(theme.warning), pen=pen_none())

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        return ((self._theme.warning, "■"),)

    def bar_at(self, x: float, y: float) -> object | None:
        row = int(round(y))
        if not 0 <= row < len(self._buckets) or abs(y - row) > 0.3 or x < 0:
            return None
        count = self._buckets[row][1]
        return row if count and x <= max(count, 0.5) else None

    def bar_tip(self, key: object) -> str:
        label, count = self._buckets[int(key)]  # type: ignore[call-overload]
        return f"{count:,} alerts warned {label} ahead. Click for these customers."

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        row = int(key)  # type: ignore[call-overload]
        return (max(self._buckets[row][1], 0.5) / 2, float(row))

    def bar_keys(self) -> list[object]:
        return [i for i, b in enumerate(self._buckets) if b[1]]

"""The charts of an Ask answer: bars for a breakdown (``AnswerBarChart``: one labelled
bar per group, largest question first as the answer orders them) and a line for a
series over days or months (``AnswerLineChart``, on a date axis in epoch seconds).

They are handed labels and values (and how a value reads: money with its currency, a
count) and never query; their plot items are created once and updated with setOpts /
setData, as the dashboard's are.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from services.core.formatting import format_date
from views.charts.dashboard_chart import DashboardChart, pen_none
from views.charts.frame import epoch_day, summarised
from views.kit.theme import Theme

ValueText = Callable[[float], str]
MAX_LABEL_CHARS = 24


def _plain(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def short_label(text: str) -> str:
    """A bar's label cut to fit the axis ("Returns & refunds and a long…")."""
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


class ValueAxisItem(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no types
    """Ticks written as the answer's values read (money with its sign, counts)."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        self.value_text: ValueText = _plain

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        return [self.value_text(v * scale) for v in values]


class AnswerBarChart(DashboardChart):
    """A breakdown: one horizontal bar per group, labels on the left, figures at the
    bars' ends. Pointing at a bar shows its exact figure; a click names its row."""

    LEGEND_VARIANTS = ((),)
    CLICKABLE = False

    def __init__(self, parent: QWidget | None = None) -> None:
        self._axis = ValueAxisItem("bottom")
        super().__init__({"bottom": self._axis}, parent)
        plot = self.plot
        plot.invertY(True)
        plot.showGrid(x=True, y=False, alpha=1.0)
        self._bars = pg.BarGraphItem(x0=[], y=[], height=0.66, width=[])
        plot.addItem(self._bars)
        self._labels_text: list[str] = []
        self._values = np.zeros(0)
        self._value_text: ValueText = _plain
        self.set_theme(self._theme)

    @summarised
    def set_bars(
        self,
        title: str,
        labels: Sequence[str],
        values: Sequence[float],
        value_text: ValueText,
        axis_text: ValueText | None = None,
    ) -> None:
        """Show one bar per label, in the order given (top to bottom); ``axis_text``
        writes the axis' ticks (compact money), ``value_text`` the bars' figures."""
        self._title.setText(title)
        self._labels_text = [str(label) for label in labels]
        self._values = np.asarray([float(v) for v in values], dtype=float)
        self._value_text = value_text
        self._axis.value_text = axis_text or value_text
        n = len(self._labels_text)
        y = np.arange(n, dtype=float)
        widths = np.clip(self._values, 0, None) if n else self._values
        self._bars.setOpts(x0=np.zeros(n), y=y, width=widths, height=0.66)
        self.plot.getAxis("left").setTicks(
            [[(float(i), short_label(t)) for i, t in enumerate(self._labels_text)], []]
        )
        self.plot.setYRange(-0.6, max(n, 1) - 0.4, padding=0)
        top = float(widths.max()) if n else 0.0
        self.plot.setXRange(0, max(top * 1.22, 1.0), padding=0)
        self._show_labels(
            [(float(w), float(i), value_text(v), (-0.05, 0.5))
             for i, (w, v) in enumerate(zip(widths, self._values, strict=True))]
        )  # fmt: skip
        if n == 0:
            self._show_empty("Nothing to draw", 0.5, 0.0)
        else:
            self._empty.hide()
        self._restyle(self._theme)

    @property
    def bars(self) -> list[tuple[str, float]]:
        """(label, value) of each bar as drawn, top to bottom (tests)."""
        return list(zip(self._labels_text, (float(v) for v in self._values), strict=True))

    def bar_keys(self) -> list[object]:
        return list(range(len(self._labels_text)))

    def bar_at(self, x: float, y: float) -> object | None:
        row = int(round(y))
        if not 0 <= row < len(self._labels_text) or abs(y - row) > 0.42:
            return None
        return row if 0 <= x <= max(float(self._values[row]), 0.0) else None

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        if isinstance(key, int) and 0 <= key < len(self._labels_text):
            return (max(float(self._values[key]), 0.0) / 2, float(key))
        return None

    def bar_tip(self, key: object) -> str:
        if isinstance(key, int) and 0 <= key < len(self._labels_text):
            return f"{self._labels_text[key]}: {self._value_text(float(self._values[key]))}"
        return ""

    def _restyle(self, theme: Theme) -> None:
        self._bars.setOpts(brush=pg.mkBrush(theme.accent), pen=pen_none())
        self._fit_axis_width("left", [short_label(t) for t in self._labels_text] or ["Label"])


def day_seconds(label: str) -> float | None:
    """'YYYY-MM-DD' or 'YYYY-MM' as epoch seconds at UTC midnight (None otherwise)."""
    text = str(label)
    try:
        day = dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")
    except ValueError:
        return None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()


class AnswerLineChart(DashboardChart):
    """A series over days or months: a line with a point per row."""

    LEGEND_VARIANTS = ((),)
    CLICKABLE = False

    def __init__(self, parent: QWidget | None = None) -> None:
        self._axis = ValueAxisItem("left")
        super().__init__(
            {"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0), "left": self._axis},
            parent,
        )
        self.plot.showGrid(x=False, y=True, alpha=1.0)
        self._line = self.plot.plot([], [], symbol="o", symbolSize=6)
        self._x = np.zeros(0)
        self._y = np.zeros(0)
        self._value_text: ValueText = _plain
        self.set_theme(self._theme)

    @summarised
    def set_series(
        self,
        title: str,
        labels: Sequence[str],
        values: Sequence[float],
        value_text: ValueText,
        axis_text: ValueText | None = None,
    ) -> None:
        """Show the values over the days (or months) the labels name."""
        self._title.setText(title)
        points = [
            (x, float(v))
            for x, v in ((day_seconds(label), v) for label, v in zip(labels, values, strict=True))
            if x is not None and v is not None and math.isfinite(float(v))  # NaN: no value
        ]
        points.sort()
        self._x = np.asarray([p[0] for p in points], dtype=float)
        self._y = np.asarray([p[1] for p in points], dtype=float)
        axis = axis_text or value_text
        self._axis.value_text, self._value_text = axis, value_text
        self._line.setData(self._x, self._y)
        if len(points):
            self._empty.hide()
            low, high = float(min(self._y.min(), 0.0)), float(self._y.max())
            self.plot.setYRange(low, high * 1.1 if high > 0 else 1.0, padding=0.02)
            self.plot.setXRange(float(self._x.min()), float(self._x.max()), padding=0.03)
            self._fit_axis_width("left", [axis(v) for v in (low, high * 1.1)])
        else:
            self._show_empty("Nothing to draw", 0.5, 0.5)

    def summary(self) -> str:
        """How many points over which days, the first, the last, the lowest, the highest."""
        if self.empty_text or not len(self._y):
            return self.empty_text
        text = self._value_text
        first, last = (format_date(epoch_day(float(x))) for x in (self._x[0], self._x[-1]))
        return (
            f"{len(self._y)} points from {first} ({text(float(self._y[0]))}) to {last} "
            f"({text(float(self._y[-1]))}); lowest {text(float(self._y.min()))}, "
            f"highest {text(float(self._y.max()))}."
        )

    @property
    def points(self) -> list[tuple[float, float]]:
        """(epoch seconds, value) of each point as drawn (tests)."""
        return list(zip(self._x.tolist(), self._y.tolist(), strict=True))

    def _restyle(self, theme: Theme) -> None:
        self._line.setPen(pg.mkPen(theme.accent, width=2))
        self._line.setSymbolBrush(pg.mkBrush(theme.accent))
        self._line.setSymbolPen(pen_none())

"""A customer's product usage week by week (``UsageChart``): one bar a Monday-to-Sunday week,
oldest first, the current week drawn open and dashed while it is still under way (its bar
is a partial figure, not a fall). Pointing at a bar tells its week and figure.

The chart is handed the weeks (services/usage/records.py) and which of their counts to
draw; it never queries, and its bars are one plot item updated with ``setOpts``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from services.core.formatting import format_date, format_short_date, plural
from services.usage.records import UsagePeriod
from views.charts.dashboard_chart import DashboardChart, IntegerAxisItem, pen_none
from views.charts.frame import summarised
from views.kit.theme import Theme

_BAR_WIDTH = 0.72
# The open bar of the week under way: the accent at this opacity (0-255), dashed outline.
_PARTIAL_ALPHA = 70


def is_partial(week: UsagePeriod) -> bool:
    """Whether a week is cut short (the week under way: it ends before its Sunday)."""
    return (week.end - week.start).days < 6


def week_ticks(starts: Sequence[dt.date]) -> list[tuple[float, str]]:
    """A tick at the first week of each month ("Jun"; the year too on January's and on the
    first tick when the weeks cross a year)."""
    ticks: list[tuple[float, str]] = []
    crosses = len({s.year for s in starts}) > 1
    for i, start in enumerate(starts):
        if i and start.month == starts[i - 1].month:
            continue
        if i == 0 and start.day > 7:
            continue  # the first bar is mid-month: its month has no first week here
        year = start.month == 1 or (crosses and not ticks)
        ticks.append((float(i), f"{start:%b %Y}" if year else f"{start:%b}"))
    return ticks


class UsageChart(DashboardChart):
    """Bars of one usage count (active users, or sessions) a week, the week under way open."""

    TITLE = "Active users a week"
    CLICKABLE = False
    LEGEND_VARIANTS = (("Full week", "This week so far"), ("Week", "So far"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({"left": IntegerAxisItem("left")}, parent)
        self.plot_widget.setMinimumSize(180, 120)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        self.bars = pg.BarGraphItem(x=[], height=[], width=_BAR_WIDTH, y0=0)
        plot.addItem(self.bars)
        self._weeks: tuple[UsagePeriod, ...] = ()
        self._values = np.zeros(0)
        self._unit = "active users"
        self._partial = False
        self.set_theme(self._theme)
        self.set_weeks((), (), unit=self._unit)

    # -- data ------------------------------------------------------------------------------

    @summarised
    def set_weeks(
        self,
        weeks: Sequence[UsagePeriod],
        values: Sequence[float],
        *,
        unit: str,
        title: str | None = None,
    ) -> None:
        """Show one figure a week (``values``, in the order of ``weeks``, oldest first);
        ``unit`` names it in the tips ("active users"), ``title`` heads the chart."""
        self._weeks = tuple(weeks)
        self._values = np.asarray(values, dtype=float)
        self._unit = unit
        if title is not None:
            self._title.setText(title)
        self._partial = bool(self._weeks) and is_partial(self._weeks[-1])
        n = len(self._weeks)
        self.bars.setOpts(x=np.arange(n, dtype=float), height=self._values, width=_BAR_WIDTH)
        self._restyle(self._theme)
        self.plot.getAxis("bottom").setTicks([week_ticks([w.start for w in self._weeks]), []])
        top = float(self._values.max()) if n else 0.0
        self.plot.setXRange(-0.6, max(n, 1) - 0.4, padding=0)
        self.plot.setYRange(0, max(top * 1.12, 2.0), padding=0)
        self._fit_axis_width("left", [f"{top:,.0f}"])
        if n == 0 or top == 0:
            self._show_empty(f"No {unit} in these weeks", (max(n, 1) - 1) / 2, 1.0)
        else:
            self._empty.hide()
        self._fit_legend()

    @property
    def values(self) -> list[float]:
        """The bars' heights as drawn, oldest week first (tests)."""
        heights = self.bars.opts.get("height")
        return [] if heights is None else [float(h) for h in heights]

    @property
    def partial(self) -> bool:
        """Whether the last bar is the week under way (drawn open and dashed)."""
        return self._partial

    # -- words -----------------------------------------------------------------------------

    def _week_words(self, i: int) -> str:
        week = self._weeks[i]
        if i == len(self._weeks) - 1 and self._partial:
            days = (week.end - week.start).days + 1
            return (
                f"This week so far ({plural(days, 'day')}, {format_short_date(week.start)} "
                f"to {format_short_date(week.end)})"
            )
        return f"Week of {format_date(week.start)}"

    def _count(self, value: float) -> str:
        unit = self._unit
        if value == 1 and unit.endswith("s"):
            unit = unit[:-1]
        return f"{value:,.0f} {unit}"

    def bar_keys(self) -> list[object]:
        return list(range(len(self._weeks)))

    def bar_at(self, x: float, y: float) -> object | None:
        i = int(round(x))
        if not 0 <= i < len(self._weeks) or abs(x - i) > _BAR_WIDTH / 2:
            return None
        # A short (or empty) bar is still pointed at over a little height.
        reach = max(float(self._values[i]), self.plot.getViewBox().viewRange()[1][1] * 0.08)
        return i if 0 <= y <= reach else None

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        i = cast(int, key)
        if not 0 <= i < len(self._weeks):
            return None
        return (float(i), max(float(self._values[i]), 0.2) / 2)

    def bar_tip(self, key: object) -> str:
        i = cast(int, key)
        return f"{self._week_words(i)}: {self._count(float(self._values[i]))}"

    def summary(self) -> str:
        """The weeks' span, the busiest week, the last full week and the week under way."""
        if self.empty_text or not self._weeks:
            return self.empty_text
        n = len(self._weeks)
        full = n - 1 if self._partial else n
        parts = [f"{n} weeks from {format_date(self._weeks[0].start)}"]
        if full:
            best = int(np.argmax(self._values[:full]))
            parts.append(
                f"most {self._count(float(self._values[best]))} "
                f"(week of {format_date(self._weeks[best].start)})"
            )
            parts.append(f"last full week {self._count(float(self._values[full - 1]))}")
        if self._partial:
            parts.append(f"this week so far {self._count(float(self._values[-1]))}")
        return "; ".join(parts) + "."

    # -- look ------------------------------------------------------------------------------

    def _legend_variants(self) -> tuple[tuple[str, ...], ...]:
        if self._partial:
            return self.LEGEND_VARIANTS
        return ((),)

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        colour = self._theme.accent
        return ((colour, "■"), (colour, "□"))

    def _restyle(self, theme: Theme) -> None:
        n = len(self._weeks)
        full = pg.mkBrush(theme.accent)
        if n == 0:
            # pyqtgraph cannot take empty lists of pens: one pen and brush for no bars.
            self.bars.setOpts(brush=full, pen=pen_none(), brushes=None, pens=None)
            return
        open_colour = QColor(theme.accent)
        open_colour.setAlpha(_PARTIAL_ALPHA)
        brushes = [full] * n
        pens = [pen_none()] * n
        if self._partial and n:
            brushes[-1] = pg.mkBrush(open_colour)
            pens[-1] = pg.mkPen(theme.accent, width=1.5, style=Qt.PenStyle.DashLine)
        self.bars.setOpts(brushes=brushes, pens=pens)

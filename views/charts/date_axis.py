"""A date axis that shows months over a span of months.

pyqtgraph's ``DateAxisItem`` picks one zoom level for the whole axis from the width of
its widest example label ("Sep 2026"); on a chart a few hundred pixels wide showing a
year and a half it falls back to years, and the axis reads "2026" alone.
``MonthAxisItem`` ticks every month, or every 2, 3, 4 or 6 months, whichever is the
finest whose labels fit, labelling each month by its short name and the first tick and
each January with the year too ("Jan 2026", "Apr", "Jul"...). Outside a span of months
(a few weeks, many years) it is pyqtgraph's axis.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

_DAY_S = 86_400.0
_MONTH_S = 30.44 * _DAY_S
MONTH_STEPS = (1, 2, 3, 4, 6)  # each divides 12: every year's January is a tick
MIN_SPAN_S = 50 * _DAY_S  # shorter: days and weeks (pyqtgraph's own)
MAX_SPAN_S = 6 * 365 * _DAY_S  # longer: years (pyqtgraph's own)
GAP_PX = 14  # between two labels


def month_starts(start_s: float, end_s: float, step: int) -> list[float]:
    """The first instants (UTC, epoch seconds) of every ``step``-th month of the year
    (January, and so on) between ``start_s`` and ``end_s``."""
    start = dt.datetime.fromtimestamp(start_s, dt.UTC)
    year, month = start.year, start.month
    out: list[float] = []
    while True:
        moment = dt.datetime(year, month, 1, tzinfo=dt.UTC).timestamp()
        if moment > end_s:
            return out
        if moment >= start_s and (month - 1) % step == 0:
            out.append(moment)
        month += 1
        if month > 12:
            year, month = year + 1, 1


def month_labels(values: list[float]) -> list[str]:
    """Short month names, with the year on the first and on each January."""
    labels = []
    for index, value in enumerate(values):
        day = dt.datetime.fromtimestamp(value, dt.UTC)
        labels.append(f"{day:%b %Y}" if index == 0 or day.month == 1 else f"{day:%b}")
    return labels


class MonthAxisItem(pg.DateAxisItem):  # type: ignore[misc]  # pyqtgraph ships no types
    """A bottom date axis (UTC) that ticks months over a span of months."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(orientation="bottom", utcOffset=0, **kwargs)
        self.month_step: int | None = None  # the months between ticks; None: pyqtgraph's

    def _metrics(self) -> QFontMetrics:
        metrics = getattr(self, "fontMetrics", None)  # set when the axis is drawn
        if isinstance(metrics, QFontMetrics):
            return metrics
        return QFontMetrics(self.style.get("tickFont") or QFont())

    def month_step_for(self, span_s: float, size_px: float) -> int | None:
        """The finest step of months whose labels fit in ``size_px``; None when none does
        or the span is not one of months."""
        if size_px <= 0 or not MIN_SPAN_S <= span_s <= MAX_SPAN_S:
            return None
        metrics = self._metrics()
        # A year-labelled tick beside a month-labelled one, each centred on its tick.
        room = (metrics.horizontalAdvance("Sep 2026") + metrics.horizontalAdvance("Sep")) / 2
        per_month = size_px / (span_s / _MONTH_S)
        return next((s for s in MONTH_STEPS if per_month * s >= room + GAP_PX), None)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:  # noqa: N802, N803
        step = self.month_step_for(maxVal - minVal, size)
        self.month_step = step
        if step is None:
            return list(super().tickValues(minVal, maxVal, size))
        if size > 0 and hasattr(self, "fontMetrics"):
            # pyqtgraph's own state kept current, as when it picks the ticks itself.
            self.setZoomLevelForDensity((maxVal - minVal) / size)
        return [(step * _MONTH_S, month_starts(minVal, maxVal, step))]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        if self.month_step is None:
            return list(super().tickStrings(values, scale, spacing))
        return month_labels(list(values))

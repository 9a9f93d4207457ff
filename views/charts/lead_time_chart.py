"""Results ▸ Early warning's chart: how many days before their lapse the lapsing customers
were first warned, by the app's rules and by the recency rule, one pair of bars per range
of days (the figures of services.learn.alert_replay)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from views.charts.dashboard_chart import DashboardChart, IntegerAxisItem, pen_none
from views.kit.theme import Theme

# Ranges of days of warning: [low, high), the last open.
LEAD_RANGES = (
    (0, 7, "under 7 days"),
    (7, 14, "7–13 days"),
    (14, 30, "14–29 days"),
    (30, 60, "30–59 days"),
    (60, 90, "60–89 days"),
    (90, None, "90 days or more"),
)
SERIES = ("app", "recency")
_BAR = 0.36


def lead_buckets(days: Sequence[int]) -> list[int]:
    """How many of ``days`` fall in each of LEAD_RANGES."""
    values = np.asarray(list(days), dtype=float)
    return [
        int(((values >= low) & ((values < high) if high is not None else True)).sum())
        for low, high, _ in LEAD_RANGES
    ]


NONE_WARNED = "No lapsing customer was warned"
NOT_REPLAYED = "Not replayed yet"


class LeadTimeChart(DashboardChart):
    """Lapsing customers by days of warning: the app's rules beside the recency rule."""

    TITLE = "Days of warning before the lapse"
    LEGEND_VARIANTS = (("The app's rules", "Recency rule"), ("Rules", "Recency"))
    CLICKABLE = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({"bottom": IntegerAxisItem("bottom")}, parent)
        plot = self.plot
        plot.invertY(True)
        plot.showGrid(x=True, y=False, alpha=1.0)
        plot.setLabel("bottom", "Lapsing customers warned")
        labels = [label for *_, label in LEAD_RANGES]
        plot.getAxis("left").setTicks([list(enumerate(labels)), []])
        self._fit_axis_width("left", labels)
        n = len(LEAD_RANGES)
        plot.setYRange(-0.6, n - 0.4, padding=0)
        self._bars = {
            key: pg.BarGraphItem(
                x0=np.zeros(n), y=np.arange(n) + offset, height=_BAR, width=np.zeros(n)
            )
            for key, offset in zip(SERIES, (-_BAR / 2, _BAR / 2), strict=True)
        }
        for bars in self._bars.values():
            plot.addItem(bars)
        self._counts: dict[str, list[int]] = {key: [0] * n for key in SERIES}
        self.set_theme(self._theme)
        self.set_leads((), (), empty=NOT_REPLAYED)

    def set_leads(
        self, app: Sequence[int], recency: Sequence[int], *, empty: str = NONE_WARNED
    ) -> None:
        """The days of warning of each lapsing customer warned, by each rule set; ``empty``
        says why there is no bar (no lapsing customer was warned, or nothing replayed)."""
        self._counts = {"app": lead_buckets(app), "recency": lead_buckets(recency)}
        labels = []
        top = 0
        for (key, bars), offset in zip(self._bars.items(), (-_BAR / 2, _BAR / 2), strict=True):
            counts = self._counts[key]
            bars.setOpts(width=np.asarray(counts, dtype=float))
            top = max(top, *counts)
            labels += [
                (float(c), i + offset, f" {c:,}", (0.0, 0.5)) for i, c in enumerate(counts) if c
            ]
        self.plot.setXRange(0, max(top * 1.25, 4.0), padding=0)
        self._show_labels(labels)
        if top == 0:
            self._show_empty(empty, 2.0, (len(LEAD_RANGES) - 1) / 2)
        else:
            self._empty.hide()

    def counts(self) -> dict[str, list[int]]:
        """The bars' counts per series (what the chart shows)."""
        return {key: list(values) for key, values in self._counts.items()}

    def _colours(self, theme: Theme) -> dict[str, str]:
        return {"app": theme.accent, "recency": theme.muted}

    def _restyle(self, theme: Theme) -> None:
        for key, bars in self._bars.items():
            bars.setOpts(brush=pg.mkBrush(self._colours(theme)[key]), pen=pen_none())

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        colours = self._colours(self._theme)
        return tuple((colours[key], "■") for key in SERIES)

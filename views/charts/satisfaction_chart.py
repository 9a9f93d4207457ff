"""The Results tab's satisfaction chart: NPS (-100 to +100) and CSAT (%) per month, one
line each on one scale, with the answers behind each point in its tool tip. Handed plain
values (services.learn.satisfaction_records.MonthScore), never queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from services.learn.satisfaction_records import (
    CSAT,
    NPS,
    MonthScore,
    csat_text,
    month_label,
    nps_text,
)
from views.charts.dashboard_chart import DashboardChart
from views.charts.frame import summarised
from views.kit.theme import Theme

SERIES = (NPS, CSAT)


def _value(score: MonthScore, series: str) -> float | None:
    if series == NPS:
        return score.nps
    return None if score.csat is None else score.csat * 100


class SatisfactionChart(DashboardChart):
    """NPS and CSAT by local month: a line each, a point per month with answers."""

    TITLE = "NPS and CSAT by month"
    LEGEND_VARIANTS = (("NPS (-100 to +100)", "CSAT (% satisfied)"), ("NPS", "CSAT"))
    CLICKABLE = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({}, parent)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setLabel("left", "NPS · CSAT %")
        self._zero = pg.InfiniteLine(pos=0, angle=0, movable=False)
        plot.addItem(self._zero, ignoreBounds=True)
        self._lines = {s: plot.plot([], [], symbol="o", symbolSize=7) for s in SERIES}
        self._scores: list[MonthScore] = []
        self.set_theme(self._theme)
        self.set_scores([])

    @summarised
    def set_scores(self, scores: Sequence[MonthScore]) -> None:
        """The months to show, in order (a month with no answer leaves a gap)."""
        self._scores = list(scores)
        values = []
        for series, line in self._lines.items():
            points = [
                (i, v) for i, s in enumerate(self._scores) if (v := _value(s, series)) is not None
            ]
            line.setData([p[0] for p in points], [p[1] for p in points])
            values += [p[1] for p in points]
        labels = [month_label(s.month) for s in self._scores]
        every = max(1, (len(labels) + 7) // 8)
        # The year on the first month shown and on each January.
        ticks = [
            (i, m if i == 0 or m.startswith("Jan") else m.split()[0]) for i, m in enumerate(labels)
        ]
        self.plot.getAxis("bottom").setTicks([[t for t in ticks if t[0] % every == 0], []])
        self.plot.setXRange(-0.7, max(len(labels) - 0.4, 0.6), padding=0)
        low = min([0.0, *values])
        self.plot.setYRange(max(-100.0, low - 10.0), 105.0, padding=0)
        if not values:
            self._show_empty("No NPS or CSAT answers in these months", 0.1, 50.0)
        else:
            self._empty.hide()

    def _restyle(self, theme: Theme) -> None:
        colours = self._colours(theme)
        for series, line in self._lines.items():
            line.setPen(pg.mkPen(colours[series], width=2))
            line.setSymbolBrush(pg.mkBrush(colours[series]))
            line.setSymbolPen(pg.mkPen(theme.chart_bg, width=1))
        self._zero.setPen(pg.mkPen(theme.muted, width=1))

    @staticmethod
    def _colours(theme: Theme) -> dict[str, str]:
        return {NPS: theme.accent, CSAT: theme.warning}

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        colours = self._colours(self._theme)
        return ((colours[NPS], "●"), (colours[CSAT], "●"))

    def bar_at(self, x: float, y: float) -> object | None:
        month = int(round(x))
        if not 0 <= month < len(self._scores) or abs(x - month) > 0.3:
            return None
        y_span = self.plot.viewRange()[1][1] - self.plot.viewRange()[1][0]
        best = None
        for series in SERIES:
            value = _value(self._scores[month], series)
            distance = abs(y - value) if value is not None else y_span
            if distance <= y_span * 0.08 and (best is None or distance < best[0]):
                best = (distance, series)
        return None if best is None else (best[1], month)

    def bar_tip(self, key: object) -> str:
        series, month = cast(tuple[str, int], key)
        score = self._scores[month]
        label = month_label(score.month)
        if series == NPS:
            return (
                f"NPS, {label}: {nps_text(score.nps)} of {score.nps_responses:,} customers "
                f"({score.promoters:,} promoters, {score.detractors:,} detractors)"
            )
        return (
            f"CSAT, {label}: {csat_text(score.csat)} of {score.csat_responses:,} rated "
            f"tickets rated good"
        )

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        series, month = cast(tuple[str, int], key)
        value = _value(self._scores[month], series)
        return None if value is None else (float(month), value)

    def bar_keys(self) -> list[object]:
        return [
            (series, i)
            for series in SERIES
            for i, score in enumerate(self._scores)
            if _value(score, series) is not None
        ]

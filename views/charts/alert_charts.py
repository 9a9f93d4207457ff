"""The dashboard's alert charts: open alerts per severity (``AlertSeverityChart``) and
by how long they have been open, stacked by severity (``AlertAgeChart``).

Both count cards, the Alerts tab's rows (a customer's open alerts of one queue), each by
its most urgent alert: a bar is as long as the list it opens (views.dashboard.opens).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget

from services.alerts.records import SEVERITIES, SEVERITY_LABELS
from views.charts.dashboard_chart import (
    DashboardChart,
    IntegerAxisItem,
    pen_none,
    severity_colours,
)
from views.charts.frame import summarised
from views.kit.theme import Theme

AGE_BUCKETS = ("< 1 day", "1-7 days", "8-30 days", "> 30 days")
# Narrow charts label the buckets like this rather than let the labels collide.
SHORT_AGE_BUCKETS = {
    "< 1 day": "< 1 d",
    "1-7 days": "1-7 d",
    "8-30 days": "8-30 d",
    "> 30 days": "> 30 d",
}
# The buckets in a sentence: "raised 8-30 days ago".
AGE_WORDS = {
    "< 1 day": "less than a day ago",
    "1-7 days": "1-7 days ago",
    "8-30 days": "8-30 days ago",
    "> 30 days": "over 30 days ago",
}


CARD_WORDS = "a card is one customer's alerts in one queue"


def _cards(n: int) -> str:
    return f"{n:,} open card" + ("" if n == 1 else "s")


class AlertSeverityChart(DashboardChart):
    """Open cards per severity of their most urgent alert: one horizontal bar each, most
    severe on top."""

    TITLE = "Open alert cards by severity"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({"bottom": IntegerAxisItem("bottom")}, parent)
        plot = self.plot
        plot.invertY(True)
        plot.showGrid(x=True, y=False, alpha=1.0)
        plot.setLabel("bottom", "Cards")
        plot.getAxis("left").setTicks([[(i, s.capitalize()) for i, s in enumerate(SEVERITIES)], []])
        plot.setYRange(-0.6, len(SEVERITIES) - 0.4, padding=0)
        n = len(SEVERITIES)
        self._bars = pg.BarGraphItem(
            x0=np.zeros(n), y=np.arange(n, dtype=float), height=0.62, width=np.zeros(n)
        )
        plot.addItem(self._bars)
        self.set_theme(self._theme)
        self.set_counts({})

    @summarised
    def set_counts(self, counts: Mapping[str, int]) -> None:
        """Show the open cards per severity (missing severities count as none)."""
        lowered = {str(k).lower(): int(v) for k, v in counts.items()}
        values = np.array([max(lowered.get(s, 0), 0) for s in SEVERITIES], dtype=float)
        self._bars.setOpts(width=values)
        top = float(values.max()) if values.any() else 0.0
        # Room on the right for the count at the end of the longest bar.
        self.plot.setXRange(0, max(top * 1.22, 4.0), padding=0)
        self._show_labels(
            [(v, float(i), f"{int(v):,}", (-0.15, 0.5)) for i, v in enumerate(values) if v > 0]
        )
        if top == 0:
            self._show_empty("No open alerts", 2.0, 1.5)
        else:
            self._empty.hide()

    def values(self) -> dict[str, int]:
        """The bar lengths as drawn, per severity."""
        widths = self._bars.opts["width"]
        return {s: int(w) for s, w in zip(SEVERITIES, widths, strict=True)}

    # -- bars: a severity each -------------------------------------------------------------

    def bar_keys(self) -> list[object]:
        return [s for s, n in self.values().items() if n > 0]

    def bar_at(self, x: float, y: float) -> object | None:
        row = int(round(y))
        if not 0 <= row < len(SEVERITIES) or abs(y - row) > 0.4:
            return None
        severity = SEVERITIES[row]
        count = self.values()[severity]
        # The bar and its count just right of it.
        room = self.plot.getViewBox().viewRange()[0][1] * 0.12
        return severity if count > 0 and 0 <= x <= count + room else None

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        count = self.values().get(str(key), 0)
        return (count / 2, float(SEVERITIES.index(str(key)))) if count > 0 else None

    def bar_tip(self, key: object) -> str:
        values = self.values()
        count, total = values.get(str(key), 0), sum(values.values())
        share = f" ({count / total:.0%} of {total:,})" if total else ""
        label = SEVERITY_LABELS[str(key)]
        return (
            f"{label}: {_cards(count)}{share}, the most urgent alert {label.lower()}; {CARD_WORDS}"
        )

    def _restyle(self, theme: Theme) -> None:
        colours = severity_colours(theme)
        self._bars.setOpts(brushes=[pg.mkBrush(colours[s]) for s in SEVERITIES], pen=pen_none())
        self._fit_axis_width("left", [s.capitalize() for s in SEVERITIES])


class AlertAgeChart(DashboardChart):
    """Open cards by how long their alerts have been open (a card of the alerts raised in
    each bucket), stacked by the severity of their most urgent alert (most severe at the
    bottom), with the total above each bar."""

    TITLE = "Open alert cards by age"
    LEGEND_VARIANTS = (
        ("Critical", "Warning", "Opportunity", "Info"),
        ("Crit.", "Warn.", "Opp.", "Info"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({"left": IntegerAxisItem("left")}, parent)
        plot = self.plot
        plot.showGrid(x=False, y=True, alpha=1.0)
        plot.setLabel("left", "Cards")
        self._buckets: tuple[str, ...] = AGE_BUCKETS
        self._short_buckets = False
        plot.getViewBox().sigResized.connect(self._fit_bucket_labels)
        self._stacks = {
            s: pg.BarGraphItem(
                x=np.arange(4, dtype=float), y0=np.zeros(4), height=np.zeros(4), width=0.62
            )
            for s in SEVERITIES
        }
        for bars in self._stacks.values():
            plot.addItem(bars)
        self.set_theme(self._theme)
        self.set_counts({})

    @summarised
    def set_counts(self, counts: Mapping[str, Mapping[str, int]]) -> None:
        """Show age bucket -> severity -> open cards. The four standard buckets are
        always shown, youngest first; any other bucket follows them."""
        buckets = list(AGE_BUCKETS) + [b for b in counts if b not in AGE_BUCKETS]
        self._buckets = tuple(buckets)
        x = np.arange(len(buckets), dtype=float)
        by_bucket = {
            b: {str(k).lower(): int(v) for k, v in counts.get(b, {}).items()} for b in buckets
        }
        bottom = np.zeros(len(buckets))
        for severity in SEVERITIES:
            heights = np.array(
                [max(by_bucket[b].get(severity, 0), 0) for b in buckets], dtype=float
            )
            self._stacks[severity].setOpts(x=x, y0=bottom.copy(), height=heights, width=0.62)
            bottom += heights
        self._fit_bucket_labels()
        self.plot.setXRange(-0.55, len(buckets) - 0.45, padding=0)
        top = float(bottom.max()) if len(bottom) else 0.0
        self.plot.setYRange(0, max(top * 1.18, 4.0), padding=0)
        self._show_labels(
            [(float(i), t, f"{int(t):,}", (0.5, 1.0)) for i, t in enumerate(bottom) if t > 0]
        )
        if top == 0:
            self._show_empty("No open alerts", (len(buckets) - 1) / 2, 2.0)
        else:
            self._empty.hide()

    def _fit_bucket_labels(self) -> None:
        """Full bucket names under the bars when they fit, else the short ones."""
        metrics = QFontMetrics(self._small_font())
        room = self.plot.getViewBox().width() / max(len(self._buckets), 1)
        widest = max(metrics.horizontalAdvance(b) for b in self._buckets)
        self._short_buckets = widest + 10 > room
        names = [SHORT_AGE_BUCKETS.get(b, b) if self._short_buckets else b for b in self._buckets]
        self.plot.getAxis("bottom").setTicks([list(enumerate(names)), []])

    @property
    def bucket_labels(self) -> list[str]:
        """The bucket names as written under the bars."""
        return [SHORT_AGE_BUCKETS.get(b, b) if self._short_buckets else b for b in self._buckets]

    def values(self) -> dict[str, dict[str, int]]:
        """The segment heights as drawn: bucket -> severity -> cards."""
        return {
            bucket: {s: int(self._stacks[s].opts["height"][i]) for s in SEVERITIES}
            for i, bucket in enumerate(self._buckets)
        }

    # -- bars: (age bucket, severity) each, (age bucket, None) for a bar's total ------------

    def bar_keys(self) -> list[object]:
        return [
            (bucket, s)
            for bucket, counts in self.values().items()
            for s in SEVERITIES
            if counts[s] > 0
        ]

    def bar_at(self, x: float, y: float) -> object | None:
        column = int(round(x))
        if not 0 <= column < len(self._buckets) or abs(x - column) > 0.36:
            return None
        bucket = self._buckets[column]
        counts = self.values()[bucket]
        bottom = 0
        for severity in SEVERITIES:
            if counts[severity] and bottom <= y < bottom + counts[severity]:
                return (bucket, severity)
            bottom += counts[severity]
        # The total written above the bar stands for the whole bar.
        room = self.plot.getViewBox().viewRange()[1][1] * 0.1
        return (bucket, None) if bottom and bottom <= y <= bottom + room else None

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        bucket, severity = cast(tuple[str, str | None], key)
        if bucket not in self._buckets:
            return None
        counts = self.values()[bucket]
        column = float(self._buckets.index(bucket))
        total = sum(counts.values())
        if severity is None:  # the total written above the bar
            room = self.plot.getViewBox().viewRange()[1][1] * 0.04
            return (column, total + room) if total else None
        bottom = 0
        for s in SEVERITIES:
            if s == severity:
                return (column, bottom + counts[s] / 2) if counts[s] else None
            bottom += counts[s]
        return None

    def bar_tip(self, key: object) -> str:
        bucket, severity = cast(tuple[str, str | None], key)
        counts = self.values().get(bucket, {})
        total = sum(counts.values())
        when = AGE_WORDS.get(bucket, bucket)
        if severity is None:
            parts = ", ".join(f"{counts[s]:,} {s}" for s in SEVERITIES if counts[s])
            return f"{_cards(total)} of alerts raised {when}: {parts}; {CARD_WORDS}"
        count = counts.get(severity, 0)
        return (
            f"{SEVERITY_LABELS[severity]}, raised {when}: {_cards(count)} "
            f"({count / total:.0%} of the {total:,} raised {when}), the most urgent alert "
            f"{SEVERITY_LABELS[severity].lower()}; {CARD_WORDS}"
        )

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        colours = severity_colours(self._theme)
        return tuple((colours[s], "■") for s in SEVERITIES)

    def _restyle(self, theme: Theme) -> None:
        colours = severity_colours(theme)
        # A thin line of background between the stacked parts keeps orange and amber apart.
        for severity, bars in self._stacks.items():
            bars.setOpts(brush=pg.mkBrush(colours[severity]), pen=pg.mkPen(theme.chart_bg, width=1))

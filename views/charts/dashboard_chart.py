"""What the dashboard's charts share: ``DashboardChart`` (a title and legend row above a
pyqtgraph plot, with value labels on the plot and a message in place of data), the
whole-number axis of their counts and the colours of the alert severities.

The charts themselves: ``alert_charts.py`` (open alerts by severity and by age),
``distribution_charts.py`` (churn risk, health and engagement, segments) and
``trends_chart.py`` (the workspace over its scoring runs). They are handed arrays and
never query; their plot items are created once and updated with ``setData`` /
``setOpts`` (value labels and settings marks come from a pool that only grows).

Every bar can be pointed at and clicked: a chart names the bar under a point
(``bar_at``) and words its exact figure (``bar_tip``); hovering shows that figure as the
plot's tooltip with a pointing hand, and a left click emits ``bar_clicked`` with the
bar's key, through the plot scene's own click signal (the path of every click).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QToolTip, QWidget

from services.core import money
from views.charts.frame import ChartFrame
from views.kit.theme import CRITICAL, OPPORTUNITY, WARNING, Theme

# "Info" has no brand colour: a quiet blue-grey that reads on both backgrounds.
INFO_LIGHT = "#7d8ca3"
INFO_DARK = "#8d9bb1"


def severity_colours(theme: Theme) -> dict[str, str]:
    """Bar fills per severity. The light theme uses the brand colours (its `warning` is
    a darker shade meant for text); the dark theme its brighter variants."""
    if theme.is_dark:
        return {
            "critical": theme.critical,
            "warning": theme.warning,
            "opportunity": theme.opportunity,
            "info": INFO_DARK,
        }
    return {
        "critical": CRITICAL,
        "warning": WARNING,
        "opportunity": OPPORTUNITY,
        "info": INFO_LIGHT,
    }


# What the mouse does with a bar ("Click to list them."): not part of a figure.
_CLICK = re.compile(r"\s*Click [^.]*\.")


class IntegerAxisItem(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no types
    """Counts: ticks on whole numbers only (never "0.5 alerts"), thousands separators."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        # Major and middle ticks only: fewer grid lines behind the bars.
        self.setStyle(maxTickLevel=1)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:  # noqa: N802,N803
        levels = [
            (spacing, [v for v in values if float(v).is_integer()])
            for spacing, values in super().tickValues(minVal, maxVal, size)
            if spacing >= 1
        ]
        if levels:
            return levels
        return [(1.0, [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        return [f"{v * scale:,.0f}" if v >= 0 else "" for v in values]


class DashboardChart(ChartFrame):
    """A title and a legend (shortened to fit, or on a line of its own) above a themed
    pyqtgraph plot, with value labels on the plot and bars to point at and click.

    Signals:
        bar_clicked(object): a bar was clicked; the key names it (what a key is depends
            on the chart: a severity, a band's index, a segment...).
    """

    bar_clicked = Signal(object)

    LEGEND_WRAPS = True
    # Whether a click on a bar means something (a chart of points only shows figures).
    CLICKABLE = True
    # The currency of the chart's money (the workspace's home currency); set before data.
    currency = "USD"

    def __init__(self, axis_items: dict[str, pg.AxisItem], parent: QWidget | None = None) -> None:
        super().__init__(axis_items, parent, top_margin=2)
        self.plot_widget.setMinimumSize(180, 110)
        self._least_lines = 0  # the plot's least height in lines of tick text (0: 110 px)
        plot = self.plot
        plot.setMouseEnabled(x=False, y=False)
        plot.layout.setContentsMargins(4, 4, 10, 2)
        self._labels: list[pg.TextItem] = []
        self._label_count = 0
        self._hovered: object | None = None
        self.hover_tip = ""  # the figure the pointer is on ("" off the bars)
        scene = self.plot_widget.scene()
        scene.sigMouseClicked.connect(self._on_scene_mouse_clicked)
        scene.sigMouseMoved.connect(self._on_scene_mouse_moved)

    # -- room for larger text ---------------------------------------------------------------

    def keep_plot_lines(self, lines: int) -> None:
        """Keep the plot at least ``lines`` lines of its tick text tall above its bottom
        axis (a chart of rows: one line a row at least), so that larger text (150 %,
        200 %) does not squash it or overlap its labels; its page scrolls instead."""
        self._least_lines = lines
        self._fit_plot_height()

    def _plot_lines(self) -> int:
        """How many lines of tick text the plot needs above its bottom axis."""
        return self._least_lines

    def _fit_plot_height(self) -> None:
        if not self._least_lines:
            return
        line = QFontMetrics(self._small_font()).lineSpacing()
        # The bottom axis: its ticks and its label, and a little room.
        self.plot_widget.setMinimumHeight(max(110, (self._plot_lines() + 3) * line))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_plot_height()

    # -- bars to point at ------------------------------------------------------------------

    def bar_at(self, x: float, y: float) -> object | None:
        """The key of the bar at a point of the plot (its data coordinates), or None."""
        return None

    def bar_tip(self, key: object) -> str:
        """The bar's exact figure, in words."""
        return ""

    def bar_centre(self, key: object) -> tuple[float, float] | None:
        """The middle of a bar in data coordinates (None when it is not drawn)."""
        return None

    def bar_keys(self) -> list[object]:
        """The keys of the bars drawn, in order."""
        return []

    def bar_pos(self, key: object) -> QPoint:
        """Where a bar's middle is on the plot's viewport (in its pixels): where a
        pointer goes to hover or click it."""
        centre = self.bar_centre(key)
        if centre is None:
            raise KeyError(key)
        scene = self.plot.getViewBox().mapViewToScene(QPointF(*centre))
        point: QPoint = self.plot_widget.mapFromScene(scene)
        return point

    def _view_point(self, scene_pos: QPointF) -> QPointF | None:
        view = self.plot.getViewBox()
        if not view.sceneBoundingRect().contains(scene_pos):
            return None
        point: QPointF = view.mapSceneToView(scene_pos)
        return point

    def _on_scene_mouse_clicked(self, event: Any) -> None:
        if not self.CLICKABLE or event.button() != Qt.MouseButton.LeftButton:
            return
        point = self._view_point(event.scenePos())
        key = None if point is None else self.bar_at(point.x(), point.y())
        if key is not None:
            event.accept()
            self.bar_clicked.emit(key)

    def _on_scene_mouse_moved(self, scene_pos: QPointF) -> None:
        point = self._view_point(scene_pos)
        key = None if point is None else self.bar_at(point.x(), point.y())
        if key == self._hovered:
            return
        self._hovered = key
        tip = self.bar_tip(key) if key is not None else ""
        self.hover_tip = tip
        # The view box carries the tooltip: the scene shows the tooltip of the topmost
        # item under the pointer that has one, and the view box is under every bar.
        self.plot.getViewBox().setToolTip(tip or self.summary_text)
        viewport = self.plot_widget.viewport()
        if key is not None and self.CLICKABLE:
            viewport.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            viewport.unsetCursor()
        if QToolTip.isVisible():
            # A tooltip already up follows the pointer from bar to bar.
            where = viewport.mapToGlobal(self.plot_widget.mapFromScene(scene_pos))
            if tip:
                QToolTip.showText(where, tip, viewport)
            else:
                QToolTip.hideText()

    def summary(self) -> str:
        """The chart in words: each bar's figure as its tool tip says it (less what the
        mouse does), a note every figure ends with said once, at the end."""
        if self.empty_text:
            return self.empty_text
        tips = [_CLICK.sub("", self.bar_tip(key)).strip() for key in self.bar_keys()]
        tips = [tip for tip in tips if tip]
        notes = {tip.rpartition("; ")[2] for tip in tips}
        if len(tips) > 1 and len(notes) == 1 and "; " in tips[0]:
            tips = [tip.rpartition("; ")[0] for tip in tips] + [notes.pop().capitalize()]
        return "\n".join(tips)

    # -- text on the plot ------------------------------------------------------------------

    def _show_labels(self, labels: Sequence[tuple[float, float, str, tuple[float, float]]]) -> None:
        """Value labels (x, y, text, anchor), from a pool of text items."""
        while len(self._labels) < len(labels):
            item = pg.TextItem("", anchor=(0, 0.5))
            item.setFont(self._small_font())
            item.setColor(self._theme.text)
            self.plot.addItem(item, ignoreBounds=True)
            self._labels.append(item)
        for i, item in enumerate(self._labels):
            if i < len(labels):
                x, y, text, anchor = labels[i]
                item.setText(text)
                item.setAnchor(anchor)
                item.setPos(x, y)
                item.show()
            else:
                item.hide()
        self._label_count = len(labels)

    @property
    def value_labels(self) -> list[str]:
        """The value labels shown on the plot (tests)."""
        return [item.textItem.toPlainText() for item in self._labels[: self._label_count]]

    def _show_empty(self, text: str, x: float, y: float) -> None:
        self._empty.setText(text)
        self._empty.setPos(x, y)
        self._empty.show()

    # -- look ------------------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        """Recolour every item for the theme (no data is recomputed)."""
        # The grid is drawn by the axes: behind the bars, not across them.
        self._style_axes(theme, behind=True)
        for item in self._labels:
            item.setColor(theme.text)
        self._restyle(theme)
        self._fit_legend()

    def _restyle(self, theme: Theme) -> None:
        """Chart-specific colours."""

    def _legend_variants(self) -> tuple[tuple[str, ...], ...]:
        # "$" in a short legend stands for money: the chart's currency sign.
        sign = money.currency_symbol(self.currency).strip()
        return tuple(
            tuple(name.replace("$", sign) for name in names) for names in self.LEGEND_VARIANTS
        )

    def _fit_axis_width(self, name: str, texts: Sequence[str]) -> None:
        """Make a vertical axis wide enough for its widest tick label (pyqtgraph only
        widens it after a first paint, hiding the labels that did not fit until then)."""
        metrics = QFontMetrics(self._small_font())
        widest = max((metrics.horizontalAdvance(t) for t in texts), default=0)
        axis = self.plot.getAxis(name)
        label = metrics.height() + 4 if axis.label.isVisible() else 0
        axis.setWidth(widest + 12 + label)


def pen_none() -> Any:
    return pg.mkPen(None)

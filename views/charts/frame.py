"""The frame every chart of the window shares: a title and a legend above a themed plot.

The legend shows the longest of its wordings that fits beside the title (the full one is
then the tooltip); a chart that allows it moves the legend to a line of its own when
even the shortest does not fit. Axes are drawn in the theme's grid and muted colours
with a font a point smaller than the window's. Subclasses give the legend's wordings
(``LEGEND_VARIANTS``, longest first) and marks (``_legend_marks``), and style their own
plot items in ``set_theme``.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from views.kit import accessibility
from views.kit.theme import LIGHT, Theme

P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound="ChartFrame")


def epoch_day(seconds: float) -> dt.date:
    """The calendar day (UTC) of epoch seconds: the day of a point of a time axis."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date()


def summarised(method: Callable[Concatenate[C, P], R]) -> Callable[Concatenate[C, P], R]:
    """Decorates a method that hands a chart its data: the text summary follows it."""

    def wrapper(self: C, /, *args: P.args, **kwargs: P.kwargs) -> R:
        result = method(self, *args, **kwargs)
        self.refresh_summary()
        return result

    functools.update_wrapper(wrapper, method)
    return wrapper


class ChartTitle(QLabel):
    """A chart's title: one line where it fits, else two (larger text on a laptop), so
    that a long title never pushes its card, and the cards beside it, off the screen."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # The whole title on one line is what it asks for (a wrapped label's own hint is a
        # narrower "pleasing" width, which wrapped short titles beside a legend): the
        # narrowest width at which it takes one line (style sheet padding included).
        hint = super().sizeHint()
        one_line = self.heightForWidth(16_777_215)
        width = self.fontMetrics().horizontalAdvance(self.text())
        while self.heightForWidth(width) > one_line and width < hint.width() + 400:
            width += 4
        return QSize(width, one_line)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # Half the text (two lines) at least; a wrapped label's own is its longest word.
        hint = super().minimumSizeHint()
        half = self.fontMetrics().horizontalAdvance(self.text()) // 2 + self.fontMetrics().height()
        return QSize(max(hint.width(), min(half, self.sizeHint().width())), hint.height())


class ChartFrame(QWidget):
    """A title and a legend (shortened to fit) above a themed pyqtgraph plot."""

    TITLE = ""
    # Longest first; the first that fits is shown, the full one is then the tooltip.
    LEGEND_VARIANTS: tuple[tuple[str, ...], ...] = ((),)
    # Whether the legend may take a line of its own below the title when it does not fit.
    LEGEND_WRAPS = False

    def __init__(
        self,
        axis_items: dict[str, pg.AxisItem] | None = None,
        parent: QWidget | None = None,
        *,
        title: str | None = None,
        top_margin: int = 4,
    ) -> None:
        super().__init__(parent)
        self._theme: Theme = LIGHT
        self.plot_widget = pg.PlotWidget(self, axisItems=axis_items or {})
        plot = self.plot_widget.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        self._empty = pg.TextItem("", anchor=(0.5, 0.5))
        self._empty.setZValue(10)  # over whatever the chart draws later
        plot.addItem(self._empty, ignoreBounds=True)
        self._empty.hide()

        self._title = ChartTitle(self.TITLE if title is None else title, self)
        self._title.setObjectName("sectionTitle")
        self._legend = self._legend_label()
        self._legend.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # Where the legend does not fit beside the title, it may take a line of its own.
        self._legend_below = self._legend_label()
        self._legend_below.setContentsMargins(8, 0, 6, 0)
        self._legend_below.hide()
        top = QHBoxLayout()
        top.setContentsMargins(6, 0, 6, 0)
        top.addWidget(self._title)
        top.addWidget(self._legend, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, top_margin, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self._legend_below)
        layout.addWidget(self.plot_widget, 1)
        # Named now; described once handed its data (subclasses' set_* are @summarised).
        self.summary_text = self._title.text()
        accessibility.name(self.plot_widget, f"{self._title.text() or 'Chart'} (chart)")

    # -- for everyone: the chart in words ---------------------------------------------------

    def summary(self) -> str:
        """What the chart shows, in words (its data, or why there is none)."""
        return self.empty_text

    @property
    def empty_text(self) -> str:
        """The message shown in place of data ("" when there is data)."""
        return self._empty.textItem.toPlainText() if self._empty.isVisible() else ""

    def refresh_summary(self) -> None:
        """Name the plot by the title and describe it by the summary: what a screen reader
        says of the picture, and the title's tool tip."""
        title = self._title.text() or "Chart"
        text = self.summary()
        self.summary_text = f"{title}: {text}" if text else title
        accessibility.name(self.plot_widget, f"{title} (chart)")
        accessibility.describe(self.plot_widget, self.summary_text)
        self._title.setToolTip(self.summary_text)

    def _legend_label(self) -> QLabel:
        label = QLabel(self)
        label.setObjectName("chartLegend")
        label.setTextFormat(Qt.TextFormat.RichText)
        # Never pushes the chart wider; _fit_legend picks wording that fits instead.
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        return label

    @property
    def plot(self) -> pg.PlotItem:
        return self.plot_widget.getPlotItem()

    @property
    def title(self) -> str:
        return self._title.text()

    # -- look ------------------------------------------------------------------------------

    def _small_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(self.font().pointSizeF() - 1, 7.0))
        return font

    def _style_axes(self, theme: Theme, *, behind: bool = False) -> None:
        """The theme's pens and a smaller font on every axis; ``behind`` puts the axes'
        grid under the plot's items (bars are drawn over it, not struck through)."""
        self._theme = theme
        self.plot_widget.setBackground(theme.chart_bg)
        tick_font = self._small_font()
        for name in ("left", "right", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(theme.chart_grid))
            axis.setTextPen(pg.mkPen(theme.muted))
            axis.setStyle(tickFont=tick_font, tickLength=0, tickTextOffset=6)
            axis.label.setDefaultTextColor(QColor(theme.muted))
            if behind:
                axis.setZValue(-100)
        self._empty.setColor(theme.muted)

    # -- legend ----------------------------------------------------------------------------

    def _legend_marks(self) -> tuple[tuple[str, str], ...]:
        """(colour, mark) of each legend entry, in the theme's colours."""
        return ()

    def _legend_variants(self) -> tuple[tuple[str, ...], ...]:
        return self.LEGEND_VARIANTS

    def _legend_html(self, names: tuple[str, ...], *, wraps: bool = False) -> str:
        # Entries that may wrap break between them, never between a mark and its name.
        return ("&nbsp;&nbsp; " if wraps else "&nbsp;&nbsp;&nbsp;").join(
            f'<span style="color:{colour}">{mark}</span>&nbsp;{html.escape(name)}'
            for (colour, mark), name in zip(self._legend_marks(), names, strict=True)
        )

    def _legend_tooltip(self, shown: tuple[str, ...], full: tuple[str, ...]) -> str:
        """The legend's tooltip: the full wording when a shorter one is shown."""
        return " · ".join(full) if shown != full else ""

    def _legend_width(self, names: tuple[str, ...]) -> int:
        plain = "   ".join(f"● {name}" for name in names)
        return self._legend.fontMetrics().horizontalAdvance(plain) + 8

    def _fit_legend(self) -> None:
        variants = self._legend_variants()
        full = variants[0]
        if not full:
            self._legend.setText("")
            self._legend_below.hide()
            return
        beside = self.width() - self._title.sizeHint().width() - 24
        names = next((v for v in variants if self._legend_width(v) <= beside), None)
        if names is not None or not self.LEGEND_WRAPS:
            names = names or variants[-1]
            self._legend.setText(self._legend_html(names))
            self._legend.setToolTip(self._legend_tooltip(names, full))
            self._legend_below.hide()
            return
        below = self.width() - 16
        names = next((v for v in variants if self._legend_width(v) <= below), None)
        # Larger text on a narrow card: the shortest wording, its entries wrapping.
        wraps = names is None
        self._legend_below.setWordWrap(wraps)
        names = names or variants[-1]
        self._legend.setText("")
        self._legend_below.setText(self._legend_html(names, wraps=wraps))
        self._legend_below.setToolTip(self._legend_tooltip(names, full))
        self._legend_below.show()

    @property
    def legend_text(self) -> str:
        """The legend as shown (markup included), beside or below the title."""
        return self._legend_below.text() if self._legend_below.isVisible() else self._legend.text()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_legend()
